"""Data page widget groups: how to read an upload, merging groups, leakage warnings.

Each function takes a key prefix (the page's, ``data_``) and returns what the user chose:
:func:`read_options` a :class:`ReadOptions`, :func:`group_merges` the spec's
:class:`~fairlab.spec.GroupMerge` tuple, :func:`leakage_warnings` the findings it showed.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from fairlab.data.csv import WHITESPACE, CsvReadResult, read_csv
from fairlab.errors import FairLabError
from fairlab.leakage import LeakageFinding, check_leakage
from fairlab.spec import OTHER_GROUP_LABEL, AuditSpec, GroupMerge
from fairlab.suggest import suggest_spec
from fairlab_ui import cache, session, state
from fairlab_ui.render import md, show_error, show_warning

SEPARATORS = {
    None: "detect (comma, semicolon, tab or |)",
    ",": "comma ,",
    ";": "semicolon ;",
    "\t": "tab",
    "|": "pipe |",
    WHITESPACE: "spaces or tabs (any number)",
}
UPLOAD_TYPES = ["csv", "tsv", "txt", "gz", "zip"]
"""What the uploader accepts: CSV text, gzip-compressed CSV (.csv.gz), a zip of one CSV."""

MAPPING_LINE_ERROR = (
    "Line {line} of the mapping for '{column}' reads '{text}'; write one 'value = group' per "
    "line, for example 'Amer-Indian-Eskimo = Other'."
)
MIN_ROWS_HELP = (
    "Groups with fewer rows than this are merged into '" + OTHER_GROUP_LABEL + "'. "
    "0 merges nothing by size."
)


@dataclass(frozen=True)
class ReadOptions:
    """How to read an uploaded file: whether it has a header row, and its separator."""

    header: bool = True
    delimiter: str | None = None

    @property
    def is_default(self) -> bool:
        """Whether the reader's own guesses apply (a header row, a sniffed separator)."""
        return self.header and self.delimiter is None

    def key_suffix(self) -> str:
        """Added to the dataset's content key, so every cache tells the readings apart."""
        return "" if self.is_default else f"|header={self.header}|sep={self.delimiter!r}"


# ---------------------------------------------------------------------- upload options
def read_options(prefix: str) -> ReadOptions:
    """Draw the upload options (no header row, separator) and return them.

    Changing one re-reads the file already uploaded.
    """
    left, right = st.columns(2)
    left.checkbox(
        "No header row (name the columns column_1, column_2, …)",
        key=prefix + state.DATA_NO_HEADER.removeprefix("data_"),
        on_change=_reread,
        args=(prefix,),
    )
    right.selectbox(
        "Separator",
        list(SEPARATORS),
        key=prefix + state.DATA_SEPARATOR.removeprefix("data_"),
        format_func=SEPARATORS.__getitem__,
        on_change=_reread,
        args=(prefix,),
    )
    return current_read_options(prefix)


def current_read_options(prefix: str) -> ReadOptions:
    """The upload options as last set (the defaults before the widgets were drawn)."""
    ss = st.session_state
    return ReadOptions(
        header=not ss.get(prefix + state.DATA_NO_HEADER.removeprefix("data_"), False),
        delimiter=ss.get(prefix + state.DATA_SEPARATOR.removeprefix("data_")),
    )


@st.cache_data(max_entries=4, show_spinner="Reading the file…")
def _read_with_options(
    key: str, _raw: bytes, name: str, header: bool, delimiter: str | None
) -> CsvReadResult:
    return read_csv(_raw, name=name, header=header, delimiter=delimiter)  # type: ignore[arg-type]


def use_upload(name: str, raw: bytes, options: ReadOptions) -> bool:
    """Make an upload the active dataset, read with ``options``.

    With the default options this is :func:`fairlab_ui.session.use_upload`; otherwise the
    same steps with the options passed to the reader. A failed read keeps what was there
    and stores the message under ``UPLOAD_ERROR``.

    Returns
    -------
    bool
        Whether the upload became the active dataset.
    """
    if options.is_default:
        return session.use_upload(name, raw)
    key = cache.content_key(raw) + options.key_suffix()
    try:
        result = _read_with_options(key, raw, name, options.header, options.delimiter)
        spec = suggest_spec(result.frame, result.roles())
    except FairLabError as exc:
        st.session_state[state.UPLOAD_ERROR] = str(exc)
        return False
    st.session_state.pop(state.UPLOAD_ERROR, None)
    st.session_state[state.ACTIVE_DATASET] = state.ActiveDataset(
        key=key,
        kind="upload",
        name=name,
        frame=result.frame,
        columns=result.columns,
        warnings=result.warnings,
    )
    st.session_state[state.SPEC] = spec
    state.reset_spec_widgets()
    return True


def _reread(prefix: str) -> None:
    uploaded = st.session_state.get(state.DATA_UPLOAD)
    if uploaded is not None:
        use_upload(uploaded.name, uploaded.getvalue(), current_read_options(prefix))


# ---------------------------------------------------------------------- group merging
def _min_key(prefix: str, column: str) -> str:
    return prefix + state.DATA_MERGE_MIN_PREFIX.removeprefix("data_") + column


def _map_key(prefix: str, column: str) -> str:
    return prefix + state.DATA_MERGE_MAP_PREFIX.removeprefix("data_") + column


def parse_mapping(text: str, *, column: str) -> tuple[tuple[tuple[str, str], ...], list[str]]:
    """Read 'value = group' lines; return the pairs and a message per unreadable line."""
    pairs: list[tuple[str, str]] = []
    errors: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        value, equals, group = line.partition("=")
        if not equals or not value.strip() or not group.strip():
            errors.append(MAPPING_LINE_ERROR.format(line=number, column=column, text=line.strip()))
            continue
        pairs.append((value.strip(), group.strip()))
    return tuple(pairs), errors


def group_merges(
    prefix: str, stored: AuditSpec | None, frame: pd.DataFrame, sensitive: list[str]
) -> tuple[GroupMerge, ...]:
    """The merges the merging widgets describe, for the spec (call before building it).

    When the stored spec's merges are not the ones written last (a saved spec was loaded,
    another dataset chosen), the widgets are set from the stored spec first, so they
    show it; lines of a mapping that cannot be read are left out (the form says which).
    """
    ss = st.session_state
    saved = stored.merges if stored is not None else ()
    if ss.get(state.MERGES_WRITTEN) != saved:
        for key in [k for k in ss if _is_merge_key(prefix, str(k))]:
            del ss[key]
        for merge in saved:
            ss[_min_key(prefix, merge.column)] = merge.min_rows
            ss[_map_key(prefix, merge.column)] = "\n".join(
                f"{value} = {group}" for value, group in merge.mapping
            )
    merges = []
    for column in sensitive:
        min_rows = int(ss.setdefault(_min_key(prefix, column), 0) or 0)
        pairs, _ = parse_mapping(str(ss.setdefault(_map_key(prefix, column), "")), column=column)
        if column in frame.columns and (min_rows or pairs):
            merges.append(GroupMerge(column, min_rows=min_rows, mapping=pairs))
    ss[state.MERGES_WRITTEN] = tuple(merges)
    return tuple(merges)


def _is_merge_key(prefix: str, key: str) -> bool:
    return key.startswith((_min_key(prefix, ""), _map_key(prefix, "")))


def group_merge_form(prefix: str, frame: pd.DataFrame, sensitive: list[str]) -> None:
    """Draw the merging form of each sensitive attribute (values set by
    :func:`group_merges`)."""
    ss = st.session_state
    for column in sensitive:
        if column not in frame.columns:
            continue
        min_key, map_key = _min_key(prefix, column), _map_key(prefix, column)
        is_set = bool(ss.get(min_key)) or bool(str(ss.get(map_key, "")).strip())
        n_groups = frame[column].nunique(dropna=True)
        with st.expander(
            f"Merge groups of {md(column)} ({n_groups:,} distinct values)", expanded=is_set
        ):
            st.number_input(
                "Merge groups smaller than (rows)",
                min_value=0,
                step=10,
                key=min_key,
                help=MIN_ROWS_HELP,
            )
            st.text_area(
                "Map values to groups (one 'value = group' per line)",
                key=map_key,
                placeholder="Amer-Indian-Eskimo = Other",
                height=90,
            )
            for message in parse_mapping(str(ss.get(map_key, "")), column=column)[1]:
                show_error(message)


# ---------------------------------------------------------------------- leakage
@st.cache_data(max_entries=32, show_spinner=False)
def _leakage(
    dataset_key: str, spec: AuditSpec, _frame: pd.DataFrame
) -> tuple[LeakageFinding, ...]:
    return check_leakage(_frame, spec)


def leakage_warnings(
    prefix: str, dataset_key: str, spec: AuditSpec | None, frame: pd.DataFrame
) -> tuple[LeakageFinding, ...]:
    """Warn about the chosen features that may give the outcome away, before training.

    The warnings draw no widget, so ``prefix`` only keeps the signature of the other
    widget groups.
    """
    if spec is None or not spec.features or spec.target not in frame.columns:
        return ()
    findings = _leakage(dataset_key, spec, frame)
    for finding in findings:
        show_warning(finding.message)
    return findings
