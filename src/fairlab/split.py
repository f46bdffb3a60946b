"""Split an audit into a training set and a test set, stratified by outcome and group.

A model is trained on one part of the rows and assessed on the other. :func:`split_audit_data`
keeps the share of each *stratum* — an outcome (positive or negative) crossed with the
intersection of all sensitive groups — the same in both parts, so a small group is not left
out of the test set by chance. Strata too small to appear in both parts are merged, within
their outcome, into a catch-all stratum: the split then still keeps the outcome balanced and
never fails on rare groups. Only data too small to split at all is refused.

The split is a pair of row-position arrays (:class:`Split`), so it is cheap to cache and to
apply again with :meth:`Split.train` and :meth:`Split.test`.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from fairlab.audit_data import AuditData
from fairlab.errors import ModelError

__all__ = [
    "SplitConfig",
    "Split",
    "split_audit_data",
    "MIN_SPLIT_ROWS",
    "MIN_CLASS_ROWS",
    "MAX_RANDOM_STATE",
    "TEST_SIZE_ERROR",
    "RANDOM_STATE_ERROR",
    "TOO_FEW_ROWS_ERROR",
    "CLASS_TOO_SMALL_ERROR",
    "SPLIT_SIZES_ERROR",
]

MIN_SPLIT_ROWS = 10
"""Fewer rows than this cannot be split into a training set and a test set."""
MIN_CLASS_ROWS = 2
"""Each outcome needs at least this many rows: some to train on and some to test on."""
MAX_RANDOM_STATE = 2**32 - 1

TEST_SIZE_ERROR = "The 'test_size' parameter must be a float in (0, 1). Got {value!r} instead."
RANDOM_STATE_ERROR = (
    "The 'random_state' parameter must be an int in [0, {high}]. Got {value!r} instead."
)
TOO_FEW_ROWS_ERROR = (
    "The audit has {n} rows, too few to split into a training set and a test set (at least "
    f"{MIN_SPLIT_ROWS} are needed). Use a larger dataset, or audit predictions already in "
    "the file instead of training a model."
)
CLASS_TOO_SMALL_ERROR = (
    "Only {count} rows have the {outcome} outcome, too few to train a model and test it (at "
    f"least {MIN_CLASS_ROWS} are needed). Choose another positive value or use more data."
)
SPLIT_SIZES_ERROR = (
    "With {n} rows and a test size of {test_size:g}, the {part} set would have {size} rows. "
    "Choose a test size that leaves at least 2 rows in each set."
)


@dataclass(frozen=True)
class SplitConfig:
    """How to split an audit into training and test rows.

    Parameters
    ----------
    test_size : float, default 0.3
        The share of rows held out for testing, in (0, 1).
    random_state : int, default 0
        Seed of the shuffle; the same seed gives the same split.

    Raises
    ------
    ModelError
        If ``test_size`` is not in (0, 1) or ``random_state`` is not an int in
        [0, 2**32 - 1].
    """

    test_size: float = 0.3
    random_state: int = 0

    def __post_init__(self) -> None:
        size = self.test_size
        if (
            isinstance(size, bool)
            or not isinstance(size, numbers.Real)
            or not math.isfinite(size)
            or not 0 < size < 1
        ):
            raise ModelError(TEST_SIZE_ERROR.format(value=size))
        object.__setattr__(self, "test_size", float(size))
        seed = self.random_state
        if (
            isinstance(seed, bool)
            or not isinstance(seed, numbers.Integral)
            or not 0 <= seed <= MAX_RANDOM_STATE
        ):
            raise ModelError(RANDOM_STATE_ERROR.format(high=MAX_RANDOM_STATE, value=seed))
        object.__setattr__(self, "random_state", int(seed))


@dataclass(frozen=True, eq=False)
class Split:
    """Which rows of an audit are for training and which for testing.

    Attributes
    ----------
    train_rows, test_rows : numpy.ndarray of int
        Row positions in the :class:`~fairlab.audit_data.AuditData` that was split, in
        increasing order, disjoint, together covering every row. Read-only.
    config : SplitConfig
        The configuration that produced the split.
    merged_rows : int
        Rows whose outcome × group stratum was too small to appear in both sets, and so
        were stratified by outcome only.
    """

    train_rows: np.ndarray
    test_rows: np.ndarray
    config: SplitConfig
    merged_rows: int = 0

    def __post_init__(self) -> None:
        for name in ("train_rows", "test_rows"):
            rows = np.array(getattr(self, name), dtype=np.intp)
            rows.setflags(write=False)
            object.__setattr__(self, name, rows)

    @property
    def n_rows(self) -> int:
        """Number of rows of the data that was split."""
        return int(self.train_rows.size + self.test_rows.size)

    def train(self, data: AuditData) -> AuditData:
        """The training rows of ``data``.

        Parameters
        ----------
        data : AuditData
            The audit that was split.

        Returns
        -------
        AuditData

        Raises
        ------
        ValueError
            If ``data`` does not have the number of rows that was split.
        """
        return self._part(data, self.train_rows)

    def test(self, data: AuditData) -> AuditData:
        """The test rows of ``data``.

        Parameters
        ----------
        data : AuditData
            The audit that was split.

        Returns
        -------
        AuditData

        Raises
        ------
        ValueError
            If ``data`` does not have the number of rows that was split.
        """
        return self._part(data, self.test_rows)

    def _part(self, data: AuditData, rows: np.ndarray) -> AuditData:
        if data.n_rows != self.n_rows:
            raise ValueError(
                f"This split is of {self.n_rows} rows, but the data has {data.n_rows}. "
                "Split the data it is applied to."
            )
        return data.subset(rows)


def split_audit_data(data: AuditData, config: SplitConfig | None = None) -> Split:
    """Split an audit into training and test rows, stratified by outcome × groups.

    Parameters
    ----------
    data : AuditData
        The audit to split.
    config : SplitConfig, optional
        Test size and seed; ``SplitConfig()`` when omitted.

    Returns
    -------
    Split

    Raises
    ------
    ModelError
        If the data has fewer than :data:`MIN_SPLIT_ROWS` rows, an outcome has fewer
        than :data:`MIN_CLASS_ROWS` rows, or the test size leaves fewer than two rows
        in one of the sets.

    Notes
    -----
    A stratum is kept only if it can be expected to put at least one row in each set,
    that is if it has at least ``ceil(1 / min(test_size, 1 - test_size))`` rows (4 for the
    default test size) and never fewer than 2. Smaller strata are pooled per outcome; a
    pool that is still too small joins the largest stratum of its outcome. If there are
    then more strata than rows in the smaller set, the smallest strata are pooled too.
    When a very small or very large test size leaves an outcome out of one set, one row
    of it is swapped with a row of the other outcome, so both sets hold both outcomes.
    """
    config = SplitConfig() if config is None else config
    n_rows = data.n_rows
    if n_rows < MIN_SPLIT_ROWS:
        raise ModelError(TOO_FEW_ROWS_ERROR.format(n=n_rows))
    y = np.asarray(data.y_true)
    for value, outcome in ((1, "positive"), (0, "negative")):
        count = int(np.count_nonzero(y == value))
        if count < MIN_CLASS_ROWS:
            raise ModelError(CLASS_TOO_SMALL_ERROR.format(count=count, outcome=outcome))
    n_test = math.ceil(config.test_size * n_rows)
    n_train = n_rows - n_test
    for part, size in (("test", n_test), ("training", n_train)):
        if size < 2:
            raise ModelError(
                SPLIT_SIZES_ERROR.format(n=n_rows, test_size=config.test_size, part=part, size=size)
            )

    min_stratum = max(2, math.ceil(1 / min(config.test_size, 1 - config.test_size)))
    strata, merged_rows = _strata(
        y, _group_keys(data), min_stratum=min_stratum, max_strata=min(n_test, n_train)
    )
    train_rows, test_rows = train_test_split(
        np.arange(n_rows),
        test_size=n_test,
        random_state=config.random_state,
        shuffle=True,
        stratify=strata,
    )
    train_rows, test_rows = _both_outcomes_in_each(
        train_rows, test_rows, y, rng=np.random.default_rng(config.random_state)
    )
    return Split(
        train_rows=np.sort(train_rows),
        test_rows=np.sort(test_rows),
        config=config,
        merged_rows=merged_rows,
    )


def _group_keys(data: AuditData) -> np.ndarray:
    """One integer per row naming its intersection of sensitive groups."""
    groups = data.sensitive_features
    if groups.shape[1] == 0:
        return np.zeros(data.n_rows, dtype=np.int64)
    codes = [pd.factorize(groups[column], use_na_sentinel=False)[0] for column in groups]
    keys, _ = pd.factorize(pd.MultiIndex.from_arrays(codes), use_na_sentinel=False)
    return keys


def _strata(
    y: np.ndarray, group_keys: np.ndarray, *, min_stratum: int, max_strata: int
) -> tuple[np.ndarray, int]:
    """Stratum codes (outcome × group, rare ones pooled per outcome) and the rows pooled.

    A stratum is ``2 * group_key + outcome``; the pool of an outcome is ``-1 - outcome``.
    """
    outcome = y.astype(np.int64)
    original = 2 * group_keys.astype(np.int64) + outcome
    pool = -1 - outcome
    strata = original.copy()

    counts = pd.Series(strata).value_counts()
    strata = np.where(pd.Series(strata).map(counts).to_numpy() < min_stratum, pool, strata)

    # More strata than rows in the smaller set: keep the largest, pool the rest.
    counts = pd.Series(strata).value_counts()
    if len(counts) > max_strata:
        proper = counts[counts.index >= 0]
        keep = proper.index[: max(max_strata - 2, 0)].to_numpy()
        strata = np.where((strata >= 0) & ~np.isin(strata, keep), pool, strata)

    # A pool still too small joins the largest stratum of its outcome.
    counts = pd.Series(strata).value_counts()
    for value in (0, 1):
        pool_code = -1 - value
        size = int(counts.get(pool_code, 0))
        same_outcome = counts[(counts.index >= 0) & (counts.index % 2 == value)]
        if 0 < size < min_stratum and not same_outcome.empty:
            strata = np.where(strata == pool_code, same_outcome.index[0], strata)
    return strata, int(np.count_nonzero(strata != original))


def _both_outcomes_in_each(
    train_rows: np.ndarray, test_rows: np.ndarray, y: np.ndarray, *, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Swap one row between the sets if an outcome is missing from one of them."""
    train_rows, test_rows = train_rows.copy(), test_rows.copy()
    for outcome in (0, 1):
        for lacking, holding in ((train_rows, test_rows), (test_rows, train_rows)):
            if np.any(y[lacking] == outcome):
                continue
            give = rng.choice(np.flatnonzero(y[holding] == outcome))
            take = rng.choice(np.flatnonzero(y[lacking] != outcome))
            lacking[take], holding[give] = holding[give], lacking[take]
    return train_rows, test_rows
