"""Suggest a first audit spec for a table nobody has described yet.

For an uploaded CSV FairLab guesses the outcome column, its positive value, the sensitive
attributes and the features from column names and roles, so the user corrects a draft
instead of filling a blank form. Every guess is shown and editable; nothing is decided
silently.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

import pandas as pd

from fairlab.labels import detect_positive_label
from fairlab.leakage import check_leakage
from fairlab.spec import AuditSpec, SensitiveBins, needs_bins, suggest_bins

__all__ = [
    "suggest_spec",
    "default_features",
    "high_cardinality_columns",
    "EXCLUDED_FEATURE_ROLES",
    "MAX_DEFAULT_CATEGORIES",
]

EXCLUDED_FEATURE_ROLES = ("identifier", "constant", "text", "datetime")
"""Column roles left out of the default features: they identify rows or need feature
engineering a classic model cannot do by itself."""

MAX_DEFAULT_CATEGORIES = 50
"""Text columns with more distinct values than this (names, free-form descriptions) are left
out of the default features: as one-hot columns they mostly memorise rows."""

_TARGET_NAMES = re.compile(
    r"^(target|label|outcome|y|class|income|decision|approved|hired|default|credit|"
    r"two_year_recid|recid|is_recid|churn|response|result)$",
    re.IGNORECASE,
)
_SENSITIVE_NAMES = re.compile(
    r"^(sex|gender|race|ethnicity|ethnic_group|age|religion|nationality|national_origin|"
    r"disability|marital_status|pregnancy|sexual_orientation|native_country|citizenship|"
    r"genre|sexe|geschlecht|sexo|alter|edad|idade)$",
    re.IGNORECASE,
)
_PREDICTION_NAMES = re.compile(
    r"^(y_pred|pred|prediction|predicted|y_hat|yhat|decision_pred)$", re.I
)
_SCORE_NAMES = re.compile(
    r"^(score|y_score|y_prob|proba|probability|prob|risk_score)$", re.IGNORECASE
)


def _plain_name(column: object) -> str:
    """The column name without accents, so 'Âge' reads as 'age'."""
    decomposed = unicodedata.normalize("NFKD", str(column))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def default_features(
    roles: Mapping[str, str],
    *,
    target: str,
    sensitive: Sequence[str],
    exclude: Sequence[str] = (),
) -> tuple[str, ...]:
    """Every column a model may use by default.

    That is all columns except the target, the sensitive attributes, the columns in
    ``exclude`` (predictions, scores) and the roles in :data:`EXCLUDED_FEATURE_ROLES`.

    Parameters
    ----------
    roles : mapping of str to str
        Column name to role, in column order.
    target : str
        The outcome column.
    sensitive : sequence of str
        Sensitive attributes (left out: using them is an explicit choice).
    exclude : sequence of str, default ()
        Other columns to leave out.

    Returns
    -------
    tuple of str
    """
    skip = {target, *sensitive, *exclude}
    return tuple(
        c for c, role in roles.items() if c not in skip and role not in EXCLUDED_FEATURE_ROLES
    )


def high_cardinality_columns(frame: pd.DataFrame, roles: Mapping[str, str]) -> tuple[str, ...]:
    """The categorical columns with more than :data:`MAX_DEFAULT_CATEGORIES` distinct values.

    Parameters
    ----------
    frame : pandas.DataFrame
    roles : mapping of str to str
        Column name to role.

    Returns
    -------
    tuple of str
        In column order.
    """
    return tuple(
        c
        for c, role in roles.items()
        if role == "categorical"
        and c in frame.columns
        and frame[c].nunique(dropna=True) > MAX_DEFAULT_CATEGORIES
    )


def _guess_target(frame: pd.DataFrame, roles: Mapping[str, str]) -> str:
    for column in frame.columns:
        if _TARGET_NAMES.match(_plain_name(column)) and roles.get(column) in (
            "boolean",
            "categorical",
            "numeric",
        ):
            return str(column)
    for column in reversed(frame.columns):
        if roles.get(column) == "boolean":
            return str(column)
    for column in reversed(frame.columns):
        if roles.get(column) == "categorical":
            return str(column)
    return str(frame.columns[-1])


def suggest_spec(
    frame: pd.DataFrame, roles: Mapping[str, str], *, target: str | None = None
) -> AuditSpec:
    """Draft an audit spec from column names and roles.

    Parameters
    ----------
    frame : pandas.DataFrame
        The data.
    roles : mapping of str to str
        Column name to role (see :func:`fairlab.data.csv.infer_column_roles`).
    target : str, optional
        The outcome column, if the user already chose it.

    Returns
    -------
    AuditSpec
        A draft: the positive value is empty when it is ambiguous, and the sensitive
        attributes are empty when no column name suggests one; ``validate`` then says
        what to choose. The features leave out predictions and scores, the roles of
        :data:`EXCLUDED_FEATURE_ROLES`, categorical columns with more than
        :data:`MAX_DEFAULT_CATEGORIES` values, and every column
        :func:`fairlab.leakage.check_leakage` flags.
    """
    target = target if target is not None else _guess_target(frame, roles)
    positive = detect_positive_label(frame[target]) if target in frame.columns else None
    sensitive = tuple(
        str(c)
        for c in frame.columns
        if c != target and _SENSITIVE_NAMES.match(_plain_name(c)) and roles.get(c) != "constant"
    )
    bins = tuple(
        SensitiveBins(column=c, edges=suggest_bins(frame[c]))
        for c in sensitive
        if needs_bins(frame[c])
    )
    prediction = next(
        (str(c) for c in frame.columns if _PREDICTION_NAMES.match(str(c)) and c != target), None
    )
    score = next(
        (
            str(c)
            for c in frame.columns
            if _SCORE_NAMES.match(str(c)) and roles.get(c) == "numeric" and c != target
        ),
        None,
    )
    prediction_positive: tuple = ()
    if prediction is not None:
        detected = detect_positive_label(frame[prediction])
        prediction_positive = () if detected is None else (detected,)
    threshold = None
    if score is not None:
        values = pd.to_numeric(frame[score], errors="coerce")
        threshold = 0.5 if values.min() >= 0 and values.max() <= 1 else float(values.median())
    exclude = [c for c in (prediction, score) if c is not None]
    exclude += high_cardinality_columns(frame, roles)
    features = default_features(roles, target=target, sensitive=sensitive, exclude=exclude)
    if positive is not None:
        draft = AuditSpec(target=target, positive_label=positive, sensitive=(), features=features)
        leaking = {finding.column for finding in check_leakage(frame, draft)}
        features = tuple(c for c in features if c not in leaking)
    return AuditSpec(
        target=target,
        positive_label="" if positive is None else positive,
        sensitive=sensitive,
        features=features,
        bins=bins,
        prediction_column=prediction,
        prediction_positive=prediction_positive,
        score_column=score,
        threshold=threshold,
    )
