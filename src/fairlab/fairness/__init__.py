"""Group fairness metrics, disparities, confidence intervals and verdicts.

This subpackage is FairLab's library of record for assessing a classifier's decisions group
by group. It uses fairlearn's definitions and names (``selection_rate``,
``true_positive_rate``, ``demographic_parity_difference``, ``equalized_odds_ratio``, ...)
and is cross-checked against fairlearn in the tests, but computes everything from the four
confusion counts of each group (true positives, false positives, true negatives, false
negatives), counted once with :func:`numpy.bincount`.

Three rules shape the results:

- **Undefined is undefined.** A rate whose denominator is zero (the true positive rate of a
  group with no positives, say) is NaN with a reason such as ``"undefined (n = 0
  positives)"``. It is never shown as 0, and it is left out of every disparity with a note
  naming the groups left out. A disparity with fewer than two defined groups is itself
  undefined, with a reason.
- **Every number has an interval, from the counts.** Each group rate gets a Clopper–Pearson
  interval. Each disparity is a summary of comparisons (every pair of groups, or each group
  with a reference group or with all rows); each comparison gets a MOVER interval for its
  difference and its ratio at the Šidák level of the criterion's family, so that all of
  them hold together, and the disparity's interval follows from them. It can reach 0 (a
  ratio 1) and always contains the disparity. Nothing is resampled: the cost is
  O(groups²), whatever the number of rows, and the same counts give the same intervals.
- **Verdicts are tests.** A criterion *fails* only when some comparison is shown beyond its
  bound, *passes* only when every comparison is shown within it, and otherwise the verdict
  is *insufficient evidence*. A group with fewer than ``min_cases`` cases in a rate's
  denominator is listed as too small, with its count, and cannot make a verdict confident.
  The sentence names the comparison that drives the verdict.

:func:`assess_fairness` works on arrays, :func:`assess_audit` on an
:class:`~fairlab.audit_data.AuditData` (with the intersection of its sensitive attributes),
:func:`assess_counts` on confusion counts already tallied, and :func:`metrics_json` turns a
result into the ``metrics.json`` written by the headless audit.

The modules, one job each: ``_counts`` (names, rate definitions, input checks, tallies),
``_intervals`` (one rate, a difference, a ratio, the Šidák level), ``_groups`` (group
tables), ``_pairs`` and ``_disparities`` (comparisons, disparities, verdicts),
``_sentences`` (the words), ``_json`` (``metrics.json``), ``_assess`` (entry points).
"""

from __future__ import annotations

from fairlab.fairness._assess import assess_audit, assess_counts, assess_fairness
from fairlab.fairness._config import MIN_CASES, FairnessConfig, FairnessResult
from fairlab.fairness._counts import (
    CALIBRATION_COLUMNS,
    COUNT_COLUMNS,
    CRITERIA,
    DISPARITY_NAMES,
    METRIC_NAMES,
    VERDICTS,
    Comparison,
    Verdict,
)
from fairlab.fairness._disparities import METHOD, verdict_for
from fairlab.fairness._explanations import METRIC_EXPLANATIONS
from fairlab.fairness._json import metrics_json
from fairlab.fairness._messages import (
    COUNTS_COLUMNS_ERROR,
    COUNTS_TOTAL_ERROR,
    INVALID_COMPARISON_ERROR,
    INVALID_CONFIDENCE_ERROR,
    INVALID_MIN_CASES_ERROR,
    INVALID_MIN_GROUP_SIZE_ERROR,
    INVALID_N_BOOT_ERROR,
    INVALID_RANDOM_STATE_ERROR,
    INVALID_RATIO_BOUND_ERROR,
    INVALID_REFERENCE_GROUPS_ERROR,
    INVALID_TOLERANCE_ERROR,
    LENGTH_MISMATCH_ERROR,
    NO_PREDICTIONS_ERROR,
    NO_ROWS_ERROR,
    NO_SENSITIVE_FEATURES_ERROR,
    NON_BINARY_LABELS_ERROR,
    REFERENCE_ATTRIBUTE_ERROR,
    REFERENCE_NEEDED_ERROR,
    REFERENCE_NOT_FOUND_ERROR,
    SCORES_NOT_FINITE_ERROR,
    SENSITIVE_MISSING_ERROR,
    FairnessError,
)

__all__ = [
    "METRIC_NAMES",
    "DISPARITY_NAMES",
    "CRITERIA",
    "METRIC_EXPLANATIONS",
    "COUNT_COLUMNS",
    "CALIBRATION_COLUMNS",
    "VERDICTS",
    "MIN_CASES",
    "METHOD",
    "Comparison",
    "Verdict",
    "FairnessConfig",
    "FairnessResult",
    "FairnessError",
    "assess_fairness",
    "assess_audit",
    "assess_counts",
    "metrics_json",
    "verdict_for",
    "NON_BINARY_LABELS_ERROR",
    "LENGTH_MISMATCH_ERROR",
    "NO_ROWS_ERROR",
    "NO_SENSITIVE_FEATURES_ERROR",
    "SENSITIVE_MISSING_ERROR",
    "SCORES_NOT_FINITE_ERROR",
    "NO_PREDICTIONS_ERROR",
    "COUNTS_COLUMNS_ERROR",
    "COUNTS_TOTAL_ERROR",
    "REFERENCE_NEEDED_ERROR",
    "REFERENCE_NOT_FOUND_ERROR",
    "REFERENCE_ATTRIBUTE_ERROR",
    "INVALID_N_BOOT_ERROR",
    "INVALID_CONFIDENCE_ERROR",
    "INVALID_RANDOM_STATE_ERROR",
    "INVALID_COMPARISON_ERROR",
    "INVALID_RATIO_BOUND_ERROR",
    "INVALID_TOLERANCE_ERROR",
    "INVALID_MIN_GROUP_SIZE_ERROR",
    "INVALID_MIN_CASES_ERROR",
    "INVALID_REFERENCE_GROUPS_ERROR",
]
