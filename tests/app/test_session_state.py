"""The user's choices across pages, models and reloads (issue 12, items 1-6 and 8).

Each test sets a choice as a user would, visits other pages, and checks that the choice,
and every number shown, is still the one the user set.
"""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from fairlab.spec import SensitiveBins
from fairlab_ui import state
from fairlab_ui.predictions import prediction_set
from fairlab_ui.workspace import WORKSPACE_PARAM, WORKSPACE_UNKNOWN_NOTICE

ROOT = Path(__file__).resolve().parents[2]

DATA = "app_pages/data.py"
MODEL = "app_pages/model.py"
FAIRNESS = "app_pages/fairness.py"
TRAIN = "FormSubmitter:model_train_form-Train"
MODELS = ("logistic_regression", "random_forest", "hist_gradient_boosting")
OUTSIDE = "lies outside the scores"


def texts(app: AppTest, kind: str) -> list[str]:
    """What a reader sees in every element of one kind (markdown escapes removed)."""
    return [re.sub(r"\\(.)", r"\1", str(e.value)) for e in getattr(app, kind)]


def sidebar(app: AppTest) -> str:
    return " ".join(re.sub(r"\\(.)", r"\1", str(m.value)) for m in app.sidebar.markdown)


def _people(n: int = 400, seed: int = 0) -> pd.DataFrame:
    """A COMPAS-like file: a decile score, a Low/Medium/High text prediction, an outcome."""
    rng = np.random.default_rng(seed)
    race = rng.choice(["African-American", "Caucasian", "Hispanic"], n, p=[0.5, 0.35, 0.15])
    score = rng.integers(1, 11, n)
    return pd.DataFrame(
        {
            "race": race,
            "sex": rng.choice(["Female", "Male"], n, p=[0.3, 0.7]),
            "age": rng.integers(18, 70, n),
            "priors": rng.poisson(2.0, n),
            "decile": score,
            "risk": np.where(score <= 4, "Low", np.where(score <= 7, "Medium", "High")),
            "recid": (rng.random(n) < score / 12).astype(int),
        }
    )


PEOPLE = _people()
PEOPLE_CSV = PEOPLE.to_csv(sep=";", index=False).encode()


@pytest.fixture(autouse=True, scope="module")
def _in_repo_root():
    """Pages are named by paths relative to the repository, as in ``app.py``."""
    before = Path.cwd()
    os.chdir(ROOT)
    yield
    os.chdir(before)


def _app() -> AppTest:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.run()
    assert not app.exception, app.exception
    return app


def _upload(app: AppTest, content: bytes = PEOPLE_CSV, name: str = "people.csv") -> None:
    app.radio(key=state.DATA_SOURCE).set_value(state.SOURCE_UPLOAD).run()
    app.file_uploader(key=state.DATA_UPLOAD).set_value((name, content, "text/csv")).run()
    assert not app.exception, app.exception
    assert app.session_state[state.ACTIVE_DATASET].name == name


def _visit(app: AppTest, page: str) -> None:
    app.switch_page(page).run()
    assert not app.exception, app.exception


def _set_scores(app: AppTest, threshold: float) -> None:
    if app.selectbox(key=state.DATA_SCORE).value != "decile":
        app.selectbox(key=state.DATA_SCORE).select("decile").run()
    app.number_input(key=state.DATA_THRESHOLD).set_value(threshold).run()
    assert not app.exception, app.exception


def _set_predictions(app: AppTest, positives: list[str]) -> None:
    if app.selectbox(key=state.DATA_PREDICTION).value != "risk":
        app.selectbox(key=state.DATA_PREDICTION).select("risk").run()
    app.multiselect(key=state.DATA_PREDICTION_POSITIVE).set_value(positives).run()
    assert not app.exception, app.exception


def _train(app: AppTest, model: str) -> str:
    """Train ``model`` on the Model page; returns the label it is listed under."""
    if app.radio(key=state.MODEL_SOURCE).value != "Train a model here":
        app.radio(key=state.MODEL_SOURCE).set_value("Train a model here").run()
    app.selectbox(key=state.MODEL_NAME).select(model).run()
    app.button(key=TRAIN).click().run()
    assert not app.exception, app.exception
    assert not app.error, texts(app, "error")
    labels = list(app.session_state[state.TRAINED])
    return labels[-1]


# ------------------------------------------------------------------ items 1, 2 and 8


def test_a_score_threshold_survives_data_fairness_data() -> None:
    app = _app()
    _upload(app)
    _set_scores(app, 5.0)
    for _ in range(2):
        _visit(app, FAIRNESS)
        assert "Scores: decile ≥ 5" in sidebar(app)
        assert any("predictions in the file" in m for m in texts(app, "markdown"))
        _visit(app, DATA)
        assert app.number_input(key=state.DATA_THRESHOLD).value == 5.0
        assert app.session_state[state.SPEC].threshold == 5.0
        assert not any(OUTSIDE in w for w in texts(app, "warning"))


def test_positive_prediction_values_survive_data_fairness_data() -> None:
    app = _app()
    _upload(app)
    _set_predictions(app, ["Medium", "High"])
    spec = app.session_state[state.SPEC]
    assert spec.prediction_positive == ("Medium", "High")
    for _ in range(2):
        _visit(app, FAIRNESS)
        assert not app.error, texts(app, "error")
        assert not any("Get predictions" in i for i in texts(app, "info"))
        _visit(app, DATA)
        assert app.multiselect(key=state.DATA_PREDICTION_POSITIVE).value == ["Medium", "High"]
        assert app.session_state[state.SPEC] == spec


def test_a_chosen_score_or_prediction_column_leaves_the_features() -> None:
    app = _app()
    _upload(app)
    app.selectbox(key=state.DATA_SCORE).select(None).run()
    app.multiselect(key=state.DATA_FEATURES).set_value(["priors", "decile", "risk"]).run()
    app.selectbox(key=state.DATA_SCORE).select("decile").run()
    assert not app.error, texts(app, "error")
    assert "decile" not in app.multiselect(key=state.DATA_FEATURES).value
    assert "decile" not in app.session_state[state.SPEC].features
    app.selectbox(key=state.DATA_PREDICTION).select("risk").run()
    assert app.session_state[state.SPEC].features == ("priors",)


def test_a_spec_error_is_named_on_the_fairness_page_not_a_missing_model() -> None:
    app = _app()
    _upload(app)
    app.selectbox(key=state.DATA_PREDICTION).select("risk").run()
    app.multiselect(key=state.DATA_PREDICTION_POSITIVE).set_value([]).run()
    assert app.error  # the Data page names the problem
    _visit(app, FAIRNESS)
    infos = texts(app, "info")
    assert any("Set a valid audit spec on the Data page first" in i for i in infos), infos
    assert not any("Get predictions" in i for i in infos)


def test_a_threshold_outside_the_scores_is_named_before_any_number() -> None:
    app = _app()
    _upload(app)
    _set_scores(app, 50.0)
    for page in (MODEL, FAIRNESS):
        _visit(app, page)
        warnings = texts(app, "warning")
        assert any(OUTSIDE in w and "Check the spec on the Data page" in w for w in warnings)
        # Before any number: the page's first element after its title and caption.
        main = [e for e in app.main if not hasattr(e, "children")]
        assert [type(e).__name__ for e in main][:3] == ["Title", "Caption", "Warning"]


# ------------------------------------------------------------------ item 3


def test_a_newly_trained_model_is_the_one_audited_everywhere() -> None:
    app = _app()
    _upload(app)
    _visit(app, MODEL)
    labels = [_train(app, name) for name in MODELS]
    assert app.selectbox(key=state.MODEL_ACTIVE).value == labels[-1]
    assert app.session_state[state.PREDICTIONS].label in labels[-1]
    assert any(h.startswith("Performance: Histogram") for h in texts(app, "header"))
    assert "Auditing: Histogram" in sidebar(app)
    _visit(app, FAIRNESS)
    assert any(m.startswith("Auditing **Histogram") for m in texts(app, "markdown"))
    # Picking another one makes it the audited one, on every page and after visits.
    _visit(app, MODEL)
    app.selectbox(key=state.MODEL_ACTIVE).select(labels[0]).run()
    for page in (FAIRNESS, DATA, MODEL):
        _visit(app, page)
        assert "Auditing: Logistic regression" in sidebar(app)
    assert app.selectbox(key=state.MODEL_ACTIVE).value == labels[0]


def test_models_picked_before_a_spec_change_follow_the_new_spec() -> None:
    app = _app()
    _upload(app)
    _visit(app, MODEL)
    labels = [_train(app, name) for name in MODELS[:2]]
    _visit(app, DATA)
    app.multiselect(key=state.DATA_FEATURES).set_value([]).run()
    for page in (MODEL, FAIRNESS):
        _visit(app, page)
        assert not app.error, texts(app, "error")
    _visit(app, DATA)
    app.multiselect(key=state.DATA_FEATURES).set_value(["priors", "sex"]).run()
    _visit(app, MODEL)
    assert app.session_state[state.PREDICTIONS] == app.session_state[state.TRAINED][labels[-1]]
    assert f"Performance: {app.session_state[state.PREDICTIONS].label}" in texts(app, "header")
    assert len(app.dataframe[0].value) == 2


# ------------------------------------------------------------------ items 4 and 5


def test_the_source_radio_stays_with_what_is_loaded() -> None:
    app = _app()
    _upload(app)
    _visit(app, FAIRNESS)
    _visit(app, DATA)
    assert app.radio(key=state.DATA_SOURCE).value == state.SOURCE_UPLOAD
    assert any("your upload people.csv" in c for c in texts(app, "caption"))
    app.radio(key=state.DATA_SOURCE).set_value(state.SOURCE_BUNDLED).run()
    app.button(key="data_use_bundled").click().run()
    assert app.session_state[state.ACTIVE_DATASET].key == "bundled:adult"
    _visit(app, MODEL)
    _visit(app, DATA)
    assert app.radio(key=state.DATA_SOURCE).value == state.SOURCE_BUNDLED


def test_bins_show_what_the_spec_uses_in_a_session_that_began_with_an_upload() -> None:
    app = _app()
    _upload(app)
    app.text_input(key=state.DATA_BINS_PREFIX + "age").set_value("30, 50").run()
    for page in (FAIRNESS, DATA, MODEL, DATA):
        _visit(app, page)
    assert app.text_input(key=state.DATA_BINS_PREFIX + "age").value == "30, 50"
    assert app.session_state[state.SPEC].bins_for("age") == (30.0, 50.0)
    age = next(
        pd.DataFrame(d.value)
        for d in app.dataframe
        if "< 30" in list(pd.DataFrame(d.value).get("group", []))
    )
    assert list(age["group"]) == ["< 30", "[30, 50)", "≥ 50"]


# ------------------------------------------------------------------ item 6


def test_a_reload_restores_the_source_spec_and_choices() -> None:
    app = _app()
    _upload(app)
    _set_scores(app, 5.0)
    _set_predictions(app, ["High"])
    app.text_input(key=state.DATA_BINS_PREFIX + "age").set_value("30, 50").run()
    _visit(app, MODEL)
    label = _train(app, "random_forest")
    _visit(app, FAIRNESS)
    app.number_input(key="fair_tolerance").set_value(0.05).run()
    token = app.query_params[WORKSPACE_PARAM]
    assert re.fullmatch(r"[A-Za-z0-9_-]{20,}", token)
    spec = app.session_state[state.SPEC]

    reloaded = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    reloaded.query_params[WORKSPACE_PARAM] = token
    reloaded.run()
    assert not reloaded.exception, reloaded.exception
    assert reloaded.session_state[state.ACTIVE_DATASET].name == "people.csv"
    assert reloaded.session_state[state.SPEC] == spec
    assert reloaded.radio(key=state.DATA_SOURCE).value == state.SOURCE_UPLOAD
    assert reloaded.number_input(key=state.DATA_THRESHOLD).value == 5.0
    assert reloaded.text_input(key=state.DATA_BINS_PREFIX + "age").value == "30, 50"
    assert reloaded.query_params[WORKSPACE_PARAM] == token
    _visit(reloaded, FAIRNESS)
    assert reloaded.number_input(key="fair_tolerance").value == 0.05
    assert "Auditing: Random forest" in sidebar(reloaded)
    _visit(reloaded, MODEL)
    assert f"Performance: {reloaded.session_state[state.PREDICTIONS].label}" in texts(
        reloaded, "header"
    )
    assert label.startswith(reloaded.session_state[state.PREDICTIONS].label)


def test_an_unknown_workspace_says_so_and_opens_the_default() -> None:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.query_params[WORKSPACE_PARAM] = "no-such-workspace-key-000"
    app.run()
    assert not app.exception, app.exception
    assert texts(app, "info")[0] == WORKSPACE_UNKNOWN_NOTICE
    assert app.session_state[state.ACTIVE_DATASET].key == "bundled:adult"
    assert app.query_params[WORKSPACE_PARAM] != "no-such-workspace-key-000"
    app.run()
    assert WORKSPACE_UNKNOWN_NOTICE not in texts(app, "info")


def test_two_sessions_never_share_a_workspace() -> None:
    first, second = _app(), _app()
    assert first.query_params[WORKSPACE_PARAM] != second.query_params[WORKSPACE_PARAM]
    _upload(first)
    second.run()
    assert second.session_state[state.ACTIVE_DATASET].key == "bundled:adult"


# ------------------------------------------------------------------ the property test

THRESHOLDS = (3.0, 5.0, 7.5, 50.0)
POSITIVES = (["High"], ["Medium", "High"], ["Low", "Medium", "High"])
BINS = ("30, 50", "25, 45, 65", "40")
STEP = st.one_of(
    st.tuples(st.just("visit"), st.sampled_from((DATA, MODEL, FAIRNESS))),
    st.tuples(st.just("threshold"), st.sampled_from(THRESHOLDS)),
    st.tuples(st.just("positives"), st.sampled_from(range(len(POSITIVES)))),
    st.tuples(st.just("bins"), st.sampled_from(BINS)),
    st.tuples(st.just("pick"), st.sampled_from(range(len(MODELS)))),
    st.tuples(st.just("train"), st.sampled_from(range(len(MODELS)))),
)


@dataclasses.dataclass
class Expected:
    """What the user last set, kept by the test independently of the app."""

    threshold: float = 5.0
    positives: tuple[str, ...] = ("Medium", "High")
    bins: str = "30, 50"
    picked: int = len(MODELS) - 1


def _file_accuracy(positives: tuple[str, ...]) -> float:
    """Accuracy of the file's own predictions, counted with numpy."""
    predicted = PEOPLE["risk"].isin(positives).to_numpy()
    return float(np.mean(predicted == (PEOPLE["recid"].to_numpy() == 1)))


def _check(app: AppTest, page: str, expected: Expected, labels: list[str], base) -> None:
    edges = tuple(float(e) for e in expected.bins.split(","))
    spec = base.replace(
        threshold=expected.threshold,
        prediction_positive=expected.positives,
        bins=(SensitiveBins("age", edges),),
    )
    assert app.session_state[state.SPEC] == spec
    picked = app.session_state[state.TRAINED][labels[expected.picked]]
    assert app.session_state[state.PREDICTIONS] == picked
    side = sidebar(app)
    assert f"Scores: decile ≥ {expected.threshold:g}" in side
    assert f"Auditing: {picked.label}" in side
    outside = expected.threshold > PEOPLE["decile"].max()
    if page == DATA:
        assert app.number_input(key=state.DATA_THRESHOLD).value == expected.threshold
        assert app.multiselect(key=state.DATA_PREDICTION_POSITIVE).value == list(
            expected.positives
        )
        assert app.text_input(key=state.DATA_BINS_PREFIX + "age").value == expected.bins
        return
    assert any(OUTSIDE in w for w in texts(app, "warning")) == outside
    audited = prediction_set(dataclasses.replace(picked, spec=spec), PEOPLE)
    if page == MODEL:
        assert app.selectbox(key=state.MODEL_ACTIVE).value == labels[expected.picked]
        assert f"Performance: {picked.label}" in texts(app, "header")
        assert float(app.metric[0].value) == pytest.approx(audited.performance.accuracy, abs=5e-4)
    else:
        markdown = " ".join(texts(app, "markdown"))
        assert f"Auditing **{picked.label}** on {audited.data.n_rows:,} rows" in markdown


@pytest.fixture(scope="module")
def trained_app() -> tuple[AppTest, list[str], object]:
    """A session with the file uploaded, scores and predictions set, three models trained."""
    app = _app()
    _upload(app)
    _set_scores(app, 5.0)
    _set_predictions(app, ["Medium", "High"])
    app.text_input(key=state.DATA_BINS_PREFIX + "age").set_value("30, 50").run()
    _visit(app, FAIRNESS)
    app.number_input(key="fair_min_cases").set_value(20).run()
    _visit(app, MODEL)
    labels = [_train(app, name) for name in MODELS]
    return app, labels, app.session_state[state.SPEC]


def test_the_file_accuracy_cross_check_holds(trained_app) -> None:
    app, _, _ = trained_app
    _visit(app, MODEL)
    app.radio(key=state.MODEL_SOURCE).set_value("Predictions already in the file").run()
    assert float(app.metric[0].value) == pytest.approx(_file_accuracy(("Medium", "High")), abs=5e-4)
    app.radio(key=state.MODEL_SOURCE).set_value("Train a model here").run()
    assert "Auditing: Histogram" in sidebar(app)


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(STEP, min_size=1, max_size=10))
def test_walks_keep_what_the_user_set(trained_app, steps) -> None:
    app, labels, base = trained_app
    # Every walk starts from the same choices, set as a user would.
    _visit(app, DATA)
    _set_scores(app, 5.0)
    app.multiselect(key=state.DATA_PREDICTION_POSITIVE).set_value(["Medium", "High"]).run()
    app.text_input(key=state.DATA_BINS_PREFIX + "age").set_value("30, 50").run()
    _visit(app, MODEL)
    app.selectbox(key=state.MODEL_ACTIVE).select(labels[-1]).run()
    expected = Expected()
    page = MODEL
    for action, value in steps:
        if action == "visit":
            page = value
            _visit(app, page)
        elif action in ("threshold", "positives", "bins"):
            if page != DATA:
                page = DATA
                _visit(app, DATA)
            if action == "threshold":
                _set_scores(app, value)
                expected.threshold = value
            elif action == "positives":
                _set_predictions(app, POSITIVES[value])
                expected.positives = tuple(POSITIVES[value])
            else:
                app.text_input(key=state.DATA_BINS_PREFIX + "age").set_value(value).run()
                expected.bins = value
        else:
            if page != MODEL:
                page = MODEL
                _visit(app, MODEL)
            if action == "pick":
                app.selectbox(key=state.MODEL_ACTIVE).select(labels[value]).run()
            else:
                assert _train(app, MODELS[value]) == labels[value]
            expected.picked = value
        assert not app.exception, app.exception
        _check(app, page, expected, labels, base)


@pytest.mark.parametrize("page", [FAIRNESS, "app_pages/explain.py", "app_pages/mitigate.py"])
def test_every_page_of_numbers_names_a_broken_spec_before_anything_else(page: str) -> None:
    app = _app()
    _upload(app)
    _set_predictions(app, ["Medium", "High"])
    _visit(app, MODEL)
    _train(app, "logistic_regression")
    _visit(app, DATA)
    app.multiselect(key=state.DATA_PREDICTION_POSITIVE).set_value([]).run()
    _visit(app, page)
    assert texts(app, "info")[0] == "Set a valid audit spec on the Data page first."
    assert not app.dataframe and not app.metric


@pytest.mark.parametrize("page", ["app_pages/explain.py", "app_pages/mitigate.py"])
def test_a_threshold_outside_the_scores_is_named_first_on_explain_and_mitigate(page: str) -> None:
    app = _app()
    _upload(app)
    _set_scores(app, 5.0)
    _visit(app, MODEL)
    _train(app, "logistic_regression")
    _visit(app, DATA)
    app.number_input(key=state.DATA_THRESHOLD).set_value(50.0).run()
    _visit(app, page)
    warnings = texts(app, "warning")
    assert warnings and OUTSIDE in warnings[0], warnings
