"""Lesson 2: equalized odds and the threshold game (after Hardt, Price & Srebro, 2016)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import plotly.graph_objects as go

from fairlab.data.synthetic import MAJORITY_GROUP as A
from fairlab.data.synthetic import MINORITY_GROUP as B
from fairlab.lessons._common import (
    BASE_WORLD,
    GROUP_COLORS,
    GROUPS,
    assess,
    pct,
    rate,
    rate_chart,
    world,
)
from fairlab.lessons._model import Control, Lesson, Prediction, Step, StepResult
from fairlab.lessons.lab import LessonLab
from fairlab.lessons.workbench import Workbench
from fairlab.plots._style import apply_layout
from fairlab.thresholds import ThresholdSweep

WORLD = world(BASE_WORLD, base_rate_gap=0.2, noise_gap=0.6)

ONE = Control("t", "Threshold for everyone", "slider", 0.5, 0.05, 0.95, 0.01)
PAIR = (
    Control("ta", "Group A's threshold", "slider", 0.5, 0.05, 0.95, 0.01),
    Control("tb", "Group B's threshold", "slider", 0.5, 0.05, 0.95, 0.01),
)
TARGET = Control(
    "target",
    "True positive rate to give both groups",
    "slider",
    0.8,
    0.5,
    0.95,
    0.05,
)
EO_RATES = ["true_positive_rate", "false_positive_rate"]


def _sweep(lab: LessonLab) -> ThresholdSweep:
    return ThresholdSweep.from_scores(lab.y_test, lab.scores, lab.groups)


def _decisions(lab: LessonLab, thresholds: Mapping[str, float]) -> np.ndarray:
    cut = lab.groups.map(thresholds).to_numpy(dtype=float)
    return (lab.scores >= cut).astype(np.int8)


def _odds_gap(result: Any) -> tuple[float, float, float]:
    tpr = rate(result, A, "true_positive_rate") - rate(result, B, "true_positive_rate")
    fpr = rate(result, A, "false_positive_rate") - rate(result, B, "false_positive_rate")
    return tpr, fpr, max(abs(tpr), abs(fpr))


def _one_threshold(values: Mapping[str, Any], bench: Workbench) -> StepResult:
    lab = bench.lab(WORLD)
    result = assess(lab, lab.decisions(values["t"]))
    tpr, fpr, worst = _odds_gap(result)
    accuracy = float(result.overall["accuracy"])
    tpr_of = {g: rate(result, g, "true_positive_rate") for g in GROUPS}
    fpr_of = {g: rate(result, g, "false_positive_rate") for g in GROUPS}
    if tpr > 0.02:
        answer = "group A"
    elif tpr < -0.02:
        answer = "group B"
    else:
        answer = "about equal"
    return StepResult(
        headline=(
            f"One threshold of {values['t']:.2f}: true positive rates {pct(tpr_of[A])} (A) and "
            f"{pct(tpr_of[B])} (B), false positive rates {pct(fpr_of[A])} and {pct(fpr_of[B])}. "
            f"Equalized odds difference {worst:.2f}; accuracy {accuracy:.1%}."
        ),
        figure=rate_chart(result, EO_RATES, title="Who is approved, among repayers and defaulters"),
        answer=answer,
        facts={
            "tpr_gap": tpr,
            "fpr_gap": fpr,
            "equalized_odds_difference": worst,
            "accuracy": accuracy,
        },
    )


def _your_move(values: Mapping[str, Any], bench: Workbench) -> StepResult:
    lab = bench.lab(WORLD)
    result = assess(lab, _decisions(lab, {A: values["ta"], B: values["tb"]}))
    tpr, fpr, worst = _odds_gap(result)
    accuracy = float(result.overall["accuracy"])
    best = _sweep(lab).best_threshold()
    best_accuracy = float(assess(lab, lab.decisions(best)).overall["accuracy"])
    won = worst <= 0.03
    return StepResult(
        headline=(
            f"Equalized odds difference {worst:.2f} (TPR gap {tpr:+.2f}, FPR gap {fpr:+.2f}); "
            f"accuracy {accuracy:.1%}, against {best_accuracy:.1%} for the most accurate single "
            "threshold. "
            + (
                "Both rates match within 0.03: you equalised the odds."
                if won
                else "Keep going: bring both gaps within 0.03."
            )
        ),
        figure=rate_chart(result, EO_RATES, title="Your thresholds: TPR and FPR by group"),
        facts={
            "equalized_odds_difference": worst,
            "accuracy": accuracy,
            "best_accuracy": best_accuracy,
        },
    )


def _machine(values: Mapping[str, Any], bench: Workbench) -> StepResult:
    lab = bench.lab(WORLD)
    thresholds = _sweep(lab).equalizing_thresholds(
        target="true_positive_rate", value=values["target"]
    )
    result = assess(lab, _decisions(lab, thresholds))
    tpr, fpr, _ = _odds_gap(result)
    accuracy = float(result.overall["accuracy"])
    return StepResult(
        headline=(
            f"To give both groups a true positive rate of {values['target']:.0%}, group A needs "
            f"a threshold of {thresholds[A]:.2f} and group B {thresholds[B]:.2f}. The false "
            f"positive rates still differ by {abs(fpr):.2f}; accuracy is {accuracy:.1%}."
        ),
        figure=rate_chart(result, EO_RATES, title="Equal opportunity by per-group thresholds"),
        facts={
            "threshold_A": thresholds[A],
            "threshold_B": thresholds[B],
            "tpr_gap": tpr,
            "fpr_gap": fpr,
            "accuracy": accuracy,
        },
        notes=(
            "Equal true positive rates alone is equal opportunity. Matching the false positive "
            "rates too usually needs randomised decisions between two thresholds for one group, "
            "which is what fairlearn's ThresholdOptimizer does (see the Mitigate page).",
        ),
    )


def _roc(values: Mapping[str, Any], bench: Workbench) -> StepResult:
    lab = bench.lab(WORLD)
    curve = _sweep(lab).curve(metrics=EO_RATES, n_points=201)
    fig = go.Figure()
    for group in GROUPS:
        part = curve[curve["group"] == group].pivot(
            index="threshold", columns="metric", values="value"
        )
        fig.add_scatter(
            x=part["false_positive_rate"],
            y=part["true_positive_rate"],
            mode="lines",
            name=f"Group {group}",
            line=dict(color=GROUP_COLORS[group]),
        )
    result = assess(lab, _decisions(lab, {A: values["ta"], B: values["tb"]}))
    for group in GROUPS:
        fig.add_scatter(
            x=[rate(result, group, "false_positive_rate")],
            y=[rate(result, group, "true_positive_rate")],
            mode="markers",
            marker=dict(size=14, color=GROUP_COLORS[group], symbol="circle"),
            name=f"Group {group} at {values['t' + group.lower()]:.2f}",
        )
    fig.update_xaxes(title="False positive rate", range=[0, 1])
    fig.update_yaxes(title="True positive rate", range=[0, 1.02])
    apply_layout(fig, title="ROC curve of each group, with your operating points", height=420)
    _, _, worst = _odds_gap(result)
    return StepResult(
        headline=(
            "Group B's curve lies below group A's: its scores separate repayers from "
            "defaulters less well, because its features are measured with more noise. With "
            "plain thresholds, both groups share an operating point only where the curves "
            "cross; with randomised decisions, anywhere under both curves. "
            f"Your points are {worst:.2f} apart in the worse of the two rates."
        ),
        figure=fig,
        facts={"equalized_odds_difference": worst},
    )


LESSON = Lesson(
    key="threshold-game",
    title="Equalized odds and the threshold game",
    summary="Move each group's threshold to equalise true and false positive rates, and "
    "see what it costs in accuracy.",
    steps=(
        Step(
            "one-threshold",
            "One threshold for everyone",
            "**Equalized odds** asks that the decision be right and wrong at the same rates "
            "in every group: the same share of people who would repay get the loan (true "
            "positive rate), and the same share of people who would not (false positive "
            "rate). Start with one threshold for everyone.",
            (ONE,),
            _one_threshold,
            formula=r"P(\hat Y = 1 \mid Y = y, G = A) = P(\hat Y = 1 \mid Y = y, G = B),"
            r"\quad y \in \{0, 1\}",
            predict=Prediction(
                "With one threshold for everyone, whose applicants who would repay are "
                "approved more often?",
                ("group A", "group B", "about equal"),
            ),
        ),
        Step(
            "your-move",
            "Your move: a threshold per group",
            "Now each group has its own threshold. Try to make both the true positive rates "
            "and the false positive rates equal (within 0.03). Watch accuracy as you go.",
            PAIR,
            _your_move,
        ),
        Step(
            "machine",
            "Let the machine find them",
            "FairLab can search the thresholds that give every group the same true positive "
            "rate exactly. Pick the rate.",
            (TARGET,),
            _machine,
        ),
        Step(
            "roc",
            "Why it is hard: two ROC curves",
            "Each group's ROC curve shows every pair of rates a threshold can reach. Your two "
            "thresholds from the previous step are the dots.",
            PAIR,
            _roc,
        ),
    ),
    discussion=(
        "Different thresholds for different groups treat people with the same score "
        "differently. When is that justified, and when is it not?",
        "Group B's scores are less informative because its data is noisier. Is the fix a "
        "threshold, or better data?",
        "How much accuracy would you give up for equal error rates, and who should decide?",
    ),
    glossary=("equalized_odds", "equal_opportunity", "true_positive_rate", "false_positive_rate"),
)
