"""One user's data never reaches another's session."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from fairlab_ui import state

ROOT = Path(__file__).resolve().parents[2]


def _csv(columns: dict[str, list]) -> bytes:
    return pd.DataFrame(columns).to_csv(index=False).encode()


def _upload(app: AppTest, name: str, content: bytes) -> None:
    app.radio(key=state.DATA_SOURCE).set_value(state.SOURCE_UPLOAD).run()
    app.file_uploader(key=state.DATA_UPLOAD).set_value((name, content, "text/csv")).run()
    assert not app.exception


def test_two_sessions_with_different_uploads_see_only_their_own(at: AppTest) -> None:
    rng = np.random.default_rng(0)
    other = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    other.run()
    _upload(
        at,
        "alice.csv",
        _csv({"alice_secret": rng.random(60), "sex": ["F", "M"] * 30, "hired": ["yes", "no"] * 30}),
    )
    _upload(
        other,
        "bob.csv",
        _csv({"bob_secret": rng.random(60), "race": ["A", "B"] * 30, "approved": [1, 0] * 30}),
    )
    alice = at.session_state[state.ACTIVE_DATASET]
    bob = other.session_state[state.ACTIVE_DATASET]
    assert "alice_secret" in alice.frame.columns and "bob_secret" not in alice.frame.columns
    assert "bob_secret" in bob.frame.columns and "alice_secret" not in bob.frame.columns
    assert alice.key != bob.key and alice.key.startswith("upload:")
    alice_options = at.selectbox(key=state.DATA_TARGET).options
    bob_options = other.selectbox(key=state.DATA_TARGET).options
    assert "bob_secret" not in alice_options and "alice_secret" not in bob_options
    at.run()
    assert at.header[0].value.startswith("alice")
