"""Apply an :class:`~fairlab.spec.AuditSpec` to a DataFrame: the arrays an audit runs on.

``build_audit_data(frame, spec)`` checks the spec, drops the rows that cannot be audited
(no outcome; no sensitive value under the "drop" policy; no prediction or score), maps the
outcome to 1 (positive) / 0, turns each sensitive attribute into group labels (binned when
numeric, and with groups merged as the spec says), and keeps the features as they are
for the model pipelines.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from fairlab.labels import positive_mask
from fairlab.spec import AuditSpec, group_labels

__all__ = ["AuditData", "build_audit_data", "INTERSECTION_SEPARATOR", "intersection_name"]

INTERSECTION_SEPARATOR = " × "


def intersection_name(attributes: tuple[str, ...] | list[str]) -> str:
    """Name the intersection of several sensitive attributes, e.g. ``"sex×race"``."""
    return "×".join(attributes)


@dataclass(frozen=True)
class AuditData:
    """The rows an audit runs on, in the form metrics and models need.

    Attributes
    ----------
    X : pandas.DataFrame
        The feature columns of the kept rows, unchanged.
    y_true : numpy.ndarray of int8
        1 where the observed outcome is the positive one, else 0.
    sensitive_features : pandas.DataFrame
        One categorical column of group labels per sensitive attribute.
    y_pred : numpy.ndarray of int8 or None
        Predictions held in the file (from the prediction column, or score ≥ threshold).
    y_score : numpy.ndarray of float or None
        Scores held in the file.
    spec : AuditSpec
        The spec this was built from.
    dropped : dict of str to int
        How many rows were left out, by reason.
    """

    X: pd.DataFrame
    y_true: np.ndarray
    sensitive_features: pd.DataFrame
    y_pred: np.ndarray | None
    y_score: np.ndarray | None
    spec: AuditSpec
    dropped: dict[str, int] = field(default_factory=dict)

    @property
    def n_rows(self) -> int:
        """Number of rows kept for the audit."""
        return int(self.y_true.shape[0])

    @property
    def attributes(self) -> tuple[str, ...]:
        """The sensitive attributes, plus their intersection when there are several."""
        names = tuple(self.sensitive_features.columns)
        return names + ((intersection_name(names),) if len(names) >= 2 else ())

    def subset(self, rows: np.ndarray) -> AuditData:
        """The same audit restricted to some rows (positions, as from a split).

        Parameters
        ----------
        rows : numpy.ndarray of int
            Row positions, in the order wanted.

        Returns
        -------
        AuditData
        """
        rows = np.asarray(rows)
        return AuditData(
            X=self.X.iloc[rows].reset_index(drop=True),
            y_true=self.y_true[rows],
            sensitive_features=self.sensitive_features.iloc[rows].reset_index(drop=True),
            y_pred=None if self.y_pred is None else self.y_pred[rows],
            y_score=None if self.y_score is None else self.y_score[rows],
            spec=self.spec,
            dropped=dict(self.dropped),
        )

    def groups(self, attribute: str) -> pd.Series:
        """Group labels for one sensitive attribute or for the intersection name.

        Parameters
        ----------
        attribute : str
            A sensitive attribute, or the intersection name from :attr:`attributes`.

        Returns
        -------
        pandas.Series
            Categorical labels, one per kept row.
        """
        if attribute in self.sensitive_features.columns:
            return self.sensitive_features[attribute]
        names = tuple(self.sensitive_features.columns)
        if len(names) >= 2 and attribute == intersection_name(names):
            return _intersect(self.sensitive_features)
        raise KeyError(
            f"'{attribute}' is not a sensitive attribute of this audit. "
            f"Choose one of {list(self.attributes)}."
        )


def _intersect(groups: pd.DataFrame) -> pd.Series:
    """The intersection's labels, ordered as the product of each attribute's group order
    (bins stay in bin order: '< 30 × F' before '[30, 50) × F')."""
    combined = groups.iloc[:, 0].astype(str)
    order = _group_order(groups.iloc[:, 0])
    for column in groups.columns[1:]:
        combined = combined + INTERSECTION_SEPARATOR + groups[column].astype(str)
        order = [
            f"{left}{INTERSECTION_SEPARATOR}{right}"
            for left in order
            for right in _group_order(groups[column])
        ]
    present = set(combined.unique())
    categories = [label for label in order if label in present]
    categories += sorted(present.difference(categories))
    return pd.Series(
        pd.Categorical(combined, categories=categories), index=groups.index, name=combined.name
    )


def _group_order(labels: pd.Series) -> list[str]:
    if isinstance(labels.dtype, pd.CategoricalDtype):
        return [str(label) for label in labels.cat.categories]
    return sorted(str(label) for label in labels.unique())


def build_audit_data(frame: pd.DataFrame, spec: AuditSpec) -> AuditData:
    """Check ``spec`` against ``frame`` and build the arrays an audit runs on.

    Parameters
    ----------
    frame : pandas.DataFrame
        The whole dataset.
    spec : AuditSpec
        The user's choices.

    Returns
    -------
    AuditData

    Raises
    ------
    SpecError
        If the spec has error-severity problems on this data.
    """
    spec.check(frame)
    keep = frame[spec.target].notna().to_numpy()
    dropped: dict[str, int] = {}
    _count(dropped, "no outcome", ~keep)

    groups = {
        column: group_labels(
            frame[column],
            edges=spec.bins_for(column),
            missing=spec.missing_sensitive,
            merge=spec.merge_for(column),
        )
        for column in spec.sensitive
    }
    for column, labels in groups.items():
        has_group = labels.notna().to_numpy()
        _count(dropped, f"no value for '{column}'", keep & ~has_group)
        keep = keep & has_group

    y_pred_all = None
    y_score_all = None
    if spec.prediction_column is not None:
        predictions = frame[spec.prediction_column]
        has_prediction = predictions.notna().to_numpy()
        _count(dropped, "no prediction", keep & ~has_prediction)
        keep = keep & has_prediction
        y_pred_all = positive_mask(predictions, spec.prediction_positive).astype(np.int8)
    if spec.score_column is not None:
        scores = frame[spec.score_column].to_numpy(dtype=float, na_value=np.nan)
        finite = np.isfinite(scores)
        _count(dropped, "no usable score", keep & ~finite)
        keep = keep & finite
        y_score_all = scores
        if y_pred_all is None and spec.threshold is not None:
            y_pred_all = (np.nan_to_num(scores, nan=-np.inf) >= spec.threshold).astype(np.int8)

    y_true = positive_mask(frame[spec.target], spec.positive_label).astype(np.int8)[keep]
    sensitive = pd.DataFrame(
        {c: labels[keep].cat.remove_unused_categories() for c, labels in groups.items()}
    ).reset_index(drop=True)
    features = [c for c in spec.features if c in frame.columns]
    X = frame.loc[keep, features].reset_index(drop=True)
    return AuditData(
        X=X,
        y_true=y_true,
        sensitive_features=sensitive,
        y_pred=None if y_pred_all is None else y_pred_all[keep],
        y_score=None if y_score_all is None else y_score_all[keep],
        spec=spec,
        dropped={k: v for k, v in dropped.items() if v},
    )


def _count(dropped: dict[str, int], reason: str, newly_dropped: np.ndarray) -> None:
    dropped[reason] = dropped.get(reason, 0) + int(np.count_nonzero(newly_dropped))
