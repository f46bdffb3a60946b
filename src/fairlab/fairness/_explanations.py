"""Plain-language explanations of every group metric and disparity."""

from __future__ import annotations

METRIC_EXPLANATIONS: dict[str, str] = {
    "base_rate": (
        "The share of people in the group whose observed outcome is positive; it matters "
        "because groups that start from different base rates cannot usually be equal on "
        "every other metric at once."
    ),
    "selection_rate": (
        "The share of people in the group that the model predicts positive (selects); it "
        "matters when the decision itself is a benefit or a burden, whatever the outcome."
    ),
    "true_positive_rate": (
        "Of the people in the group whose outcome is positive, the share the model predicts "
        "positive (recall); it matters when missing a deserving person is the harm."
    ),
    "false_positive_rate": (
        "Of the people in the group whose outcome is negative, the share the model wrongly "
        "predicts positive; it matters when a wrong positive decision is the harm."
    ),
    "false_negative_rate": (
        "Of the people in the group whose outcome is positive, the share the model wrongly "
        "predicts negative; it matters when being wrongly passed over is the harm."
    ),
    "true_negative_rate": (
        "Of the people in the group whose outcome is negative, the share the model correctly "
        "predicts negative (specificity); it is one minus the false positive rate."
    ),
    "positive_predictive_value": (
        "Of the people in the group the model predicts positive, the share whose outcome is "
        "positive (precision); it matters when a positive prediction must mean the same "
        "thing for every group."
    ),
    "negative_predictive_value": (
        "Of the people in the group the model predicts negative, the share whose outcome is "
        "negative; it matters when a negative prediction must be equally trustworthy."
    ),
    "false_discovery_rate": (
        "Of the people in the group the model predicts positive, the share whose outcome is "
        "negative; it is one minus the positive predictive value."
    ),
    "false_omission_rate": (
        "Of the people in the group the model predicts negative, the share whose outcome is "
        "positive; it is one minus the negative predictive value."
    ),
    "accuracy": (
        "The share of people in the group whose prediction matches their outcome; it can hide "
        "very different kinds of error, so read it with the error rates."
    ),
    "mean_score": (
        "The average score the model gives the group; next to the observed rate it shows "
        "whether scores mean the same for every group (calibration)."
    ),
    "observed_rate": (
        "The share of the group whose outcome is positive, to compare with the mean score: a "
        "well-calibrated model gives each group a mean score close to it."
    ),
    "demographic_parity_difference": (
        "The gap in selection rates between groups; it matters when everyone should have the "
        "same chance of the decision, whatever their outcome (allocation harms)."
    ),
    "demographic_parity_ratio": (
        "The lowest selection rate divided by the highest; the four-fifths rule of US "
        "employment practice asks for at least 0.8."
    ),
    "equalized_odds_difference": (
        "The larger of the gaps in true positive rates and in false positive rates; it "
        "matters when errors of both kinds should fall equally on every group."
    ),
    "equalized_odds_ratio": (
        "The smaller of the ratios of true positive rates and of false positive rates "
        "(lowest over highest); 1 means both kinds of error are shared equally."
    ),
    "equal_opportunity_difference": (
        "The gap in true positive rates between groups; it matters when people who deserve "
        "the positive outcome should have the same chance of getting it."
    ),
    "equal_opportunity_ratio": (
        "The lowest true positive rate divided by the highest; 1 means deserving people in "
        "every group are found equally often."
    ),
    "predictive_parity_difference": (
        "The gap in precision (positive predictive value) between groups; it matters when a "
        "positive prediction is acted on as if it meant the same for everyone."
    ),
    "predictive_parity_ratio": (
        "The lowest precision divided by the highest; 1 means a positive prediction is "
        "equally reliable for every group."
    ),
    "error_rate_parity_difference": (
        "The gap in error rates (one minus accuracy) between groups; it matters when the "
        "model should be equally reliable for everyone, whatever the kind of error."
    ),
    "error_rate_parity_ratio": (
        "The lowest error rate divided by the highest; 1 means every group meets errors "
        "equally often."
    ),
}
"""One plain-language sentence per metric and per disparity: what it measures, when it
matters."""


