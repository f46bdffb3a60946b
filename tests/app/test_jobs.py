"""Heavy jobs take turns through the server's worker slots."""

from __future__ import annotations

import threading

from fairlab_ui.jobs import WorkerSlots


def test_a_job_waits_in_line_until_a_slot_is_free_and_says_so() -> None:
    slots = WorkerSlots(2)
    holding = threading.Event()
    release = threading.Event()
    order: list[str] = []
    waited: list[int] = []

    def big_job() -> None:
        with slots.hold(5):  # more than there are: takes every slot
            order.append("big started")
            holding.set()
            release.wait(timeout=30)
            order.append("big done")

    def small_job() -> None:
        with slots.hold(1, on_wait=waited.append):
            order.append("small started")

    big = threading.Thread(target=big_job)
    big.start()
    assert holding.wait(timeout=30)
    assert slots.free == 0
    small = threading.Thread(target=small_job)
    small.start()
    # The small job announces that it waits, then waits for the big one.
    for _ in range(3000):
        if slots.waiting == 1:
            break
        threading.Event().wait(0.01)
    assert waited == [1] and slots.waiting == 1
    assert order == ["big started"]
    release.set()
    big.join(timeout=30)
    small.join(timeout=30)
    assert order == ["big started", "big done", "small started"]
    assert slots.free == 2 and slots.waiting == 0


def test_free_slots_are_taken_without_waiting() -> None:
    slots = WorkerSlots(2)
    waited: list[int] = []
    with slots.hold(1, on_wait=waited.append):
        with slots.hold(1, on_wait=waited.append):
            assert slots.free == 0
    assert waited == [] and slots.free == 2


def test_a_heavy_job_holds_blas_and_openmp_to_its_slots() -> None:
    from threadpoolctl import threadpool_info

    from fairlab_ui.jobs import heavy_job, slot_threads, worker_slots

    def pools() -> dict[str, int]:
        return {pool["user_api"]: pool["num_threads"] for pool in threadpool_info()}

    before = pools()
    with heavy_job("test", weight=1):
        inside = pools()
    assert set(inside.values()) == {1}
    assert pools() == before
    slots = worker_slots()
    assert slot_threads(99, slots) == slots.n_slots
    assert slot_threads(0, slots) == 1
