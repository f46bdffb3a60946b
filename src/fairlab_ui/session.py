"""Loading datasets into the session, and the session's workspace. A failed load never
replaces what was there."""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

import streamlit as st

from fairlab.data.bundled import bundled_titles
from fairlab.data.csv import infer_column_roles
from fairlab.data.synthetic import WorldConfig
from fairlab.errors import FairLabError
from fairlab.spec import AuditSpec
from fairlab.suggest import suggest_spec
from fairlab_ui import cache, spec_form, state, workspace

XSRF_COOKIE = "_streamlit_xsrf"


def use_bundled(name: str) -> None:
    """Make bundled dataset ``name`` the active one, with its default spec."""
    loaded = cache.load_bundled(name)
    dataset = loaded.dataset
    st.session_state[state.ACTIVE_DATASET] = state.ActiveDataset(
        key=f"bundled:{name}",
        kind="bundled",
        name=bundled_titles()[name],
        frame=dataset.frame,
        columns=loaded.columns,
        warnings=(),
        card=dataset.card,
    )
    st.session_state[state.SOURCE] = ("bundled", name)
    _new_dataset(dataset.spec, state.SOURCE_BUNDLED)
    state.set_choice(state.DATA_BUNDLED, name)


def _new_dataset(spec: AuditSpec, source: str) -> None:
    """A new dataset is active: its spec replaces the form's choices, and the radio shows
    where it came from."""
    dataset = state.active_dataset()
    assert dataset is not None
    spec_form.load(spec, dataset)
    state.set_choice(state.DATA_SOURCE, source)


def use_upload(
    name: str, raw: bytes, *, header: bool = True, delimiter: str | None = None
) -> bool:
    """Read uploaded bytes and make them the active dataset.

    ``header`` and ``delimiter`` are the reader's options (a file without a header row,
    a separator chosen by the user; None detects it). On a :class:`FairLabError` the
    message is stored under ``UPLOAD_ERROR`` and the dataset loaded before stays active.

    Returns
    -------
    bool
        Whether the upload became the active dataset.
    """
    key = cache.content_key(raw)
    if not header or delimiter is not None:
        key += f"|header={header}|sep={delimiter!r}"
    try:
        result = cache.read_upload(key, raw, name, header, delimiter)
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
    st.session_state[state.SOURCE] = ("upload", name, raw, header, delimiter)
    _new_dataset(spec, state.SOURCE_UPLOAD)
    return True


def use_synthetic(config: WorldConfig) -> None:
    """Make the synthetic world of ``config`` the active dataset, with its spec."""
    world = cache.synthetic_world(config)
    lines = "\n".join(f"- {line}" for line in world.description)
    st.session_state[state.ACTIVE_DATASET] = state.ActiveDataset(
        key="synthetic:" + urlencode(sorted(config.to_query_params().items())),
        kind="synthetic",
        name=f"Synthetic {config.scenario} world ({config.n_rows:,} people, seed {config.seed})",
        frame=world.frame,
        columns=tuple(infer_column_roles(world.frame)),
        warnings=(),
        card="A made-up world whose biases are set by the knobs on the Data page. What was "
        "injected:\n\n" + lines,
    )
    st.session_state[state.SYNTHETIC_CONFIG] = config
    st.session_state[state.SOURCE] = ("synthetic", config)
    _new_dataset(world.spec, state.SOURCE_SYNTHETIC)


def ensure_dataset() -> None:
    """On a session's first run, restore the workspace its address names (``?ws=``), else
    load the synthetic world a shared link names (``?world=1&scenario=...``), else the
    default bundled dataset; on every run keep the workspace key in the address."""
    if state.active_dataset() is None:
        _open_workspace()
    if state.active_dataset() is None:
        _open_default()
    token = st.session_state[state.WORKSPACE]
    if st.query_params.get(workspace.WORKSPACE_PARAM) != token:
        st.query_params[workspace.WORKSPACE_PARAM] = token


def _open_default() -> None:
    params = st.query_params.to_dict()
    if params.get("world") == "1":
        try:
            config = WorldConfig.from_query_params(params)
        except FairLabError as exc:
            st.session_state[state.UPLOAD_ERROR] = str(exc)
        else:
            use_synthetic(config)
            return
    use_bundled(state.DEFAULT_BUNDLED)


def _browser_id() -> str | None:
    """A hash of the browser's XSRF token (Streamlit's cookie, kept across reloads), so a
    workspace opens only in the browser that made it; None without the cookie."""
    raw = st.context.cookies.get(XSRF_COOKIE)
    if not isinstance(raw, str) or not raw:
        return None
    value = raw.strip("\"'")
    token = value.encode()
    if value.startswith("2|") and value.count("|") == 3:
        _, mask_hex, masked_hex, _ = value.split("|")
        try:
            mask, masked = bytes.fromhex(mask_hex), bytes.fromhex(masked_hex)
        except ValueError:
            pass
        else:
            token = bytes(m ^ mask[i % len(mask)] for i, m in enumerate(masked))
    return hashlib.sha256(token).hexdigest()


def _open_workspace() -> None:
    """Take the session's work back from the workspace its address names, if any."""
    wanted = st.query_params.get(workspace.WORKSPACE_PARAM)
    owner = _browser_id()
    snapshot = workspace.store().get(wanted) if wanted else None
    if snapshot is not None and snapshot.owner == owner and _restore(snapshot):
        st.session_state[state.WORKSPACE] = wanted
        return
    if wanted:
        st.session_state[state.WORKSPACE_NOTICE] = workspace.WORKSPACE_UNKNOWN_NOTICE
    st.session_state[state.WORKSPACE] = workspace.new_key()


def _restore(snapshot: workspace.Snapshot) -> bool:
    """Load the snapshot's source, then its spec and choices; False if the source fails."""
    kind = snapshot.source[0]
    if kind == "bundled":
        use_bundled(snapshot.source[1])
    elif kind == "upload":
        _, name, raw, header, delimiter = snapshot.source
        if not use_upload(name, raw, header=header, delimiter=delimiter):
            return False
    else:
        use_synthetic(snapshot.source[1])
    st.session_state[state.SPEC] = snapshot.spec
    st.session_state[state.CHOICES] = dict(snapshot.choices)
    st.session_state[state.KEPT_WIDGETS] = dict(snapshot.kept)
    st.session_state[state.TRAINED] = dict(snapshot.trained)
    if snapshot.predictions is not None and snapshot.predictions.kind != "skops":
        st.session_state[state.PREDICTIONS] = snapshot.predictions
    return True


def save_workspace() -> None:
    """Keep what the session has built under its workspace key (at the end of a run)."""
    token = st.session_state.get(state.WORKSPACE)
    source = st.session_state.get(state.SOURCE)
    if token is None or source is None:
        return
    if source[0] == "upload" and len(source[2]) > workspace.MAX_UPLOAD_BYTES:
        return
    trained = {
        label: s for label, s in st.session_state.get(state.TRAINED, {}).items()
        if s.kind != "skops"
    }
    workspace.store().put(
        token,
        workspace.Snapshot(
            owner=_browser_id(),
            source=source,
            spec=state.current_spec(),
            choices=dict(state.choices()),
            kept=dict(st.session_state.get(state.KEPT_WIDGETS, {})),
            trained=trained,
            predictions=st.session_state.get(state.PREDICTIONS),
        ),
    )
