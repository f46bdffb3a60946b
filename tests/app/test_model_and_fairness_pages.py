"""The Model and Fairness pages, driven by widget keys."""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import skops.io
from streamlit.testing.v1 import AppTest

from fairlab.audit_data import build_audit_data
from fairlab.data import load_bundled
from fairlab.data.csv import infer_column_roles
from fairlab.models import ModelConfig, train_model
from fairlab_ui import state

TRAIN = "FormSubmitter:model_train_form-Train"


def texts(app: AppTest, kind: str) -> list[str]:
    return [re.sub(r"\\(.)", r"\1", str(e.value)) for e in getattr(app, kind)]


def _train(app: AppTest, model: str = "logistic_regression") -> AppTest:
    app.switch_page("app_pages/model.py").run()
    app.selectbox(key="model_name").select(model).run()
    app.button(key=TRAIN).click().run()
    assert not app.exception, app.exception
    return app


def test_pages_wait_for_what_they_need(at: AppTest) -> None:
    at.switch_page("app_pages/fairness.py").run()
    assert not at.exception
    assert any("Get predictions on the Model page first" in i for i in texts(at, "info"))
    at.switch_page("app_pages/data.py").run()
    at.selectbox(key=state.DATA_TARGET).select("workclass").run()
    at.switch_page("app_pages/model.py").run()
    assert any("Set a valid audit spec on the Data page first" in i for i in texts(at, "info"))


def test_train_then_assess(at: AppTest) -> None:
    _train(at)
    assert [m.label for m in at.metric][:4] == ["Accuracy", "Balanced accuracy", "F1", "ROC AUC"]
    assert float(at.metric[0].value) > 0.8
    assert "Logistic regression" in at.session_state[state.PREDICTIONS].label

    at.switch_page("app_pages/fairness.py").run()
    assert not at.exception and not at.error
    assert at.radio(key="fair_view").value == "Groups and disparities"
    frames = at.dataframe
    disparities = frames[0].value
    assert list(disparities["criterion"])[:2] == [
        "demographic parity difference",
        "demographic parity ratio",
    ]
    assert set(disparities["verdict"]) <= {"passes", "fails", "insufficient evidence", "undefined"}
    assert disparities["verdict"].iloc[0] == "fails"
    groups = frames[1].value
    assert list(groups["group"]) == ["Female", "Male"]
    assert {"selection rate", "TPR", "FPR", "mean score", "observed rate"} <= set(groups.columns)
    at.radio(key="fair_view").set_value("Report").run()
    assert [h.value for h in at.header] == ["The report"]
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["report.html", "group_metrics.csv", "spec.json", "metrics.json"]


def test_threshold_explorer_moves_the_metrics(at: AppTest) -> None:
    _train(at)
    at.switch_page("app_pages/fairness.py").run()
    at.radio(key="fair_view").set_value("Threshold explorer").run()
    assert [h.value for h in at.header] == ["Threshold explorer"]
    before = at.dataframe[-1].value["value"].tolist()
    at.slider(key="fair_threshold").set_value(0.2).run()
    assert not at.exception
    after = at.dataframe[-1].value["value"].tolist()
    assert before != after
    at.toggle(key="fair_per_group").set_value(True).run()
    at.slider(key="fair_threshold_sex_Female").set_value(0.3).run()
    assert not at.exception
    assert at.session_state[state.THRESHOLDS][0] == "sex"
    assert at.session_state[state.THRESHOLDS][1]["Female"] == 0.3


def test_reference_group_comparison(at: AppTest) -> None:
    _train(at)
    at.switch_page("app_pages/fairness.py").run()
    at.radio(key="fair_comparison").set_value("reference").run()
    at.selectbox(key="fair_reference_sex").select("Male").run()
    assert not at.exception and not at.error
    sentences = " ".join(at.dataframe[0].value["in words"])
    assert "Male" in sentences


def test_predictions_already_in_the_file(at: AppTest) -> None:
    at.selectbox(key=state.DATA_BUNDLED).select("compas").run()
    at.switch_page("app_pages/model.py").run()
    assert at.radio(key="model_source").value == "Predictions already in the file"
    assert any("every row of the file" in c for c in texts(at, "caption"))
    at.switch_page("app_pages/fairness.py").run()
    assert not at.exception and not at.error
    assert any("7,214 rows" in m for m in texts(at, "markdown"))


def test_several_models_are_compared(at: AppTest) -> None:
    _train(at, "logistic_regression")
    at.selectbox(key="model_name").select("decision_tree").run()
    at.button(key=TRAIN).click().run()
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) == 2
    assert at.selectbox(key="model_active").value.startswith("Decision tree")


def _skops_bytes() -> bytes:
    frame, spec = load_bundled("german")
    data = build_audit_data(frame, spec)
    roles = {c.name: c.role for c in infer_column_roles(frame[list(spec.features)])}
    model = train_model(data, ModelConfig("logistic_regression"), roles=roles)
    buffer = io.BytesIO()
    skops.io.dump(model.pipeline, buffer)
    return buffer.getvalue()


def test_bring_your_own_skops_model(at: AppTest) -> None:
    at.selectbox(key=state.DATA_BUNDLED).select("german").run()
    at.switch_page("app_pages/model.py").run()
    at.radio(key="model_source").set_value("Bring your own model (skops file)").run()
    at.file_uploader(key="model_skops_upload").set_value(
        ("model.skops", _skops_bytes(), "application/octet-stream")
    ).run()
    assert not at.exception
    accept = [c for c in at.checkbox if c.key == "model_skops_accept"]
    assert accept, "a pipeline with numpy dtypes lists untrusted types to review"
    assert at.button(key="model_skops_load").disabled
    accept[0].check().run()
    at.button(key="model_skops_load").click().run()
    assert not at.exception, at.exception
    assert not at.error, texts(at, "error")
    assert at.session_state[state.PREDICTIONS].kind == "skops"
    assert float(at.metric[0].value) > 0.6


def test_a_pickle_offered_as_a_model_is_refused(at: AppTest) -> None:
    import pickle

    at.switch_page("app_pages/model.py").run()
    at.radio(key="model_source").set_value("Bring your own model (skops file)").run()
    at.file_uploader(key="model_skops_upload").set_value(
        ("model.skops", pickle.dumps({"a": 1}), "application/octet-stream")
    ).run()
    assert not at.exception
    errors = texts(at, "error")
    assert len(errors) == 1 and "never unpickles" in errors[0].lower().replace("fairlab ", "")


def test_the_sidebar_names_the_predictions(at: AppTest) -> None:
    _train(at)
    sidebar = " ".join(re.sub(r"\\(.)", r"\1", str(m.value)) for m in at.sidebar.markdown)
    assert "Logistic regression" in sidebar
    assert np.isfinite(float(at.metric[0].value))
    assert isinstance(pd.DataFrame(at.dataframe[0].value), pd.DataFrame)


def test_predictions_in_the_file_are_audited_without_visiting_the_model_page(at: AppTest) -> None:
    at.selectbox(key=state.DATA_BUNDLED).select("compas").run()
    at.switch_page("app_pages/fairness.py").run()
    assert not at.exception and not at.error
    assert not any("Get predictions" in i for i in texts(at, "info"))
    assert any("predictions in the file" in m for m in texts(at, "markdown"))


def test_choices_on_a_page_survive_a_visit_to_another_page(at: AppTest) -> None:
    _train(at)
    at.switch_page("app_pages/fairness.py").run()
    at.radio(key="fair_view").set_value("Report").run()
    at.number_input(key="fair_tolerance").set_value(0.05).run()
    at.switch_page("app_pages/data.py").run()
    at.switch_page("app_pages/fairness.py").run()
    assert not at.exception, at.exception
    assert at.radio(key="fair_view").value == "Report"
    assert at.number_input(key="fair_tolerance").value == 0.05
    assert [h.value for h in at.header] == ["The report"]
