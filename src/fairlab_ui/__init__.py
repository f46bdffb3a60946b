"""Streamlit-only helpers for the FairLab app: session-state keys, cached wrappers around
the :mod:`fairlab` library, widget groups and renderers. The library never imports this."""
