"""Lesson 1: demographic parity, and what the four-fifths rule says and does not say."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from fairlab.data.synthetic import MAJORITY_GROUP as A
from fairlab.data.synthetic import MINORITY_GROUP as B
from fairlab.lessons._common import BASE_WORLD, assess, direction, pct, rate, rate_chart, world
from fairlab.lessons._model import Control, Lesson, Prediction, Step, StepResult
from fairlab.lessons.workbench import Workbench

WORLD = world(BASE_WORLD, minority_share=0.3, base_rate_gap=0.2)

THRESHOLD = Control(
    "t",
    "Approval threshold (score needed for a loan)",
    "slider",
    0.5,
    0.05,
    0.95,
    0.05,
    help="Applicants whose score reaches the threshold get the loan.",
)
GAP = Control(
    "gap",
    "Gap in the true rate of people who would repay (A minus B)",
    "slider",
    0.2,
    0.0,
    0.6,
    0.05,
)
B_THRESHOLD = Control(
    "tb",
    "Group B's threshold (group A keeps 0.5)",
    "slider",
    0.5,
    0.05,
    0.95,
    0.01,
)
SHARE = Control(
    "share",
    "Group B's share of the applicants",
    "slider",
    0.3,
    0.05,
    0.5,
    0.05,
)


def _selection(values: Mapping[str, Any], bench: Workbench) -> StepResult:
    lab = bench.lab(WORLD)
    result = assess(lab, lab.decisions(values["t"]))
    a, b = rate(result, A, "selection_rate"), rate(result, B, "selection_rate")
    return StepResult(
        headline=(
            f"At a threshold of {values['t']:.2f}, {pct(a)} of group A and {pct(b)} of group B "
            f"are approved: a demographic parity difference of {abs(a - b):.2f}."
        ),
        figure=rate_chart(result, ["selection_rate"], title="Share of each group approved"),
        answer=direction(b - a),
        facts={"selection_rate_A": a, "selection_rate_B": b, "difference": a - b},
    )


def _four_fifths(values: Mapping[str, Any], bench: Workbench) -> StepResult:
    lab = bench.lab(world(WORLD, base_rate_gap=values["gap"]))
    result = assess(lab, lab.decisions())
    table = result.disparities["group"]
    row = table.loc["demographic_parity_ratio"]
    ratio, low, high = float(row["value"]), float(row["ci_low"]), float(row["ci_high"])
    # The library's verdict decides (it also knows when a group is too small to tell).
    if row["verdict"] == "passes":
        verdict = "at or above 0.8 across its whole interval: the rule does not flag it"
    elif row["verdict"] == "fails":
        verdict = "below 0.8 across its whole interval: the rule flags adverse impact"
    else:
        verdict = "an interval that straddles 0.8, or a group too small: the data cannot tell"
    a = rate(result, A, "selection_rate")
    b = rate(result, B, "selection_rate")
    return StepResult(
        headline=(
            f"Selection rates {pct(a)} (A) and {pct(b)} (B): a ratio of {ratio:.2f} "
            f"(95 % interval {low:.2f} to {high:.2f}), {verdict}."
        ),
        figure=rate_chart(
            result,
            ["selection_rate"],
            title="Selection rates; the dashed line is four fifths of group A's",
            reference=0.8 * a,
            reference_label="4/5 of group A",
        ),
        facts={"ratio": ratio, "ratio_low": low, "ratio_high": high},
    )


def _not_said(values: Mapping[str, Any], bench: Workbench) -> StepResult:
    lab = bench.lab(WORLD)
    cut = np.where(lab.groups.to_numpy() == A, 0.5, values["tb"])
    result = assess(lab, (lab.scores >= cut).astype(np.int8))
    metrics = ["selection_rate", "true_positive_rate", "false_positive_rate"]
    sel_a, sel_b = rate(result, A, "selection_rate"), rate(result, B, "selection_rate")
    fpr_a, fpr_b = rate(result, A, "false_positive_rate"), rate(result, B, "false_positive_rate")
    tpr_a, tpr_b = rate(result, A, "true_positive_rate"), rate(result, B, "true_positive_rate")
    return StepResult(
        headline=(
            f"Selection rates {pct(sel_a)} (A) and {pct(sel_b)} (B). Among people who would "
            f"repay, {pct(tpr_a)} of A and {pct(tpr_b)} of B are approved; among people who "
            f"would not, {pct(fpr_a)} of A and {pct(fpr_b)} of B."
        ),
        figure=rate_chart(result, metrics, title="Parity of selection is not parity of errors"),
        facts={
            "selection_rate_A": sel_a,
            "selection_rate_B": sel_b,
            "false_positive_rate_A": fpr_a,
            "false_positive_rate_B": fpr_b,
        },
        notes=(
            "Equal selection rates say nothing about who is selected: a lower bar for one "
            "group can reach parity by approving more people who will not repay.",
        ),
    )


def _small_groups(values: Mapping[str, Any], bench: Workbench) -> StepResult:
    lab = bench.lab(world(WORLD, minority_share=values["share"]))
    result = assess(lab, lab.decisions())
    row = result.disparities["group"].loc["demographic_parity_ratio"]
    low, high = float(row["ci_low"]), float(row["ci_high"])
    n_b = int((lab.groups == B).sum())
    return StepResult(
        headline=(
            f"Group B has {n_b:,} people in the test set. The selection-rate ratio is "
            f"{float(row['value']):.2f}, and its 95 % interval runs from {low:.2f} to "
            f"{high:.2f} (width {high - low:.2f}). Verdict: {row['verdict']}."
        ),
        figure=rate_chart(result, ["selection_rate"], title="Selection rates with intervals"),
        answer="wider" if _width(bench, 0.1) > _width(bench, SHARE.default) else "narrower",
        facts={"interval_width": high - low, "n_B": float(n_b)},
    )


def _width(bench: Workbench, share: float) -> float:
    lab = bench.lab(world(WORLD, minority_share=share))
    row = assess(lab, lab.decisions()).disparities["group"].loc["demographic_parity_ratio"]
    return float(row["ci_high"] - row["ci_low"])


LESSON = Lesson(
    key="demographic-parity",
    title="Demographic parity and the four-fifths rule",
    summary="Compare how often each group gets the favourable decision, and learn what that "
    "comparison can and cannot tell you.",
    steps=(
        Step(
            "selection",
            "Who gets the loan?",
            "A bank scores loan applicants and approves everyone whose score reaches a "
            "threshold. **Demographic parity** asks whether each group is approved at the "
            "same rate, whatever the applicants' qualifications.",
            (THRESHOLD,),
            _selection,
            formula=r"P(\hat Y = 1 \mid G = A) = P(\hat Y = 1 \mid G = B)",
            predict=Prediction(
                "Compared with group A, will group B be approved at a lower, about the same, "
                "or a higher rate?",
                ("lower", "about the same", "higher"),
            ),
        ),
        Step(
            "four-fifths",
            "The four-fifths rule",
            "US employment guidelines (1978) use a rule of thumb: if one group's selection "
            "rate is below **four fifths (80 %)** of the most selected group's, that is "
            "evidence of adverse impact worth investigating. It is a screening rule, not a "
            "definition of fairness. Change how unequal the groups' true repayment rates are "
            "and watch the ratio.",
            (GAP,),
            _four_fifths,
            formula=r"\frac{\min_g P(\hat Y = 1 \mid G = g)}{\max_g P(\hat Y = 1 \mid G = g)} "
            r"\geq 0.8",
        ),
        Step(
            "not-said",
            "What parity does not say",
            "Lower group B's threshold until the selection rates match. Parity is reached, "
            "but look at who is approved: people who would repay (true positive rate) and "
            "people who would not (false positive rate).",
            (B_THRESHOLD,),
            _not_said,
        ),
        Step(
            "small-groups",
            "Small groups, wide intervals",
            "Every rate is estimated from a sample. With few people in a group, the estimate "
            'is uncertain, and FairLab says "insufficient evidence" rather than pass or '
            "fail. Shrink group B and watch the interval of the ratio.",
            (SHARE,),
            _small_groups,
            predict=Prediction(
                "If group B becomes smaller than 30 % of applicants, will the interval of the "
                "ratio get wider or narrower?",
                ("wider", "narrower"),
            ),
        ),
    ),
    discussion=(
        "The four-fifths rule flags a gap in selection rates. Is every such gap unfair? "
        "What else would you want to know about the applicants?",
        "Reaching parity by lowering one group's threshold approves more people who will not "
        "repay. Who bears that cost: the bank, or the applicants who then default?",
        "How large must a group be before you would trust a verdict about it?",
    ),
    glossary=("selection_rate", "demographic_parity", "four_fifths_rule", "confidence_interval"),
)
