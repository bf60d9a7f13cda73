"""Shared fixtures: project paths, the corpus, clean Streamlit caches."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
SAMPLE_DIR = ROOT / "sample_data"
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture
def clear_streamlit_caches():
    """Each AppTest starts with empty st.cache_data caches."""
    import streamlit as st

    st.cache_data.clear()
    yield
    st.cache_data.clear()
