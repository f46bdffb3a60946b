"""Path-dependent TreeSHAP for a random forest, with per-leaf tables.

shap's ``TreeExplainer`` (``feature_perturbation="tree_path_dependent"``) walks every tree
for every row, in ``O(leaves × depth²)``, in one thread. The same values can be computed in
``O(leaves × depth)`` per row once every leaf has a table (the idea of Fast TreeSHAP v2,
Yang 2021):

For a leaf ``l`` with value ``v``, let ``P`` be the distinct features split on along its
path (``d`` of them). For ``m ∈ P``, ``z_m`` is the product of the cover ratios of the
path's splits on ``m`` (the share of training rows that follow them), and ``o_m(x)`` is 1
if ``x`` satisfies all of them, which is an interval condition ``lo_m < x_m ≤ hi_m``. The
leaf's share of the value function is ``v Π_{m ∈ P} (o_m if m ∈ S else z_m)``, so its share
of feature ``k``'s Shapley value is::

    v (o_k - z_k) Σ_{S ⊆ U \\ k} w(|S|, d) Π_{m ∈ P \\ S \\ k} z_m,   U = {m : o_m(x) = 1},

with ``w(s, d) = s! (d - s - 1)! / d!``. With ``B(V) = Σ_{S ⊆ V} w(|S|, d) Π_{m ∈ P \\ S}
z_m`` (``2^d`` numbers per leaf, computed once), this is ``v (1 - z_k) / z_k B(U \\ k)`` if
``k ∈ U``, else ``-v B(U)``. So a row costs, per leaf, ``d`` interval checks and ``d``
additions; rows are split over one thread per core. The base value is ``Σ_l v_l Π z``.

Only forests whose paths split on at most :data:`MAX_PATH_FEATURES` distinct features
qualify, with at most 16 million table entries in all (128 MB: the zoo's default forest,
100 trees of depth 8, needs 2.2 million on Adult), and inputs without missing values.
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numba
import numpy as np
from sklearn.ensemble import RandomForestClassifier

__all__ = ["ForestTables", "forest_tables", "forest_shap", "MAX_PATH_FEATURES"]

MAX_PATH_FEATURES = 12
"""Paths splitting on more distinct features than this are left to shap."""
_MAX_TABLE_ENTRIES = 16_000_000  # 128 MB
_ROWS_PER_THREAD = 16


@dataclass(frozen=True, eq=False)
class ForestTables:
    """A fitted forest's leaves, paths and per-leaf tables.

    Attributes
    ----------
    value : numpy.ndarray, shape (n_leaves,)
        Each leaf's probability of the positive outcome, divided by the number of trees.
    n_path : numpy.ndarray of int64, shape (n_leaves,)
        How many distinct features each leaf's path splits on.
    feature, low, high, ratio : numpy.ndarray, shape (n_leaves, width)
        Per path feature: its column, its interval ``(low, high]``, and ``(1 - z) / z``.
    offset : numpy.ndarray of int64, shape (n_leaves,)
        Where each leaf's table starts in ``table``.
    table : numpy.ndarray
        ``B(V)`` of every leaf, indexed by the bit mask of ``V``.
    base_value : float
        The expected output (the path-dependent base value).
    n_columns : int
        The number of input columns.
    """

    value: np.ndarray
    n_path: np.ndarray
    feature: np.ndarray
    low: np.ndarray
    high: np.ndarray
    ratio: np.ndarray
    offset: np.ndarray
    table: np.ndarray
    base_value: float
    n_columns: int


def forest_tables(estimator: object, positive: int) -> ForestTables | None:
    """Build the per-leaf tables of a fitted ``RandomForestClassifier``.

    Parameters
    ----------
    estimator : object
        The final estimator of a pipeline.
    positive : int
        The position of the positive outcome in ``estimator.classes_``.

    Returns
    -------
    ForestTables or None
        None if the estimator is not a fitted forest, a path splits on more than
        :data:`MAX_PATH_FEATURES` distinct features, or the tables would be too large;
        the caller then uses shap's ``TreeExplainer``.
    """
    if not isinstance(estimator, RandomForestClassifier) or not hasattr(estimator, "estimators_"):
        return None
    n_trees = len(estimator.estimators_)
    width = MAX_PATH_FEATURES
    parts = []
    for tree in (member.tree_ for member in estimator.estimators_):
        leaves = np.flatnonzero(tree.children_left == tree.children_right)
        parent = np.zeros(tree.node_count, dtype=np.int64)
        inner = np.flatnonzero(tree.children_left != tree.children_right)
        parent[tree.children_left[inner]] = inner
        parent[tree.children_right[inner]] = inner
        went_left = np.zeros(tree.node_count, dtype=np.bool_)
        went_left[tree.children_left[inner]] = True
        n_path = np.zeros(len(leaves), dtype=np.int64)
        feature = np.zeros((len(leaves), width), dtype=np.int64)
        low = np.full((len(leaves), width), -np.inf)
        high = np.full((len(leaves), width), np.inf)
        zero = np.ones((len(leaves), width))
        fits = _paths(
            leaves,
            parent,
            went_left,
            tree.feature.astype(np.int64),
            tree.threshold.astype(float),
            tree.weighted_n_node_samples.astype(float),
            n_path,
            feature,
            low,
            high,
            zero,
        )
        if not fits:
            return None
        counts = tree.value[leaves, 0, :]
        parts.append(
            (counts[:, positive] / counts.sum(axis=1) / n_trees, n_path, feature, low, high, zero)
        )
    value, n_path, feature, low, high, zero = (np.concatenate(p) for p in zip(*parts, strict=True))
    if not len(value):
        return None
    sizes = 2**n_path
    if sizes.sum() > _MAX_TABLE_ENTRIES:
        return None
    width = max(int(n_path.max()), 1)
    feature, low, high, zero = (a[:, :width].copy() for a in (feature, low, high, zero))
    offset = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    table = np.empty(int(sizes.sum()))
    _fill_tables(n_path, zero, offset, table, _shapley_weights(width))
    return ForestTables(
        value=value,
        n_path=n_path,
        feature=feature,
        low=low,
        high=high,
        ratio=(1.0 - zero) / zero,
        offset=offset,
        table=table,
        base_value=float(np.sum(value * np.prod(zero, axis=1))),
        n_columns=int(estimator.n_features_in_),
    )


def forest_shap(tables: ForestTables, X: np.ndarray) -> np.ndarray | None:
    """Path-dependent SHAP values of the forest's positive probability.

    Parameters
    ----------
    tables : ForestTables
        From :func:`forest_tables`.
    X : numpy.ndarray, shape (n_rows, n_columns)
        Rows as the forest takes them (compared in float32, as scikit-learn does).

    Returns
    -------
    numpy.ndarray, shape (n_rows, n_columns), or None
        The SHAP values; ``tables.base_value + values.sum(axis=1)`` is the forest's
        probability of the positive outcome. None if ``X`` holds missing values.
    """
    columns = np.ascontiguousarray(np.asarray(X, dtype=np.float32).T)
    if np.isnan(columns).any():
        return None
    out = np.zeros((tables.n_columns, columns.shape[1]))

    def run(rows: slice) -> None:
        part = np.zeros((tables.n_columns, rows.stop - rows.start))
        _explain(
            np.ascontiguousarray(columns[:, rows]),
            tables.value,
            tables.n_path,
            tables.feature,
            tables.low,
            tables.high,
            tables.ratio,
            tables.offset,
            tables.table,
            part,
        )
        out[:, rows] = part

    _in_threads(run, columns.shape[1])
    return out.T


def _shapley_weights(width: int) -> np.ndarray:
    # weights[d, s] = s! (d - s - 1)! / d!, for paths of d features and coalitions of s.
    weights = np.zeros((width + 1, width + 1))
    for d in range(1, width + 1):
        for s in range(d):
            weights[d, s] = math.factorial(s) * math.factorial(d - s - 1) / math.factorial(d)
    return weights


def _in_threads(run: Callable[[slice], None], n_rows: int) -> None:
    # The kernel releases the GIL: split the rows into one contiguous chunk per core.
    n_threads = max(1, min(os.cpu_count() or 1, n_rows // _ROWS_PER_THREAD))
    if n_threads == 1:
        run(slice(0, n_rows))
        return
    edges = np.linspace(0, n_rows, n_threads + 1).astype(int)
    chunks = [slice(int(a), int(b)) for a, b in itertools.pairwise(edges)]
    with ThreadPoolExecutor(max_workers=n_threads) as pool:
        for done in [pool.submit(run, chunk) for chunk in chunks]:
            done.result()


@numba.njit(cache=True, nogil=True)
def _paths(
    leaves, parent, went_left, feature, threshold, cover, n_path, path_feature, low, high, zero
):
    # Walk up from every leaf, merging the splits on each feature: the interval (low, high]
    # they allow and the product of their cover ratios. False if a path splits on more
    # distinct features than the arrays hold.
    width = path_feature.shape[1]
    for leaf_index in range(leaves.shape[0]):
        node = leaves[leaf_index]
        count = 0
        while node != 0:
            up = parent[node]
            column = feature[up]
            slot = 0
            while slot < count and path_feature[leaf_index, slot] != column:
                slot += 1
            if slot == count:
                if count == width:
                    return False
                path_feature[leaf_index, slot] = column
                count += 1
            if went_left[node]:
                high[leaf_index, slot] = min(high[leaf_index, slot], threshold[up])
            else:
                low[leaf_index, slot] = max(low[leaf_index, slot], threshold[up])
            zero[leaf_index, slot] *= cover[node] / cover[up]
            node = up
        n_path[leaf_index] = count
    return True


@numba.njit(cache=True, nogil=True)
def _fill_tables(n_path, zero, offset, table, weights):
    # B(V) = Z_out(V) Σ_s w(s, d) e_{|V|-s}(z_V), with e the elementary symmetric
    # polynomials of the z of V (built one feature at a time over the bit masks) and
    # Z_out(V) the product of the z outside V.
    width = zero.shape[1]
    symmetric = np.zeros((2**width, width + 1))
    inside = np.ones(2**width)
    for leaf in range(n_path.shape[0]):
        d = n_path[leaf]
        full = (1 << d) - 1
        symmetric[0, 0] = 1.0
        for degree in range(1, d + 1):
            symmetric[0, degree] = 0.0
        inside[0] = 1.0
        for mask in range(1, 1 << d):
            lowest = mask & -mask
            rest = mask ^ lowest
            bit = 0
            while (1 << bit) != lowest:
                bit += 1
            z = zero[leaf, bit]
            inside[mask] = inside[rest] * z
            symmetric[mask, 0] = 1.0
            for degree in range(1, d + 1):
                symmetric[mask, degree] = symmetric[rest, degree] + z * symmetric[rest, degree - 1]
        for mask in range(1 << d):
            size = 0
            for bit in range(d):
                size += (mask >> bit) & 1
            total = 0.0
            for s in range(min(size, d - 1) + 1):
                total += weights[d, s] * symmetric[mask, size - s]
            table[offset[leaf] + mask] = inside[full ^ mask] * total


@numba.njit(cache=True, nogil=True)
def _explain(columns, value, n_path, feature, low, high, ratio, offset, table, out):
    # Leaf by leaf, over all rows at once: columns (n_columns, n_rows) and out likewise,
    # so that every pass reads one contiguous column.
    n_rows = columns.shape[1]
    ones = np.empty(n_rows, dtype=np.int64)
    for leaf in range(value.shape[0]):
        d = n_path[leaf]
        ones[:] = 0
        for slot in range(d):
            column = columns[feature[leaf, slot]]
            lo = low[leaf, slot]
            hi = high[leaf, slot]
            bit = 1 << slot
            for row in range(n_rows):
                v = column[row]
                if lo < v and v <= hi:
                    ones[row] |= bit
        start = offset[leaf]
        leaf_value = value[leaf]
        for slot in range(d):
            phi = out[feature[leaf, slot]]
            bit = 1 << slot
            gain = leaf_value * ratio[leaf, slot]
            for row in range(n_rows):
                mask = ones[row]
                if mask & bit:
                    phi[row] += gain * table[start + (mask ^ bit)]
                else:
                    phi[row] -= leaf_value * table[start + mask]
