"""Bundled datasets and the build step that makes them (``python -m data.build``)."""
