"""Heavy jobs take turns: at most one per core runs at a time across the whole server.

SHAP and LIME batches and mitigation comparisons each keep a core busy for seconds. On a
shared classroom server, running every request at once would make every page slow for
everyone; instead each heavy job holds a *worker slot* while it runs, and a job that finds
no free slot waits in line, saying so. While it runs, BLAS and OpenMP are held to as many
threads as it holds slots, so a job never starts more threads than the cores it was
given (OpenMP threads that outnumber the free cores spin and slow every job down).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import streamlit as st

from fairlab.models import thread_limit


class WorkerSlots:
    """A counter of free worker slots that jobs hold while they run.

    Parameters
    ----------
    n_slots : int
        How many slots there are (one per core by default).
    """

    def __init__(self, n_slots: int) -> None:
        self.n_slots = max(1, int(n_slots))
        self._free = self.n_slots
        self._waiting = 0
        self._condition = threading.Condition()

    @property
    def free(self) -> int:
        """Slots free right now."""
        with self._condition:
            return self._free

    @property
    def waiting(self) -> int:
        """Jobs waiting for a slot right now."""
        with self._condition:
            return self._waiting

    @contextmanager
    def hold(
        self, weight: int = 1, *, on_wait: Callable[[int], None] | None = None
    ) -> Iterator[None]:
        """Hold ``weight`` slots (at most all of them) while the block runs.

        ``on_wait(jobs_ahead)`` is called once, before waiting, if the slots are not free.
        """
        weight = min(max(1, int(weight)), self.n_slots)
        with self._condition:
            if self._free < weight:
                self._waiting += 1
                if on_wait is not None:
                    on_wait(self._waiting)
                try:
                    self._condition.wait_for(lambda: self._free >= weight)
                finally:
                    self._waiting -= 1
            self._free -= weight
        try:
            yield
        finally:
            with self._condition:
                self._free += weight
                self._condition.notify_all()


@st.cache_resource
def worker_slots() -> WorkerSlots:
    """The server's worker slots: one per core."""
    return WorkerSlots(os.cpu_count() or 1)


def slot_threads(weight: int, slots: WorkerSlots) -> int:
    """The BLAS / OpenMP threads a job of ``weight`` slots may use: the slots it holds."""
    return min(max(1, int(weight)), slots.n_slots)


@contextmanager
def heavy_job(label: str, *, weight: int = 1) -> Iterator[None]:
    """Run the block as a heavy job, showing a message while it waits for a free slot.

    Inside the block BLAS and OpenMP use at most :func:`slot_threads` threads.
    """
    slots = worker_slots()
    notice = st.empty()

    def waiting(ahead: int) -> None:
        notice.info(
            f"Queued: the server runs at most {slots.n_slots} heavy job(s) at once and "
            f"others are running. Your {label} starts as soon as a worker is free.",
            icon=":material/hourglass_top:",
        )

    try:
        with slots.hold(weight, on_wait=waiting), thread_limit(slot_threads(weight, slots)):
            notice.empty()
            yield
    finally:
        notice.empty()


@st.cache_resource(show_spinner=False)
def warm_up_kernels() -> threading.Thread:
    """Compile the explainers' numba kernels once per server, in the background.

    A fresh installation would otherwise make the first user of a kNN or random-forest
    explanation wait ~20 s for the compiler.
    """
    from fairlab.explain.shap_ import compile_kernels

    thread = threading.Thread(target=compile_kernels, name="fairlab-warm-up", daemon=True)
    thread.start()
    return thread
