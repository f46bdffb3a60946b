"""Cached wrappers around the library.

Caches are keyed by small values: a dataset key that identifies its content (a bundled
name or an upload's SHA-256), a frozen spec. DataFrames are passed as ``_frame`` and so
never hashed. Every cache is bounded, so a long-running classroom server does not grow
without limit.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from fairlab.audit_data import build_audit_data
from fairlab.data import bundled
from fairlab.data.csv import ColumnInfo, CsvReadResult, infer_column_roles, read_csv
from fairlab.data.profile import GroupProfile, missing_by_column, profile_groups
from fairlab.spec import AuditSpec, SpecProblem


def content_key(raw: bytes) -> str:
    """Identify uploaded bytes: ``upload:<sha256>``."""
    return "upload:" + hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True)
class BundledWithRoles:
    """A bundled dataset with its inferred column roles."""

    dataset: bundled.BundledDataset
    columns: tuple[ColumnInfo, ...]


@st.cache_resource(max_entries=3, show_spinner="Loading the bundled dataset…")
def load_bundled(name: str) -> BundledWithRoles:
    """Load a bundled dataset once per server; shared read-only between sessions."""
    dataset = bundled.load_bundled(name)
    return BundledWithRoles(dataset=dataset, columns=infer_column_roles(dataset.frame))


@st.cache_data(max_entries=4, show_spinner="Reading the file…")
def read_upload(key: str, _raw: bytes, name: str) -> CsvReadResult:
    """Read an uploaded CSV; cached by the SHA-256 of its bytes."""
    return read_csv(_raw, name=name)


@st.cache_data(max_entries=64, show_spinner=False)
def validate_spec(dataset_key: str, spec: AuditSpec, _frame: pd.DataFrame) -> list[SpecProblem]:
    """Every problem of ``spec`` on the dataset identified by ``dataset_key``."""
    return spec.validate(_frame)


@dataclass(frozen=True)
class DataProfile:
    """What the Data page shows before any model exists."""

    groups: dict[str, GroupProfile]
    missing: pd.DataFrame
    n_rows: int
    dropped: dict[str, int]


@st.cache_data(max_entries=32, show_spinner="Profiling groups…")
def profile(dataset_key: str, spec: AuditSpec, _frame: pd.DataFrame) -> DataProfile:
    """Group sizes, base rates and missing values; ``spec`` must have no errors."""
    data = build_audit_data(_frame, spec)
    return DataProfile(
        groups=profile_groups(data),
        missing=missing_by_column(_frame),
        n_rows=data.n_rows,
        dropped=data.dropped,
    )
