"""Pure geographic and data functions of the Atlas des tiers-lieux.

Nothing in this package imports Streamlit: pages call it, never the other way round.
"""
