"""The entry points: assess arrays, an audit, or confusion counts already tallied."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from fairlab.audit_data import AuditData
from fairlab.fairness._config import FairnessConfig, FairnessResult
from fairlab.fairness._counts import (
    _FN,
    _FP,
    _TN,
    _TP,
    _binary,
    _check_length,
    _count_cells,
    _group_codes,
    _sensitive_frame,
)
from fairlab.fairness._disparities import disparity_table, reference_index
from fairlab.fairness._groups import group_table, with_calibration
from fairlab.fairness._messages import (
    COUNTS_TOTAL_ERROR,
    NO_PREDICTIONS_ERROR,
    NO_ROWS_ERROR,
    NO_SENSITIVE_FEATURES_ERROR,
    REFERENCE_ATTRIBUTE_ERROR,
    SCORES_NOT_FINITE_ERROR,
    SENSITIVE_MISSING_ERROR,
    FairnessError,
)


def assess_fairness(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: pd.DataFrame | pd.Series,
    y_score: Any = None,
    config: FairnessConfig = FairnessConfig(),  # noqa: B008 - frozen, so a safe default
) -> FairnessResult:
    """Assess a classifier's decisions group by group.

    Parameters
    ----------
    y_true : array-like of 0/1
        Observed outcomes, 1 for the positive one.
    y_pred : array-like of 0/1
        Predicted outcomes, 1 for the positive one.
    sensitive_features : pandas.DataFrame or pandas.Series
        One column of group labels per sensitive attribute, one row per entry of
        ``y_true``. Each column is assessed on its own; to assess an intersection, add it
        as a column (as :func:`assess_audit` does).
    y_score : array-like of float, optional
        Scores; when given, the group tables get the calibration columns.
    config : FairnessConfig, optional
        Resamples, comparison, bounds.

    Returns
    -------
    FairnessResult

    Raises
    ------
    FairnessError
        If the labels are not 0/1, the lengths differ, there are no rows or sensitive
        features, a sensitive feature has missing values, scores are not finite, or a
        reference group does not exist.

    Notes
    -----
    Differences and ratios of a rate ``r`` over the groups ``g`` whose rate is defined:

    - ``"between_groups"``: difference ``max_g r_g − min_g r_g``, ratio
      ``min_g r_g / max_g r_g`` (fairlearn's ``method="between_groups"``);
    - ``"reference"``: difference ``max_g |r_g − r_ref|``, ratio
      ``min_g min(r_g / r_ref, r_ref / r_g)``;
    - ``"overall"``: as ``"reference"`` with the rate over all rows in place of
      ``r_ref`` (fairlearn's ``method="to_overall"``).

    A ratio of two zero rates is undefined and skipped, as in fairlearn; if every ratio
    is skipped, the disparity is undefined. Equalized odds takes the larger of the true
    and false positive rate differences, and the smaller of their ratios. Error-rate
    parity compares ``1 − accuracy``.

    Intervals are computed from the counts, with no resampling (so the same counts always
    give the same intervals). Each group rate gets a Clopper–Pearson interval. Each
    comparison behind a disparity (a pair of groups; a group and the reference group; a
    group and all rows) gets a MOVER interval for its difference and for its ratio, at the
    Šidák level that makes all comparisons of the criterion hold together at
    ``confidence`` (equalized odds: its true and false positive rate comparisons form one
    family). The disparity's interval is the one those imply: for a difference, from the
    largest lower bound of ``|d|`` (0 when a comparison's interval contains 0) to the
    largest upper bound; for a ratio, from the smallest lower to the smallest upper bound
    of the folded ratios ``min(q, 1/q)``. It always contains the disparity.

    A difference *fails* when some comparison of two groups with at least ``min_cases``
    cases each is shown above the tolerance (its simultaneous lower bound exceeds it), and
    *passes* when every comparison is shown within it and no group is too small; a ratio
    likewise against its bound. Otherwise it is *insufficient evidence*. The sentence names
    the comparison that drives the verdict and lists the groups too small to be confident
    about, with their counts.
    """
    y_true_array = _binary(y_true, "y_true")
    n_rows = y_true_array.shape[0]
    if n_rows == 0:
        raise FairnessError(NO_ROWS_ERROR)
    y_pred_array = _binary(y_pred, "y_pred")
    _check_length(y_pred_array, "y_pred", n_rows)
    frame = _sensitive_frame(sensitive_features, n_rows)
    scores = None
    if y_score is not None:
        scores = np.asarray(y_score, dtype=float).reshape(-1)
        _check_length(scores, "y_score", n_rows)
        n_bad = int(np.count_nonzero(~np.isfinite(scores)))
        if n_bad:
            raise FairnessError(SCORES_NOT_FINITE_ERROR.format(n=n_bad))

    cell = 2 * y_true_array + y_pred_array
    counts: dict[str, pd.DataFrame] = {}
    codes_by_attribute: dict[str, np.ndarray] = {}
    for attribute in frame.columns:
        codes, labels = _group_codes(frame[attribute])
        n_missing = int(np.count_nonzero(codes < 0))
        if n_missing:
            raise FairnessError(SENSITIVE_MISSING_ERROR.format(column=attribute, n=n_missing))
        tally = np.bincount(codes * 4 + cell, minlength=4 * len(labels)).reshape(-1, 4)
        used = tally.sum(axis=1) > 0
        if not used.all():  # categories without rows are not groups
            codes = (np.cumsum(used) - 1)[codes]
            tally, labels = tally[used], [label for label, u in zip(labels, used, strict=True) if u]
        counts[attribute] = pd.DataFrame(
            {
                "group": labels,
                "tp": tally[:, _TP],
                "fp": tally[:, _FP],
                "tn": tally[:, _TN],
                "fn": tally[:, _FN],
            }
        )
        codes_by_attribute[attribute] = codes
    result = assess_counts(counts, config=config)
    if scores is None:
        return result
    # Centring first keeps the one-pass variance accurate for scores far from 0.
    shift = float(scores.mean())
    centred = scores - shift
    squared = centred**2
    by_group = {
        attribute: with_calibration(
            table,
            np.bincount(codes_by_attribute[attribute], weights=centred, minlength=len(table)),
            np.bincount(codes_by_attribute[attribute], weights=squared, minlength=len(table)),
            shift=shift,
            confidence=config.confidence,
        )
        for attribute, table in result.by_group.items()
    }
    overall_calibration = with_calibration(
        result.overall.to_frame().T,
        np.array([centred.sum()]),
        np.array([squared.sum()]),
        shift=shift,
        confidence=config.confidence,
    )
    overall = overall_calibration.iloc[0].rename("overall")
    return FairnessResult(
        overall=overall, by_group=by_group, disparities=result.disparities, config=config
    )


def assess_audit(
    data: AuditData,
    *,
    y_pred: Any = None,
    y_score: Any = None,
    config: FairnessConfig = FairnessConfig(),  # noqa: B008 - frozen, so a safe default
) -> FairnessResult:
    """Assess the predictions of an audit, per sensitive attribute and their intersection.

    Parameters
    ----------
    data : AuditData
        From :func:`fairlab.audit_data.build_audit_data` (or a split of it).
    y_pred : array-like of 0/1, optional
        Predictions for the rows of ``data``; defaults to ``data.y_pred``.
    y_score : array-like of float, optional
        Scores for the rows of ``data``; defaults to ``data.y_score``.
    config : FairnessConfig, optional
        Resamples, comparison, bounds.

    Returns
    -------
    FairnessResult
        Keyed by ``data.attributes``: each sensitive attribute, then their intersection
        (such as ``"sex×race"``) when there are several.

    Raises
    ------
    FairnessError
        If there are no predictions, or as :func:`assess_fairness`.
    """
    predictions = data.y_pred if y_pred is None else y_pred
    if predictions is None:
        raise FairnessError(NO_PREDICTIONS_ERROR)
    scores = data.y_score if y_score is None else y_score
    # Categorical group labels keep their order (bins in increasing order) and encode free.
    sensitive = pd.DataFrame(
        {attribute: data.groups(attribute).reset_index(drop=True) for attribute in data.attributes}
    )
    return assess_fairness(
        data.y_true, predictions, sensitive_features=sensitive, y_score=scores, config=config
    )


def assess_counts(
    counts: Mapping[str, pd.DataFrame],
    *,
    config: FairnessConfig = FairnessConfig(),  # noqa: B008 - frozen, so a safe default
) -> FairnessResult:
    """Assess fairness from confusion counts already tallied per group.

    Everything :func:`assess_fairness` reports except the calibration columns depends on
    the rows only through these counts, so a caller that tallies them itself (after
    moving a threshold, say) gets the same result.

    Parameters
    ----------
    counts : mapping of str to pandas.DataFrame
        Per attribute, one row per group with the columns ``group, tp, fp, tn, fn``.
        Groups with no rows are dropped. Every attribute must count the same rows.
    config : FairnessConfig, optional
        Resamples, comparison, bounds.

    Returns
    -------
    FairnessResult

    Raises
    ------
    FairnessError
        If columns are missing, counts are negative, totals differ between attributes,
        there are no rows, or a reference group does not exist.
    """
    if not counts:
        raise FairnessError(NO_SENSITIVE_FEATURES_ERROR)
    cleaned: dict[str, tuple[list[str], np.ndarray]] = {}
    for attribute, table in counts.items():
        cleaned[str(attribute)] = _count_cells(str(attribute), table)
    first = next(iter(cleaned))
    total = int(cleaned[first][1].sum())
    if total == 0:
        raise FairnessError(NO_ROWS_ERROR)
    for attribute, (_, cells) in cleaned.items():
        if int(cells.sum()) != total:
            raise FairnessError(
                COUNTS_TOTAL_ERROR.format(
                    attribute=attribute, got=int(cells.sum()), first=first, expected=total
                )
            )
    unknown = [a for a, _ in config.reference_groups if a not in cleaned]
    if config.comparison == "reference" and unknown:
        raise FairnessError(
            REFERENCE_ATTRIBUTE_ERROR.format(attribute=unknown[0], attributes=list(cleaned))
        )

    overall_cells = cleaned[first][1].sum(axis=0)
    overall_table = group_table(["overall"], overall_cells[None, :], config)
    overall = overall_table.drop(columns=["group", "small"]).iloc[0].rename("overall")

    by_group: dict[str, pd.DataFrame] = {}
    disparities: dict[str, pd.DataFrame] = {}
    for attribute, (labels, cells) in cleaned.items():
        by_group[attribute] = group_table(labels, cells, config)
        reference = reference_index(attribute, labels, cells, config)
        disparities[attribute] = disparity_table(attribute, labels, cells, reference, config)
    return FairnessResult(
        overall=overall, by_group=by_group, disparities=disparities, config=config
    )
