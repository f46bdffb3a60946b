"""Group tables: every rate of every group with its interval, and the calibration columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from fairlab.fairness._config import FairnessConfig
from fairlab.fairness._counts import (
    _FN,
    _FP,
    _INTERVAL_METRICS,
    _TN,
    _TP,
    COUNT_COLUMNS,
    METRIC_NAMES,
    _rates,
    _undefined_reason,
    denominators,
    numerators,
)
from fairlab.fairness._intervals import clopper_pearson


def group_table(labels: list[str], cells: np.ndarray, config: FairnessConfig) -> pd.DataFrame:
    """One row per group: counts, every rate with its Clopper–Pearson interval, reasons.

    ``cells`` has shape (groups, 4) in the order tn, fp, fn, tp.
    """
    sizes = cells.sum(axis=1)
    n_groups = cells.shape[0]
    point = _rates(cells, _INTERVAL_METRICS)
    low, high = clopper_pearson(
        np.stack([numerators(cells, name) for name in _INTERVAL_METRICS]),
        np.stack([denominators(cells, name) for name in _INTERVAL_METRICS]),
        config.confidence,
    )
    # Built as a few blocks of one dtype each: much faster than ~50 separate columns.
    counts = pd.DataFrame(
        np.column_stack([sizes, cells[:, _TP], cells[:, _FP], cells[:, _TN], cells[:, _FN]]),
        columns=list(COUNT_COLUMNS),
        dtype=np.int64,
    )
    interval_names = [f"{n}_{side}" for n in _INTERVAL_METRICS for side in ("low", "high")]
    rates = pd.DataFrame(
        np.column_stack(
            [point[n] for n in _INTERVAL_METRICS]
            + [bound for pair in zip(low, high, strict=True) for bound in pair]
        ),
        columns=[*_INTERVAL_METRICS, *interval_names],
    )
    reasons = np.full((n_groups, len(METRIC_NAMES)), None, dtype=object)
    for position, name in enumerate(METRIC_NAMES):
        reasons[np.isnan(point[name]), position] = _undefined_reason(name)
    undefined = pd.DataFrame(
        reasons, columns=[f"{name}_undefined" for name in METRIC_NAMES], dtype=object
    )
    return pd.concat(
        [
            pd.DataFrame({"group": labels}),
            counts,
            rates,
            undefined,
            pd.DataFrame({"small": sizes < config.min_group_size}),
        ],
        axis=1,
    )


def with_calibration(
    table: pd.DataFrame,
    centred_sums: np.ndarray,
    centred_squares: np.ndarray,
    *,
    shift: float,
    confidence: float,
) -> pd.DataFrame:
    """Add mean score (normal interval) and observed rate (Clopper–Pearson) per group.

    ``centred_sums`` and ``centred_squares`` are per-group sums of ``score - shift`` and of
    its square.
    """
    sizes = table["count"].to_numpy(dtype=float)
    positives = (table["tp"] + table["fn"]).to_numpy(dtype=float)
    centred_mean = centred_sums / sizes
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        variance = np.maximum(centred_squares - sizes * centred_mean**2, 0) / (sizes - 1)
        half = np.where(sizes > 1, z * np.sqrt(variance / sizes), np.nan)
    mean = shift + centred_mean
    low, high = clopper_pearson(positives, sizes, confidence)
    table = table.copy()
    table["mean_score"] = mean
    table["mean_score_low"] = mean - half
    table["mean_score_high"] = mean + half
    table["observed_rate"] = positives / sizes
    table["observed_rate_low"] = low
    table["observed_rate_high"] = high
    return table


