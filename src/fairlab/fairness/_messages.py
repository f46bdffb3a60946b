"""The messages of a fairness assessment: one named constant per bad input, and the error."""

from __future__ import annotations

from fairlab.errors import FairLabError

NON_BINARY_LABELS_ERROR = (
    "The '{name}' values must be 0 or 1 (1 for the positive outcome). Got {values} instead. "
    "Map labels to 0/1 with the spec's positive value first (build_audit_data does this)."
)
LENGTH_MISMATCH_ERROR = (
    "'{name}' has {got} rows but 'y_true' has {expected}. Pass one value per row for each."
)
NO_ROWS_ERROR = (
    "There are no rows to assess. Check that the data and the predictions are not empty."
)
NO_SENSITIVE_FEATURES_ERROR = (
    "There is no sensitive feature to compare groups on. Pass at least one column in "
    "'sensitive_features'."
)
SENSITIVE_MISSING_ERROR = (
    "Sensitive feature '{column}' has {n} missing values. Give them a group of their own or "
    "leave those rows out first (the spec's missing-value policy does this)."
)
SCORES_NOT_FINITE_ERROR = (
    "'y_score' must hold finite numbers. Got {n} missing or infinite values. Leave those "
    "rows out first (build_audit_data does this)."
)
NO_PREDICTIONS_ERROR = (
    "There are no predictions to assess. Train a model, or name a prediction or score column "
    "in the spec."
)
COUNTS_COLUMNS_ERROR = (
    "The counts for '{attribute}' must have the columns group, tp, fp, tn and fn with "
    "non-negative whole numbers. Got columns {columns} instead."
)
COUNTS_TOTAL_ERROR = (
    "The counts for '{attribute}' add up to {got} rows but those for '{first}' to {expected}. "
    "Count every attribute over the same rows."
)
REFERENCE_NEEDED_ERROR = (
    "Comparing with a reference group needs one: set 'reference_groups', for example "
    "(('sex', 'Male'),)."
)
REFERENCE_NOT_FOUND_ERROR = (
    "The reference group '{group}' is not a group of '{attribute}'. Choose one of: {groups}."
)
REFERENCE_ATTRIBUTE_ERROR = (
    "A reference group is set for '{attribute}', which is not assessed. Choose one of: "
    "{attributes}."
)
INVALID_N_BOOT_ERROR = "The 'n_boot' parameter must be an integer ≥ 1. Got {value!r} instead."
INVALID_CONFIDENCE_ERROR = (
    "The 'confidence' parameter must be a number in (0, 1), such as 0.95. Got {value!r} instead."
)
INVALID_RANDOM_STATE_ERROR = (
    "The 'random_state' parameter must be a non-negative integer. Got {value!r} instead."
)
INVALID_COMPARISON_ERROR = (
    "The 'comparison' parameter must be one of {options}. Got {value!r} instead."
)
INVALID_RATIO_BOUND_ERROR = (
    "The 'ratio_bound' parameter must be a number in (0, 1], such as 0.8 for the four-fifths "
    "rule. Got {value!r} instead."
)
INVALID_TOLERANCE_ERROR = (
    "The 'difference_tolerance' parameter must be a number in [0, 1]. Got {value!r} instead."
)
INVALID_MIN_GROUP_SIZE_ERROR = (
    "The 'min_group_size' parameter must be a non-negative integer. Got {value!r} instead."
)
INVALID_REFERENCE_GROUPS_ERROR = (
    "The 'reference_groups' parameter must be pairs of (attribute, group), one per "
    "attribute, such as (('sex', 'Male'),). Got {value!r} instead."
)

INVALID_MIN_CASES_ERROR = (
    "The 'min_cases' parameter must be a non-negative integer. Got {value!r} instead."
)


class FairnessError(FairLabError, ValueError):
    """The inputs or options of a fairness assessment are not usable."""


