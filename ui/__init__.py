"""Streamlit glue: session state, caches, widgets and routing for the pages. No pages here."""
