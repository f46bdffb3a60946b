"""Cached wrappers around the library.

Caches are keyed by small values: a dataset key that identifies its content (a bundled
name or an upload's SHA-256), a frozen spec. DataFrames are passed as ``_frame`` and so
never hashed. Every cache is bounded, so a long-running classroom server does not grow
without limit.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from fairlab.audit_data import build_audit_data
from fairlab.data import bundled
from fairlab.data.csv import ColumnInfo, CsvReadResult, infer_column_roles, read_csv
from fairlab.data.profile import GroupProfile, missing_by_column, profile_groups
from fairlab.data.synthetic import SyntheticWorld, WorldConfig, generate_world
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
def read_upload(
    key: str, _raw: bytes, name: str, header: bool = True, delimiter: str | None = None
) -> CsvReadResult:
    """Read an uploaded CSV; cached by the SHA-256 of its bytes and the reading options."""
    return read_csv(_raw, name=name, header=header, delimiter=delimiter)  # type: ignore[arg-type]


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


class ResultStore:
    """A bounded, thread-safe store of results computed with a progress display.

    ``st.cache_resource`` cannot cache a function that draws progress into an element made
    outside it, so long computations that report progress keep their results here instead,
    under the same kind of small key (a prediction source and settings). The oldest entry
    goes when the store is full.
    """

    def __init__(self, max_entries: int) -> None:
        self._max_entries = max_entries
        self._items: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> object | None:
        """The result stored under ``key``, or None."""
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key: Hashable, value: object) -> None:
        """Store ``value`` under ``key``, dropping the oldest entry if full."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._max_entries:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


@st.cache_resource
def result_store(name: str, max_entries: int) -> ResultStore:
    """The server-wide store called ``name`` (one per kind of result)."""
    return ResultStore(max_entries)


FIGURE_CACHE_ENTRIES = 64
"""About ten figures per prediction source; each can hold thousands of curve points."""


def cached_figure(key: Hashable, build: Callable[[], go.Figure]) -> go.Figure:
    """The figure ``build`` makes, built once per server for ``key``.

    Building a plotly figure (validating every property) is most of a page's server time,
    and a classroom opens the same page on the same data at once. ``key`` must name
    everything the figure shows, starting with the dataset's content key or the prediction
    source (which holds it), so a figure of one upload is reachable only with its bytes.
    The figure is shared: callers must not change it.
    """
    store = result_store("figures", FIGURE_CACHE_ENTRIES)
    figure = store.get(key)
    if figure is None:
        figure = build()
        store.put(key, figure)
    return figure  # type: ignore[return-value]


@st.cache_resource(max_entries=16, show_spinner="Generating the synthetic world…")
def synthetic_world(config: WorldConfig) -> SyntheticWorld:
    """The synthetic world of ``config`` (deterministic, so shared read-only)."""
    return generate_world(config)
