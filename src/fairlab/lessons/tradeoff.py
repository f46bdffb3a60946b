"""Lesson 7: mitigation is a trade-off — techniques on one accuracy-versus-disparity chart."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fairlab.lessons._common import BASE_WORLD, world
from fairlab.lessons._model import Control, Lesson, Prediction, Step, StepResult
from fairlab.lessons.workbench import LESSON_TECHNIQUES, Workbench
from fairlab.plots.mitigation import flips_chart, per_group_chart, tradeoff_chart

WORLD = world(BASE_WORLD, base_rate_gap=0.15, label_bias=0.2, proxy_strength=0.6)
ALL = tuple(LESSON_TECHNIQUES)
TITLES = {name: LESSON_TECHNIQUES[name].label for name in ALL}

DISPARITIES = {
    "demographic_parity_difference": "demographic parity difference",
    "equalized_odds_difference": "equalized odds difference",
    "equal_opportunity_difference": "equal opportunity difference",
}
DISPARITY = Control(
    "disparity",
    "Disparity on the chart",
    "select",
    "demographic_parity_difference",
    options=tuple(DISPARITIES),
    option_titles=tuple((k, v.capitalize()) for k, v in DISPARITIES.items()),
)
TECHNIQUES = Control(
    "techniques",
    "Techniques to compare",
    "multiselect",
    ALL[:3],
    options=ALL,
    option_titles=tuple(TITLES.items()),
)
TECHNIQUE = Control(
    "technique", "Technique", "select", ALL[1], options=ALL, option_titles=tuple(TITLES.items())
)


def _value(comparison: Any, name: str, column: str) -> float:
    return float(comparison.table().loc[name, column])


def _baseline(values: Mapping[str, Any], bench: Workbench) -> StepResult:
    comparison = bench.comparison(WORLD, ())
    name = comparison.baseline_name
    disparity = values["disparity"]
    table = comparison.table()
    value = float(table.loc[name, disparity])
    low, high = (
        float(table.loc[name, f"{disparity}_low"]),
        float(table.loc[name, f"{disparity}_high"]),
    )
    accuracy = float(table.loc[name, "accuracy"])
    return StepResult(
        headline=(
            f"The unmitigated model: accuracy {accuracy:.1%}, {DISPARITIES[disparity]} "
            f"{value:.2f} (95 % interval {low:.2f} to {high:.2f})."
        ),
        figure=per_group_chart(comparison, name),
        facts={"accuracy": accuracy, "disparity": value},
    )


def _techniques(values: Mapping[str, Any], bench: Workbench) -> StepResult:
    names = tuple(values["techniques"])
    comparison = bench.comparison(WORLD, names)
    full = bench.comparison(WORLD, ALL)
    table = full.table()
    losses = {n: float(table.loc[TITLES[n], "accuracy"]) for n in ALL}
    worst = min(losses, key=losses.__getitem__)
    shown = comparison.table()
    lines = [
        f"{label}: accuracy {row['accuracy']:.1%}, demographic parity difference "
        f"{row['demographic_parity_difference']:.2f}"
        for label, row in shown.iterrows()
    ]
    return StepResult(
        headline="; ".join(lines) + ".",
        figure=tradeoff_chart(comparison, "demographic_parity_difference"),
        answer=TITLES[worst],
        facts={f"accuracy {n}": losses[n] for n in ALL},
    )


def _criterion(values: Mapping[str, Any], bench: Workbench) -> StepResult:
    disparity = values["disparity"]
    comparison = bench.comparison(WORLD, ALL)
    table = comparison.table()
    best = table[disparity].idxmin()
    return StepResult(
        headline=(
            f"On {DISPARITIES[disparity]}, '{best}' comes out lowest "
            f"({float(table.loc[best, disparity]):.2f}). A technique mitigated for one "
            "criterion need not help another."
        ),
        figure=tradeoff_chart(comparison, disparity),
        facts={"best": float(table.loc[best, disparity])},
    )


def _what_changed(values: Mapping[str, Any], bench: Workbench) -> StepResult:
    comparison = bench.comparison(WORLD, ALL)
    name = TITLES[values["technique"]]
    flips = comparison.flips(name).set_index("group")
    overall = flips.loc["overall"]
    return StepResult(
        headline=(
            f"'{name}' changed {int(overall['flipped']):,} of {int(overall['count']):,} "
            f"decisions ({overall['flipped_share']:.0%}): {int(overall['negative_to_positive']):,} "
            f"refusals became approvals and {int(overall['positive_to_negative']):,} approvals "
            "became refusals."
        ),
        figure=flips_chart(comparison, name),
        table=flips,
        facts={"flipped": float(overall["flipped"])},
        notes=(
            "Behind every point on the chart are people whose decision changed. Who gained "
            "and who lost is part of the trade-off.",
        ),
    )


LESSON = Lesson(
    key="mitigation-tradeoff",
    title="Mitigation is a trade-off",
    summary="Mitigation techniques reduce a disparity at some cost, differently for each "
    "criterion; see them on one chart and see whose decisions changed.",
    steps=(
        Step(
            "baseline",
            "Start from the baseline",
            "A model trained on this world's records, without any mitigation. Pick the "
            "disparity to watch.",
            (DISPARITY,),
            _baseline,
        ),
        Step(
            "techniques",
            "Three ways to mitigate",
            "**Reweighing** changes the training data's weights (pre-processing). "
            "**Exponentiated gradient** trains under a constraint (in-processing). The "
            "**threshold optimizer** picks per-group thresholds after training "
            "(post-processing). Each point is one technique; the dashed line joins the points "
            "no other beats on both axes.",
            (TECHNIQUES,),
            _techniques,
            predict=Prediction(
                "Which technique will lose the most accuracy?", tuple(TITLES.values())
            ),
        ),
        Step(
            "criterion",
            "It depends on the criterion",
            "Mitigated for demographic parity is not mitigated for equalized odds. Change the "
            "disparity on the chart.",
            (DISPARITY,),
            _criterion,
        ),
        Step(
            "what-changed",
            "Whose decisions changed?",
            "Pick a technique and count the decisions it flipped, group by group.",
            (TECHNIQUE,),
            _what_changed,
        ),
    ),
    discussion=(
        "Which point on the chart would you choose, and what would you tell the people whose "
        "decision changed because of it?",
        "Some techniques need the group at decision time. Is that acceptable where you live?",
        "The records themselves were biased here. Does accuracy against those records still "
        "measure what we want?",
    ),
    glossary=("reweighing", "exponentiated_gradient", "threshold_optimizer", "demographic_parity"),
)
