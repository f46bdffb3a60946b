"""Map the columns a fitted ColumnTransformer produces back to the user's feature columns.

A one-hot encoder turns ``occupation`` into ``occupation_Sales``, ``occupation_Tech`` and so
on; an explanation that speaks of those columns speaks of something the user never wrote.
:func:`source_columns` names, for every transformed column, the input column it came from,
and :func:`fold_columns` sums per-column attributions back onto those sources.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from fairlab.errors import ModelError

__all__ = ["source_columns", "fold_columns", "NO_PREPROCESS_ERROR", "UNMAPPED_COLUMNS_ERROR"]

NO_PREPROCESS_ERROR = (
    "The model has no fitted 'preprocess' step (a ColumnTransformer), so its encoded columns "
    "cannot be traced back to the features. Use a model trained by FairLab."
)
UNMAPPED_COLUMNS_ERROR = (
    "The transformer '{name}' turns {n_in} column(s) into {n_out}, and FairLab cannot tell "
    "which output comes from which input. Use a model trained by FairLab."
)


def source_columns(pipeline: Pipeline | ColumnTransformer) -> list[str]:
    """Name the source feature of every column the preprocessing step outputs.

    Parameters
    ----------
    pipeline : sklearn.pipeline.Pipeline or sklearn.compose.ColumnTransformer
        A fitted pipeline whose ``"preprocess"`` step is a ColumnTransformer (as built by
        :func:`fairlab.models.build_pipeline`), or that ColumnTransformer itself.

    Returns
    -------
    list of str
        One input column name per output column of the ColumnTransformer, in the order of
        ``get_feature_names_out()``.

    Raises
    ------
    ModelError
        If there is no fitted ColumnTransformer, or one of its parts maps several inputs to
        several outputs in a way that cannot be traced (only one-hot encoders and
        one-output-per-input transformers can).
    """
    preprocess = pipeline
    if isinstance(pipeline, Pipeline):
        preprocess = pipeline.named_steps.get("preprocess")
    if not isinstance(preprocess, ColumnTransformer) or not hasattr(preprocess, "transformers_"):
        raise ModelError(NO_PREPROCESS_ERROR)
    names_in = [str(c) for c in getattr(preprocess, "feature_names_in_", [])]
    sources: list[str] = []
    for name, transformer, columns in preprocess.transformers_:
        if isinstance(transformer, str) and transformer == "drop":
            continue
        columns = _column_names(columns, names_in)
        if not columns:
            continue
        if isinstance(transformer, str):  # "passthrough"
            sources.extend(columns)
            continue
        n_out = len(transformer.get_feature_names_out(columns))
        sources.extend(_map_part(name, transformer, columns, n_out))
    expected = len(preprocess.get_feature_names_out())
    if len(sources) != expected:
        raise ModelError(
            UNMAPPED_COLUMNS_ERROR.format(name="preprocess", n_in=len(names_in), n_out=expected)
        )
    return sources


def fold_columns(
    values: np.ndarray, sources: Sequence[str], features: Sequence[str]
) -> pd.DataFrame:
    """Sum attributions of transformed columns onto their source features.

    Parameters
    ----------
    values : numpy.ndarray of shape (n_rows, n_transformed)
        Attributions of the transformed columns.
    sources : sequence of str
        The source feature of each transformed column (from :func:`source_columns`).
    features : sequence of str
        The user's features, in the order the result lists them. A feature with no
        transformed column (dropped by the preprocessing) gets zeros.

    Returns
    -------
    pandas.DataFrame of shape (n_rows, len(features))
        Row sums are those of ``values``.
    """
    values = np.asarray(values, dtype=float)
    position = {feature: i for i, feature in enumerate(features)}
    folding = np.zeros((values.shape[1], len(features)))
    folding[np.arange(values.shape[1]), [position[s] for s in sources]] = 1.0
    return pd.DataFrame(values @ folding, columns=list(features))


def _column_names(columns: object, names_in: list[str]) -> list[str]:
    if isinstance(columns, slice) or callable(columns):
        raise ModelError(UNMAPPED_COLUMNS_ERROR.format(name="preprocess", n_in="?", n_out="?"))
    items = list(np.atleast_1d(np.asarray(columns, dtype=object)))
    if items and all(isinstance(c, (bool, np.bool_)) for c in items):
        return [n for n, keep in zip(names_in, items, strict=True) if keep]
    return [names_in[int(c)] if isinstance(c, (int, np.integer)) else str(c) for c in items]


def _map_part(name: str, transformer: object, columns: list[str], n_out: int) -> list[str]:
    if n_out == len(columns) and not isinstance(_last_step(transformer), OneHotEncoder):
        return list(columns)
    encoder = _last_step(transformer)
    if isinstance(encoder, OneHotEncoder):
        counts = _one_hot_counts(encoder)
        if sum(counts) == n_out and len(counts) == len(columns):
            return [c for c, k in zip(columns, counts, strict=True) for _ in range(k)]
    raise ModelError(UNMAPPED_COLUMNS_ERROR.format(name=name, n_in=len(columns), n_out=n_out))


def _last_step(transformer: object) -> object:
    while isinstance(transformer, Pipeline):
        transformer = transformer.steps[-1][1]
    return transformer


def _one_hot_counts(encoder: OneHotEncoder) -> list[int]:
    infrequent = getattr(encoder, "infrequent_categories_", None) or [None] * len(
        encoder.categories_
    )
    drop_idx = getattr(encoder, "drop_idx_", None)
    counts = []
    for i, categories in enumerate(encoder.categories_):
        count = len(categories)
        if infrequent[i] is not None:
            count -= len(infrequent[i]) - 1
        if drop_idx is not None and drop_idx[i] is not None:
            count -= 1
        counts.append(count)
    return counts
