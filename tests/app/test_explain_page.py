"""The Explain page, driven by widget keys (German credit: small, so SHAP and LIME are quick)."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from fairlab_ui import state

TRAIN = "FormSubmitter:model_train_form-Train"
EXPLAIN = "app_pages/explain.py"


def texts(app: AppTest, kind: str) -> list[str]:
    return [re.sub(r"\\(.)", r"\1", str(e.value)) for e in getattr(app, kind)]


def _charts(app: AppTest) -> list[str]:
    return [e.proto.id for e in app.get("plotly_chart")]


def _german_model(app: AppTest, model: str = "random_forest", features: list | None = None):
    app.default_timeout = 120
    app.selectbox(key=state.DATA_BUNDLED).select("german").run()
    if features is not None:
        app.multiselect(key=state.DATA_FEATURES).set_value(features).run()
    app.switch_page("app_pages/model.py").run()
    app.selectbox(key="model_name").select(model).run()
    app.button(key=TRAIN).click().run()
    assert not app.exception, app.exception
    app.switch_page(EXPLAIN).run()
    assert not app.exception, app.exception
    return app


def _explain_whole_model(app: AppTest, rows: int = 120) -> None:
    app.number_input(key="explain_rows").set_value(rows).run()
    app.button(key="explain_run").click().run()
    assert not app.exception, app.exception


def test_the_page_waits_for_predictions(at: AppTest) -> None:
    at.switch_page(EXPLAIN).run()
    assert not at.exception
    assert any("Get predictions on the Model page first" in i for i in texts(at, "info"))


def test_whole_model_is_explained_only_on_request(at: AppTest) -> None:
    _german_model(at)
    assert not _charts(at)
    assert any("Nothing is computed until you ask" in c for c in texts(at, "caption"))
    assert any("TreeExplainer on" in c for c in texts(at, "caption"))
    _explain_whole_model(at)
    captions = texts(at, "caption")
    assert any("120 of 300 rows explained" in c for c in captions), captions
    assert len(_charts(at)) == 3  # importance, beeswarm, dependence
    assert not at.error and not at.warning
    # Colour the dependence plot by the other attribute: still fine, nothing recomputed.
    at.selectbox(key="explain_dependence_colour").select("age").run()
    assert not at.exception and len(_charts(at)) == 3

    at.number_input(key="explain_agreement_rows").set_value(5).run()
    at.button(key="explain_agreement_run").click().run()
    assert not at.exception, at.exception
    assert any("tell the same story for" in m for m in texts(at, "markdown"))


def test_one_row_shows_shap_and_lime_side_by_side_with_stability(at: AppTest) -> None:
    _german_model(at)
    at.radio(key=state.EXPLAIN_VIEW).set_value("One row").run()
    at.radio(key="explain_pick_mode").set_value("Most confident errors").run()
    assert not at.exception, at.exception
    error_row = at.selectbox(key="explain_error").value
    assert at.session_state[state.EXPLAIN_ROW] == error_row
    assert len(_charts(at)) == 2  # SHAP waterfall and LIME weights
    captions = texts(at, "caption")
    fidelity = captions + texts(at, "warning")
    assert any("LIME's prediction" in c or "LIME's local model predicts" in c for c in fidelity)
    assert any("Top-5 overlap" in c for c in captions)
    assert any("Background: Path-dependent" in c for c in captions), captions

    at.select_slider(key=state.EXPLAIN_LIME_SAMPLES).set_value(1000).run()
    at.button(key="explain_stability_run").click().run()
    assert not at.exception, at.exception
    badge = texts(at, "success") + texts(at, "warning")
    assert any("Jaccard" in b and "10 seeds" in b for b in badge), badge
    assert any("The badge: 10 runs of LIME (seeds 0 to 9)" in c for c in texts(at, "caption"))
    shares = at.dataframe[-1].value["in top k"]
    assert shares.between(0, 100).all() and shares.max() > 1  # percent, not a share

    at.radio(key="explain_pick_mode").set_value("By group").run()
    at.selectbox(key="explain_group_attribute").select("sex").run()
    assert not at.exception, at.exception
    assert len(_charts(at)) == 2


def test_each_explainer_names_its_own_background(at: AppTest) -> None:
    _german_model(at)
    _explain_whole_model(at, rows=40)
    captions = texts(at, "caption")
    assert any("Background: Path-dependent" in c and "no background rows" in c for c in captions)
    assert any("Exact values: no Monte-Carlo error." in c for c in captions)
    at.radio(key="explain_tree_perturbation").set_value("interventional").run()
    _explain_whole_model(at, rows=40)
    captions = texts(at, "caption")
    interventional = "Background: Interventional: 100 background rows drawn at random"
    assert any(interventional in c for c in captions), captions
    assert any("Path-dependent values follow how the training rows split" in c for c in captions)

    at.switch_page("app_pages/model.py").run()
    at.selectbox(key="model_name").select("linear_svm").run()
    at.button(key=TRAIN).click().run()
    at.switch_page(EXPLAIN).run()
    _explain_whole_model(at, rows=40)
    assert not at.exception, at.exception
    captions = texts(at, "caption")
    sampled = "Background: 100 background rows drawn at random (seeded) from the"
    assert any(sampled in c for c in captions), captions
    assert any("permutations per row): their mean Monte-Carlo error" in c for c in captions)
    assert at.get("download_button")


def test_group_lenses_use_the_global_explanation(at: AppTest) -> None:
    _german_model(at)
    at.radio(key=state.EXPLAIN_VIEW).set_value("By group").run()
    assert any("Explain the whole model first" in i for i in texts(at, "info"))
    at.radio(key=state.EXPLAIN_VIEW).set_value("Whole model").run()
    _explain_whole_model(at)
    at.radio(key=state.EXPLAIN_VIEW).set_value("By group").run()
    at.selectbox(key="explain_by_group_attribute").select("sex").run()
    assert not at.exception, at.exception
    assert len(_charts(at)) == 2  # mean |SHAP| by group, gap decomposition
    assert any("add up to the gap" in m for m in texts(at, "markdown"))


def test_proxies_are_found_on_request(at: AppTest) -> None:
    _german_model(at, features=None)
    at.radio(key=state.EXPLAIN_VIEW).set_value("Proxies").run()
    at.selectbox(key="explain_proxy_attr").select("sex").run()
    at.button(key="explain_proxy_run").click().run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert "roc_auc" in table.columns and "likely_proxy" in table.columns
    assert "sex" not in table.index  # the attribute itself is never its own proxy

    # The report takes what was computed here.
    at.switch_page("app_pages/fairness.py").run()
    at.radio(key="fair_view").set_value("Report").run()
    assert any("Explanations computed on the Explain page" in c for c in texts(at, "caption"))
    at.switch_page(EXPLAIN).run()
    at.radio(key=state.EXPLAIN_VIEW).set_value("Whole model").run()
    _explain_whole_model(at, rows=60)
    at.switch_page("app_pages/fairness.py").run()
    at.radio(key="fair_view").set_value("Report").run()
    assert not at.exception, at.exception
    captions = texts(at, "caption")
    assert any(c == "Also included: explanations (60 rows); proxies of sex." for c in captions), (
        captions
    )


def test_what_if_flips_a_sensitive_attribute_that_is_a_model_input(at: AppTest) -> None:
    at.selectbox(key=state.DATA_BUNDLED).select("german").run()
    features = [*at.multiselect(key=state.DATA_FEATURES).value, "sex"]
    _german_model(at, model="logistic_regression", features=features)
    at.radio(key=state.EXPLAIN_VIEW).set_value("What if").run()
    assert not at.exception, at.exception
    markdown = texts(at, "markdown")
    assert any("Nothing was changed, so the prediction is the same" in m for m in markdown)
    assert any(re.search(r"changes the decision for \d+\.\d% of 300 rows", m) for m in markdown)
    flips = at.dataframe[-1].value
    assert {"rows", "changed", "change_rate"} <= set(flips.columns)


def test_predictions_from_the_file_are_explained_through_a_labelled_surrogate(
    at: AppTest,
) -> None:
    at.default_timeout = 120
    at.selectbox(key=state.DATA_BUNDLED).select("compas").run()
    at.switch_page(EXPLAIN).run()
    assert not at.exception, at.exception
    warnings = texts(at, "warning")
    assert any("surrogate" in w and "approximates" in w for w in warnings), warnings
    _explain_whole_model(at, rows=100)
    assert len(_charts(at)) == 3
