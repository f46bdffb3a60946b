"""The Glossary page: entries with formulas, a link to one entry, and the metric chooser."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from fairlab.glossary import GLOSSARY, choose_criteria

GLOSSARY_PAGE = "app_pages/glossary.py"


def texts(app: AppTest, kind: str) -> list[str]:
    return [re.sub(r"\\(.)", r"\1", str(e.value)) for e in getattr(app, kind)]


def test_every_entry_is_shown_with_its_formula(at: AppTest) -> None:
    at.switch_page(GLOSSARY_PAGE).run()
    assert not at.exception, at.exception
    assert len(at.expander) == len(GLOSSARY)
    assert len(at.latex) == len(GLOSSARY)
    at.text_input(key="glossary_search").input("equalized").run()
    titles = [re.sub(r"\\(.)", r"\1", e.label) for e in at.expander]
    assert GLOSSARY["equalized_odds"].title in titles
    assert len(titles) < len(GLOSSARY)
    at.text_input(key="glossary_search").input("zzzz no such term").run()
    assert any("No entry matches" in c for c in texts(at, "caption"))


def test_a_link_opens_one_entry_and_a_bad_link_says_so(at: AppTest) -> None:
    at.query_params["term"] = "equalized_odds"
    at.switch_page(GLOSSARY_PAGE).run()
    assert not at.exception, at.exception
    opened = [e for e in at.expander if e.proto.expanded]
    assert [re.sub(r"\\(.)", r"\1", e.label) for e in opened] == [GLOSSARY["equalized_odds"].title]
    assert at.expander[0].label == opened[0].label  # it comes first, in view
    at.query_params["term"] = "no_such_term"
    at.run()
    assert any("There is no glossary entry 'no_such_term'" in e for e in texts(at, "error"))


def test_the_chooser_asks_only_what_applies_and_explains_its_answer(at: AppTest) -> None:
    at.switch_page(GLOSSARY_PAGE).run()
    at.radio(key="glossary_chooser_focus").set_value("errors").run()
    at.radio(key="glossary_chooser_intervention").set_value("punitive").run()
    at.radio(key="glossary_chooser_error_group").set_value("by_outcome").run()
    at.radio(key="glossary_chooser_capacity").set_value("everyone").run()
    assert not at.success  # one question still unanswered
    at.radio(key="glossary_chooser_labels").set_value("trusted").run()
    assert not at.exception, at.exception
    expected = choose_criteria(
        {
            "focus": "errors",
            "intervention": "punitive",
            "error_group": "by_outcome",
            "capacity": "everyone",
            "labels": "trusted",
        }
    )
    success = texts(at, "success")
    assert len(success) == 1
    for criterion in expected.criteria:
        assert GLOSSARY[criterion].title in success[0]
    assert len([m for m in texts(at, "markdown") if m.startswith("- ")]) == len(expected.reasoning)

    at.radio(key="glossary_chooser_focus").set_value("representation").run()
    keys = [r.key for r in at.radio]
    assert "glossary_chooser_intervention" not in keys


def test_the_fairness_page_links_each_metric_to_its_entry(at: AppTest) -> None:
    at.switch_page("app_pages/model.py").run()
    at.button(key="FormSubmitter:model_train_form-Train").click().run()
    at.switch_page("app_pages/fairness.py").run()
    assert not at.exception, at.exception
    links = [e.proto for e in at.get("page_link") if "glossary" in e.proto.page]
    terms = {link.query_string for link in links}
    assert len(links) >= 10
    assert "term=selection_rate" in terms and "term=demographic_parity" in terms


def test_the_analysis_pages_link_their_terms_to_the_glossary(at: AppTest) -> None:
    def terms() -> set[str]:
        return {
            link.proto.query_string.removeprefix("term=")
            for link in at.get("page_link")
            if link.proto.query_string.startswith("term=")
        }

    at.switch_page("app_pages/model.py").run()
    at.button(key="FormSubmitter:model_train_form-Train").click().run()
    assert {"accuracy", "true_positive_rate", "calibration"} <= terms()
    at.switch_page("app_pages/fairness.py").run()
    assert {"selection_rate", "demographic_parity", "equalized_odds"} <= terms()
    at.switch_page("app_pages/explain.py").run()
    assert {"shap", "lime", "proxy"} <= terms()
    at.switch_page("app_pages/learn.py").run()
    assert {"demographic_parity", "four_fifths_rule"} <= terms()
    assert not at.exception, at.exception
    assert all(term in GLOSSARY for term in terms())
