from __future__ import annotations

import copy
import re

import numpy as np
import pandas as pd
import pytest
from fairlearn.reductions import DemographicParity, EqualizedOdds, ExponentiatedGradient, GridSearch
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from fairlab.audit_data import AuditData, build_audit_data
from fairlab.data import infer_column_roles
from fairlab.errors import FairLabError, ModelError
from fairlab.fairness import FairnessConfig
from fairlab.mitigation import (
    BASELINE,
    CONSTRAINTS,
    DEFAULT_TECHNIQUES,
    DUPLICATE_TECHNIQUE_ERROR,
    GROUP_THRESHOLDS_MISSING_ERROR,
    N_JOBS_ERROR,
    NO_CONSTRAINT_ERROR,
    NO_SAMPLE_WEIGHT_ERROR,
    ONE_GROUP_ERROR,
    TABLE_CRITERIA,
    TECHNIQUE_NAMES,
    TECHNIQUES,
    THRESHOLDS_NEEDED_ERROR,
    UNKNOWN_ATTRIBUTE_ERROR,
    UNKNOWN_CONSTRAINT_ERROR,
    UNKNOWN_NAME_ERROR,
    UNKNOWN_PARAM_ERROR,
    UNKNOWN_TECHNIQUE_ERROR,
    MitigationComparison,
    MitigationError,
    RejectOptionClassifier,
    TechniqueConfig,
    compare_techniques,
    reweighing_weights,
    run_technique,
)
from fairlab.mitigation._estimators import RowsEstimator
from fairlab.models import ModelConfig, build_pipeline, train_model
from fairlab.spec import AuditSpec
from fairlab.split import SplitConfig, split_audit_data

FEATURES = ("skill", "proxy", "other")
BASE = ModelConfig("logistic_regression")
FAST = FairnessConfig(n_boot=200)


def _frame(n: int = 2000, seed: int = 0) -> pd.DataFrame:
    """A planted disparity: group b's skill is recorded 1.0 too low, and its outcomes are
    noisier, so a model selects it less often, finds fewer of its positives and errs more
    on it."""
    rng = np.random.default_rng(seed)
    group = rng.choice(["a", "b"], n)
    favoured = group == "a"
    skill = rng.normal(0, 1, n)
    noise = rng.normal(0, np.where(favoured, 0.2, 1.2), n)
    outcome = np.where(1.5 * skill + 0.5 * favoured - 0.3 + noise > 0, "yes", "no")
    return pd.DataFrame(
        {
            "skill": skill - 1.0 * ~favoured + rng.normal(0, 0.3, n),
            "proxy": favoured + rng.normal(0, 0.5, n),
            "other": rng.normal(0, 1, n),
            "group": pd.Series(group, dtype="str"),
            "outcome": outcome,
        }
    )


def _split(frame: pd.DataFrame, sensitive: tuple[str, ...] = ("group",)):
    data = build_audit_data(frame, AuditSpec("outcome", "yes", sensitive, FEATURES))
    roles = {info.name: info.role for info in infer_column_roles(data.X)}
    split = split_audit_data(data, SplitConfig(test_size=0.5, random_state=0))
    return split.train(data), split.test(data), roles


@pytest.fixture(scope="module")
def split() -> tuple[AuditData, AuditData, dict[str, str]]:
    return _split(_frame())


def _every_target() -> list[TechniqueConfig]:
    configs = []
    for name, spec in TECHNIQUES.items():
        if name in (BASELINE, "group_thresholds"):
            continue
        configs.extend(TechniqueConfig(name, constraint) for constraint in spec.constraints)
    return configs


EVERY_TARGET = _every_target()


@pytest.fixture(scope="module")
def compared(split) -> tuple[MitigationComparison, list[tuple[int, int, str]]]:
    train, test, roles = split
    calls = []
    result = compare_techniques(
        train,
        test,
        BASE,
        [*EVERY_TARGET, TechniqueConfig("group_thresholds", thresholds={"a": 0.6, "b": 0.35})],
        roles=roles,
        attribute="group",
        fairness_config=FAST,
        progress=lambda done, total, name: calls.append((done, total, name)),
    )
    return result, calls


@pytest.fixture(scope="module")
def comparison(compared) -> MitigationComparison:
    return compared[0]


# ---------------------------------------------------------------------- reweighing
def test_reweighing_weights_match_the_closed_form_on_a_small_table() -> None:
    # Group a: 4 positive, 2 negative; group b: 1 positive, 3 negative; n = 10, P(y=1) = 0.5.
    groups = ["a"] * 6 + ["b"] * 4
    y = [1, 1, 1, 1, 0, 0, 1, 0, 0, 0]
    weights = reweighing_weights(y, groups)
    expected = {
        ("a", 1): 0.6 * 0.5 / 0.4,  # 0.75
        ("a", 0): 0.6 * 0.5 / 0.2,  # 1.5
        ("b", 1): 0.4 * 0.5 / 0.1,  # 2.0
        ("b", 0): 0.4 * 0.5 / 0.3,  # 0.666…
    }
    assert weights == pytest.approx([expected[(g, v)] for g, v in zip(groups, y, strict=True)])
    frame = pd.DataFrame({"g": groups, "y": y, "w": weights})
    weighted_rate = frame.assign(wy=frame.w * frame.y).groupby("g")[["wy", "w"]].sum()
    assert (weighted_rate.wy / weighted_rate.w).tolist() == pytest.approx([0.5, 0.5])
    assert weights.sum() == pytest.approx(10)


def test_reweighing_refuses_labels_that_are_not_0_1_and_length_mismatch() -> None:
    with pytest.raises(MitigationError, match="must be 0 or 1"):
        reweighing_weights([0, 2], ["a", "b"])
    with pytest.raises(MitigationError, match="one group label per row"):
        reweighing_weights([0, 1, 1], ["a", "b"])


# ---------------------------------------------------------------------- reject option
def test_reject_option_flips_the_critical_region_by_group_as_worked_by_hand() -> None:
    # Baseline (score > 0.5): a selects 2 of 4, b 3 of 4; overall 5 of 8. So a is deprived
    # and b favoured. With margin 0.1 the critical region is [0.4, 0.6]:
    #   a: 0.30 → 0 (outside), 0.45 → 1 (deprived, in), 0.55 → 1 (in), 0.70 → 1 (outside)
    #   b: 0.65 → 1 (outside), 0.48 → 0 (favoured, in), 0.52 → 0 (in), 0.80 → 1 (outside)
    scores = [0.30, 0.45, 0.55, 0.70, 0.65, 0.48, 0.52, 0.80]
    groups = ["a"] * 4 + ["b"] * 4
    classifier = RejectOptionClassifier(margin=0.1).fit(scores, sensitive_features=groups)
    assert classifier.deprived_groups_ == ("a",) and classifier.favoured_groups_ == ("b",)
    assert classifier.selection_rates_ == {"a": 0.5, "b": 0.75}
    decisions = classifier.predict(scores, sensitive_features=groups)
    assert decisions.tolist() == [0, 1, 1, 1, 1, 0, 0, 1]
    assert decisions.dtype == np.int8
    unchanged = RejectOptionClassifier(margin=0.0).fit(scores, sensitive_features=groups)
    assert unchanged.predict(scores, sensitive_features=groups).tolist() == [
        0,
        0,
        1,
        1,
        1,
        0,
        1,
        1,
    ]


def test_reject_option_chooses_the_narrowest_margin_that_best_equalises_selection() -> None:
    # a selects 1 of 4, b 3 of 4. A region of half-width 0.04 turns a's 0.46 positive and
    # b's 0.54 negative: both select 2 of 4. Wider regions do no better until 0.15, where
    # b's 0.65 turns negative too.
    scores = [0.20, 0.30, 0.46, 0.70, 0.54, 0.65, 0.80, 0.10]
    groups = ["a"] * 4 + ["b"] * 4
    classifier = RejectOptionClassifier().fit(scores, sensitive_features=groups)
    assert 0.04 <= classifier.margin_ < 0.045  # the first of 201 widths past 0.04
    decisions = classifier.predict(scores, sensitive_features=groups)
    assert decisions[:4].mean() == decisions[4:].mean() == 0.5


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"threshold": 1.5}, "'threshold' parameter"),
        ({"margin": 0.7}, "'margin' parameter"),
        ({"n_margins": 1}, "'n_margins' parameter"),
    ],
)
def test_reject_option_refuses_bad_parameters(params, message) -> None:
    with pytest.raises(MitigationError, match=message):
        RejectOptionClassifier(**params).fit([0.2, 0.8], sensitive_features=["a", "b"])


# ---------------------------------------------------------------------- registry, configs
def test_registry_describes_every_technique() -> None:
    assert TECHNIQUE_NAMES[0] == BASELINE
    stages = {spec.stage for spec in TECHNIQUES.values()}
    assert stages == {"baseline", "pre", "in", "post"}
    for spec in TECHNIQUES.values():
        assert spec.title and spec.description
        assert set(spec.constraints) <= set(CONSTRAINTS)
        for param in spec.params:
            assert param.help
            if param.default is not None and param.kind != "choice":
                assert param.low <= param.default <= param.high
    assert TECHNIQUES["threshold_optimizer"].needs_sensitive_at_prediction
    assert not TECHNIQUES["exponentiated_gradient"].needs_sensitive_at_prediction
    assert TECHNIQUES["exponentiated_gradient"].param("max_iter").default == 50
    assert len(DEFAULT_TECHNIQUES) >= 6


def test_technique_config_is_complete_hashable_and_labelled() -> None:
    a = TechniqueConfig("exponentiated_gradient", "equalized_odds", {"max_iter": 20})
    b = TechniqueConfig(
        "exponentiated_gradient", "equalized_odds", (("max_iter", 20), ("eps", 0.01))
    )
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert dict(a.params) == {
        "difference_bound": 0.01,
        "eps": 0.01,
        "max_iter": 20,
        "warm_start": True,
    }
    assert a.label == "Exponentiated gradient · equalized odds (max_iter=20)"
    assert TechniqueConfig("reweighing").constraint == "demographic_parity"
    assert TechniqueConfig("reweighing").label == "Reweighing"
    thresholds = TechniqueConfig("group_thresholds", thresholds={"b": 0.4, "a": 0.5})
    assert thresholds.thresholds == (("a", 0.5), ("b", 0.4))
    labels = [TechniqueConfig(n, c).label for n in TECHNIQUES for c in TECHNIQUES[n].constraints]
    assert len(labels) == len(set(labels))


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("debias",), {}, UNKNOWN_TECHNIQUE_ERROR.split("{")[0]),
        (
            ("threshold_optimizer", "error_rate_parity"),
            {},
            re.escape("Threshold optimizer cannot mitigate for 'error_rate_parity'"),
        ),
        (("reject_option", "equalized_odds"), {}, "cannot mitigate for 'equalized_odds'"),
        (("group_thresholds", "demographic_parity"), {"thresholds": {"a": 0.5}}, "takes no"),
        (("exponentiated_gradient",), {"params": {"max_iter": 0}}, "'max_iter' parameter"),
        (("exponentiated_gradient",), {"params": {"T": 5}}, "has no parameter 'T'"),
        (("group_thresholds",), {}, re.escape(THRESHOLDS_NEEDED_ERROR[:40])),
        (("group_thresholds",), {"thresholds": {"a": float("nan")}}, "finite number"),
        (("reweighing",), {"thresholds": {"a": 0.5}}, "Only per-group thresholds"),
    ],
)
def test_bad_technique_configs_raise_clear_errors(args, kwargs, message) -> None:
    with pytest.raises(MitigationError, match=message) as caught:
        TechniqueConfig(*args, **kwargs)
    assert isinstance(caught.value, FairLabError)


def test_error_message_constants_are_the_ones_raised() -> None:
    assert UNKNOWN_CONSTRAINT_ERROR.startswith("{title} cannot mitigate")
    assert NO_CONSTRAINT_ERROR.startswith("{title} takes no constraint")
    assert UNKNOWN_PARAM_ERROR.startswith("{title} has no parameter")


# ---------------------------------------------------------------------- each technique
@pytest.mark.parametrize("technique", EVERY_TARGET, ids=lambda t: t.label)
def test_each_technique_reduces_its_target_disparity(comparison, technique) -> None:
    table = comparison.table()
    target = f"{technique.constraint}_difference"
    baseline = table.loc[comparison.baseline_name, target]
    mitigated = table.loc[technique.label, target]
    assert baseline > 0.09, "the planted disparity should be visible in the baseline"
    assert mitigated < baseline


def test_user_chosen_group_thresholds_move_decisions_as_set(comparison, split) -> None:
    _, test, _ = split
    label = "Per-group thresholds (a: 0.6, b: 0.35)"
    result = comparison.result(label)
    scores = comparison.result(comparison.baseline_name).y_score
    groups = test.groups("group").astype(str).to_numpy()
    expected = np.where(groups == "a", scores >= 0.6, scores >= 0.35)
    np.testing.assert_array_equal(result.y_pred, expected.astype(np.int8))
    assert result.y_score is None and result.needs_sensitive_at_prediction
    table = comparison.table()
    assert (
        table.loc[label, "demographic_parity_difference"]
        < table.loc[comparison.baseline_name, "demographic_parity_difference"]
    )


def test_comparison_keeps_the_baseline_first_and_reports_progress(compared) -> None:
    comparison, calls = compared
    assert comparison.names[0] == "Baseline (unmitigated)"
    total = len(EVERY_TARGET) + 2
    assert [done for done, _, _ in calls] == list(range(1, total + 1))
    assert {t for _, t, _ in calls} == {total}
    assert calls[0][2] == comparison.baseline_name
    assert {name for _, _, name in calls} == set(comparison.names)


def test_table_has_every_column_for_every_technique(comparison) -> None:
    table = comparison.table()
    assert list(table.index) == list(comparison.names)
    for criterion in TABLE_CRITERIA:
        key = f"{criterion}_difference"
        assert {key, f"{key}_low", f"{key}_high", f"{key}_verdict"} <= set(table.columns)
        assert (table[f"{key}_low"] <= table[f"{key}_high"]).all()
    assert table["accuracy"].between(0, 1).all()
    post = table["stage"] == "post-processing"
    assert table.loc[post, "roc_auc"].isna().all()
    assert table.loc[~post, "roc_auc"].notna().all()
    assert table.loc[post, "needs_sensitive_at_prediction"].all()
    assert not table.loc["Reweighing", "needs_sensitive_at_prediction"]
    assert table.loc["Correlation remover", "needs_sensitive_at_prediction"]
    assert (table["seconds"] >= 0).all()
    ratios = comparison.table(kind="ratio")
    assert "demographic_parity_ratio" in ratios.columns
    with pytest.raises(MitigationError, match="'kind' parameter"):
        comparison.table(kind="gap")  # type: ignore[arg-type]


def test_per_group_puts_a_technique_next_to_the_baseline(comparison) -> None:
    name = "Threshold optimizer · demographic parity"
    table = comparison.per_group(name)
    selection = table[table["metric"] == "selection_rate"].set_index("group")
    assert list(selection.index) == ["a", "b"]
    for group in ("a", "b"):
        rows = comparison.groups.astype(str).to_numpy() == group
        assert selection.loc[group, "baseline"] == pytest.approx(
            comparison.result(comparison.baseline_name).y_pred[rows].mean()
        )
        assert selection.loc[group, "mitigated"] == pytest.approx(
            comparison.result(name).y_pred[rows].mean()
        )
    assert table["change"].to_numpy() == pytest.approx(
        (table["mitigated"] - table["baseline"]).to_numpy()
    )
    with pytest.raises(MitigationError, match=re.escape(UNKNOWN_NAME_ERROR[:20])):
        comparison.per_group("Debiased model")


def test_flips_count_changed_decisions_per_group_and_direction(comparison) -> None:
    name = "Reject-option classification"
    flips = comparison.flips(name).set_index("group")
    before = comparison.result(comparison.baseline_name).y_pred
    after = comparison.result(name).y_pred
    groups = comparison.groups.astype(str).to_numpy()
    for group in ("a", "b"):
        rows = groups == group
        assert flips.loc[group, "negative_to_positive"] == np.sum(
            (before == 0) & (after == 1) & rows
        )
        assert flips.loc[group, "positive_to_negative"] == np.sum(
            (before == 1) & (after == 0) & rows
        )
        assert flips.loc[group, "count"] == rows.sum()
    assert flips.loc["overall", "flipped"] == np.sum(before != after)
    # The deprived group (b) only gains positive decisions, the favoured one only loses them.
    assert (
        flips.loc["b", "positive_to_negative"] == 0 and flips.loc["b", "negative_to_positive"] > 0
    )
    assert flips.loc["a", "negative_to_positive"] == 0
    baseline_flips = comparison.flips(comparison.baseline_name)
    assert (baseline_flips["flipped"] == 0).all()


def test_reductions_reach_the_final_estimator_with_weights_on_the_prepared_matrix(
    comparison,
) -> None:
    eg = comparison.result("Exponentiated gradient · demographic parity").fitted
    assert eg.n_oracle_calls_ >= 1
    inner = [p for p in eg.predictors_ if isinstance(p, RowsEstimator)]
    assert inner and all(isinstance(p.estimator_, LogisticRegression) for p in inner)
    grid = comparison.result("Grid search · demographic parity").fitted
    assert len(grid.predictors_) == 10


@pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning")
@pytest.mark.parametrize("constraint", ["demographic_parity", "equalized_odds"])
def test_without_warm_start_the_reductions_match_fairlearn_on_a_full_pipeline(
    split, constraint
) -> None:
    # Preparing the features once and fitting on row positions changes nothing: the same
    # models, the same mixture, the same decisions as fairlearn refitting the Pipeline.
    train, test, roles = split
    moment = {"demographic_parity": DemographicParity, "equalized_odds": EqualizedOdds}
    groups = train.groups("group").astype(str).to_numpy()
    technique = TechniqueConfig("exponentiated_gradient", constraint, {"warm_start": False})
    ours = run_technique(
        train, test, BASE, technique, roles=roles, attribute="group", random_state=0
    )
    with threadpool_limits(limits=1):
        theirs = ExponentiatedGradient(
            build_pipeline(BASE, roles=roles),
            moment[constraint](),
            sample_weight_name="model__sample_weight",
        ).fit(train.X, train.y_true, sensitive_features=groups)
        np.testing.assert_array_equal(ours.y_pred, theirs.predict(test.X, random_state=0))
        np.testing.assert_allclose(ours.y_score, theirs._pmf_predict(test.X)[:, 1])
    grid = TechniqueConfig("grid_search", constraint, {"warm_start": False})
    ours = run_technique(train, test, BASE, grid, roles=roles, attribute="group")
    with threadpool_limits(limits=1):
        theirs = GridSearch(
            build_pipeline(BASE, roles=roles),
            moment[constraint](),
            sample_weight_name="model__sample_weight",
        ).fit(train.X, train.y_true, sensitive_features=groups)
        np.testing.assert_allclose(ours.y_score, theirs.predict_proba(test.X)[:, 1])


# ---------------------------------------------------------------------- determinism
def test_a_fixed_seed_gives_the_same_decisions(split) -> None:
    train, test, roles = split
    technique = TechniqueConfig("exponentiated_gradient", "equalized_odds")
    first = run_technique(
        train, test, BASE, technique, roles=roles, attribute="group", random_state=3
    )
    again = run_technique(
        train, test, BASE, technique, roles=roles, attribute="group", random_state=3
    )
    np.testing.assert_array_equal(first.y_pred, again.y_pred)
    np.testing.assert_array_equal(first.y_score, again.y_score)
    assert not first.y_pred.flags.writeable
    other = run_technique(
        train, test, BASE, technique, roles=roles, attribute="group", random_state=4
    )
    randomised = (first.y_score > 0) & (first.y_score < 1)
    assert randomised.any()
    assert not np.array_equal(first.y_pred, other.y_pred)
    np.testing.assert_array_equal(first.y_pred[~randomised], other.y_pred[~randomised])


def test_results_do_not_depend_on_n_jobs(split) -> None:
    train, test, roles = split
    techniques = [
        TechniqueConfig("exponentiated_gradient", "demographic_parity"),
        TechniqueConfig("threshold_optimizer", "equalized_odds"),
        TechniqueConfig("reweighing"),
    ]
    kwargs = dict(roles=roles, attribute="group", fairness_config=FAST, random_state=7)
    serial = compare_techniques(train, test, BASE, techniques, n_jobs=1, **kwargs)
    parallel = compare_techniques(train, test, BASE, techniques, n_jobs=2, **kwargs)
    assert serial.names == parallel.names
    for name in serial.names:
        np.testing.assert_array_equal(serial.result(name).y_pred, parallel.result(name).y_pred)
    pd.testing.assert_frame_equal(
        serial.table().drop(columns="seconds"), parallel.table().drop(columns="seconds")
    )


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_fit_progress_counts_every_fit_of_a_reduction_in_this_thread(split, n_jobs) -> None:
    import threading

    train, test, roles = split
    grid = TechniqueConfig("grid_search", "demographic_parity", params=(("grid_size", 7),))
    expgrad = TechniqueConfig("exponentiated_gradient", "demographic_parity")
    techniques = [grid, expgrad, TechniqueConfig("reweighing")]
    calls: list[tuple[str, int, int]] = []
    kwargs = dict(roles=roles, attribute="group", fairness_config=FAST, random_state=7)
    with_progress = compare_techniques(
        train,
        test,
        BASE,
        techniques,
        n_jobs=n_jobs,
        fit_progress=lambda label, n: calls.append((label, n, threading.get_ident())),
        **kwargs,
    )
    assert {thread for _, _, thread in calls} == {threading.get_ident()}
    by_label: dict[str, list[int]] = {}
    for label, n_fits, _ in calls:
        by_label.setdefault(label, []).append(n_fits)
    assert set(by_label) == {grid.label, expgrad.label}
    assert max(by_label[grid.label]) == 7  # fairlearn's grid search fits once per grid point
    for counts in by_label.values():
        assert counts == sorted(counts)
        if n_jobs == 1:
            assert counts == list(range(1, len(counts) + 1))
    without = compare_techniques(train, test, BASE, techniques, n_jobs=1, **kwargs)
    for name in without.names:
        np.testing.assert_array_equal(
            without.result(name).y_pred, with_progress.result(name).y_pred
        )


def test_rows_estimator_calls_on_fit_for_itself_and_its_clones() -> None:
    from sklearn.base import clone as sk_clone

    rng = np.random.default_rng(0)
    matrix = rng.normal(size=(100, 2))
    y = (matrix[:, 0] > 0).astype(int)
    fits = []
    estimator = RowsEstimator(LogisticRegression(), matrix, on_fit=lambda: fits.append(1))
    positions = np.arange(100).reshape(-1, 1)
    estimator.fit(positions, y)
    sk_clone(estimator).fit(positions, y)
    assert len(fits) == 2


def test_rows_estimator_clones_share_the_matrix_and_the_warm_start() -> None:
    rng = np.random.default_rng(0)
    matrix = rng.normal(size=(200, 3))
    y = (matrix[:, 0] > 0).astype(int)
    estimator = RowsEstimator(LogisticRegression(), matrix, warm_start=True)
    for twin in (clone(estimator), copy.deepcopy(estimator)):
        assert twin.matrix is matrix and twin._memory is estimator._memory
    positions = np.arange(200).reshape(-1, 1)
    clone(estimator).fit(positions, y)
    assert "coef_" in estimator._memory
    fitted = clone(estimator).fit(positions[:100], y[:100])
    cold = LogisticRegression().fit(matrix[:100], y[:100])
    np.testing.assert_allclose(fitted.estimator_.coef_, cold.coef_, rtol=1e-3, atol=1e-3)
    np.testing.assert_array_equal(fitted.predict(positions[100:]), cold.predict(matrix[100:]))


# ---------------------------------------------------------------------- bad inputs
def test_an_attribute_with_one_group_in_training_is_refused(split) -> None:
    train, test, roles = split
    only_a = train.subset(np.flatnonzero(train.groups("group").astype(str).to_numpy() == "a"))
    with pytest.raises(MitigationError, match=re.escape("only one group of 'group' ('a')")):
        run_technique(
            only_a, test, BASE, TechniqueConfig("reweighing"), roles=roles, attribute="group"
        )
    assert ONE_GROUP_ERROR.startswith("The training rows hold only one group")


def test_an_unknown_attribute_is_refused(split) -> None:
    train, test, roles = split
    with pytest.raises(
        MitigationError, match=re.escape(UNKNOWN_ATTRIBUTE_ERROR[:30].format(attribute="sex"))
    ):
        compare_techniques(train, test, BASE, roles=roles, attribute="sex")


def test_a_model_that_cannot_take_weights_is_refused_for_weighted_techniques(split) -> None:
    train, test, roles = split
    knn = ModelConfig("knn")
    message = NO_SAMPLE_WEIGHT_ERROR.format(
        technique="Exponentiated gradient", model="k-nearest neighbours"
    )
    with pytest.raises(MitigationError, match=re.escape(message)):
        compare_techniques(
            train,
            test,
            knn,
            [TechniqueConfig("threshold_optimizer"), TechniqueConfig("exponentiated_gradient")],
            roles=roles,
            attribute="group",
        )
    result = run_technique(
        train, test, knn, TechniqueConfig("reject_option"), roles=roles, attribute="group"
    )
    assert result.y_pred.shape == (test.n_rows,)


def test_bad_comparison_arguments_are_refused(split) -> None:
    train, test, roles = split
    kwargs = dict(roles=roles, attribute="group")
    with pytest.raises(
        MitigationError, match=re.escape(DUPLICATE_TECHNIQUE_ERROR.format(label="Reweighing"))
    ):
        compare_techniques(train, test, BASE, [TechniqueConfig("reweighing")] * 2, **kwargs)
    with pytest.raises(MitigationError, match=re.escape(N_JOBS_ERROR[:20])):
        compare_techniques(train, test, BASE, [TechniqueConfig("reweighing")], n_jobs=0, **kwargs)
    with pytest.raises(MitigationError, match="must be a TechniqueConfig"):
        compare_techniques(train, test, BASE, ["reweighing"], **kwargs)  # type: ignore[list-item]
    with pytest.raises(MitigationError, match=re.escape(GROUP_THRESHOLDS_MISSING_ERROR[:40])):
        compare_techniques(
            train,
            test,
            BASE,
            [TechniqueConfig("group_thresholds", thresholds={"a": 0.5})],
            **kwargs,
        )
    with pytest.raises(MitigationError, match="does not have"):
        compare_techniques(
            train,
            test,
            BASE,
            [TechniqueConfig("group_thresholds", thresholds={"a": 0.5, "b": 0.5, "c": 0.5})],
            **kwargs,
        )
    other = train_model(train, ModelConfig("decision_tree"), roles=roles)
    with pytest.raises(MitigationError, match="trained with the same configuration"):
        compare_techniques(train, test, BASE, [], baseline=other, **kwargs)


def test_training_rows_with_one_outcome_raise_the_model_error(split) -> None:
    train, test, roles = split
    positives = train.subset(np.flatnonzero(train.y_true == 1))
    with pytest.raises(ModelError):
        run_technique(
            positives, test, BASE, TechniqueConfig("reweighing"), roles=roles, attribute="group"
        )


def test_a_trained_baseline_is_reused(split) -> None:
    train, test, roles = split
    trained = train_model(train, BASE, roles=roles)
    comparison = compare_techniques(
        train,
        test,
        BASE,
        [TechniqueConfig("reject_option")],
        roles=roles,
        attribute="group",
        baseline=trained,
        fairness_config=FAST,
    )
    assert comparison.result(comparison.baseline_name).fitted is trained
