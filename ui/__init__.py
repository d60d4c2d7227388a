"""The only non-page code that imports Streamlit: cached loaders, shared widgets, rendering helpers."""
