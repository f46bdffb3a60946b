"""Benchmark: how fast every lesson step answers, on its synthetic world.

For each step of each lesson, times:

1. **cold**: the step's computation in a fresh :class:`fairlab.lessons.Workbench`, as on a
   server that has not computed it yet (world generation, training, explanations or the
   mitigation comparison included; other steps of the lesson may share the lab);
2. **warm**: the same computation again (what a class sees once the server's background
   warm-up, :func:`fairlab.lessons.warm_up`, has run at start);
3. **page**: a full run of the Learn page at that step in Streamlit's AppTest, warm, with
   the app's navigation and sidebar, median of ``--repeat`` runs;
4. **move**: a full page run after moving the step's first control off its default (a new
   world or setting the warm-up has not computed: the cold path a class meets when the
   teacher moves a knob), median over ``--repeat`` fresh settings where the control allows.

Target: every step renders in under a second. The naive alternative would rebuild the
world and retrain on every interaction; "cold" is that cost.

Run with ``python bench/bench_lessons.py [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from fairlab.lessons import LESSONS, Control, Workbench
from fairlab_ui import lessons as ui

ROOT = Path(__file__).resolve().parents[1]
TARGET = 1.0


def _moved(control: Control, k: int) -> Any:
    if control.kind in ("slider", "integer"):
        value = control.default + (k + 1) * (control.step or 1) * (
            -1 if control.default >= control.high else 1
        )
        return min(max(value, control.low), control.high)
    if control.kind == "toggle":
        return not control.default
    if control.kind == "select":
        options = [o for o in control.options if o != control.default]
        return options[k % len(options)]
    return tuple(control.options[: max(1, (len(control.default) + k) % len(control.options))])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.chdir(ROOT)
    print(f"load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores")

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    ui.warm_up_lessons().join()  # the server's warm-up, as at start
    print(f"{'lesson / step':46} {'cold':>6} {'warm':>6} {'page':>6} {'move':>6}")
    worst_page = worst_move = 0.0
    for item in LESSONS.values():
        for step in item.steps:
            started = time.perf_counter()
            step.run(Workbench())
            cold = time.perf_counter() - started
            started = time.perf_counter()
            step.run(ui.workbench())
            warm = time.perf_counter() - started

            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
            at.run()
            at.query_params.update({"lesson": item.key, "step": step.key})
            if step.predict is not None:
                at.session_state[ui.revealed_key(item, step)] = True
                at.session_state[ui.guess_key(item, step)] = step.predict.options[0]
            at.switch_page("app_pages/learn.py")
            pages = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                at.run()
                pages.append(time.perf_counter() - started)
                assert not at.exception, at.exception
            page = statistics.median(pages)

            moves = []
            control = step.controls[0]
            key = ui.control_key(item, step, control.name)
            for k in range(args.repeat):
                value = _moved(control, k)
                at.session_state[key] = list(value) if control.kind == "multiselect" else value
                started = time.perf_counter()
                at.run()
                moves.append(time.perf_counter() - started)
                assert not at.exception, at.exception
            move = statistics.median(moves)
            worst_page, worst_move = max(worst_page, page), max(worst_move, move)
            print(
                f"{item.key + ' / ' + step.key:46} {cold:6.2f} {warm:6.2f} {page:6.2f} {move:6.2f}"
            )
    print(
        f"worst page run {worst_page:.2f} s, worst run after moving a control {worst_move:.2f} s "
        f"(target < {TARGET:.0f} s)"
    )


if __name__ == "__main__":
    main()
