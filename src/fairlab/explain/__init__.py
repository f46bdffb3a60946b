"""Explanations of a model's decisions, in the user's own features.

SHAP values (:func:`explain_shap`) say how much each feature moved one row's model output
away from the average output; the explainer is chosen from the model and named in the
result, the cost is estimated first (:func:`estimate_shap_cost`) and rows are sampled to
stay within a budget. Attributions of encoded columns are summed back onto the column the
user wrote (:func:`source_columns`), and a :class:`ShapResult` can split the gap in mean
output between two groups into per-feature contributions.

LIME (:func:`explain_lime`) fits a local linear model around one row, seeded, and
:func:`lime_stability` measures how much it changes from seed to seed.
:func:`compare_attributions` says whether two explanations (SHAP and LIME) tell the same
story, and :func:`proxy_strength` finds the features that give a sensitive attribute away.
"""

from fairlab.explain._features import source_columns
from fairlab.explain.agreement import (
    Agreement,
    AgreementSummary,
    agreement_over_rows,
    compare_attributions,
    summarize_agreement,
)
from fairlab.explain.lime_ import (
    STABILITY_SEEDS,
    LimeExplainer,
    LimeResult,
    LimeStability,
    explain_lime,
    lime_stability,
)
from fairlab.explain.proxies import proxy_strength
from fairlab.explain.shap_ import (
    CostEstimate,
    ShapError,
    ShapResult,
    estimate_shap_cost,
    explain_shap,
)
from fairlab.explain.surrogate import ScoreRegressor, Surrogate, SurrogateError, fit_surrogate
from fairlab.explain.whatif import FlipResult, WhatIfError, WhatIfResult, flip_sensitive, what_if

__all__ = [
    "Agreement",
    "AgreementSummary",
    "LimeExplainer",
    "LimeResult",
    "LimeStability",
    "agreement_over_rows",
    "compare_attributions",
    "explain_lime",
    "lime_stability",
    "STABILITY_SEEDS",
    "proxy_strength",
    "summarize_agreement",
    "CostEstimate",
    "ShapError",
    "ShapResult",
    "estimate_shap_cost",
    "explain_shap",
    "source_columns",
    "FlipResult",
    "ScoreRegressor",
    "Surrogate",
    "SurrogateError",
    "WhatIfError",
    "WhatIfResult",
    "fit_surrogate",
    "flip_sensitive",
    "what_if",
]
