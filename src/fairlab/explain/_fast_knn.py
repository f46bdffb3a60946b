"""k-nearest neighbours, predicted exactly and fast along shap's permutation chains.

A squared Euclidean distance is a sum over the user's features of the squared distance
between their encoded columns. :class:`KnnIndex` stores, for every feature, the distinct
encoded values the training rows hold and which one each training row holds. For a query
value of a feature, the squared distance to each distinct training value (a few hundred at
most) is computed once, so the distance of a row to a training row is a sum of ``M`` table
look-ups, and along a permutation chain, where one feature changes per step, the distances
change by one look-up per training row.

Exactness. The tables hold fixed-point integers (in float64, far below 2**52), so every sum
is exact whatever the order of the additions: a row's distances are the same whether they
are computed at once or step by step along a chain. Ties go to the lowest training row,
which is scikit-learn's rule on exact arithmetic (its ``ArgKmin`` heap keeps the first of
equal distances, fed in training-row order). So the predictor does not depend on
the batch, unlike scikit-learn's brute-force search, whose float64 distances
(``|x|² - 2 x·y + |y|²``) carry rounding that varies with the batch, so that when the k-th
and (k+1)-th neighbours are equally far, which one is counted varies from call to call
(on UCI Adult, for 6 % of rows). Elsewhere both give the same probability; the grid step
is ``1 / scale`` (4e-12 on Adult), so only distances closer than that can be ordered
differently. :func:`knn_chain_outputs` therefore finds :data:`_BEYOND` neighbours more
than k and flags every coalition whose k-th distance ties (within :data:`TIE_TOLERANCE`)
with the next among neighbours of both classes, for the caller to ask the model.

Speed. Training rows are sorted by their feature values (features with few distinct values
first) and grouped in blocks of :data:`_BLOCK`, and blocks in super-blocks of
:data:`_SUPER`; for every block and feature, the smallest distance of the block's rows to
a query value bounds all of them from below. A chain keeps the sum of these bounds per
block and super-block, updated per step by one vectorised pass; the k nearest neighbours
of a sample lie in blocks whose bound does not exceed the largest distance of the previous
sample's neighbours, and only those blocks are visited, roughly best first, until their
bound exceeds the k-th distance found (about 36 blocks of 2,137 per sample on Adult). A
block's distances are brought up to date only when it is visited, by replaying the chain's
steps since its last visit. A row's own neighbours are found the same way, without all its
distances. The kernels are compiled with numba (a dependency of shap) on first use and
cached on disk (see :func:`fairlab.explain.shap_.compile_kernels`); they release the GIL,
and rows are split over one thread per core.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numba
import numpy as np
from sklearn.neighbors import KNeighborsClassifier

__all__ = [
    "KnnIndex",
    "knn_supported",
    "knn_index",
    "knn_tables",
    "knn_predict",
    "knn_chain_outputs",
    "knn_background",
    "TIE_TOLERANCE",
    "CLEAR",
    "TIED",
    "IS_BACKGROUND",
    "IS_ROW",
]

_BLOCK = 16
_FAR = 1.0e300  # a finite "infinity" for the fastmath kernels, which may assume no inf
_EXACT_LIMIT = 2.0**52
_HEADROOM = 16.0
_NO_INDEX = np.iinfo(np.int64).max
_BUCKETS = 16
_SUPER = 16
_ROWS_PER_THREAD = 8
_BEYOND = 4
TIE_TOLERANCE = 1e-7
"""Relative gap of squared distances below which the k-th and the next neighbour count as
tied (scikit-learn's float distances are off by about 1e-15 relative; 1e-7 leaves room for
its tree algorithms' other order of additions)."""
# What knn_chain_outputs says of each coalition output.
CLEAR = 0  # the model's own prediction: no near tie at the k-th neighbour
TIED = 1  # the k-th and next nearest distances tie within TIE_TOLERANCE
IS_BACKGROUND = 2  # the coalition holds the background row's values
IS_ROW = 3  # the coalition holds the explained row's values


@dataclass(frozen=True, eq=False)
class KnnIndex:
    """A fitted kNN classifier's training rows, sorted and coded by user feature.

    Attributes
    ----------
    codes : numpy.ndarray of int32, shape (n_features, n_training)
        For every user feature, which of its distinct values each (sorted) training row
        holds.
    original : numpy.ndarray of int64, shape (n_training,)
        The position of each sorted training row in the classifier's training data (ties
        in distance go to the lowest).
    positive : numpy.ndarray of float, shape (n_training,)
        1.0 where the sorted training row's class is the positive outcome, else 0.0.
    values : tuple of numpy.ndarray
        For every user feature, its distinct encoded values (n_values, n_columns).
    columns : tuple of numpy.ndarray of int
        For every user feature, its encoded columns.
    n_neighbors : int
        k.
    distance_weights : bool
        Whether neighbours vote with weight 1 / distance (else uniformly).
    scale : float
        Squared distances are held as ``round(distance² × scale)``.
    bound : float
        The largest total squared distance the grid holds exactly.
    block_start : numpy.ndarray of int64, shape (n_features, n_blocks + 1)
        Where each block's distinct codes of each feature start in ``block_codes``.
    block_codes : numpy.ndarray of int32
        The distinct codes each block holds, per feature (sorted rows make them few).
    """

    codes: np.ndarray
    original: np.ndarray
    positive: np.ndarray
    values: tuple[np.ndarray, ...]
    columns: tuple[np.ndarray, ...]
    n_neighbors: int
    distance_weights: bool
    scale: float
    bound: float
    block_start: np.ndarray
    block_codes: np.ndarray

    @property
    def width(self) -> int:
        """The largest number of distinct values of a feature."""
        return max(len(v) for v in self.values)


def knn_supported(estimator: object) -> bool:
    """Whether :func:`knn_index` can index ``estimator``.

    Parameters
    ----------
    estimator : object
        The final estimator of a pipeline.

    Returns
    -------
    bool
        True for a fitted two-class ``KNeighborsClassifier`` on a dense matrix, with the
        Euclidean metric and uniform or distance weights.
    """
    if not isinstance(estimator, KNeighborsClassifier) or not hasattr(estimator, "_fit_X"):
        return False
    if len(estimator.classes_) != 2 or estimator.weights not in {"uniform", "distance"}:
        return False
    if estimator.effective_metric_ != "euclidean" or estimator.effective_metric_params_:
        return False
    training = estimator._fit_X
    if not isinstance(training, np.ndarray) or np.asarray(estimator._y).ndim != 1:
        return False
    return 0 < estimator.n_neighbors <= len(training)


def knn_index(
    estimator: object, owner: Sequence[int], n_features: int, positive: int
) -> KnnIndex | None:
    """Index a fitted ``KNeighborsClassifier`` by user feature.

    Parameters
    ----------
    estimator : object
        The final estimator of a pipeline.
    owner : sequence of int
        The user feature (0 .. n_features - 1) each encoded column comes from.
    n_features : int
        The number of user features.
    positive : int
        The position of the positive outcome in ``estimator.classes_``.

    Returns
    -------
    KnnIndex or None
        None if :func:`knn_supported` says no; the caller then falls back to shap's loop.
    """
    if not knn_supported(estimator):
        return None
    training = estimator._fit_X
    labels = np.asarray(estimator._y)
    owner = np.asarray(owner, dtype=np.intp)
    codes = np.empty((n_features, len(training)), dtype=np.int64)
    values, columns = [], []
    bound = 0.0
    for feature in range(n_features):
        cols = np.flatnonzero(owner == feature)
        block = np.ascontiguousarray(training[:, cols], dtype=float)
        if len(cols) == 1:
            distinct, inverse = np.unique(block[:, 0], return_inverse=True)
            distinct = distinct[:, None]
        else:
            rows = block.view(np.dtype((np.void, block.itemsize * max(len(cols), 1)))).ravel()
            _, first, inverse = np.unique(rows, return_index=True, return_inverse=True)
            distinct = block[first]
        codes[feature] = inverse.ravel()
        values.append(np.ascontiguousarray(distinct))
        columns.append(cols)
        spread = np.ptp(distinct, axis=0) if len(distinct) else np.zeros(len(cols))
        bound += float(np.sum(np.maximum(spread, 1.0) ** 2))
    bound *= _HEADROOM
    scale = 2.0 ** np.floor(np.log2(_EXACT_LIMIT / max(bound, 1.0)))
    # Sort rows by their codes, features with the fewest distinct values first, so that a
    # block of consecutive rows shares most of its values and its bounds are tight.
    by_values = sorted(range(n_features), key=lambda feature: len(values[feature]))
    order = np.lexsort([codes[feature] for feature in reversed(by_values)])
    # One dtype for every model, so that the kernels are compiled once.
    sorted_codes = np.ascontiguousarray(codes[:, order], dtype=np.int32)
    block_start, block_codes = _block_codes(sorted_codes)
    return KnnIndex(
        codes=sorted_codes,
        original=order.astype(np.int64),
        positive=(labels[order] == positive).astype(float),
        values=tuple(values),
        columns=tuple(columns),
        n_neighbors=int(estimator.n_neighbors),
        distance_weights=estimator.weights == "distance",
        scale=float(scale),
        bound=float(bound),
        block_start=block_start,
        block_codes=block_codes,
    )


def _block_codes(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n_features, n_points = codes.shape
    n_blocks = (n_points + _BLOCK - 1) // _BLOCK
    start = np.zeros((n_features, n_blocks + 1), dtype=np.int64)
    found = []
    total = 0
    for feature in range(n_features):
        for block in range(n_blocks):
            distinct = np.unique(codes[feature, block * _BLOCK : (block + 1) * _BLOCK])
            found.append(distinct)
            start[feature, block] = total
            total += len(distinct)
        start[feature, n_blocks] = total
    return start, np.concatenate(found).astype(np.int32)


def knn_tables(index: KnnIndex, encoded: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Fixed-point squared distances of rows' feature values to the training values.

    Parameters
    ----------
    index : KnnIndex
        The indexed classifier.
    encoded : numpy.ndarray, shape (n_rows, n_encoded)
        Rows as the classifier takes them.

    Returns
    -------
    tuple of (tables, value_ids), or None
        ``tables[r, j, g]`` (shape (n_rows, n_features, index.width)) is the squared
        distance of row ``r``'s value of feature ``j`` to the ``g``-th distinct training
        value of ``j``, on the fixed-point grid; ``value_ids[r, j]`` are equal where rows
        of this call hold equal values of a feature (ids of separate calls are not
        comparable: compute explained and background rows together). None if a row lies
        so far outside the training data that its distances do not fit the exact grid.
    """
    n_rows = len(encoded)
    n_features = len(index.values)
    tables = np.zeros((n_rows, n_features, index.width))
    value_ids = np.zeros((n_rows, n_features), dtype=np.int64)
    largest = 0.0
    for feature, (distinct, cols) in enumerate(zip(index.values, index.columns, strict=True)):
        own, ids = np.unique(encoded[:, cols], axis=0, return_inverse=True)
        squared = ((own[:, None, :] - distinct[None, :, :]) ** 2).sum(axis=2)
        largest += float(squared.max(initial=0.0))
        tables[:, feature, : len(distinct)] = np.rint(squared * index.scale)[ids.ravel()]
        value_ids[:, feature] = ids.ravel()
    if largest > index.bound:
        return None
    return tables, value_ids


def knn_predict(index: KnnIndex, tables: np.ndarray) -> np.ndarray:
    """The probability of the positive outcome of rows given by their tables.

    Parameters
    ----------
    index : KnnIndex
        The indexed classifier.
    tables : numpy.ndarray, shape (n_rows, n_features, width)
        From :func:`knn_tables`.

    Returns
    -------
    numpy.ndarray, shape (n_rows,)
    """
    return _prepare(index, tables, keep=False)[0]


def knn_chain_outputs(
    index: KnnIndex,
    row_tables: np.ndarray,
    row_ids: np.ndarray,
    background_tables: np.ndarray,
    background_ids: np.ndarray,
    chain_rows: np.ndarray,
    chain_backgrounds: np.ndarray,
    orders: np.ndarray,
    prepared: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Coalition outputs of the classifier along permutation chains, one background row each.

    A chain starts at one background row, switches an explained row's features on in the
    order of its permutation (forward), then off again in the same order (backward).

    Parameters
    ----------
    index : KnnIndex
        The indexed classifier.
    row_tables, row_ids : numpy.ndarray
        :func:`knn_tables` of the explained rows.
    background_tables, background_ids : numpy.ndarray
        :func:`knn_tables` of the background rows.
    chain_rows : numpy.ndarray of int, shape (n_chains,)
        The explained row of each chain (chains of one row should be consecutive).
    chain_backgrounds : numpy.ndarray of int, shape (n_chains,)
        The background row each chain starts from.
    orders : numpy.ndarray of int, shape (n_chains, n_features)
        Each chain's permutation.
    prepared : tuple, optional
        :func:`knn_background` of ``background_tables``, to reuse over calls.

    Returns
    -------
    outputs : numpy.ndarray, shape (n_chains, 2 M + 1)
        The probability of each coalition of each chain, laid out as
        :func:`fairlab.explain._fast_permutation.values_from_chain_outputs` takes them;
        position M holds the chain's explained row's own probability.
    ties : numpy.ndarray of int8, shape (n_chains, 2 M + 1)
        What each output is: :data:`CLEAR` (the classifier's own prediction),
        :data:`TIED` (the k-th and the next nearest distances are within
        :data:`TIE_TOLERANCE` of each other, so the classifier's float rounding may count
        another neighbour: ask the classifier), :data:`IS_BACKGROUND` or :data:`IS_ROW`
        (the coalition holds the background row's or the explained row's own values).
    background_outputs : numpy.ndarray, shape (n_background,)
        The probability of each background row.
    """
    if prepared is None:
        prepared = _prepare(index, background_tables, keep=True)
    background_outputs, background_neighbours, start, background_lows = prepared
    outputs = np.empty((len(orders), 2 * row_tables.shape[1] + 1))
    ties = np.empty(outputs.shape, dtype=np.int8)
    orders = np.ascontiguousarray(orders, dtype=np.int64)
    chain_rows = np.ascontiguousarray(chain_rows, dtype=np.int64)
    chain_backgrounds = np.ascontiguousarray(chain_backgrounds, dtype=np.int64)
    n_blocks = background_lows.shape[2]
    background_super = np.minimum.reduceat(background_lows, np.arange(0, n_blocks, _SUPER), axis=2)
    super_bounds = background_super.sum(axis=1)
    bounds = background_lows.sum(axis=1)

    def run(chains: slice) -> None:
        _chains(
            index.codes,
            index.original,
            index.positive,
            index.block_start,
            index.block_codes,
            np.array([len(v) for v in index.values], dtype=np.int64),
            row_tables,
            row_ids,
            background_tables,
            background_ids,
            background_outputs,
            background_neighbours,
            start,
            background_lows,
            background_super,
            super_bounds,
            bounds,
            chain_rows[chains],
            chain_backgrounds[chains],
            orders[chains],
            _selected(index),
            index.n_neighbors,
            index.distance_weights,
            index.scale,
            TIE_TOLERANCE,
            outputs[chains],
            ties[chains],
        )

    _in_threads(run, len(orders))
    return outputs, ties, background_outputs


def knn_background(
    index: KnnIndex, background_tables: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Prepare background rows once for several :func:`knn_chain_outputs` calls.

    Parameters
    ----------
    index : KnnIndex
        The indexed classifier.
    background_tables : numpy.ndarray
        :func:`knn_tables` of the background rows.

    Returns
    -------
    tuple
        Their probabilities, neighbours, distances to every training row and block bounds.
    """
    return _prepare(index, background_tables, keep=True)


def _in_threads(run: Callable[[slice], None], n_rows: int) -> None:
    # The kernels release the GIL: split the rows into one contiguous chunk per core.
    n_threads = max(1, min(os.cpu_count() or 1, n_rows // _ROWS_PER_THREAD))
    if n_threads == 1:
        run(slice(0, n_rows))
        return
    edges = np.linspace(0, n_rows, n_threads + 1).astype(int)
    chunks = [slice(int(a), int(b)) for a, b in itertools.pairwise(edges)]
    with ThreadPoolExecutor(max_workers=n_threads) as pool:
        for done in [pool.submit(run, chunk) for chunk in chunks]:
            done.result()


def _selected(index: KnnIndex) -> int:
    # A few neighbours beyond k are found, to tell whether the k-th is tied with the next
    # and whether the tied ones differ in class.
    return min(index.n_neighbors + _BEYOND, index.codes.shape[1])


def _prepare(
    index: KnnIndex, tables: np.ndarray, *, keep: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n_rows, n_features = tables.shape[:2]
    n_points = index.codes.shape[1]
    n_blocks = (n_points + _BLOCK - 1) // _BLOCK
    outputs = np.empty(n_rows)
    neighbours = np.empty((n_rows, _selected(index)), dtype=np.int64)
    distances = np.empty((n_rows if keep else 0, n_points))
    lows = np.empty((n_rows if keep else 0, n_features, n_blocks))

    def run(rows: slice) -> None:
        _prepare_rows(
            index.codes,
            index.original,
            index.positive,
            tables[rows],
            index.block_start,
            index.block_codes,
            _selected(index),
            index.n_neighbors,
            index.distance_weights,
            index.scale,
            outputs[rows],
            neighbours[rows],
            distances[rows] if keep else distances,
            lows[rows] if keep else lows,
        )

    _in_threads(run, n_rows)
    return outputs, neighbours, distances, lows


# ---------------------------------------------------------------------- kernels
# Distances are float64 holding integers below 2**52, so sums are exact in any order. A
# selection keeps the k smallest (distance, original index) pairs, ascending. Positions
# are those of the sorted training rows; block b holds positions b*_BLOCK .. b*_BLOCK+15.


@numba.njit(cache=True, nogil=True)
def _insert(distance, point, rank, best, best_rank, best_point, k):
    slot = k - 1
    while slot > 0 and (
        best[slot - 1] > distance or (best[slot - 1] == distance and best_rank[slot - 1] > rank)
    ):
        best[slot] = best[slot - 1]
        best_rank[slot] = best_rank[slot - 1]
        best_point[slot] = best_point[slot - 1]
        slot -= 1
    best[slot] = distance
    best_rank[slot] = rank
    best_point[slot] = point


@numba.njit(cache=True, nogil=True)
def _scan(distances, original, start, stop, best, best_rank, best_point, k):
    for point in range(start, stop):
        distance = distances[point]
        if distance < best[k - 1] or (
            distance == best[k - 1] and original[point] < best_rank[k - 1]
        ):
            _insert(distance, point, original[point], best, best_rank, best_point, k)


@numba.njit(cache=True, nogil=True)
def _reset(best, best_rank, best_point):
    best[:] = np.inf
    best_rank[:] = _NO_INDEX
    best_point[:] = -1


@numba.njit(cache=True, nogil=True)
def _vote(best, best_point, positive, k, weighted, scale):
    if not weighted:
        total = 0.0
        for slot in range(k):
            total += positive[best_point[slot]]
        return total / k
    if best[0] == 0.0:
        # scikit-learn: neighbours at distance zero take all the weight, equally.
        total = 0.0
        count = 0
        for slot in range(k):
            if best[slot] == 0.0:
                total += positive[best_point[slot]]
                count += 1
        return total / count
    total = 0.0
    weight_sum = 0.0
    for slot in range(k):
        weight = 1.0 / np.sqrt(best[slot] / scale)
        total += weight * positive[best_point[slot]]
        weight_sum += weight
    return total / weight_sum


@numba.njit(cache=True, nogil=True)
def _close(a, b, tolerance):
    return abs(a - b) <= tolerance * max(a, b)


@numba.njit(cache=True, nogil=True)
def _tie(best, best_point, positive, n_votes, k, n_points, tolerance):
    # Whether float rounding could change the vote: the n_votes-th distance ties (within
    # the tolerance) with the next, and the tied neighbours around the edge do not all
    # share one class (else whichever of them counts, the vote is the same). `best` holds
    # k >= n_votes neighbours; a tied group that fills them may go on: it counts as tied.
    if k == n_votes:
        return CLEAR
    edge = best[n_votes - 1]
    if not _close(best[n_votes], edge, tolerance):
        return CLEAR
    label = positive[best_point[n_votes - 1]]
    for slot in range(n_votes - 2, -1, -1):
        if not _close(best[slot], edge, tolerance):
            break
        if positive[best_point[slot]] != label:
            return TIED
    for slot in range(n_votes, k):
        if not _close(best[slot], edge, tolerance):
            return CLEAR
        if positive[best_point[slot]] != label:
            return TIED
    return TIED if k < n_points else CLEAR


@numba.njit(cache=True, nogil=True, fastmath=True)
def _accumulate(distances, codes, table, lows):
    # distances += table[codes]; lows[b]: the smallest table value in block b.
    n_points = distances.shape[0]
    for block in range(lows.shape[0]):
        low = _FAR
        for point in range(block * _BLOCK, min((block + 1) * _BLOCK, n_points)):
            value = table[codes[point]]
            distances[point] += value
            low = value if value < low else low
        lows[block] = low


@numba.njit(cache=True, nogil=True)
def _prepare_one(codes, original, positive, tables, k, n_votes, weighted, scale, distances, lows):
    # Distances of one row to every training row, the per-feature block bounds, and its
    # k nearest neighbours; returns (probability, neighbours).
    n_features, n_points = codes.shape
    distances[:] = 0.0
    for feature in range(n_features):
        _accumulate(distances, codes[feature], tables[feature], lows[feature])
    best = np.empty(k)
    best_rank = np.empty(k, dtype=np.int64)
    best_point = np.empty(k, dtype=np.int64)
    _reset(best, best_rank, best_point)
    _scan(distances, original, 0, n_points, best, best_rank, best_point, k)
    return _vote(best, best_point, positive, n_votes, weighted, scale), best_point


@numba.njit(cache=True, nogil=True)
def _block_lows_of(tables, block_start, block_codes, lows):
    # lows[j, b]: the smallest squared distance of feature j's value to the values block b
    # holds, from the distinct codes of each block.
    for feature in range(lows.shape[0]):
        table = tables[feature]
        for block in range(lows.shape[1]):
            low = np.inf
            for slot in range(block_start[feature, block], block_start[feature, block + 1]):
                low = min(low, table[block_codes[slot]])
            lows[feature, block] = low


@numba.njit(cache=True, nogil=True)
def _nearest_by_bounds(codes, original, tables, lows, k, distances, best, best_rank, best_point):
    # The k nearest neighbours of one row without all its distances: visit blocks in
    # increasing order of their bound (the sum of the feature bounds), computing the
    # distances of their rows, until a bound exceeds the k-th distance found.
    n_features, n_points = codes.shape
    n_blocks = lows.shape[1]
    bounds = np.zeros(n_blocks)
    for feature in range(n_features):
        for block in range(n_blocks):
            bounds[block] += lows[feature, block]
    _reset(best, best_rank, best_point)
    for block in np.argsort(bounds):
        if bounds[block] > best[k - 1]:
            break
        first = block * _BLOCK
        stop = min(first + _BLOCK, n_points)
        for point in range(first, stop):
            total = 0.0
            for feature in range(n_features):
                total += tables[feature, codes[feature, point]]
            distances[point] = total
        _scan(distances, original, first, stop, best, best_rank, best_point, k)


@numba.njit(cache=True, nogil=True)
def _prepare_rows(
    codes,
    original,
    positive,
    tables,
    block_start,
    block_codes,
    k,
    n_votes,
    weighted,
    scale,
    outputs,
    neighbours,
    keep,
    keep_lows,
):
    # Each row's probability and neighbours; with `keep`, also all its distances and
    # block bounds (for background rows, which start every chain).
    n_features, n_points = codes.shape
    n_blocks = (n_points + _BLOCK - 1) // _BLOCK
    distances = np.empty(n_points)
    lows = np.empty((n_features, n_blocks))
    best = np.empty(k)
    best_rank = np.empty(k, dtype=np.int64)
    best_point = np.empty(k, dtype=np.int64)
    for row in range(tables.shape[0]):
        if keep.shape[0] > 0:
            output, nearest = _prepare_one(
                codes,
                original,
                positive,
                tables[row],
                k,
                n_votes,
                weighted,
                scale,
                distances,
                lows,
            )
            keep[row] = distances
            keep_lows[row] = lows
            neighbours[row] = nearest
            outputs[row] = output
            continue
        _block_lows_of(tables[row], block_start, block_codes, lows)
        _nearest_by_bounds(
            codes, original, tables[row], lows, k, distances, best, best_rank, best_point
        )
        neighbours[row] = best_point
        outputs[row] = _vote(best, best_point, positive, n_votes, weighted, scale)


@numba.njit(cache=True, nogil=True)
def _catch_up(block, target, version, distances, start, codes, step_feature, step_change):
    # Bring one block's distances from its last step to step `target`.
    first = block * _BLOCK
    stop = min(first + _BLOCK, distances.shape[0])
    if version[block] < 0:
        for point in range(first, stop):
            distances[point] = start[point]
        version[block] = 0
    for step in range(version[block], target):
        feature_codes = codes[step_feature[step]]
        change = step_change[step]
        for point in range(first, stop):
            distances[point] += change[feature_codes[point]]
    version[block] = target


@numba.njit(cache=True, nogil=True)
def _select_lazily(
    n_steps,
    previous_point,
    super_bounds,
    bounds,
    version,
    distances,
    start,
    codes,
    original,
    step_feature,
    step_change,
    best,
    best_rank,
    best_point,
    k,
    candidates,
    candidate_bounds,
    buckets,
):
    # The k nearest neighbours after n_steps steps. The previous neighbours' distances
    # bound the k-th distance from above (`limit`): a block whose bound exceeds it holds
    # none, and super-blocks (of _SUPER blocks) whose bound exceeds it are skipped whole.
    # Candidate blocks are visited roughly best first (bucketed by bound), each only while
    # its bound does not exceed the k-th distance found so far.
    n_blocks = bounds.shape[0]
    limit = 0.0
    for slot in range(k):
        point = previous_point[slot]
        _catch_up(
            point // _BLOCK, n_steps, version, distances, start, codes, step_feature, step_change
        )
        limit = max(limit, distances[point])
    lowest = limit
    n_candidates = 0
    for group in range(super_bounds.shape[0]):
        if super_bounds[group] > limit:
            continue
        for block in range(group * _SUPER, min((group + 1) * _SUPER, n_blocks)):
            bound = bounds[block]
            if bound <= limit:
                candidates[n_candidates] = block
                candidate_bounds[n_candidates] = bound
                n_candidates += 1
                lowest = min(lowest, bound)
    n_buckets = buckets.shape[0] - 1
    width = (limit - lowest) / n_buckets
    buckets[:] = 0
    for slot in range(n_candidates):
        bucket = n_buckets - 1
        if width > 0.0:
            bucket = min(int((candidate_bounds[slot] - lowest) / width), n_buckets - 1)
        buckets[bucket + 1] += 1
    for bucket in range(n_buckets):
        buckets[bucket + 1] += buckets[bucket]
    ranked = np.empty(n_candidates, dtype=np.int64)
    filled = buckets[:-1].copy()
    for slot in range(n_candidates):
        bucket = n_buckets - 1
        if width > 0.0:
            bucket = min(int((candidate_bounds[slot] - lowest) / width), n_buckets - 1)
        ranked[filled[bucket]] = slot
        filled[bucket] += 1
    _reset(best, best_rank, best_point)
    n_points = distances.shape[0]
    for bucket in range(n_buckets):
        if buckets[bucket] < buckets[bucket + 1] and lowest + bucket * width > best[k - 1]:
            break
        for rank in range(buckets[bucket], buckets[bucket + 1]):
            slot = ranked[rank]
            if candidate_bounds[slot] > best[k - 1]:
                continue
            block = candidates[slot]
            _catch_up(block, n_steps, version, distances, start, codes, step_feature, step_change)
            first = block * _BLOCK
            _scan(
                distances,
                original,
                first,
                min(first + _BLOCK, n_points),
                best,
                best_rank,
                best_point,
                k,
            )


@numba.njit(cache=True, nogil=True, fastmath=True)
def _shift(bounds, add, subtract):
    for group in range(bounds.shape[0]):
        bounds[group] += add[group] - subtract[group]


@numba.njit(cache=True, nogil=True)
def _super_lows(lows, out):
    n_blocks = lows.shape[1]
    for feature in range(lows.shape[0]):
        for group in range(out.shape[1]):
            low = np.inf
            for block in range(group * _SUPER, min((group + 1) * _SUPER, n_blocks)):
                low = min(low, lows[feature, block])
            out[feature, group] = low


@numba.njit(cache=True, nogil=True)
def _chains(
    codes,
    original,
    positive,
    block_start,
    block_codes,
    n_values,
    row_tables,
    row_ids,
    background_tables,
    background_ids,
    background_outputs,
    background_neighbours,
    start,
    background_lows,
    background_super,
    background_super_bounds,
    background_bounds,
    chain_rows,
    chain_backgrounds,
    orders,
    k,
    n_votes,
    weighted,
    scale,
    tolerance,
    outputs,
    ties,
):
    n_features, n_points = codes.shape
    n_blocks = (n_points + _BLOCK - 1) // _BLOCK
    n_super = background_super.shape[2]
    width = row_tables.shape[2]
    distances = np.empty(n_points)
    row_lows = np.empty((n_features, n_blocks))
    row_super = np.empty((n_features, n_super))
    row_neighbours = np.empty(k, dtype=np.int64)
    version = np.empty(n_blocks, dtype=np.int64)
    super_bounds = np.empty(n_super)
    bounds = np.empty(n_blocks)
    step_feature = np.empty(2 * n_features, dtype=np.int64)
    step_change = np.empty((2 * n_features, width))
    best = np.empty(k)
    best_rank = np.empty(k, dtype=np.int64)
    best_point = np.empty(k, dtype=np.int64)
    previous_point = np.empty(k, dtype=np.int64)
    candidates = np.empty(n_blocks, dtype=np.int64)
    candidate_bounds = np.empty(n_blocks)
    buckets = np.empty(_BUCKETS + 1, dtype=np.int64)
    last_row = -1
    row_output = 0.0
    for chain in range(orders.shape[0]):
        row = chain_rows[chain]
        if row != last_row:
            # The row's own neighbours, and the bounds of its values, once for its chains.
            _block_lows_of(row_tables[row], block_start, block_codes, row_lows)
            _super_lows(row_lows, row_super)
            _nearest_by_bounds(
                codes,
                original,
                row_tables[row],
                row_lows,
                k,
                distances,
                best,
                best_rank,
                best_point,
            )
            row_neighbours[:] = best_point
            row_output = _vote(best, best_point, positive, n_votes, weighted, scale)
            last_row = row
        total = np.zeros(2 * n_features + 1)
        tie = np.zeros(2 * n_features + 1, dtype=np.int8)
        order = orders[chain]
        b = chain_backgrounds[chain]
        version[:] = -1
        super_bounds[:] = background_super_bounds[b]
        bounds[:] = background_bounds[b]
        n_steps = 0
        previous_point[:] = background_neighbours[b]
        previous = background_outputs[b]
        previous_tie = IS_BACKGROUND
        # Forward: switch the row's features on, in order. The last step reaches the
        # row itself, whose output is known.
        for position in range(n_features):
            feature = order[position]
            if row_ids[row, feature] != background_ids[b, feature]:
                step_feature[n_steps] = feature
                for value in range(n_values[feature]):
                    step_change[n_steps, value] = (
                        row_tables[row, feature, value] - background_tables[b, feature, value]
                    )
                n_steps += 1
                _shift(super_bounds, row_super[feature], background_super[b, feature])
                _shift(bounds, row_lows[feature], background_lows[b, feature])
                if position < n_features - 1:
                    _select_lazily(
                        n_steps,
                        previous_point,
                        super_bounds,
                        bounds,
                        version,
                        distances,
                        start[b],
                        codes,
                        original,
                        step_feature,
                        step_change,
                        best,
                        best_rank,
                        best_point,
                        k,
                        candidates,
                        candidate_bounds,
                        buckets,
                    )
                    previous_point[:] = best_point
                    previous = _vote(best, best_point, positive, n_votes, weighted, scale)
                    previous_tie = _tie(best, best_point, positive, n_votes, k, n_points, tolerance)
            if position < n_features - 1:
                total[position + 1] = previous
                tie[position + 1] = previous_tie
        # Backward: switch them off again, in the same order.
        previous_point[:] = row_neighbours
        previous = row_output
        previous_tie = IS_ROW
        for position in range(n_features - 1):
            feature = order[position]
            if row_ids[row, feature] != background_ids[b, feature]:
                step_feature[n_steps] = feature
                for value in range(n_values[feature]):
                    step_change[n_steps, value] = (
                        background_tables[b, feature, value] - row_tables[row, feature, value]
                    )
                n_steps += 1
                _shift(super_bounds, background_super[b, feature], row_super[feature])
                _shift(bounds, background_lows[b, feature], row_lows[feature])
                _select_lazily(
                    n_steps,
                    previous_point,
                    super_bounds,
                    bounds,
                    version,
                    distances,
                    start[b],
                    codes,
                    original,
                    step_feature,
                    step_change,
                    best,
                    best_rank,
                    best_point,
                    k,
                    candidates,
                    candidate_bounds,
                    buckets,
                )
                previous_point[:] = best_point
                previous = _vote(best, best_point, positive, n_votes, weighted, scale)
                previous_tie = _tie(best, best_point, positive, n_votes, k, n_points, tolerance)
            total[n_features + position + 1] = previous
            tie[n_features + position + 1] = previous_tie
        total[0] = background_outputs[b]
        total[2 * n_features] = background_outputs[b]
        total[n_features] = row_output
        outputs[chain] = total
        tie[0] = tie[2 * n_features] = IS_BACKGROUND
        tie[n_features] = IS_ROW
        ties[chain] = tie
