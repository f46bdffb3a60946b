"""The synthetic world on the Data page, and its settings in a shareable address."""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from fairlab.data.synthetic import WorldConfig
from fairlab_ui import state

ROOT = Path(__file__).resolve().parents[2]


def texts(app: AppTest, kind: str) -> list[str]:
    return [re.sub(r"\\(.)", r"\1", str(e.value)) for e in getattr(app, kind)]


def test_a_generated_world_becomes_the_dataset_and_its_settings_go_in_the_address(
    at: AppTest,
) -> None:
    at.radio(key=state.DATA_SOURCE).set_value(state.SOURCE_SYNTHETIC).run()
    assert not at.exception, at.exception
    at.slider(key="data_world_base_rate_gap").set_value(0.3)
    at.slider(key="data_world_proxy_strength").set_value(0.8)
    at.button(key="FormSubmitter:data_synthetic_form-Generate the world").click().run()
    assert not at.exception, at.exception
    dataset = at.session_state[state.ACTIVE_DATASET]
    assert dataset.kind == "synthetic" and dataset.frame.shape[0] == 5000
    config = at.session_state[state.SYNTHETIC_CONFIG]
    assert config.base_rate_gap == 0.3 and config.proxy_strength == 0.8
    params = {k: v if isinstance(v, str) else v[-1] for k, v in at.query_params.items()}
    assert params["world"] == "1"
    assert WorldConfig.from_query_params(params) == config
    assert any("ready to audit" in m for m in texts(at, "markdown"))


def test_a_shared_address_opens_the_same_world(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.chdir(ROOT)
    config = WorldConfig(scenario="hiring", n_rows=800, seed=4, label_bias=0.4)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in {"world": "1", **config.to_query_params()}.items():
        app.query_params[key] = value
    app.run()
    assert not app.exception, app.exception
    dataset = app.session_state[state.ACTIVE_DATASET]
    assert dataset.kind == "synthetic" and dataset.frame.shape[0] == 800
    assert app.session_state[state.SYNTHETIC_CONFIG] == config


def test_a_broken_address_says_what_to_do_and_opens_adult(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.chdir(ROOT)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.query_params["world"] = "1"
    app.query_params["label_bias"] = "lots"
    app.run()
    assert not app.exception, app.exception
    assert app.session_state[state.ACTIVE_DATASET].key == "bundled:adult"
    errors = texts(app, "error")
    assert any("label_bias" in e or "label bias" in e.lower() for e in errors), errors
