"""Lesson 4: fairness through unawareness fails when a proxy carries the group."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fairlab.data.synthetic import MAJORITY_GROUP as A
from fairlab.data.synthetic import MINORITY_GROUP as B
from fairlab.explain.proxies import ALL_FEATURES
from fairlab.lessons._common import BASE_WORLD, assess, pct, rate, rate_chart, world
from fairlab.lessons._model import Control, Lesson, Prediction, Step, StepResult
from fairlab.lessons.lab import LessonLab
from fairlab.lessons.workbench import Workbench
from fairlab.plots.explain_extra import proxy_chart

PROXY_FEATURE = "neighbourhood_score"
WORLD = world(BASE_WORLD, label_bias=0.4, proxy_strength=0.8)

AWARE = Control("aware", "The model sees the group column", "toggle", True)
PROXY = Control(
    "proxy",
    "How strongly the neighbourhood score tracks the group",
    "slider",
    0.8,
    0.0,
    0.95,
    0.05,
)
WITHOUT = Control("without", "Drop the neighbourhood score too", "toggle", False)


def _gap(lab: LessonLab) -> tuple[float, float, Any]:
    result = assess(lab, lab.decisions())
    return rate(result, A, "selection_rate"), rate(result, B, "selection_rate"), result


def _drop_it(values: Mapping[str, Any], bench: Workbench) -> StepResult:
    aware_a, aware_b, aware_result = _gap(bench.lab(WORLD, aware=True))
    blind_a, blind_b, blind_result = _gap(bench.lab(WORLD, aware=False))
    shown = aware_result if values["aware"] else blind_result
    aware_gap, blind_gap = aware_a - aware_b, blind_a - blind_b
    share = blind_gap / aware_gap if aware_gap > 0 else 1.0
    answer = (
        "vanish" if share < 0.25 else "shrink a little" if share < 0.75 else "stay about the same"
    )
    which = "sees" if values["aware"] else "does not see"
    return StepResult(
        headline=(
            f"The model {which} the group. With it, approval rates are {pct(aware_a)} (A) and "
            f"{pct(aware_b)} (B), a gap of {aware_gap:.2f}; without it, {pct(blind_a)} and "
            f"{pct(blind_b)}, a gap of {blind_gap:.2f}."
        ),
        figure=rate_chart(
            shown, ["selection_rate"], title=f"Approval rates: the model {which} the group"
        ),
        answer=answer,
        facts={"aware_gap": aware_gap, "unaware_gap": blind_gap},
    )


def _proxy_dial(values: Mapping[str, Any], bench: Workbench) -> StepResult:
    lab = bench.lab(world(WORLD, proxy_strength=values["proxy"]))
    a, b, result = _gap(lab)
    correlation = lab.world.realised["proxy_correlation"]
    return StepResult(
        headline=(
            f"The neighbourhood score correlates {correlation:.2f} with the group. A model that "
            f"never sees the group approves {pct(a)} of A and {pct(b)} of B: a gap of "
            f"{a - b:.2f}."
        ),
        figure=rate_chart(
            result, ["selection_rate"], title="Approval rates of a model without the group column"
        ),
        facts={"gap": a - b, "proxy_correlation": correlation},
    )


def _find_proxy(values: Mapping[str, Any], bench: Workbench) -> StepResult:
    table = bench.proxies(world(WORLD, proxy_strength=values["proxy"]))
    single = table.drop(index=ALL_FEATURES)
    top = str(single.index[0])
    top_auc = float(single["roc_auc"].iloc[0])
    together = float(table.loc[ALL_FEATURES, "roc_auc"])
    shown = table[["roc_auc", "likely_proxy"]].rename(
        columns={"roc_auc": "ROC AUC (0.5 = no information)", "likely_proxy": "likely proxy"}
    )
    return StepResult(
        headline=(
            f"'{top}' predicts the group best, with a ROC AUC of {top_auc:.2f} (0.5 is a coin "
            f"toss, 1.0 a perfect tell); all features together reach {together:.2f}."
        ),
        figure=proxy_chart(table, attribute="group"),
        table=shown,
        answer=top,
        facts={"top_auc": top_auc, "all_features_auc": together},
    )


def _drop_proxy(values: Mapping[str, Any], bench: Workbench) -> StepResult:
    without = (PROXY_FEATURE,) if values["without"] else ()
    lab = bench.lab(WORLD, without=without)
    a, b, result = _gap(lab)
    accuracy = float(result.overall["accuracy"])
    kept_a, kept_b, kept_result = _gap(bench.lab(WORLD))
    headline = (
        f"{'Without' if without else 'With'} the neighbourhood score: approval rates "
        f"{pct(a)} (A) and {pct(b)} (B), a gap of {a - b:.2f}; accuracy {accuracy:.1%} against "
        "the recorded outcomes."
    )
    if without:
        headline += (
            f" With it, the gap was {kept_a - kept_b:.2f} and the accuracy "
            f"{float(kept_result.overall['accuracy']):.1%}."
        )
    return StepResult(
        headline=headline,
        figure=rate_chart(
            result,
            ["selection_rate", "true_positive_rate"],
            title="Approval rates and true positive rates",
        ),
        facts={"gap": a - b, "gap_with_proxy": kept_a - kept_b, "accuracy": accuracy},
        notes=(
            "Here the proxy carries nothing but the group, so dropping it costs nothing. Real "
            "proxies (postcode, school, gaps in a CV) also carry real information, and many "
            "weak proxies together can rebuild the group. Dropping columns is not a fix; "
            "measure the outcome.",
        ),
    )


LESSON = Lesson(
    key="unawareness",
    title="Fairness through unawareness fails",
    summary="Remove the sensitive attribute from a model and see a proxy carry it back in; "
    "then find the proxy with the proxy detector.",
    steps=(
        Step(
            "drop-it",
            "Just drop the column?",
            "In this world, 40 % of group B's repayers were recorded as defaulters, so the "
            "history is biased against B. A model trained on it learns that bias. A common "
            "idea: do not let the model see the group. Switch the group column off.",
            (AWARE,),
            _drop_it,
            predict=Prediction(
                "Once the model no longer sees the group, the gap in approval rates will...",
                ("vanish", "shrink a little", "stay about the same"),
            ),
        ),
        Step(
            "proxy-dial",
            "Turn the proxy up and down",
            "The neighbourhood score says nothing about repayment; it only tracks the group. "
            "Dial how strongly.",
            (PROXY,),
            _proxy_dial,
        ),
        Step(
            "find-proxy",
            "Find the proxy",
            "FairLab's proxy detector asks: how well does each feature alone, and all together, "
            "predict the group? It reports a cross-validated ROC AUC.",
            (PROXY,),
            _find_proxy,
        ),
        Step(
            "drop-proxy",
            "Drop the proxy too",
            "Remove the neighbourhood score from the model's inputs as well.",
            (WITHOUT,),
            _drop_proxy,
        ),
    ),
    discussion=(
        "If removing the sensitive attribute does not remove the gap, should the model use "
        "the attribute to correct for it? What does the law say where you live?",
        "Name three features of a real loan or job application that could act as proxies for "
        "a protected group.",
        "The bias here came from the labels. Could any choice of features have fixed it?",
    ),
    glossary=("proxy", "demographic_parity", "selection_rate"),
)
