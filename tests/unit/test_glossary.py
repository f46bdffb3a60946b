"""Tests for fairlab.glossary: complete entries, correct worked examples, the chooser."""

from __future__ import annotations

import itertools
import math
import re

import pytest

from fairlab.errors import FairLabError
from fairlab.fairness import CRITERIA, DISPARITY_NAMES, METRIC_EXPLANATIONS, METRIC_NAMES
from fairlab.glossary import (
    ALIASES,
    CHOOSER_QUESTIONS,
    EXAMPLE_GROUPS,
    GLOSSARY,
    ChooserResult,
    GlossaryError,
    choose_criteria,
    entry,
)

REQUIRED = (
    *METRIC_NAMES,
    "base_rate",
    "error_rate",
    *CRITERIA,
    "difference",
    "ratio",
    "four_fifths_rule",
    "calibration",
    "confidence_interval",
    "bootstrap",
    "shap",
    "lime",
    "proxy",
    "impossibility",
    "reweighing",
    "exponentiated_gradient",
    "threshold_optimizer",
    "reject_option",
)

# Each group metric as (numerator cells, denominator cells), written out independently.
RATES = {
    "base_rate": (("tp", "fn"), ("tp", "fp", "tn", "fn")),
    "selection_rate": (("tp", "fp"), ("tp", "fp", "tn", "fn")),
    "true_positive_rate": (("tp",), ("tp", "fn")),
    "false_positive_rate": (("fp",), ("fp", "tn")),
    "false_negative_rate": (("fn",), ("tp", "fn")),
    "true_negative_rate": (("tn",), ("fp", "tn")),
    "positive_predictive_value": (("tp",), ("tp", "fp")),
    "negative_predictive_value": (("tn",), ("tn", "fn")),
    "false_discovery_rate": (("fp",), ("tp", "fp")),
    "false_omission_rate": (("fn",), ("tn", "fn")),
    "accuracy": (("tp", "tn"), ("tp", "fp", "tn", "fn")),
    "error_rate": (("fp", "fn"), ("tp", "fp", "tn", "fn")),
}

NUMBER = r"\d+(?:\.\d+)?"
CALCULATION = re.compile(
    rf"(?<![\d.)])({NUMBER})\s*([/×+−-])\s*({NUMBER})\s*=\s*({NUMBER})(?![\d])"
)
OPERATIONS = {
    "/": lambda a, b: a / b,
    "×": lambda a, b: a * b,
    "+": lambda a, b: a + b,
    "−": lambda a, b: a - b,
    "-": lambda a, b: a - b,
}


def calculations(text: str) -> list[tuple[float, str, float, float, int]]:
    """Every 'a op b = c' in the text, with the number of decimals c is given to."""
    found = []
    for a, op, b, c in CALCULATION.findall(text):
        decimals = len(c.split(".")[1]) if "." in c else 0
        found.append((float(a), op, float(b), float(c), decimals))
    return found


def rate(group: str, metric: str) -> tuple[int, int]:
    counts = EXAMPLE_GROUPS[group]
    numerator, denominator = RATES[metric]
    return sum(counts[c] for c in numerator), sum(counts[c] for c in denominator)


def test_every_name_the_app_uses_has_an_entry() -> None:
    for key in (*REQUIRED, *DISPARITY_NAMES, *METRIC_EXPLANATIONS, *ALIASES):
        assert entry(key).key in GLOSSARY, key


def test_aliases_resolve_to_their_entries() -> None:
    assert entry("demographic_parity_ratio") is GLOSSARY["demographic_parity"]
    assert entry("equalized_odds_difference") is GLOSSARY["equalized_odds"]
    assert entry("precision") is GLOSSARY["positive_predictive_value"]
    assert entry("bootstrap") is GLOSSARY["confidence_interval"]


@pytest.mark.parametrize("key", list(GLOSSARY))
def test_entry_is_complete(key: str) -> None:
    item = GLOSSARY[key]
    assert item.key == key
    for text in (item.title, item.meaning, item.when_it_matters, item.example):
        assert text.strip() and text == text.strip()
    assert all(related in GLOSSARY and related != key for related in item.related)
    everything = " ".join((item.title, item.meaning, item.when_it_matters, item.example))
    assert not re.search(r"debias|fair model|unbiased model", everything, re.IGNORECASE)


@pytest.mark.parametrize("key", list(GLOSSARY))
def test_formula_is_plain_latex_with_balanced_braces(key: str) -> None:
    formula = GLOSSARY[key].formula_latex
    assert formula.strip()
    assert "$" not in formula
    depth = 0
    for position, char in enumerate(formula):
        escaped = position > 0 and formula[position - 1] == "\\"
        if char == "{" and not escaped:
            depth += 1
        elif char == "}" and not escaped:
            depth -= 1
        assert depth >= 0, f"unbalanced '}}' in {formula!r}"
    assert depth == 0, f"unbalanced '{{' in {formula!r}"
    assert formula.count(r"\left") == formula.count(r"\right")
    assert formula.count(r"\begin{") == formula.count(r"\end{")


@pytest.mark.parametrize("key", list(GLOSSARY))
def test_every_calculation_in_an_example_is_right(key: str) -> None:
    example = GLOSSARY[key].example
    for a, op, b, c, decimals in calculations(example):
        exact = OPERATIONS[op](a, b)
        assert abs(exact - c) <= 0.5 * 10**-decimals + 1e-9, f"{a} {op} {b} ≠ {c} in {key}"


def test_examples_have_numbers_to_check() -> None:
    unchecked = [key for key, item in GLOSSARY.items() if not calculations(item.example)]
    assert unchecked == []


@pytest.mark.parametrize("metric", list(RATES))
def test_metric_examples_use_the_example_counts(metric: str) -> None:
    example = GLOSSARY[metric].example
    for group in EXAMPLE_GROUPS:
        numerator, denominator = rate(group, metric)
        assert f"{numerator} / {denominator} = " in example, (metric, group)
    for counts in EXAMPLE_GROUPS.values():
        stated = (
            f"{counts['tp']} true positives, {counts['fp']} false positives, "
            f"{counts['tn']} true negatives, {counts['fn']} false negatives"
        )
        assert stated in example


def value(group: str, metric: str) -> float:
    numerator, denominator = rate(group, metric)
    return numerator / denominator


@pytest.mark.parametrize("criterion", list(CRITERIA))
def test_criterion_examples_state_the_right_disparities(criterion: str) -> None:
    differences, ratios = [], []
    for metric in CRITERIA[criterion]:
        a, b = value("A", metric), value("B", metric)
        differences.append(abs(a - b))
        ratios.append(min(a, b) / max(a, b))
    results = [c for *_, c, _ in calculations(GLOSSARY[criterion].example)]
    for expected in (max(differences), min(ratios)):
        assert any(abs(r - expected) <= 0.005 for r in results), (criterion, expected)


def test_confidence_interval_square_root_is_right() -> None:
    assert "about 0.068" in GLOSSARY["confidence_interval"].example
    assert math.sqrt(0.25 * 0.75 / 40) == pytest.approx(0.068, abs=0.0005)


def test_unknown_key_says_what_to_do() -> None:
    with pytest.raises(GlossaryError, match="no entry 'fairness_score'.*such as") as caught:
        entry("fairness_score")
    assert isinstance(caught.value, FairLabError)


# ---------------------------------------------------------------------- chooser
def all_answer_sets() -> list[dict[str, str]]:
    """Every combination of answers to the questions that are asked."""
    combos = []
    for values in itertools.product(*(q.values for q in CHOOSER_QUESTIONS)):
        answers = dict(zip((q.id for q in CHOOSER_QUESTIONS), values, strict=True))
        asked = {q.id: answers[q.id] for q in CHOOSER_QUESTIONS if q.is_asked(answers)}
        if asked not in combos:
            combos.append(asked)
    return combos


def test_questions_are_well_formed() -> None:
    ids = [q.id for q in CHOOSER_QUESTIONS]
    assert len(ids) == len(set(ids))
    for question in CHOOSER_QUESTIONS:
        assert question.text.endswith("?")
        assert len(question.options) >= 2
        assert len(set(question.values)) == len(question.values)
        assert all(o.label and o.explanation for o in question.options)
        for asked_id, asked_value in question.asked_when:
            assert asked_value in next(q for q in CHOOSER_QUESTIONS if q.id == asked_id).values


@pytest.mark.parametrize("answers", all_answer_sets(), ids=lambda a: "-".join(a.values()))
def test_every_path_gives_criteria_with_reasons(answers: dict[str, str]) -> None:
    result = choose_criteria(answers)
    assert isinstance(result, ChooserResult)
    assert result.criteria and all(c in CRITERIA for c in result.criteria)
    assert len(set(result.criteria)) == len(result.criteria)
    assert len(result.reasoning) >= 2 and all(s.strip().endswith(".") for s in result.reasoning)
    assert all(m in GLOSSARY for m in result.metrics)
    if answers["labels"] == "doubtful":
        assert result.criteria[0] == "demographic_parity"
        assert bool(result.warnings) == (len(result.criteria) > 1)


TRUSTED_EVERYONE = {"labels": "trusted", "capacity": "everyone"}


@pytest.mark.parametrize(
    ("answers", "criteria", "metric"),
    [
        ({"focus": "representation"}, ("demographic_parity",), "selection_rate"),
        (
            {"focus": "errors", "intervention": "assistive", "error_group": "by_outcome"},
            ("equal_opportunity",),
            "false_negative_rate",
        ),
        (
            {"focus": "errors", "intervention": "assistive", "error_group": "by_decision"},
            ("equal_opportunity",),
            "false_omission_rate",
        ),
        (
            {"focus": "errors", "intervention": "punitive", "error_group": "by_outcome"},
            ("equalized_odds",),
            "false_positive_rate",
        ),
        (
            {"focus": "errors", "intervention": "punitive", "error_group": "by_decision"},
            ("predictive_parity",),
            "false_discovery_rate",
        ),
    ],
)
def test_fairness_tree_paths(answers: dict[str, str], criteria: tuple[str, ...], metric: str):
    result = choose_criteria({**answers, **TRUSTED_EVERYONE})
    assert result.criteria == criteria
    assert metric in result.metrics
    assert result.warnings == ()


def test_punitive_path_explains_label_polarity() -> None:
    answers = {"focus": "errors", "intervention": "punitive", "error_group": "by_outcome"}
    result = choose_criteria({**answers, **TRUSTED_EVERYONE})
    assert any("roles swap" in sentence for sentence in result.reasoning)


def test_scarce_places_add_demographic_parity() -> None:
    answers = {"focus": "errors", "intervention": "assistive", "error_group": "by_outcome"}
    result = choose_criteria({**answers, "labels": "trusted", "capacity": "few"})
    assert result.criteria == ("equal_opportunity", "demographic_parity")
    assert any("impossibility" in sentence for sentence in result.reasoning)


def test_doubtful_labels_put_demographic_parity_first_and_warn() -> None:
    answers = {"focus": "errors", "intervention": "assistive", "error_group": "by_outcome"}
    result = choose_criteria({**answers, "labels": "doubtful", "capacity": "everyone"})
    assert result.criteria == ("demographic_parity", "equal_opportunity")
    assert any("inherits their bias" in w for w in result.warnings)


def test_answers_to_questions_not_asked_are_ignored() -> None:
    answers = {"focus": "representation", **TRUSTED_EVERYONE}
    assert choose_criteria({**answers, "intervention": "punitive"}) == choose_criteria(answers)


@pytest.mark.parametrize(
    ("answers", "match"),
    [
        ({"focus": "vibes", **TRUSTED_EVERYONE}, "'vibes' is not an answer to .*'focus'"),
        ({"focus": "errors", "mood": "x", **TRUSTED_EVERYONE}, "no question 'mood'"),
        ({"focus": "errors", **TRUSTED_EVERYONE}, "'intervention' needs an answer"),
        ({"focus": "representation", "capacity": "few"}, "'labels' needs an answer"),
    ],
)
def test_bad_answers_say_what_to_do(answers: dict[str, str], match: str) -> None:
    with pytest.raises(GlossaryError, match=match) as caught:
        choose_criteria(answers)
    assert "Choose one of" in str(caught.value) or "Answer only" in str(caught.value)
    assert isinstance(caught.value, FairLabError)
