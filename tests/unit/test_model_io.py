from __future__ import annotations

import ast
import io
import pickle
import re
import zipfile
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier

import fairlab.model_io as model_io
from fairlab.audit_data import AuditData, build_audit_data
from fairlab.data import infer_column_roles
from fairlab.errors import FairLabError, ModelError
from fairlab.model_io import (
    EMPTY_MODEL_FILE_ERROR,
    NO_PREDICT_ERROR,
    NOT_FITTED_ERROR,
    POSITIVE_CLASS_NEEDED_ERROR,
    POSITIVE_CLASS_NOT_FOUND_ERROR,
    LoadedModel,
    UntrustedTypesError,
    inspect_skops,
    load_skops,
    untrusted_type_notes,
)
from fairlab.models import FEATURE_COUNT_ERROR, ModelConfig, predict, train_model
from fairlab.spec import AuditSpec

FEATURES = ("age", "hours", "job", "sex")


@pytest.fixture(scope="module")
def data() -> AuditData:
    rng = np.random.default_rng(0)
    n = 200
    age = rng.integers(18, 80, n).astype(float)
    age[::17] = np.nan
    sex = rng.choice(["F", "M"], n)
    job = rng.choice(["clerk", "nurse", "chef"], n)
    signal = 0.05 * np.nan_to_num(age, nan=40) + 1.5 * (sex == "M") + rng.normal(0, 0.5, n)
    frame = pd.DataFrame(
        {
            "age": age,
            "hours": rng.normal(40, 8, n),
            "job": pd.Series(job, dtype="str"),
            "sex": pd.Series(sex, dtype="str"),
            "outcome": np.where(signal > np.median(signal), "good", "bad"),
        }
    )
    return build_audit_data(frame, AuditSpec("outcome", "good", ("sex",), FEATURES))


@pytest.fixture(scope="module")
def roles(data: AuditData) -> dict[str, str]:
    return {info.name: info.role for info in infer_column_roles(data.X)}


def _trained(data: AuditData, roles: dict, name: str):
    params = {"random_forest": {"n_estimators": 10}, "hist_gradient_boosting": {"max_iter": 10}}
    return train_model(data, ModelConfig(name, params.get(name, {})), roles=roles)


@pytest.mark.parametrize(
    "name", ["logistic_regression", "random_forest", "hist_gradient_boosting", "linear_svm"]
)
def test_a_zoo_pipeline_round_trips_through_skops(name: str, data: AuditData, roles) -> None:
    model = _trained(data, roles, name)
    raw = sio.dumps(model.pipeline)
    untrusted = inspect_skops(raw)
    assert untrusted == sorted(untrusted) and "numpy.dtype" in untrusted
    loaded = load_skops(raw, trusted=untrusted)
    assert isinstance(loaded, LoadedModel)
    assert loaded.features == FEATURES and loaded.kind == "Pipeline"
    assert loaded.positive_class == 1 and loaded.classes == (0, 1)
    assert loaded.has_probabilities and loaded.trusted == tuple(untrusted)
    expected_pred, expected_score = predict(model, data.X)
    y_pred, y_score = predict(loaded, data.X)
    assert y_pred.dtype == np.int8
    assert np.array_equal(y_pred, expected_pred)
    assert np.array_equal(y_score, expected_score)


def test_tree_models_list_the_tree_type_with_skops_note(data: AuditData, roles) -> None:
    raw = sio.dumps(_trained(data, roles, "random_forest").pipeline)
    untrusted = inspect_skops(raw)
    assert "sklearn.tree._tree.Tree" in untrusted
    notes = untrusted_type_notes(untrusted)
    assert set(notes) == {"sklearn.tree._tree.Tree"}
    assert "out-of-bounds" in notes["sklearn.tree._tree.Tree"]


def test_untrusted_types_are_refused_until_accepted_by_name(data: AuditData, roles) -> None:
    raw = sio.dumps(_trained(data, roles, "random_forest").pipeline)
    untrusted = inspect_skops(raw)
    with pytest.raises(UntrustedTypesError) as info:
        load_skops(raw, name="'model.skops'")
    message = str(info.value)
    assert info.value.types == tuple(untrusted)
    assert message.startswith("'model.skops' holds types that are not trusted by default")
    for type_name in untrusted:
        assert type_name in message
    assert "Review them, and accept them explicitly" in message
    assert isinstance(info.value, ModelError)
    # Accepting some but not all: only the rest are named.
    with pytest.raises(UntrustedTypesError) as info:
        load_skops(raw, trusted=["numpy.dtype"])
    assert info.value.types == tuple(t for t in untrusted if t != "numpy.dtype")
    assert "numpy.dtype" not in str(info.value)


def test_only_types_in_the_file_are_passed_on(data: AuditData, roles, monkeypatch) -> None:
    raw = sio.dumps(_trained(data, roles, "logistic_regression").pipeline)
    seen: list[list[str]] = []
    real_loads = sio.loads

    def spy(content: bytes, trusted: list[str]):
        seen.append(list(trusted))
        return real_loads(content, trusted=trusted)

    monkeypatch.setattr(model_io.sio, "loads", spy)
    load_skops(raw, trusted=["numpy.dtype", "builtins.eval", "os.system"])
    assert seen == [["numpy.dtype"]]


def _pickled(obj: object) -> bytes:
    return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)


def _joblib(obj: object, compress: object) -> bytes:
    buffer = io.BytesIO()
    joblib.dump(obj, buffer, compress=compress)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (lambda m: _pickled(m), "a pickle file"),
        (lambda m: pickle.dumps(m, protocol=2), "a pickle file"),
        (lambda m: _joblib(m, 0), "a pickle file (or an uncompressed joblib file)"),
        (lambda m: _joblib(m, 3), "a pickle file"),  # zlib: checked below
        (lambda m: _joblib(m, ("gzip", 3)), "a gzip-compressed file"),
        (lambda m: _joblib(m, ("bz2", 3)), "a bz2-compressed file"),
        (lambda m: _joblib(m, ("lzma", 3)), "an lzma-compressed file"),
        (lambda m: _joblib(m, ("xz", 3)), "an xz-compressed file"),
    ],
)
def test_pickle_and_joblib_files_are_refused(make, kind: str) -> None:
    raw = make(LogisticRegression().fit([[0.0], [1.0]], [0, 1]))
    with pytest.raises(ModelError) as info:
        load_skops(raw, trusted=["numpy.dtype"])
    message = str(info.value)
    assert "FairLab never unpickles uploads" in message
    assert "sio.dump(model, 'model.skops')" in message
    if raw[:1] != b"x":
        assert kind in message
    with pytest.raises(ModelError, match="never unpickles uploads"):
        inspect_skops(raw)


def test_a_zlib_joblib_file_is_named_as_such() -> None:
    raw = _joblib(LogisticRegression().fit([[0.0], [1.0]], [0, 1]), 3)
    assert raw[:1] == b"x"
    with pytest.raises(ModelError, match="zlib-compressed joblib file"):
        inspect_skops(raw)


@pytest.mark.parametrize("seed", range(8))
def test_random_bytes_give_a_fairlab_error(seed: int) -> None:
    raw = np.random.default_rng(seed).bytes(2048)
    with pytest.raises(FairLabError):
        load_skops(raw)


def test_damaged_and_foreign_archives_give_a_fairlab_error(data: AuditData, roles) -> None:
    raw = sio.dumps(_trained(data, roles, "logistic_regression").pipeline)
    with pytest.raises(ModelError, match="not a skops model file"):
        load_skops(raw[: len(raw) // 2])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("data.pkl", b"\x80\x04N.")
    with pytest.raises(ModelError, match=r"a zip archive without schema\.json"):
        load_skops(buffer.getvalue())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("schema.json", b"{not json")
    with pytest.raises(ModelError, match="could not be read as a skops model"):
        load_skops(buffer.getvalue())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("schema.json", b'{"protocol": 999}')
    with pytest.raises(ModelError, match="could not be read as a skops model"):
        inspect_skops(buffer.getvalue())
    with pytest.raises(ModelError, match=re.escape(EMPTY_MODEL_FILE_ERROR.format(name="x"))):
        load_skops(b"", name="x")
    with pytest.raises(ModelError, match="not a skops model file .it is not a zip archive"):
        load_skops(b"a,b\n1,2\n")


def test_oversized_archives_are_refused(monkeypatch) -> None:
    monkeypatch.setattr(model_io, "MAX_UNPACKED_BYTES", 100)
    raw = sio.dumps(LogisticRegression().fit([[0.0], [1.0]], [0, 1]))
    with pytest.raises(ModelError, match="more than the 0 MB FairLab accepts"):
        inspect_skops(raw)


def test_pickle_and_joblib_are_never_called(data: AuditData, roles, monkeypatch) -> None:
    raw = sio.dumps(_trained(data, roles, "hist_gradient_boosting").pipeline)

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("pickle or joblib was called on user bytes")

    for target, name in [
        (pickle, "load"),
        (pickle, "loads"),
        (pickle, "Unpickler"),
        (joblib, "load"),
    ]:
        monkeypatch.setattr(target, name, forbidden)
    loaded = load_skops(raw, trusted=inspect_skops(raw))
    assert predict(loaded, data.X)[1] is not None
    with pytest.raises(ModelError):
        load_skops(_joblib(LogisticRegression().fit([[0.0], [1.0]], [0, 1]), 0))
    source = ast.parse(Path(model_io.__file__).read_text())
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(source)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    } | {
        (node.module or "").split(".")[0]
        for node in ast.walk(source)
        if isinstance(node, ast.ImportFrom)
    }
    assert not imported & {"pickle", "joblib", "cloudpickle", "dill", "_pickle"}


def test_a_model_fitted_on_raw_labels_maps_the_positive_label(data: AuditData) -> None:
    X = data.X[["age", "hours"]].fillna(40)
    labels = np.where(data.y_true == 1, "good", "bad")
    model = LogisticRegression().fit(X, labels)
    raw = sio.dumps(model)
    loaded = load_skops(raw, trusted=inspect_skops(raw), positive_label="good")
    assert loaded.positive_class == "good" and loaded.classes == ("bad", "good")
    assert loaded.features == ("age", "hours")
    y_pred, y_score = predict(loaded, X)
    assert np.array_equal(y_pred, (model.predict(X) == "good").astype(np.int8))
    assert np.allclose(y_score, model.predict_proba(X)[:, 1])
    with pytest.raises(
        ModelError, match=re.escape(POSITIVE_CLASS_NEEDED_ERROR.format(classes="bad, good"))
    ):
        load_skops(raw, trusted=inspect_skops(raw))
    with pytest.raises(
        ModelError,
        match=re.escape(POSITIVE_CLASS_NOT_FOUND_ERROR.format(value=">50K", classes="bad, good")),
    ):
        load_skops(raw, trusted=inspect_skops(raw), positive_label=">50K")


def test_a_zero_one_model_takes_one_as_positive_whatever_the_spec_label(data) -> None:
    X = data.X[["age", "hours"]].fillna(40).to_numpy()
    model = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, data.y_true)
    raw = sio.dumps(model)
    loaded = load_skops(raw, trusted=inspect_skops(raw), positive_label="good")
    assert loaded.positive_class == 1 and loaded.features is None
    y_pred, _ = predict(loaded, data.X[["age", "hours"]].fillna(40))
    assert np.array_equal(y_pred, model.predict(X))
    message = FEATURE_COUNT_ERROR.format(expected=2, got=3)
    with pytest.raises(ModelError, match=re.escape(message)):
        predict(loaded, data.X[["age", "hours", "sex"]])


def test_a_classifier_without_probabilities_gives_no_scores(data: AuditData) -> None:
    X = data.X[["age", "hours"]].fillna(40)
    model = LinearSVC(random_state=0).fit(X, data.y_true.astype(bool))
    raw = sio.dumps(model)
    loaded = load_skops(raw, trusted=inspect_skops(raw))
    assert loaded.positive_class is True and not loaded.has_probabilities
    y_pred, y_score = predict(loaded, X)
    assert y_score is None and np.array_equal(y_pred, model.predict(X).astype(np.int8))


def test_objects_that_are_not_fitted_classifiers_are_refused() -> None:
    for obj, message in [
        (LogisticRegression(), NOT_FITTED_ERROR.format(name="the file", kind="LogisticRegression")),
        (
            StandardScaler().fit([[0.0], [1.0]]),
            NO_PREDICT_ERROR.format(name="the file", kind="StandardScaler"),
        ),
        (np.arange(3), NO_PREDICT_ERROR.format(name="the file", kind="ndarray")),
    ]:
        raw = sio.dumps(obj)
        with pytest.raises(ModelError, match=re.escape(message)):
            load_skops(raw, trusted=inspect_skops(raw))
