from __future__ import annotations

import json
import math
import re

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, clone

from fairlab.audit_data import AuditData, build_audit_data
from fairlab.data import infer_column_roles
from fairlab.errors import FairLabError, ModelError
from fairlab.models import (
    CONFIG_JSON_ERROR,
    DUPLICATE_PARAM_ERROR,
    FEATURE_ROLE_ERROR,
    MISSING_COLUMNS_ERROR,
    MODEL_NAMES,
    MODEL_SPECS,
    NO_FEATURES_ERROR,
    NO_ROLE_ERROR,
    ONE_CLASS_TRAIN_ERROR,
    PARAM_ERROR,
    UNKNOWN_MODEL_ERROR,
    UNKNOWN_PARAM_ERROR,
    ModelConfig,
    TrainedModel,
    build_pipeline,
    model_spec,
    predict,
    train_model,
)
from fairlab.spec import AuditSpec
from fairlab.split import RANDOM_STATE_ERROR, SplitConfig, split_audit_data

FEATURES = ("age", "income", "hours", "job", "city", "married", "sex")


def _frame(n: int = 240, seed: int = 0) -> pd.DataFrame:
    """Mixed types, gaps everywhere, pandas ``str`` text columns and a rare category."""
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 80, n).astype(float)
    age[rng.random(n) < 0.1] = np.nan
    income = pd.array(rng.integers(10, 200, n), dtype="Int64")
    income[rng.random(n) < 0.1] = pd.NA
    job = rng.choice(["clerk", "nurse", "driver", "chef"], n).astype(object)
    job[rng.random(n) < 0.1] = None
    job[0] = "astronaut"  # one row only: pooled as infrequent
    sex = rng.choice(["F", "M"], n)
    score = (
        0.05 * np.nan_to_num(age, nan=40)
        + 1.5 * (sex == "M")
        + 1.5 * (job == "nurse")
        + rng.normal(0, 0.5, n)
    )
    return pd.DataFrame(
        {
            "age": age,
            "income": income,
            "hours": rng.normal(40, 8, n),
            "job": pd.Series(job, dtype="str"),
            "city": pd.Series(rng.choice(["Lyon", "Oslo", None], n), dtype="str"),
            "married": pd.Series(rng.choice(["yes", "no"], n), dtype="str"),
            "sex": pd.Series(sex, dtype="str"),
            "outcome": np.where(score > np.median(score), "good", "bad"),
        }
    )


@pytest.fixture(scope="module")
def data() -> AuditData:
    return build_audit_data(_frame(), AuditSpec("outcome", "good", ("sex",), FEATURES))


@pytest.fixture(scope="module")
def roles(data: AuditData) -> dict[str, str]:
    return {info.name: info.role for info in infer_column_roles(data.X)}


@pytest.fixture(scope="module")
def parts(data: AuditData) -> tuple[AuditData, AuditData]:
    split = split_audit_data(data, SplitConfig(test_size=0.3, random_state=0))
    return split.train(data), split.test(data)


def _small(name: str) -> ModelConfig:
    """Fast settings, so the whole zoo trains in well under a second."""
    fast = {
        "random_forest": {"n_estimators": 20},
        "hist_gradient_boosting": {"max_iter": 20},
    }
    return ModelConfig(name, fast.get(name, {}))


def test_fixture_has_the_types_the_zoo_must_handle(data: AuditData, roles: dict) -> None:
    assert isinstance(data.X["job"].dtype, pd.StringDtype)
    assert data.X["income"].dtype == "Int64"
    assert data.X.isna().any()[["age", "income", "job", "city"]].all()
    assert roles == {
        "age": "numeric",
        "income": "numeric",
        "hours": "numeric",
        "job": "categorical",
        "city": "categorical",
        "married": "boolean",
        "sex": "categorical",
    }


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_every_zoo_model_trains_and_predicts_probabilities(
    name: str, parts: tuple[AuditData, AuditData], roles: dict
) -> None:
    train, test = parts
    model = train_model(train, _small(name), roles=roles)
    assert isinstance(model, TrainedModel)
    assert model.features == FEATURES and model.fit_seconds > 0
    assert model.positive_class == 1 and model.title == MODEL_SPECS[name].title
    y_pred, y_score = predict(model, test.X)
    assert y_pred.dtype == np.int8 and set(np.unique(y_pred)) <= {0, 1}
    assert y_score is not None and y_score.shape == (test.n_rows,)
    assert np.all((y_score >= 0) & (y_score <= 1))
    # The single-pass prediction is what the pipeline itself decides.
    assert np.array_equal(y_pred, model.pipeline.predict(test.X[list(FEATURES)]))
    # Better than guessing on this learnable outcome.
    assert np.mean(y_pred == test.y_true) > 0.65


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_unseen_categories_and_missing_values_at_predict_time(
    name: str, parts: tuple[AuditData, AuditData], roles: dict
) -> None:
    train, test = parts
    model = train_model(train, _small(name), roles=roles)
    odd = test.X.head(3).copy()
    odd["job"] = pd.Series(["pilot", None, "clerk"], dtype="str")
    odd["age"] = [np.nan, np.nan, 30.0]
    odd["extra column"] = 1  # ignored
    y_pred, y_score = predict(model, odd)
    assert y_pred.shape == (3,) and np.all(np.isfinite(y_score))


def test_predict_on_no_rows(parts: tuple[AuditData, AuditData], roles: dict) -> None:
    model = train_model(parts[0], _small("decision_tree"), roles=roles)
    y_pred, y_score = predict(model, parts[1].X.head(0))
    assert y_pred.shape == (0,) and y_score is not None and y_score.shape == (0,)


def test_predict_needs_the_training_columns(parts: tuple[AuditData, AuditData], roles) -> None:
    model = train_model(parts[0], _small("naive_bayes"), roles=roles)
    message = MISSING_COLUMNS_ERROR.format(columns=["city"])
    with pytest.raises(ModelError, match=re.escape(message)):
        predict(model, parts[1].X.drop(columns="city"))


@pytest.mark.parametrize("name", ["random_forest", "hist_gradient_boosting", "linear_svm"])
def test_same_seed_gives_the_same_predictions(
    name: str, parts: tuple[AuditData, AuditData], roles: dict
) -> None:
    train, test = parts
    config = ModelConfig(name, _small(name).params, random_state=3)
    first = predict(train_model(train, config, roles=roles), test.X)
    again = predict(train_model(train, config, roles=roles), test.X)
    assert np.array_equal(first[0], again[0]) and np.array_equal(first[1], again[1])


def test_another_seed_gives_another_forest(parts: tuple[AuditData, AuditData], roles) -> None:
    train, test = parts
    scores = [
        predict(
            train_model(
                train,
                ModelConfig("random_forest", _small("random_forest").params, random_state=seed),
                roles=roles,
            ),
            test.X,
        )[1]
        for seed in (1, 2)
    ]
    assert not np.array_equal(*scores)


def test_training_does_not_touch_a_shared_pipeline(
    parts: tuple[AuditData, AuditData], roles: dict
) -> None:
    model = train_model(parts[0], _small("logistic_regression"), roles=roles)
    before = model.pipeline.named_steps["model"].coef_.copy()
    train_model(parts[0], _small("logistic_regression"), roles=roles)
    assert np.array_equal(model.pipeline.named_steps["model"].coef_, before)


# ---------------------------------------------------------------------- pipelines
def test_pipeline_prepares_columns_by_role() -> None:
    roles = {"age": "numeric", "job": "categorical", "married": "boolean"}
    pipeline = build_pipeline(ModelConfig("logistic_regression"), roles=roles)
    preprocess = pipeline.named_steps["preprocess"]
    (num_name, numeric, num_cols), (cat_name, categorical, cat_cols) = preprocess.transformers
    assert (num_name, num_cols, cat_name, cat_cols) == (
        "numeric",
        ["age"],
        "categorical",
        ["job", "married"],
    )
    assert [step for step, _ in numeric.steps] == ["impute", "scale"]
    assert numeric.named_steps["impute"].strategy == "median"
    assert categorical.named_steps["impute"].strategy == "most_frequent"
    encoder = categorical.named_steps["encode"]
    assert encoder.handle_unknown == "infrequent_if_exist" and encoder.min_frequency == 5


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_scaling_only_where_distances_or_weights_matter(name: str) -> None:
    pipeline = build_pipeline(ModelConfig(name), roles={"age": "numeric"})
    numeric = pipeline.named_steps["preprocess"].transformers[0][1]
    scaled = "scale" in numeric.named_steps
    assert scaled == (name in {"logistic_regression", "knn", "linear_svm"})


@pytest.mark.parametrize("name", ["naive_bayes", "knn"])
def test_naive_bayes_and_knn_get_dense_input(
    name: str, parts: tuple[AuditData, AuditData], roles: dict
) -> None:
    model = train_model(parts[0], _small(name), roles=roles)
    assert isinstance(model.pipeline[:-1].transform(parts[1].X), np.ndarray)


def test_hist_gradient_boosting_encodes_categories_as_ordinal_codes(
    parts: tuple[AuditData, AuditData], roles: dict
) -> None:
    model = train_model(parts[0], _small("hist_gradient_boosting"), roles=roles)
    names = model.pipeline[:-1].get_feature_names_out().tolist()
    assert len(names) == len(FEATURES)  # one column per feature, not per category


def test_random_state_reaches_every_random_step() -> None:
    roles = {"age": "numeric"}
    for name in ("logistic_regression", "decision_tree", "random_forest", "hist_gradient_boosting"):
        model = build_pipeline(ModelConfig(name, random_state=11), roles=roles)[-1]
        assert model.random_state == 11
    svm = build_pipeline(ModelConfig("linear_svm", random_state=11), roles=roles)[-1]
    assert svm.estimator.random_state == 11


def test_random_forest_defaults_stay_bounded() -> None:
    forest = build_pipeline(ModelConfig("random_forest"), roles={"age": "numeric"})[-1]
    assert forest.n_estimators == 100 and forest.max_depth == 8
    unbounded = build_pipeline(
        ModelConfig("random_forest", {"max_depth": None}), roles={"age": "numeric"}
    )[-1]
    assert unbounded.max_depth is None


@pytest.mark.parametrize(
    ("role", "fragment"),
    [
        ("datetime", "is a date column"),
        ("text", "is free text"),
        ("identifier", "is an identifier"),
        ("constant", "is constant"),
    ],
)
def test_features_no_model_can_use_are_refused(role: str, fragment: str) -> None:
    with pytest.raises(ModelError, match=fragment) as info:
        build_pipeline(ModelConfig("decision_tree"), roles={"age": "numeric", "when": role})
    assert "Feature 'when'" in str(info.value)
    assert "Remove it from the features" in str(info.value)


def test_a_datetime_feature_is_refused_when_training(data: AuditData) -> None:
    frame = _frame()
    frame["joined"] = pd.Series(pd.date_range("2020-01-01", periods=len(frame)).astype(str))
    spec = AuditSpec("outcome", "good", ("sex",), ("age", "joined"))
    audit = build_audit_data(frame, spec)
    roles = {info.name: info.role for info in infer_column_roles(audit.X)}
    assert roles["joined"] == "datetime"
    what, advice = (
        "a date column",
        (", or add numbers derived from it (such as the year or the month) to the data"),
    )
    message = FEATURE_ROLE_ERROR.format(column="joined", what=what, advice=advice)
    with pytest.raises(ModelError, match=re.escape(message)):
        train_model(audit, ModelConfig("logistic_regression"), roles=roles)


def test_a_free_text_feature_is_refused_when_training() -> None:
    rng = np.random.default_rng(0)
    words = np.array(["late", "payment", "on", "time", "good", "record", "new", "client"])
    frame = _frame(120)
    frame["note"] = pd.Series(
        [" ".join(rng.choice(words, 8)) + f" #{i}" for i in range(len(frame))], dtype="str"
    )
    audit = build_audit_data(frame, AuditSpec("outcome", "good", ("sex",), ("age", "note")))
    roles = {info.name: info.role for info in infer_column_roles(audit.X)}
    assert roles["note"] == "text"
    with pytest.raises(ModelError, match="Feature 'note' is free text"):
        train_model(audit, ModelConfig("naive_bayes"), roles=roles)


def test_unknown_role_and_missing_role_and_no_features(data: AuditData) -> None:
    with pytest.raises(ModelError, match="must be one of .*Got 'weird' instead"):
        build_pipeline(ModelConfig("knn"), roles={"a": "weird"})
    with pytest.raises(ModelError, match=re.escape(NO_FEATURES_ERROR)):
        build_pipeline(ModelConfig("knn"), roles={})
    with pytest.raises(ModelError, match=re.escape(NO_ROLE_ERROR.format(columns=["sex"]))):
        train_model(data, ModelConfig("knn"), roles={c: "numeric" for c in FEATURES[:-1]})
    empty = data.subset(np.arange(data.n_rows))
    no_features = AuditData(
        X=empty.X[[]],
        y_true=empty.y_true,
        sensitive_features=empty.sensitive_features,
        y_pred=None,
        y_score=None,
        spec=empty.spec,
    )
    with pytest.raises(ModelError, match=re.escape(NO_FEATURES_ERROR)):
        train_model(no_features, ModelConfig("knn"), roles={})


def test_training_on_one_outcome_is_refused(data: AuditData, roles: dict) -> None:
    negatives = data.subset(np.flatnonzero(data.y_true == 0))
    with pytest.raises(
        ModelError, match=re.escape(ONE_CLASS_TRAIN_ERROR.format(outcome="negative"))
    ):
        train_model(negatives, ModelConfig("decision_tree"), roles=roles)


def test_too_few_rows_for_knn_and_svm_calibration(data: AuditData, roles: dict) -> None:
    tiny = data.subset(np.r_[np.flatnonzero(data.y_true == 0)[:8], np.flatnonzero(data.y_true)[:2]])
    with pytest.raises(ModelError, match="needs at least 15 training rows"):
        train_model(tiny, ModelConfig("knn"), roles=roles)
    with pytest.raises(ModelError, match="at least 3 training rows of each outcome"):
        train_model(tiny, ModelConfig("linear_svm"), roles=roles)
    model = train_model(tiny, ModelConfig("knn", {"n_neighbors": 5}), roles=roles)
    assert predict(model, tiny.X)[0].shape == (10,)


# ---------------------------------------------------------------------- configs
def test_specs_cover_the_zoo_and_their_defaults_are_valid() -> None:
    assert tuple(MODEL_SPECS) == MODEL_NAMES
    for name, spec in MODEL_SPECS.items():
        assert spec.name == name and spec.title and len(spec.description) > 40
        config = ModelConfig(name)
        assert config.params == tuple((p.name, p.default) for p in spec.params)
        for param in spec.params:
            assert param.kind in ("int", "float", "choice") and param.label and param.help
            if param.kind == "choice":
                assert param.default in param.choices
            else:
                assert param.low <= param.default <= param.high or param.default is None
    assert model_spec("random_forest").param("max_depth").default == 8
    assert model_spec("random_forest").param("n_estimators").default == 100


def test_config_fills_defaults_and_normalises_values() -> None:
    config = ModelConfig("random_forest", (("max_depth", 4.0),))
    assert config.params == (("n_estimators", 100), ("max_depth", 4))
    assert type(config.param("max_depth")) is int
    same = ModelConfig("random_forest", {"max_depth": np.int64(4), "n_estimators": 100})
    assert same == config and hash(same) == hash(config)
    assert ModelConfig("logistic_regression", {"C": 2}).param("C") == 2.0
    assert {config, same} == {config}


@pytest.mark.parametrize(
    ("name", "params", "param", "expected", "value"),
    [
        ("random_forest", {"max_depth": 100}, "max_depth", "an int in [1, 64] or None", 100),
        ("random_forest", {"max_depth": 2.5}, "max_depth", "an int in [1, 64] or None", 2.5),
        ("random_forest", {"n_estimators": True}, "n_estimators", "an int in [10, 1000]", True),
        ("random_forest", {"n_estimators": None}, "n_estimators", "an int in [10, 1000]", None),
        ("logistic_regression", {"C": 0.0}, "C", "a float in [0.0001, 10000]", 0.0),
        ("logistic_regression", {"C": math.nan}, "C", "a float in [0.0001, 10000]", math.nan),
        ("logistic_regression", {"C": "1"}, "C", "a float in [0.0001, 10000]", "1"),
        (
            "hist_gradient_boosting",
            {"learning_rate": 1.5},
            "learning_rate",
            "a float in [0.001, 1]",
            1.5,
        ),
        ("knn", {"weights": "far"}, "weights", "one of ['uniform', 'distance']", "far"),
        ("knn", {"n_neighbors": 0}, "n_neighbors", "an int in [1, 200]", 0),
        ("linear_svm", {"calibration": 1}, "calibration", "one of ['sigmoid', 'isotonic']", 1),
    ],
)
def test_out_of_range_values_are_refused_in_the_sklearn_shape(
    name: str, params: dict, param: str, expected: str, value: object
) -> None:
    message = PARAM_ERROR.format(param=param, model=name, expected=expected, value=value)
    with pytest.raises(ModelError, match=re.escape(message)):
        ModelConfig(name, params)


def test_unknown_model_param_and_duplicates_are_refused() -> None:
    with pytest.raises(
        ModelError,
        match=re.escape(UNKNOWN_MODEL_ERROR.format(names=list(MODEL_NAMES), value="xgboost")),
    ):
        ModelConfig("xgboost")
    with pytest.raises(
        FairLabError,
        match=re.escape(
            UNKNOWN_PARAM_ERROR.format(model="knn", param="C", names=["n_neighbors", "weights"])
        ),
    ):
        ModelConfig("knn", {"C": 1.0})
    with pytest.raises(
        ModelError, match=re.escape(DUPLICATE_PARAM_ERROR.format(param="C", model="linear_svm"))
    ):
        ModelConfig("linear_svm", (("C", 1.0), ("C", 2.0)))
    with pytest.raises(
        ModelError, match=re.escape(RANDOM_STATE_ERROR.format(high=2**32 - 1, value=-3))
    ):
        ModelConfig("knn", random_state=-3)


def test_json_round_trip() -> None:
    for name in MODEL_NAMES:
        config = ModelConfig(name, random_state=42)
        text = json.dumps(config.to_dict())
        again = ModelConfig.from_dict(json.loads(text))
        assert again == config and hash(again) == hash(config)
    tree = ModelConfig("decision_tree", {"max_depth": None})
    assert tree.to_dict() == {
        "name": "decision_tree",
        "params": {"max_depth": None, "min_samples_leaf": 5},
        "random_state": 0,
    }
    assert ModelConfig.from_dict(json.loads(json.dumps(tree.to_dict()))) == tree


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ([], "the top level is not an object"),
        ({"params": {}}, "the key 'name' is missing"),
        ({"name": "knn", "seed": 1}, "unknown keys ['seed']"),
        ({"name": "knn", "params": [1]}, "'params' must be an object"),
    ],
)
def test_from_dict_refuses_malformed_json(payload: object, reason: str) -> None:
    with pytest.raises(ModelError, match=re.escape(CONFIG_JSON_ERROR.format(reason=reason))):
        ModelConfig.from_dict(payload)  # type: ignore[arg-type]


def test_from_dict_validates_values() -> None:
    with pytest.raises(ModelError, match="Got 0 instead"):
        ModelConfig.from_dict({"name": "knn", "params": {"n_neighbors": 0}})


def test_pipelines_are_clonable_for_refitting() -> None:
    pipeline = build_pipeline(ModelConfig("hist_gradient_boosting"), roles={"a": "categorical"})
    assert clone(pipeline).get_params()["model__max_depth"] == 6


# ---------------------------------------------------------------------- threads
def _pools() -> dict[str, int]:
    from threadpoolctl import threadpool_info

    return {pool["user_api"]: pool["num_threads"] for pool in threadpool_info()}


SEEN_THREADS: list[dict[str, int]] = []


class _ThreadProbe(BaseEstimator, ClassifierMixin):
    """A classifier that records the OpenMP and BLAS thread counts its fit sees."""

    def fit(self, X, y):
        SEEN_THREADS.append(_pools())
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X):
        return np.full((len(X), 2), 0.5)


@pytest.mark.parametrize("threads", [1, 2])
def test_train_model_holds_the_fit_to_its_threads_and_restores_them(
    monkeypatch, data, roles, threads
) -> None:
    import fairlab.models as models

    monkeypatch.setattr(models, "_estimator", lambda config: _ThreadProbe())
    before = _pools()
    train_model(data, ModelConfig("logistic_regression"), roles=roles, threads=threads)
    assert set(SEEN_THREADS[-1].values()) == {threads}
    assert _pools() == before


@pytest.mark.parametrize("threads", [0, -1, 1.5, True, "2"])
def test_bad_thread_counts_are_refused(data, roles, threads) -> None:
    from fairlab.models import THREADS_ERROR

    with pytest.raises(ValueError, match=re.escape(THREADS_ERROR.format(value=threads))):
        train_model(data, ModelConfig("logistic_regression"), roles=roles, threads=threads)


def test_thread_limit_does_not_change_the_model(data, roles) -> None:
    config = _small("hist_gradient_boosting")
    limited = train_model(data, config, roles=roles, threads=1)
    free = train_model(data, config, roles=roles, threads=None)
    np.testing.assert_array_equal(
        limited.pipeline.predict_proba(data.X), free.pipeline.predict_proba(data.X)
    )
