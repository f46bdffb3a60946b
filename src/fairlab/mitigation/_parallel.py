"""Run techniques one after another or in worker processes, reporting each reduction's fits.

fairlearn's reductions refit their estimator dozens of times, so a comparison can spend a
minute in one technique. :func:`run_techniques` passes every fit on to a callback
``fit_progress(label, n_fits)``, called in the caller's thread (so it may draw on a page):
directly when the techniques run in this process, and through a queue read between
results when they run in loky worker processes.
"""

from __future__ import annotations

import queue as queue_module
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from typing import Any

from joblib import Parallel, delayed, effective_n_jobs
from joblib.executor import get_memmapping_executor
from joblib.externals.loky.backend.context import get_context

from fairlab.mitigation._run import Prepared, run_prepared
from fairlab.mitigation._techniques import MitigationResult, TechniqueConfig

__all__ = ["FitProgressCallback", "run_techniques"]

FitProgressCallback = Callable[[str, int], None]
"""Called as ``fit_progress(label, n_fits)`` after each fit of a reduction's estimator."""

_POLL_SECONDS = 0.2


class _QueueReporter:
    """Puts ``(label, n_fits)`` on a manager queue; picklable, so it can go to a worker."""

    def __init__(self, fits: Any, label: str) -> None:
        self.fits = fits
        self.label = label

    def __call__(self, n_fits: int) -> None:
        self.fits.put((self.label, n_fits))


def _run_one(
    position: int,
    prepared: Prepared,
    technique: TechniqueConfig,
    random_state: int,
    on_fit: Callable[[int], None] | None = None,
) -> tuple[int, MitigationResult]:
    return position, run_prepared(prepared, technique, random_state=random_state, on_fit=on_fit)


def run_techniques(
    prepared: Prepared,
    techniques: Sequence[tuple[int, TechniqueConfig]],
    *,
    random_state: int,
    n_jobs: int,
    fit_progress: FitProgressCallback | None = None,
) -> Iterator[tuple[int, MitigationResult]]:
    """Run each ``(position, technique)`` and yield ``(position, result)`` as they finish.

    Parameters
    ----------
    prepared : Prepared
        The prepared split.
    techniques : sequence of (int, TechniqueConfig)
        The techniques with their positions in the comparison, in the order to start them.
    random_state : int
        The seed every technique gets.
    n_jobs : int
        How many run at once (joblib's convention: -1 is every core).
    fit_progress : callable, optional
        Called as ``fit_progress(label, n_fits)`` in this thread after each fit of a
        reduction's estimator.

    Yields
    ------
    (int, MitigationResult)
    """
    if n_jobs == 1 or len(techniques) <= 1:
        for position, technique in techniques:
            on_fit = None
            if fit_progress is not None:
                label = technique.label

                def on_fit(n_fits: int, label: str = label) -> None:
                    fit_progress(label, n_fits)

            yield _run_one(position, prepared, technique, random_state, on_fit)
        return
    if fit_progress is None:
        yield from Parallel(n_jobs=n_jobs, backend="loky", return_as="generator_unordered")(
            delayed(_run_one)(position, prepared, technique, random_state)
            for position, technique in techniques
        )
        return
    yield from _run_in_workers(
        prepared, techniques, random_state=random_state, n_jobs=n_jobs, fit_progress=fit_progress
    )


def _run_in_workers(
    prepared: Prepared,
    techniques: Sequence[tuple[int, TechniqueConfig]],
    *,
    random_state: int,
    n_jobs: int,
    fit_progress: FitProgressCallback,
) -> Iterator[tuple[int, MitigationResult]]:
    # joblib's own factory for loky's reusable executor: a plain loky executor lacks what
    # joblib's Parallel expects of the shared one, so a later Parallel call in the process
    # (a comparison without progress) would fail on it.
    executor = get_memmapping_executor(min(effective_n_jobs(n_jobs), len(techniques)))
    # loky's context starts the manager without re-running the caller's main module.
    with get_context("loky").Manager() as manager:
        fits = manager.Queue()
        pending: set[Future] = {
            executor.submit(
                _run_one,
                position,
                prepared,
                technique,
                random_state,
                _QueueReporter(fits, technique.label),
            )
            for position, technique in techniques
        }
        try:
            while pending:
                finished, pending = wait(
                    pending, timeout=_POLL_SECONDS, return_when=FIRST_COMPLETED
                )
                _drain(fits, fit_progress)
                for future in finished:
                    yield future.result()
        finally:
            for future in pending:
                future.cancel()


def _drain(fits: Any, fit_progress: FitProgressCallback) -> None:
    latest: dict[str, int] = {}
    while True:
        try:
            label, n_fits = fits.get_nowait()
        except queue_module.Empty:
            break
        latest[label] = max(n_fits, latest.get(label, 0))
    for label, n_fits in latest.items():
        fit_progress(label, n_fits)
