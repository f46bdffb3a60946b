"""Lesson 6: explanations disagree — SHAP against LIME, and LIME against itself."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from fairlab.explain import STABILITY_SEEDS, compare_attributions
from fairlab.lessons._common import BASE_WORLD, world
from fairlab.lessons._model import Control, Lesson, Prediction, Step, StepResult
from fairlab.lessons.workbench import LIME_SAMPLES, Workbench
from fairlab.plots._style import COLOR_SEQUENCE, apply_layout

MODEL = "random_forest"
WORLD = world(BASE_WORLD, base_rate_gap=0.2, proxy_strength=0.5)
ROW = 0
N_ROWS_COMPARED = 20
SAMPLE_CHOICES = ("200", "500", "1000", "2000", "5000")

ROW_CONTROL = Control("row", "Applicant (test row)", "integer", ROW, 0, 199, 1)
SEED = Control("seed", "LIME's random seed", "integer", 1, 0, 50, 1)
SAMPLES = Control(
    "samples",
    "Samples LIME draws around the applicant",
    "select",
    "1000",
    options=SAMPLE_CHOICES,
)
TOP_K = Control("k", "Top features compared", "integer", 3, 1, 8, 1)


def _shap_row(bench: Workbench, row: int) -> pd.Series:
    return bench.shap_rows(WORLD, MODEL).values.iloc[row]


def _lime_row(bench: Workbench, row: int, seed: int, samples: int = LIME_SAMPLES) -> pd.Series:
    return bench.lime_row(WORLD, MODEL, row, seed=seed, num_samples=samples).weights


def _side_by_side(a: pd.Series, b: pd.Series, names: tuple[str, str], title: str) -> go.Figure:
    order = (a.abs() + b.reindex(a.index).fillna(0).abs()).sort_values().index
    fig = make_subplots(rows=1, cols=2, subplot_titles=names, shared_yaxes=True)
    for col, (series, color) in enumerate(((a, COLOR_SEQUENCE[0]), (b, COLOR_SEQUENCE[1])), 1):
        values = series.reindex(order).fillna(0.0)
        fig.add_bar(
            x=values.to_numpy(),
            y=list(order),
            orientation="h",
            marker_color=color,
            showlegend=False,
            row=1,
            col=col,
        )
    return apply_layout(fig, title=title, height=420)


def _one_row(values: Mapping[str, Any], bench: Workbench) -> StepResult:
    row = int(values["row"])
    shap_values = _shap_row(bench, row)
    lime_weights = _lime_row(bench, row, seed=0)
    agreement = compare_attributions(shap_values, lime_weights, top_k=5)
    same_top = agreement.top_a[:1] == agreement.top_b[:1]
    return StepResult(
        headline=(
            f"SHAP's most important feature is '{agreement.top_a[0]}', LIME's is "
            f"'{agreement.top_b[0]}'. {agreement.sentence}"
        ),
        figure=_side_by_side(
            shap_values,
            lime_weights,
            ("SHAP value", "LIME weight"),
            f"Applicant {row}: two explanations of the same prediction",
        ),
        answer="yes" if same_top else "no",
        facts={"overlap": float(agreement.overlap), "spearman": agreement.spearman},
    )


def _seeds(values: Mapping[str, Any], bench: Workbench) -> StepResult:
    seed = int(values["seed"])
    first = _lime_row(bench, ROW, seed=0)
    other = _lime_row(bench, ROW, seed=seed)
    agreement = compare_attributions(first, other, top_k=5, names=("seed 0", f"seed {seed}"))
    return StepResult(
        headline=(
            f"Same applicant, same model, same {LIME_SAMPLES:,} samples; only the seed "
            f"changed. {agreement.overlap} of the top 5 features are shared; rank correlation "
            f"{agreement.spearman:.2f}."
        ),
        figure=_side_by_side(
            first,
            other,
            ("LIME, seed 0", f"LIME, seed {seed}"),
            f"Applicant {ROW}: LIME with two seeds",
        ),
        facts={"overlap": float(agreement.overlap), "spearman": agreement.spearman},
    )


def seed_weights(bench: Workbench, num_samples: int) -> pd.DataFrame:
    """LIME's weights for the lesson's applicant, one column per seed of the stability
    check (features as rows, 0 where a seed did not choose a feature)."""
    stability = bench.stability(WORLD, MODEL, ROW, num_samples=num_samples)
    runs = {
        f"seed {seed}": _lime_row(bench, ROW, seed=seed, samples=stability.num_samples)
        for seed in stability.seeds
    }
    return pd.DataFrame(runs).reindex(stability.weights.index).fillna(0.0)


def _sentence(text: str) -> str:
    """``text`` with a capital first letter and a full stop."""
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _samples(values: Mapping[str, Any], bench: Workbench) -> StepResult:
    samples = int(values["samples"])
    stability = bench.stability(WORLD, MODEL, ROW, num_samples=samples)
    weights = seed_weights(bench, samples)
    fig = go.Figure()
    for position, seed in enumerate(weights.columns):
        fig.add_scatter(
            x=weights[seed].to_numpy(),
            y=[str(feature) for feature in weights.index],
            mode="markers",
            name=str(seed),
            marker={"color": COLOR_SEQUENCE[position % len(COLOR_SEQUENCE)], "size": 10},
        )
    fig.update_xaxes(title="LIME weight")
    fig.update_yaxes(autorange="reversed")
    apply_layout(
        fig,
        title=f"LIME weights of each of {len(stability.seeds)} seeds, {samples:,} samples each",
        height=420,
    )
    table = pd.DataFrame(
        {
            "mean weight": stability.weights["mean"].round(4),
            "spread (std)": stability.weights["std"].round(4),
            f"in the top {stability.top_k}": [
                f"{share:.0%}" for share in stability.weights["top_k_share"]
            ],
        }
    )
    notes: tuple[str, ...] = ()
    answer = None
    if str(values["samples"]) == SAMPLES.default:
        notes = ("Change the number of samples to test your prediction.",)
    else:
        fewest = bench.stability(WORLD, MODEL, ROW, num_samples=int(SAMPLE_CHOICES[0]))
        most = bench.stability(WORLD, MODEL, ROW, num_samples=int(SAMPLE_CHOICES[-2]))
        if most.jaccard > fewest.jaccard + 0.02:
            answer = "more"
        elif most.jaccard < fewest.jaccard - 0.02:
            answer = "less"
        else:
            answer = "about the same"
    return StepResult(
        headline=(
            f"With {samples:,} samples, the top-{stability.top_k} features of "
            f"{len(stability.seeds)} seeds overlap by {stability.jaccard:.2f} on average "
            "(Jaccard; 1 is identical, "
            f"worst pair {stability.min_jaccard:.2f}). {_sentence(stability.verdict)}"
        ),
        figure=fig,
        table=table,
        answer=answer,
        facts={"jaccard": stability.jaccard, "min_jaccard": stability.min_jaccard},
        notes=notes,
    )


def _over_rows(values: Mapping[str, Any], bench: Workbench) -> StepResult:
    k = int(values["k"])
    shap_result = bench.shap_rows(WORLD, MODEL)
    rows = []
    for row in range(N_ROWS_COMPARED):
        agreement = compare_attributions(
            shap_result.values.iloc[row], _lime_row(bench, row, seed=0), top_k=k
        )
        rows.append({"row": row, "shared": agreement.overlap, "spearman": agreement.spearman})
    frame = pd.DataFrame(rows)
    counts = frame["shared"].value_counts().reindex(range(k + 1), fill_value=0)
    fig = go.Figure(
        go.Bar(
            x=[str(i) for i in counts.index], y=counts.to_numpy(), marker_color=COLOR_SEQUENCE[2]
        )
    )
    fig.update_xaxes(title=f"Features shared between SHAP's and LIME's top {k}")
    fig.update_yaxes(title="Applicants")
    apply_layout(fig, title=f"SHAP and LIME over {N_ROWS_COMPARED} applicants", height=380)
    full = float((frame["shared"] == k).mean())
    return StepResult(
        headline=(
            f"Over {N_ROWS_COMPARED} applicants, SHAP and LIME share "
            f"{frame['shared'].mean():.1f} of their top {k} features on average, and fully "
            f"agree on {full:.0%} of applicants (median rank correlation "
            f"{np.nanmedian(frame['spearman']):.2f})."
        ),
        figure=fig,
        facts={"mean_shared": float(frame["shared"].mean()), "full_agreement": full},
    )


LESSON = Lesson(
    key="explanations-disagree",
    title="Explanations disagree",
    summary="Two popular explanation methods can tell different stories about the same "
    "decision, and one of them changes its story with its random seed.",
    steps=(
        Step(
            "one-row",
            "SHAP and LIME on one applicant",
            "A random forest decides on loans. **SHAP** splits a prediction into additive "
            "contributions of the features, from game theory. **LIME** fits a small linear "
            "model to the forest's answers on made-up applicants near this one. Pick an "
            "applicant.",
            (ROW_CONTROL,),
            _one_row,
            formula=r"f(x) = \phi_0 + \sum_j \phi_j",
            predict=Prediction(
                "Will SHAP and LIME name the same most important feature?", ("yes", "no")
            ),
        ),
        Step(
            "seeds",
            "LIME with another seed",
            "LIME draws its made-up applicants at random. Change only the seed.",
            (SEED,),
            _seeds,
        ),
        Step(
            "samples",
            "More samples, steadier story?",
            f"FairLab measures LIME's stability: it re-runs LIME with {STABILITY_SEEDS} seeds "
            "and compares the top features. Change how many samples each run draws.",
            (SAMPLES,),
            _samples,
            predict=Prediction(
                "With more samples, will LIME's explanations across seeds agree more, less, "
                "or about the same?",
                ("more", "less", "about the same"),
            ),
        ),
        Step(
            "over-rows",
            "Across many applicants",
            "One applicant may be a fluke. Compare SHAP and LIME on many.",
            (TOP_K,),
            _over_rows,
        ),
    ),
    discussion=(
        "An applicant is refused and asks why. If two methods give different reasons, which "
        "one do you tell them, and how would you defend it?",
        "What would you check before putting an explanation in front of a regulator?",
        "Explanations describe the model, not the world. What can an explanation not tell you "
        "about whether a decision was fair?",
    ),
    glossary=("shap", "lime"),
)
