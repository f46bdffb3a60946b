"""Links from the places a metric appears to its glossary entry."""

from __future__ import annotations

from fairlab.errors import FairLabError
from fairlab.glossary import entry


def glossary_key(name: str) -> str | None:
    """The glossary entry of a metric, criterion or disparity name, or None."""
    try:
        return entry(name).key
    except FairLabError:
        return None
