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
