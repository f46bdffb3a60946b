"""Loading datasets into the session. A failed load never replaces what was there."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from fairlab.data.bundled import bundled_titles
from fairlab.data.csv import infer_column_roles
from fairlab.data.synthetic import WorldConfig
from fairlab.errors import FairLabError
from fairlab.suggest import suggest_spec
from fairlab_ui import cache, state


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
    st.session_state[state.SPEC] = dataset.spec
    state.reset_spec_widgets()


def use_upload(name: str, raw: bytes) -> bool:
    """Read uploaded bytes and make them the active dataset.

    On a :class:`FairLabError` the message is stored under ``UPLOAD_ERROR`` and the
    dataset loaded before stays active.

    Returns
    -------
    bool
        Whether the upload became the active dataset.
    """
    key = cache.content_key(raw)
    try:
        result = cache.read_upload(key, raw, name)
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
    st.session_state[state.SPEC] = world.spec
    st.session_state[state.SYNTHETIC_CONFIG] = config
    state.reset_spec_widgets()


def ensure_dataset() -> None:
    """Load a dataset on a session's first run: the synthetic world a shared link names
    (``?world=1&scenario=...``), else the default bundled dataset."""
    if state.active_dataset() is not None:
        return
    params = st.query_params.to_dict()
    if params.get("world") == "1":
        try:
            config = WorldConfig.from_query_params(params)
        except FairLabError as exc:
            st.session_state[state.UPLOAD_ERROR] = str(exc)
        else:
            use_synthetic(config)
            st.session_state.setdefault(state.DATA_SOURCE, state.SOURCE_SYNTHETIC)
            return
    use_bundled(state.DEFAULT_BUNDLED)
    st.session_state.setdefault(state.DATA_BUNDLED, state.DEFAULT_BUNDLED)
