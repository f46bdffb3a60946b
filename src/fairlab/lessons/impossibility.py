"""Lesson 3: you can't have it all (Kleinberg, Mullainathan & Raghavan 2016; Chouldechova 2017).

With different base rates, a score calibrated within each group cannot also give equal
false positive and false negative rates, unless it predicts perfectly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from fairlab.data.synthetic import MAJORITY_GROUP as A
from fairlab.data.synthetic import MINORITY_GROUP as B
from fairlab.lessons._common import (
    BASE_WORLD,
    GROUP_COLORS,
    GROUPS,
    assess,
    direction,
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

WORLD = world(BASE_WORLD, base_rate_gap=0.3)

GAP = Control(
    "gap",
    "Gap in the true rate of people who would repay (A minus B)",
    "slider",
    0.3,
    0.0,
    0.6,
    0.05,
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
N_BINS = 10


def _lab(bench: Workbench, gap: float) -> LessonLab:
    # The model sees the group, so its scores can be calibrated within each group.
    return bench.lab(world(WORLD, base_rate_gap=gap), aware=True)


def calibration_table(lab: LessonLab, n_bins: int = N_BINS) -> pd.DataFrame:
    """Mean score and observed rate of the favourable outcome per score bin and group."""
    bins = np.minimum((lab.scores * n_bins).astype(int), n_bins - 1)
    frame = pd.DataFrame(
        {"group": lab.groups.to_numpy(), "bin": bins, "score": lab.scores, "y": lab.y_test}
    )
    return (
        frame.groupby(["group", "bin"], observed=True)
        .agg(count=("y", "size"), mean_score=("score", "mean"), observed_rate=("y", "mean"))
        .reset_index()
    )


def calibration_error(table: pd.DataFrame, group: str) -> float:
    """Expected calibration error of a group: mean |observed − score| weighted by bin size."""
    part = table[table["group"] == group]
    weights = part["count"] / part["count"].sum()
    return float((weights * (part["observed_rate"] - part["mean_score"]).abs()).sum())


def _calibrated(values: Mapping[str, Any], bench: Workbench) -> StepResult:
    lab = _lab(bench, values["gap"])
    table = calibration_table(lab)
    fig = go.Figure()
    fig.add_scatter(
        x=[0, 1],
        y=[0, 1],
        mode="lines",
        name="Perfect calibration",
        line=dict(color="#868e96", dash="dash"),
    )
    for group in GROUPS:
        part = table[table["group"] == group]
        fig.add_scatter(
            x=part["mean_score"],
            y=part["observed_rate"],
            mode="lines+markers",
            name=f"Group {group}",
            line=dict(color=GROUP_COLORS[group]),
            marker=dict(size=np.clip(np.sqrt(part["count"]) * 1.2, 5, 22)),
        )
    fig.update_xaxes(title="Mean score in the bin", range=[0, 1])
    fig.update_yaxes(title="Share who repaid", range=[0, 1])
    apply_layout(fig, title="Calibration by group (dot size: people in the bin)", height=420)
    errors = {g: calibration_error(table, g) for g in GROUPS}
    base = {g: float(lab.y_test[lab.groups.to_numpy() == g].mean()) for g in GROUPS}
    return StepResult(
        headline=(
            f"True repayment rates {pct(base[A])} (A) and {pct(base[B])} (B). Within each "
            f"group, a score of s means about s repay: the calibration error is "
            f"{errors[A]:.3f} for A and {errors[B]:.3f} for B."
        ),
        figure=fig,
        facts={
            "calibration_error_A": errors[A],
            "calibration_error_B": errors[B],
            "base_rate_A": base[A],
            "base_rate_B": base[B],
        },
    )


def _errors_differ(values: Mapping[str, Any], bench: Workbench) -> StepResult:
    lab = _lab(bench, values["gap"])
    result = assess(lab, lab.decisions())
    fnr = {g: rate(result, g, "false_negative_rate") for g in GROUPS}
    fpr = {g: rate(result, g, "false_positive_rate") for g in GROUPS}
    return StepResult(
        headline=(
            f"At a threshold of 0.5, false negative rates (repayers refused) are {pct(fnr[A])} "
            f"(A) and {pct(fnr[B])} (B); false positive rates (defaulters approved) are "
            f"{pct(fpr[A])} and {pct(fpr[B])}."
        ),
        figure=rate_chart(
            result,
            ["false_negative_rate", "false_positive_rate"],
            title="Errors of a calibrated score, by group",
        ),
        answer=direction(fnr[B] - fnr[A]),
        facts={"fnr_A": fnr[A], "fnr_B": fnr[B], "fpr_A": fpr[A], "fpr_B": fpr[B]},
    )


def _force_odds(values: Mapping[str, Any], bench: Workbench) -> StepResult:
    lab = _lab(bench, GAP.default)
    sweep = ThresholdSweep.from_scores(lab.y_test, lab.scores, lab.groups)
    thresholds = sweep.equalizing_thresholds(target="true_positive_rate", value=values["target"])
    cut = lab.groups.map(thresholds).to_numpy(dtype=float)
    result = assess(lab, (lab.scores >= cut).astype(np.int8))
    ppv = {g: rate(result, g, "positive_predictive_value") for g in GROUPS}
    return StepResult(
        headline=(
            f"With thresholds {thresholds[A]:.2f} (A) and {thresholds[B]:.2f} (B), both groups' "
            f"repayers are approved at {values['target']:.0%}. But of the people approved, "
            f"{pct(ppv[A])} repay in group A and {pct(ppv[B])} in group B: the same decision "
            "means something different in each group, so predictive parity fails."
        ),
        figure=rate_chart(
            result,
            ["true_positive_rate", "false_positive_rate", "positive_predictive_value"],
            title="Equal opportunity by thresholds, and what happens to precision",
        ),
        facts={"ppv_A": ppv[A], "ppv_B": ppv[B], "ppv_gap": ppv[A] - ppv[B]},
    )


def _equal_base_rates(values: Mapping[str, Any], bench: Workbench) -> StepResult:
    lab = _lab(bench, values["gap"])
    result = assess(lab, lab.decisions())
    table = calibration_table(lab)
    rows = []
    for group in GROUPS:
        rows.append(
            {
                "group": group,
                "repayment rate": float(lab.y_test[lab.groups.to_numpy() == group].mean()),
                "calibration error": calibration_error(table, group),
                "false negative rate": rate(result, group, "false_negative_rate"),
                "false positive rate": rate(result, group, "false_positive_rate"),
                "precision (PPV)": rate(result, group, "positive_predictive_value"),
            }
        )
    frame = pd.DataFrame(rows).set_index("group")
    fnr_gap = abs(frame.loc[A, "false negative rate"] - frame.loc[B, "false negative rate"])
    fpr_gap = abs(frame.loc[A, "false positive rate"] - frame.loc[B, "false positive rate"])
    calibration = float(frame["calibration error"].max())
    conflict = max(fnr_gap, fpr_gap) > 0.05
    return StepResult(
        headline=(
            f"With a gap of {values['gap']:.2f}: both groups calibrated (worst error "
            f"{calibration:.3f}); error-rate gaps {fnr_gap:.2f} (false negatives) and "
            f"{fpr_gap:.2f} (false positives). "
            + (
                "The conflict is there: calibration holds, equalized odds does not."
                if conflict
                else "The conflict has vanished: calibration and equal error rates hold together."
            )
        ),
        table=frame,
        figure=rate_chart(
            result,
            ["false_negative_rate", "false_positive_rate"],
            title="Error rates of a calibrated score",
        ),
        answer="yes" if not conflict else "no",
        facts={"fnr_gap": fnr_gap, "fpr_gap": fpr_gap, "calibration_error": calibration},
    )


LESSON = Lesson(
    key="impossibility",
    title="You can't have it all",
    summary="When groups' base rates differ, a calibrated score cannot also give equal error "
    "rates: see the conflict, and watch it vanish when the base rates are equal.",
    steps=(
        Step(
            "calibrated",
            "A calibrated score",
            "A score is **calibrated by group** when, in every group, among people with a "
            "score of about s, a share s repay. Here the model sees the group and is "
            "calibrated in both. The groups' true repayment rates differ by the gap you set.",
            (GAP,),
            _calibrated,
            formula=r"P(Y = 1 \mid S = s, G = g) = s \quad \text{for every } s, g",
        ),
        Step(
            "errors-differ",
            "Yet the errors differ",
            "Use the calibrated score with one threshold of 0.5 and count the errors in each "
            "group.",
            (GAP,),
            _errors_differ,
            predict=Prediction(
                "Compared with group A, will group B's repayers be refused (false negative "
                "rate) less often, about as often, or more often?",
                ("lower", "about the same", "higher"),
            ),
        ),
        Step(
            "force-odds",
            "Force equal opportunity",
            "Give both groups the same true positive rate with per-group thresholds, and look "
            "at precision: of the people approved, how many repay?",
            (TARGET,),
            _force_odds,
        ),
        Step(
            "equal-base-rates",
            "Make the base rates equal",
            "The theorem (Kleinberg et al. 2016; Chouldechova 2017) says the conflict comes "
            "from unequal base rates. Set the gap to 0 and watch.",
            (GAP,),
            _equal_base_rates,
            formula=r"\mathrm{FPR}_g = \frac{p_g}{1 - p_g}\,"
            r"\frac{1 - \mathrm{PPV}_g}{\mathrm{PPV}_g}\,(1 - \mathrm{FNR}_g)",
            predict=Prediction(
                "With equal base rates (gap 0), will calibration and equal error rates hold "
                "together?",
                ("yes", "no"),
            ),
        ),
    ),
    discussion=(
        "A lender must choose between calibrated scores and equal error rates. Which matters "
        "more to an applicant? To the lender? To a regulator?",
        "The base rates differ because of history. Should a model reflect that history, or "
        "correct for it?",
        "The COMPAS debate (ProPublica vs Northpointe, 2016) was exactly this conflict. What "
        "would you have asked each side?",
    ),
    glossary=("impossibility", "calibration", "equalized_odds", "predictive_parity", "base_rate"),
)
