"""The Mitigate page, driven by widget keys (German credit: small, so a comparison is quick)."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from fairlab_ui import state

TRAIN = "FormSubmitter:model_train_form-Train"
MITIGATE = "app_pages/mitigate.py"


def texts(app: AppTest, kind: str) -> list[str]:
    return [re.sub(r"\\(.)", r"\1", str(e.value)) for e in getattr(app, kind)]


def _german_model(app: AppTest) -> AppTest:
    app.default_timeout = 240
    app.selectbox(key=state.DATA_BUNDLED).select("german").run()
    app.switch_page("app_pages/model.py").run()
    app.button(key=TRAIN).click().run()
    assert not app.exception, app.exception
    app.switch_page(MITIGATE).run()
    assert not app.exception, app.exception
    return app


def test_the_page_waits_for_a_trained_model(at: AppTest) -> None:
    at.switch_page(MITIGATE).run()
    assert any("Train a model on the Model page first" in i for i in texts(at, "info"))
    at.switch_page("app_pages/data.py").run()
    at.selectbox(key=state.DATA_BUNDLED).select("compas").run()
    at.switch_page(MITIGATE).run()
    assert not at.exception, at.exception
    assert any("cannot be retrained here" in i for i in texts(at, "info"))


def test_a_comparison_runs_on_request_and_shows_a_technique_against_the_baseline(
    at: AppTest,
) -> None:
    _german_model(at)
    assert any("Nothing runs until you press the button" in c for c in texts(at, "caption"))
    chosen = at.multiselect(key="mitigate_techniques").value
    assert len(chosen) >= 6
    at.multiselect(key="mitigate_techniques").set_value(
        ["Reweighing", "Threshold optimizer · demographic parity", "Reject-option classification"]
    ).run()
    at.selectbox(key="mitigate_attribute").select("sex").run()
    at.button(key="mitigate_run").click().run()
    assert not at.exception, at.exception
    assert not at.error, texts(at, "error")
    table = at.dataframe[0].value
    assert len(table) == 4  # the baseline and three techniques
    assert table.index[0].lower().startswith("baseline") or "nmitigated" in table.index[0]
    needs = dict(zip(table.index, table["needs the sensitive attribute to decide"], strict=True))
    assert (
        needs["Threshold optimizer · demographic parity"] is True
        or needs["Threshold optimizer · demographic parity"] == 1
    )
    assert at.selectbox(key="mitigate_selected").value == table.index[1]
    assert any(m.startswith("What changed:") for m in texts(at, "markdown"))
    assert len(at.get("plotly_chart")) == 3  # trade-off, per group, changed decisions
    terms = {link.proto.query_string for link in at.get("page_link")}
    assert {"term=reweighing", "term=threshold_optimizer", "term=reject_option"} <= terms
    assert "term=demographic_parity" in terms

    at.selectbox(key="mitigate_selected").select("Threshold optimizer · demographic parity").run()
    at.selectbox(key="mitigate_criterion").select("equalized_odds").run()
    at.radio(key="mitigate_kind").set_value("ratio").run()
    assert not at.exception, at.exception
    assert any(m.startswith("What changed:") for m in texts(at, "markdown"))


def test_per_group_thresholds_for_another_attribute_are_refused_clearly(at: AppTest) -> None:
    _german_model(at)
    at.session_state[state.THRESHOLDS] = ("age", {"19–25": 0.4, "26–40": 0.5, "41–75": 0.5})
    at.run()
    options = at.multiselect(key="mitigate_techniques").options
    assert "Per-group thresholds from the Fairness page" in options
    at.multiselect(key="mitigate_techniques").set_value(
        ["Per-group thresholds from the Fairness page"]
    ).run()
    at.selectbox(key="mitigate_attribute").select("sex").run()
    at.button(key="mitigate_run").click().run()
    assert not at.exception, at.exception
    errors = texts(at, "error")
    assert any("are for groups of age, not sex" in e and "Choose age here" in e for e in errors)


def test_the_report_includes_the_comparison(at: AppTest) -> None:
    _german_model(at)
    at.multiselect(key="mitigate_techniques").set_value(["Reweighing"]).run()
    at.button(key="mitigate_run").click().run()
    assert not at.exception, at.exception
    at.switch_page("app_pages/fairness.py").run()
    at.radio(key="fair_view").set_value("Report").run()
    assert not at.exception, at.exception
    assert "Also included: mitigation comparison (1 technique)." in texts(at, "caption")
