"""Data in: the bundled datasets and the robust CSV reader.

A journey starts from a DataFrame. :func:`load_bundled` gives one of the classic fairness
datasets (UCI Adult, ProPublica COMPAS, German credit) with a default audit spec, one
click from an audit. :func:`read_csv` reads an uploaded or local CSV file robustly and
says, per column, what it looks like (:func:`infer_column_roles`). :func:`generate_world`
builds a synthetic lending or hiring world with dialled-in biases, for teaching.
"""

from __future__ import annotations

from fairlab.data.bundled import (
    BUNDLED_NAMES,
    BundledDataset,
    bundled_titles,
    data_dir,
    load_bundled,
)
from fairlab.data.csv import ColumnInfo, CsvReadResult, infer_column_roles, read_csv
from fairlab.data.synthetic import SyntheticWorld, WorldConfig, WorldConfigError, generate_world

__all__ = [
    "BUNDLED_NAMES",
    "BundledDataset",
    "bundled_titles",
    "data_dir",
    "load_bundled",
    "read_csv",
    "CsvReadResult",
    "ColumnInfo",
    "infer_column_roles",
    "SyntheticWorld",
    "WorldConfig",
    "WorldConfigError",
    "generate_world",
]
