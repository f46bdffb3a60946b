"""Every session-state key the app uses, in one place.

Keys of widgets start with the page they live on (``data_``); the other keys hold what
the user has built so far and survive page switches.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from fairlab.data.csv import ColumnInfo
from fairlab.spec import AuditSpec

# What the user has built (not widgets).
ACTIVE_DATASET = "active_dataset"
SPEC = "spec"
UPLOAD_ERROR = "upload_error"
UPLOAD_NOTICE = "upload_notice"
SPEC_FILE_ERROR = "spec_file_error"
PREDICTIONS = "predictions"
TRAINED = "trained_models"
SKOPS_MODEL = "skops_model"
THRESHOLDS = "thresholds"
THRESHOLD_FIGURE = "threshold_figure"
CHOICES = "choices"
SOURCE = "source"
WORKSPACE = "workspace_token"
WORKSPACE_NOTICE = "workspace_notice"
BOUND = "bound_widget_keys"

# Widgets of the Data page.
DATA_SOURCE = "data_source"
DATA_BUNDLED = "data_bundled"
DATA_UPLOAD = "data_upload"
DATA_SPEC_UPLOAD = "data_spec_upload"
DATA_TARGET = "data_target"
DATA_POSITIVE = "data_positive"
DATA_SENSITIVE = "data_sensitive"
DATA_BINS_PREFIX = "data_bins_"
DATA_MISSING_POLICY = "data_missing_policy"
DATA_FEATURES = "data_features"
DATA_PREDICTION = "data_prediction"
DATA_PREDICTION_POSITIVE = "data_prediction_positive"
DATA_SCORE = "data_score"
DATA_THRESHOLD = "data_threshold"

SPEC_CHOICE_KEYS = (
    DATA_TARGET,
    DATA_POSITIVE,
    DATA_SENSITIVE,
    DATA_MISSING_POLICY,
    DATA_FEATURES,
    DATA_PREDICTION,
    DATA_PREDICTION_POSITIVE,
    DATA_SCORE,
    DATA_THRESHOLD,
)
"""The spec form's choices (with the ``DATA_BINS_PREFIX`` ones); a new dataset or spec
replaces them all."""

# Widgets of the Model page whose values are choices.
MODEL_SOURCE = "model_source"
MODEL_NAME = "model_name"
MODEL_ACTIVE = "model_active"

SOURCE_BUNDLED = "Bundled dataset"
SOURCE_UPLOAD = "Upload a CSV"
SOURCE_SYNTHETIC = "Synthetic world (for teaching)"
SYNTHETIC_CONFIG = "synthetic_config"
DEFAULT_BUNDLED = "adult"


@dataclass(frozen=True)
class ActiveDataset:
    """The dataset the session works on.

    ``key`` identifies its content (``bundled:adult`` or ``upload:<sha256>``) and is what
    every cache is keyed on, so one user's upload is reachable only with its bytes.
    """

    key: str
    kind: str
    name: str
    frame: pd.DataFrame
    columns: tuple[ColumnInfo, ...]
    warnings: tuple[str, ...]
    card: str | None = None

    @property
    def roles(self) -> dict[str, str]:
        """Column name to inferred role."""
        return {c.name: c.role for c in self.columns}


def active_dataset() -> ActiveDataset | None:
    """The session's dataset, if one is loaded."""
    return st.session_state.get(ACTIVE_DATASET)


def current_spec() -> AuditSpec | None:
    """The session's audit spec, if one is set."""
    return st.session_state.get(SPEC)


def choices() -> dict[str, Any]:
    """The session's choices: widget key to the value the user last set.

    This is the one place a choice lives. It is written only by the user's actions (a
    widget's ``on_change`` through :func:`commit`, loading data or a spec, training a model)
    and read by :func:`show` before a widget is drawn, so a page change, which clears the
    widget state of the page left behind, never changes a choice.
    """
    return st.session_state.setdefault(CHOICES, {})


def choice(key: str, default: Any = None) -> Any:
    """The value the user last set for ``key``, or ``default``."""
    return choices().get(key, default)


def set_choice(key: str, value: Any) -> None:
    """Record a choice the user made by an action other than the widget itself."""
    choices()[key] = value


def commit(key: str) -> None:
    """``on_change`` callback: the widget ``key`` now holds the user's choice."""
    choices()[key] = st.session_state[key]


def show(
    key: str,
    default: Any = None,
    options: list[Any] | None = None,
    then: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Make the widget ``key`` show the stored choice; call just before drawing it.

    A stored choice that is not among ``options`` (when given) is not shown, but kept:
    the widget shows ``default`` until the choice is possible again or the user changes it.

    Returns the keyword arguments that bind the widget (its key and an ``on_change`` that
    records the user's edit, then calls ``then``), to be passed as ``**show(key)``; the
    widget must not be given a default value of its own.
    """
    value = choice(key, default)
    st.session_state[key] = value if options is None or value in options else default
    st.session_state.setdefault(BOUND, set()).add(key)
    return {"key": key, "on_change": _commit_then, "args": (key, then)}


def _commit_then(key: str, then: Callable[[], None] | None) -> None:
    commit(key)
    if then is not None:
        then()


def forget_choices(keys: tuple[str, ...], prefixes: tuple[str, ...] = ()) -> None:
    """Drop the choices ``keys`` and those starting with one of ``prefixes`` (they belonged
    to the dataset or spec loaded before)."""
    store = choices()
    for key in [k for k in store if k in keys or k.startswith(prefixes)]:
        del store[key]


# Widgets and requests of the Explain page.
EXPLAIN_VIEW = "explain_view"
EXPLAIN_ROW = "explain_row"
EXPLAIN_GLOBAL_REQUEST = "explain_global_request"
EXPLAIN_AGREEMENT_REQUEST = "explain_agreement_request"
EXPLAIN_PROXY_REQUEST = "explain_proxy_request"
EXPLAIN_STABILITY_REQUEST = "explain_stability_request"
EXPLAIN_LIME_SAMPLES = "explain_lime_samples"

# Requests of the Mitigate page.
MITIGATE_REQUEST = "mitigation_request"
MITIGATE_PICKED = "mitigation_picked_point"


# Widgets whose values survive a visit to another page (Streamlit forgets the value of a
# widget that is not drawn in a run, unless the key is written back to the session state).
PAGE_PREFIXES = {
    "data": "data_",
    "model": "model_",
    "fairness": "fair_",
    "explain": "explain_",
    "mitigate": "mitigate_",
    "learn": "learn_",
}
# Buttons, uploads and editors cannot be given a value through the session state.
_NOT_SETTABLE = re.compile(
    r"(_run|_load|_upload|_raise_samples|_back|_next|learn_reveal_\w+|_download(_\w+)?"
    r"|_editor_\d+|_use_bundled)$"
)


KEPT_WIDGETS = "kept_widget_values"


def remember_widget_values() -> None:
    """Copy the values of the widgets not bound to a choice (:func:`show`) into a plain
    session entry, at the end of a run: a page change clears the widget state of the page
    left behind before the next run starts, so the copy is what survives."""
    prefixes = tuple(PAGE_PREFIXES.values())
    bound = st.session_state.get(BOUND, set())
    kept = dict(st.session_state.get(KEPT_WIDGETS, {}))
    for key, value in st.session_state.items():
        name = str(key)
        if name.startswith(prefixes) and name not in bound and not _NOT_SETTABLE.search(name):
            kept[name] = value
    st.session_state[KEPT_WIDGETS] = kept


def keep_widget_values() -> None:
    """Restore, at the start of a run, the widget values a page change cleared.

    Values still in the session state are left alone, so a widget drawn in this run is
    never also given a value through the session state (Streamlit would warn).
    """
    for key, value in st.session_state.get(KEPT_WIDGETS, {}).items():
        if key not in st.session_state:
            st.session_state[key] = value


# Upload options and group merging on the Data page (fairlab_ui.data_options).
DATA_NO_HEADER = "data_opt_no_header"
DATA_SEPARATOR = "data_opt_separator"
DATA_MERGE_MIN_PREFIX = "data_merge_min_"
DATA_MERGE_MAP_PREFIX = "data_merge_map_"
