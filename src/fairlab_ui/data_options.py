"""Data page widget groups: how to read an upload, merging groups, leakage warnings.

Their values are the session's choices (:mod:`fairlab_ui.state`), like the spec form's:
the reading options go with the upload (:func:`fairlab_ui.session.use_upload` keeps them
in the session's source, so a reload reads the file the same way), and the merges are
part of the spec the form builds (:func:`fairlab_ui.spec_form.draft`).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from fairlab.data.csv import WHITESPACE
from fairlab.leakage import LeakageFinding, check_leakage
from fairlab.spec import OTHER_GROUP_LABEL, AuditSpec
from fairlab_ui import session, spec_form, state
from fairlab_ui.render import md, show_error, show_warning
from fairlab_ui.state import ActiveDataset

DETECT = "detect"
"""The separator option that lets the reader sniff it (a selectbox shows None as empty)."""
SEPARATORS = {
    DETECT: "detect (comma, semicolon, tab or |)",
    ",": "comma ,",
    ";": "semicolon ;",
    "\t": "tab",
    "|": "pipe |",
    WHITESPACE: "spaces or tabs (any number)",
}
UPLOAD_TYPES = ["csv", "tsv", "txt", "gz", "zip"]
"""What the uploader accepts: CSV text, gzip-compressed CSV (.csv.gz), a zip of one CSV."""

MIN_ROWS_HELP = (
    "Groups with fewer rows than this are merged into '" + OTHER_GROUP_LABEL + "'. "
    "0 merges nothing by size."
)


# ---------------------------------------------------------------------- upload options
def read_options() -> tuple[bool, str | None]:
    """Draw the upload options (no header row, separator); changing one re-reads the
    file in use. Returns ``(header, delimiter)`` as :func:`current_read_options`."""
    left, right = st.columns(2)
    left.checkbox(
        "No header row (name the columns column_1, column_2, …)",
        **state.show(state.DATA_NO_HEADER, False, then=_reread),
    )
    right.selectbox(
        "Separator",
        list(SEPARATORS),
        format_func=SEPARATORS.__getitem__,
        **state.show(state.DATA_SEPARATOR, DETECT, options=list(SEPARATORS), then=_reread),
    )
    return current_read_options()


def current_read_options() -> tuple[bool, str | None]:
    """``(header, delimiter)`` as the user last set them (a header row and a detected
    separator until then)."""
    separator = state.choice(state.DATA_SEPARATOR, DETECT)
    return (
        not state.choice(state.DATA_NO_HEADER, False),
        None if separator == DETECT else separator,
    )


def _reread() -> None:
    """Read the upload in use again with the options just set (a failed read keeps what
    was there and says why under the uploader)."""
    source = st.session_state.get(state.SOURCE)
    if source is not None and source[0] == "upload":
        header, delimiter = current_read_options()
        session.use_upload(source[1], source[2], header=header, delimiter=delimiter)


# ---------------------------------------------------------------------- group merging
def group_merge_form(dataset: ActiveDataset, sensitive: list[str]) -> None:
    """Draw the merging form of each sensitive attribute; an edit rebuilds the spec."""
    frame = dataset.frame
    store = state.choices()
    for column in sensitive:
        if column not in frame.columns:
            continue
        min_key = state.DATA_MERGE_MIN_PREFIX + column
        map_key = state.DATA_MERGE_MAP_PREFIX + column
        store.setdefault(min_key, 0)
        store.setdefault(map_key, "")
        is_set = bool(store[min_key]) or bool(str(store[map_key]).strip())
        n_groups = frame[column].nunique(dropna=True)
        with st.expander(
            f"Merge groups of {md(column)} ({n_groups:,} distinct values)", expanded=is_set
        ):
            st.number_input(
                "Merge groups smaller than (rows)",
                min_value=0,
                step=10,
                help=MIN_ROWS_HELP,
                **spec_form.bind(min_key, dataset),
            )
            st.text_area(
                "Map values to groups (one 'value = group' per line)",
                placeholder="Amer-Indian-Eskimo = Other",
                height=90,
                **spec_form.bind(map_key, dataset),
            )
            for message in spec_form.parse_mapping(str(store[map_key]), column=column)[1]:
                show_error(message)


# ---------------------------------------------------------------------- leakage
@st.cache_data(max_entries=32, show_spinner=False)
def _leakage(
    dataset_key: str, spec: AuditSpec, _frame: pd.DataFrame
) -> tuple[LeakageFinding, ...]:
    return check_leakage(_frame, spec)


def leakage_warnings(
    dataset_key: str, spec: AuditSpec | None, frame: pd.DataFrame
) -> tuple[LeakageFinding, ...]:
    """Warn about the chosen features that may give the outcome away, before training."""
    if spec is None or not spec.features or spec.target not in frame.columns:
        return ()
    findings = _leakage(dataset_key, spec, frame)
    for finding in findings:
        show_warning(finding.message)
    return findings
