"""Many users on one FairLab server, driven over Streamlit's own websocket protocol.

``bench_load.py`` drives real Chromium tabs; on this 2-core machine ten of them spend more
CPU drawing pages than the server spends computing them, so what it measures is mostly
the browsers. Here each session is a small client that speaks the protocol the browser
speaks (protobuf ``BackMsg`` in, ``ForwardMsg`` out): it asks for a run with the widget
values a person would have set, and the clock stops when the server says the run has
finished, with the elements the person was waiting for in hand. That is the server's
share of every interaction, which is what a shared classroom server must keep short;
each person's own browser draws the page on their own machine.

The journey per session, all sessions at once (the teacher says "now click Train"):
open the app (Adult) → Model page → train the default logistic regression → Fairness
page → the threshold explorer → five threshold moves (fragment reruns) → Explain page →
one row's SHAP and LIME. Prints p50 / p95 / max per kind of interaction and over the
non-heavy ones (target: p95 ≤ 2 s with 10 sessions). Then ``--churn`` more sessions
(``--users`` at a time) run the same journey and close; once Streamlit has dropped them
(``disconnectedSessionTTL`` + 15 s) the server's resident memory is compared with the warm
baseline taken the same way before them (target: within 10 %).

    python bench/bench_load_ws.py [--users 10] [--rounds 1] [--churn 50] [--ttl 120]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from collections import defaultdict

import websockets
from _app_server import print_latency_table, rss_mb, running_app, wait_idle
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

HEAVY = {"train", "explain one row"}
WIDGET_TYPES = {"button", "radio", "slider", "selectbox", "toggle", "checkbox"}


class Session:
    """One browser's worth of protocol: runs, widget values, what the page shows."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._ws: websockets.ClientConnection | None = None
        self.pages: dict[str, str] = {}
        self.page_hash = ""
        self.widgets: dict[tuple[str, str], tuple[str, str | None]] = {}
        self.texts: list[str] = []
        self._states: dict[str, WidgetState] = {}

    async def connect(self) -> None:
        ws_url = self._url.replace("http", "ws") + "/_stcore/stream"
        self._ws = await websockets.connect(
            ws_url, subprotocols=["streamlit"], origin=self._url, max_size=2**28
        )

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()

    def widget(self, kind: str, label: str) -> tuple[str, str | None]:
        """The id and fragment of the last widget of a kind whose label starts with ``label``."""
        found = [v for (k, lab), v in self.widgets.items() if k == kind and lab.startswith(label)]
        if not found:
            raise LookupError(f"no {kind} {label!r} on the page")
        return found[-1]

    async def run(
        self,
        *,
        page: str | None = None,
        set_state: WidgetState | None = None,
        trigger: str | None = None,
        fragment: str | None = None,
    ) -> None:
        """Ask for a run and read messages until the server says it has finished."""
        if page is not None:
            if page not in self.pages:
                raise LookupError(f"no page {page!r}; the app has {sorted(self.pages)}")
            self.page_hash = self.pages[page]
        if set_state is not None:
            self._states[set_state.id] = set_state
        msg = BackMsg()
        state = msg.rerun_script
        state.page_script_hash = self.page_hash
        state.query_string = ""
        if fragment:
            state.fragment_id = fragment
        for widget_state in self._states.values():
            state.widget_states.widgets.append(widget_state)
        if trigger is not None:
            state.widget_states.widgets.append(WidgetState(id=trigger, trigger_value=True))
        if not fragment:
            self.widgets, self.texts = {}, []
        assert self._ws is not None
        await self._ws.send(msg.SerializeToString())
        self.received_bytes = 0
        self.finished_as = None
        while True:
            forward = ForwardMsg()
            raw = await self._ws.recv()
            self.received_bytes += len(raw)
            forward.ParseFromString(raw)
            kind = forward.WhichOneof("type")
            if kind == "navigation":
                for app_page in forward.navigation.app_pages:
                    self.pages[app_page.url_pathname] = app_page.page_script_hash
                    self.pages[app_page.page_name] = app_page.page_script_hash
                if not self.page_hash:
                    self.page_hash = forward.navigation.page_script_hash
            elif kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                self._read_element(forward.delta.new_element, forward.delta.fragment_id)
            elif kind == "script_finished":
                self.finished_as = forward.script_finished
                if forward.script_finished in (
                    ForwardMsg.FINISHED_SUCCESSFULLY,
                    ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
                ):
                    return
                if forward.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    raise RuntimeError("the script did not compile")

    def _read_element(self, element, fragment_id: str) -> None:  # noqa: ANN001
        kind = element.WhichOneof("type")
        if kind in WIDGET_TYPES:
            inner = getattr(element, kind)
            self.widgets[(kind, inner.label)] = (inner.id, fragment_id or None)
        elif kind == "heading":
            self.texts.append(element.heading.body)
        elif kind == "markdown":
            self.texts.append(element.markdown.body)

    def shows(self, text: str) -> bool:
        """Whether a heading or markdown element of the last run starts with ``text``."""
        return any(t.lstrip("#* ").startswith(text) for t in self.texts)


async def _timed(
    times: dict[str, list[float]], kind: str, session: Session, check: str, **run
) -> None:  # noqa: ANN003
    start = time.perf_counter()
    await session.run(**run)
    times[kind].append(time.perf_counter() - start)
    if not session.shows(check):
        raise RuntimeError(f"{kind}: expected {check!r} on the page, got {session.texts[:8]}")


async def _journey(url: str, times: dict[str, list[float]]) -> None:
    session = Session(url)
    await session.connect()
    try:
        await _timed(times, "open the app", session, "UCI Adult")
        await _timed(times, "go to a page", session, "Model", page="model")
        train, _ = session.widget("button", "Train")
        await _timed(times, "train", session, "Performance:", trigger=train)
        await _timed(times, "go to a page", session, "Fairness", page="fairness")
        view, _ = session.widget("radio", "View")
        await _timed(
            times,
            "switch a view",
            session,
            "Threshold explorer",
            set_state=WidgetState(id=view, string_value="Threshold explorer"),
        )
        slider, fragment = session.widget("slider", "Threshold")
        for k in range(5):
            start = time.perf_counter()
            await session.run(
                set_state=WidgetState(
                    id=slider, double_array_value={"data": [0.5 - 0.01 * (k + 1)]}
                ),
                fragment=fragment,
            )
            times["move the threshold"].append(time.perf_counter() - start)
        await _timed(times, "go to a page", session, "Explain", page="explain")
        explain_view, _ = session.widget("radio", "View")
        await _timed(
            times,
            "explain one row",
            session,
            "Local fit R",
            set_state=WidgetState(id=explain_view, string_value="One row"),
        )
    finally:
        await session.close()


async def _churn(url: str, pid: int, churn: int, ttl: int, batch: int) -> None:
    """Open and close ``churn`` sessions, ``batch`` at a time, and compare the server's
    memory once they have expired with the warm baseline."""
    wait = ttl + 15
    print(f"\nwaiting {wait} s for the sessions so far to expire (disconnectedSessionTTL)")
    await asyncio.sleep(wait)
    baseline = rss_mb(pid)
    print(f"warm baseline: {baseline:.0f} MB")
    done = 0
    while done < churn:
        n = min(batch, churn - done)
        await asyncio.gather(*(_journey(url, defaultdict(list)) for _ in range(n)))
        done += n
        print(f"  {done} sessions opened, used and closed: {rss_mb(pid):.0f} MB")
    await asyncio.sleep(wait)
    after = rss_mb(pid)
    print(
        f"after they expired: {after:.0f} MB, {100 * (after / baseline - 1):+.1f} % of the warm "
        "baseline (target within 10 %)"
    )


async def _main(url: str, users: int, rounds: int, pid: int) -> None:
    warm: dict[str, list[float]] = defaultdict(list)
    await _journey(url, warm)
    waited = wait_idle(pid)
    print(f"server idle after its background warm-up ({waited:.0f} s after the first session)")
    print("warm-up session: " + ", ".join(f"{k} {v[0]:.2f} s" for k, v in warm.items()))
    print(f"server memory after the warm-up session: {rss_mb(pid):.0f} MB")
    for round_ in range(rounds):
        times: dict[str, list[float]] = defaultdict(list)
        started = time.perf_counter()
        await asyncio.gather(*(_journey(url, times) for _ in range(users)))
        print(
            f"\nround {round_ + 1}: {users} concurrent sessions, "
            f"{time.perf_counter() - started:.1f} s wall time, server memory "
            f"{rss_mb(pid):.0f} MB"
        )
        print_latency_table(times, HEAVY)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--churn", type=int, default=50, help="sessions for the memory check")
    parser.add_argument(
        "--ttl", type=int, default=120, help="the server's disconnectedSessionTTL, in seconds"
    )
    args = parser.parse_args()
    with running_app("--server.disconnectedSessionTTL", str(args.ttl)) as (url, server):
        print(f"load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores")
        asyncio.run(_main(url, args.users, args.rounds, server.pid))
        if args.churn:
            asyncio.run(_churn(url, server.pid, args.churn, args.ttl, args.users))


if __name__ == "__main__":
    main()
