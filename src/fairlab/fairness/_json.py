"""``metrics.json``: a result as plain JSON types, null for undefined numbers."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from fairlab.fairness._config import FairnessResult
from fairlab.fairness._counts import _INTERVAL_METRICS, COUNT_COLUMNS, METRIC_NAMES
from fairlab.fairness._disparities import METHOD
from fairlab.spec import AuditSpec


def metrics_json(result: FairnessResult, spec: AuditSpec) -> dict[str, Any]:
    """The ``metrics.json`` of an audit: plain JSON types, null for undefined numbers.

    Parameters
    ----------
    result : FairnessResult
        From :func:`assess_fairness` or :func:`assess_audit`.
    spec : AuditSpec
        The spec of the audit, written under ``"spec"``.

    Returns
    -------
    dict
        ``{"spec", "config", "method", "overall", "by_group", "disparities"}``. ``overall`` and each
        entry of ``by_group[ATTR]`` (a list, one per group) hold ``count, tp, fp, tn, fn``
        (groups also ``group`` and ``small``), ``base_rate`` and the metrics of
        :data:`METRIC_NAMES` (null when undefined), ``"ci": {METRIC: [low, high]}``, and
        ``"undefined": {METRIC: reason}`` for the undefined ones; with scores also
        ``mean_score`` and ``observed_rate`` with their intervals.
        ``disparities[ATTR][NAME]`` holds ``value, ci, verdict, sentence, excluded_groups,
        reason``, and ``level`` (the confidence of ``ci``, simultaneous over the
        comparisons), ``comparisons`` and ``pair_level`` (their number and the Šidák level
        of each), ``pair`` (the comparison that drives the verdict: ``groups``, ``metric``,
        ``value``, ``ci``, or null when undefined) and ``too_small`` (a list of
        ``{"group", "metric", "cases"}``). ``method`` states the inference in words with
        its ``level`` and ``min_cases``. An intersection appears under its name, such as
        ``"sex×race"``. Serialisable with ``json.dumps(..., allow_nan=False)``.
    """
    return {
        "spec": spec.to_dict(),
        "config": result.config.to_dict(),
        "method": {
            "description": METHOD,
            "level": result.config.confidence,
            "min_cases": result.config.min_cases,
        },
        "overall": _metrics_record(result.overall),
        "by_group": {
            attribute: [_metrics_record(row) for _, row in table.iterrows()]
            for attribute, table in result.by_group.items()
        },
        "disparities": {
            attribute: {
                name: {
                    "value": _number(row["value"]),
                    "ci": [_number(row["ci_low"]), _number(row["ci_high"])],
                    "verdict": row["verdict"],
                    "sentence": row["sentence"],
                    "excluded_groups": list(row["excluded_groups"]),
                    "reason": row["reason"],
                    "level": result.config.confidence,
                    "comparisons": int(row["comparisons"]),
                    "pair_level": _number(row["pair_confidence"]),
                    "pair": _pair_record(row),
                    "too_small": [
                        {"group": group, "metric": metric, "cases": cases}
                        for group, metric, cases in row["too_small"]
                    ],
                }
                for name, row in table.iterrows()
            }
            for attribute, table in result.disparities.items()
        },
    }


def _metrics_record(row: pd.Series) -> dict[str, Any]:
    record: dict[str, Any] = {}
    if "group" in row.index:
        record["group"] = str(row["group"])
    for column in COUNT_COLUMNS:
        record[column] = int(row[column])
    if "small" in row.index:
        record["small"] = bool(row["small"])
    valued = [*_INTERVAL_METRICS]
    if "mean_score" in row.index:
        valued += ["mean_score", "observed_rate"]
    for name in valued:
        record[name] = _number(row[name])
    record["ci"] = {
        name: [_number(row[f"{name}_low"]), _number(row[f"{name}_high"])] for name in valued
    }
    record["undefined"] = {
        name: str(row[f"{name}_undefined"])
        for name in METRIC_NAMES
        if row[f"{name}_undefined"] is not None
    }
    return record


def _pair_record(row: pd.Series) -> dict[str, Any] | None:
    if not row["pair"]:
        return None
    return {
        "groups": list(row["pair"]),
        "metric": row["pair_metric"],
        "value": _number(row["pair_value"]),
        "ci": [_number(row["pair_ci_low"]), _number(row["pair_ci_high"])],
    }


def _number(value: Any) -> float | None:
    number = float(value)
    return None if math.isnan(number) or math.isinf(number) else number
