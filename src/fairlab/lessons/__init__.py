"""Guided lessons for the classroom, built on the synthetic worlds and the audit library.

Each :class:`Lesson` has 3 to 6 steps; each :class:`Step` has an explanation, a control and
a ``compute`` that turns the control's value into a live :class:`StepResult`, using the same
functions an audit uses (:func:`fairlab.fairness.assess_fairness`, the threshold sweep, the
explainers, the mitigation comparison). A :class:`Workbench` keeps what steps compute.
"""

from __future__ import annotations

from fairlab.lessons import (
    disagreement,
    impossibility,
    label_bias,
    parity,
    threshold_game,
    tradeoff,
    unawareness,
)
from fairlab.lessons._model import (
    BAD_VALUE_ERROR,
    Control,
    Lesson,
    LessonError,
    Prediction,
    Step,
    StepResult,
)
from fairlab.lessons.lab import LessonLab, build_lab
from fairlab.lessons.workbench import Workbench

__all__ = [
    "LESSONS",
    "lesson",
    "Control",
    "Lesson",
    "LessonError",
    "LessonLab",
    "Prediction",
    "Step",
    "StepResult",
    "Workbench",
    "build_lab",
    "warm_up",
    "BAD_VALUE_ERROR",
    "UNKNOWN_LESSON_ERROR",
]

LESSONS: dict[str, Lesson] = {
    m.LESSON.key: m.LESSON
    for m in (
        parity,
        threshold_game,
        impossibility,
        unawareness,
        label_bias,
        disagreement,
        tradeoff,
    )
}
"""The lessons, in teaching order, by key."""

UNKNOWN_LESSON_ERROR = "There is no lesson '{key}'. Pick one of: {titles}."


def lesson(key: str) -> Lesson:
    """The lesson called ``key``.

    Raises
    ------
    LessonError
        If there is no such lesson.
    """
    if key not in LESSONS:
        titles = ", ".join(f"{k} ({v.title})" for k, v in LESSONS.items())
        raise LessonError(UNKNOWN_LESSON_ERROR.format(key=key, titles=titles))
    return LESSONS[key]


def warm_up(workbench: Workbench) -> int:
    """Compute every step of every lesson at its default values, so a class finds them
    ready. Returns the number of steps computed."""
    n = 0
    for item in LESSONS.values():
        for step in item.steps:
            step.run(workbench)
            n += 1
    return n
