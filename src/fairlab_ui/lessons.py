"""The Learn page's shared workbench, its warm-up, and its state in the address."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import streamlit as st

from fairlab.errors import FairLabError
from fairlab.lessons import LESSONS, Control, Lesson, Step, Workbench, lesson, warm_up

LESSON_PARAM = "lesson"
STEP_PARAM = "step"
PRESENT_PARAM = "present"

LESSON_KEY = "learn_lesson"
PRESENT_KEY = "learn_present"
URL_ERRORS = "learn_url_errors"

PRESENTATION_CSS = """
<style>
section.main .stMarkdown p, section.main .stMarkdown li,
div[data-testid="stMainBlockContainer"] .stMarkdown p,
div[data-testid="stMainBlockContainer"] .stMarkdown li { font-size: 1.45rem; line-height: 1.5; }
div[data-testid="stMainBlockContainer"] h1 { font-size: 3rem; }
div[data-testid="stMainBlockContainer"] h2 { font-size: 2.3rem; }
div[data-testid="stMainBlockContainer"] label p { font-size: 1.25rem; }
div[data-testid="stMainBlockContainer"] .katex { font-size: 1.6em; }
</style>
"""
"""Larger text for a projector; a constant of ours, so safe to render as HTML."""


@st.cache_resource(show_spinner=False)
def workbench() -> Workbench:
    """One workbench per server: lessons only touch synthetic worlds, never uploads."""
    return Workbench()


@st.cache_resource(show_spinner=False)
def warm_up_lessons() -> threading.Thread:
    """Compute every lesson step at its defaults once per server, in the background."""
    thread = threading.Thread(
        target=warm_up, args=(workbench(),), name="fairlab-lessons-warm-up", daemon=True
    )
    thread.start()
    return thread


def step_key(item: Lesson) -> str:
    """The session key of a lesson's step selector."""
    return f"learn_step_{item.key}"


def control_key(item: Lesson, step: Step, name: str) -> str:
    """The session key of a step's control."""
    return f"learn_c_{item.key}_{step.key}_{name}"


def guess_key(item: Lesson, step: Step) -> str:
    """The session key of a step's prediction."""
    return f"learn_guess_{item.key}_{step.key}"


def revealed_key(item: Lesson, step: Step) -> str:
    """The session key saying a step's result was revealed."""
    return f"learn_shown_{item.key}_{step.key}"


def presenting() -> bool:
    """Whether presentation mode is on (the toggle, or ``?present=1`` on a first visit)."""
    if PRESENT_KEY in st.session_state:
        return bool(st.session_state[PRESENT_KEY])
    return st.query_params.get(PRESENT_PARAM) == "1"


def open_from_address() -> None:
    """On a session's first visit to the Learn page, open the lesson, step and control
    values the address names; problems are kept to show on the page."""
    if LESSON_KEY in st.session_state:
        return
    params = st.query_params.to_dict()
    errors: list[str] = []
    chosen = next(iter(LESSONS.values()))
    if LESSON_PARAM in params:
        try:
            chosen = lesson(params[LESSON_PARAM])
        except FairLabError as exc:
            errors.append(str(exc))
    st.session_state[LESSON_KEY] = chosen.key
    st.session_state[PRESENT_KEY] = params.get(PRESENT_PARAM) == "1"
    index = 0
    if LESSON_PARAM in params and STEP_PARAM in params and not errors:
        try:
            index = chosen.step_index(params[STEP_PARAM])
        except FairLabError as exc:
            errors.append(str(exc))
    st.session_state[step_key(chosen)] = index
    step = chosen.steps[index]
    for control in step.controls:
        if control.name in params:
            try:
                value = control.parse(params[control.name])
            except FairLabError as exc:
                errors.append(str(exc))
            else:
                st.session_state[control_key(chosen, step, control.name)] = _widget_value(
                    control.kind, value
                )
    st.session_state[URL_ERRORS] = errors


def _widget_value(kind: str, value: Any) -> Any:
    return list(value) if kind == "multiselect" else value


def write_address(item: Lesson, step: Step, values: Mapping[str, Any]) -> None:
    """Put the lesson, step, presentation mode and control values in the address."""
    params = {LESSON_PARAM: item.key, STEP_PARAM: step.key}
    if presenting():
        params[PRESENT_PARAM] = "1"
    for control in step.controls:
        params[control.name] = control.to_text(values[control.name])
    if st.query_params.to_dict() != params:
        st.query_params.from_dict(params)


def control_widget(item: Lesson, step: Step, control: Control) -> Any:
    """Draw a step's control and return its value (a tuple for a multiselect)."""
    key = control_key(item, step, control.name)
    if key not in st.session_state:
        st.session_state[key] = _widget_value(control.kind, control.default)
    help_text = control.help or None
    if control.kind in ("slider", "integer"):
        cast = float if control.kind == "slider" else int
        return st.slider(
            control.label,
            cast(control.low),
            cast(control.high),
            step=cast(control.step or (0.01 if control.kind == "slider" else 1)),
            key=key,
            help=help_text,
        )
    if control.kind == "toggle":
        return st.toggle(control.label, key=key, help=help_text)
    if control.kind == "select":
        return st.selectbox(
            control.label,
            list(control.options),
            key=key,
            help=help_text,
            format_func=control.title_of,
        )
    picked = st.multiselect(
        control.label,
        list(control.options),
        key=key,
        help=help_text,
        format_func=control.title_of,
    )
    return tuple(o for o in control.options if o in picked)
