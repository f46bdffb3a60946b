"""Data in: the bundled datasets and the robust CSV reader.

A journey starts from a DataFrame. :func:`load_bundled` gives one of the classic fairness
datasets (UCI Adult, ProPublica COMPAS, German credit) with a default audit spec, one
click from an audit.
"""

from __future__ import annotations

from fairlab.data.bundled import (
    BUNDLED_NAMES,
    BundledDataset,
    bundled_titles,
    data_dir,
    load_bundled,
)

__all__ = [
    "BUNDLED_NAMES",
    "BundledDataset",
    "bundled_titles",
    "data_dir",
    "load_bundled",
]
