"""Renderers shared by pages. User text never reaches the page as markdown or HTML."""

from __future__ import annotations

import re
from collections.abc import Iterable

import streamlit as st

from fairlab.spec import SpecField, SpecProblem

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$~:=&])")


def md(text: object) -> str:
    """Escape text so Streamlit's markdown shows it literally.

    Backslash-escapes every markdown, LaTeX (``$``) and HTML-significant character, so
    a column called ``<img onerror=...>`` or ``$\\frac{1}{0}$`` reads as typed.
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


def show_error(message: str) -> None:
    """Show a user-facing error message (from a FairLabError) as plain text."""
    st.error(md(message), icon=":material/error:")


def show_warning(message: str) -> None:
    """Show a user-facing warning as plain text."""
    st.warning(md(message), icon=":material/warning:")


def show_problems(problems: Iterable[SpecProblem], *fields: SpecField) -> None:
    """Show the problems that belong to the given spec fields, errors first."""
    for problem in problems:
        if problem.field in fields:
            if problem.severity == "error":
                show_error(problem.message)
            else:
                show_warning(problem.message)


CHOICE_WARNING_FIELDS: tuple[SpecField, ...] = ("score", "prediction")
"""Spec fields whose warnings change every number a model page shows."""


def show_choice_warnings(problems: Iterable[SpecProblem]) -> None:
    """On a page that shows numbers: say first which choice of the spec no longer fits the
    data (a threshold outside the scores), so no number is read without it."""
    for problem in problems:
        if problem.severity == "warning" and problem.field in CHOICE_WARNING_FIELDS:
            show_warning(f"Check the spec on the Data page: {problem.message}")


class PageStopped(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Raised by :func:`stop_page`; ``app.py`` catches it after the page."""


def stop_page() -> None:
    """End the current page here, but let ``app.py`` still draw the shared sidebar.

    ``st.stop()`` would end the whole script run, sidebar included.
    """
    raise PageStopped
