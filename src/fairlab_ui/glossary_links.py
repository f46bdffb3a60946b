"""Links from the places a metric appears to its glossary entry."""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st

from fairlab.errors import FairLabError
from fairlab.glossary import entry

GLOSSARY_PAGE = "app_pages/glossary.py"


def glossary_key(name: str) -> str | None:
    """The glossary entry of a metric, criterion or disparity name, or None."""
    try:
        return entry(name).key
    except FairLabError:
        return None


def glossary_links(names: Iterable[str], *, caption: str = "In the glossary:") -> None:
    """A row of links to the glossary entries of ``names`` (those without one are skipped,
    repeats shown once)."""
    keys = list(dict.fromkeys(k for k in map(glossary_key, names) if k is not None))
    if not keys:
        return
    st.caption(caption)
    columns = st.columns(min(len(keys), 4))
    for i, key in enumerate(keys):
        columns[i % len(columns)].page_link(
            GLOSSARY_PAGE,
            label=entry(key).title,
            query_params={"term": key},
            icon=":material/menu_book:",
        )
