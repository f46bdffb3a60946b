"""What a lesson is made of: steps, their controls and predictions, and a step's result."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd
import plotly.graph_objects as go

from fairlab.errors import FairLabError

if TYPE_CHECKING:
    from fairlab.lessons.workbench import Workbench

__all__ = [
    "LessonError",
    "Control",
    "Prediction",
    "Step",
    "Lesson",
    "StepResult",
    "ControlKind",
    "BAD_VALUE_ERROR",
]

ControlKind = Literal["slider", "toggle", "select", "multiselect", "integer"]

BAD_VALUE_ERROR = (
    "The link sets '{name}' ({label}) to {value!r}; {expected}. The step opened with its "
    "default instead; change it with the control."
)


class LessonError(FairLabError, ValueError):
    """A lesson, step or control value that does not exist."""


@dataclass(frozen=True)
class Control:
    """The interactive control of a step: what the student moves.

    Parameters
    ----------
    name : str
        The control's name in the address (``?lesson=...&step=...&name=value``).
    label : str
        What the control is called on screen.
    kind : {"slider", "toggle", "select", "multiselect", "integer"}
        A number slider, an on/off switch, one option, several options, or a whole number.
    default : object
        The value a step opens with.
    low, high, step : float, optional
        Range and step of a slider or whole number.
    options : tuple of str
        The choices of a select or multiselect (their names in the address).
    option_titles : tuple of (str, str)
        What an option is called on screen, where that differs from its name.
    help : str
        A one-line hint under the control.
    """

    name: str
    label: str
    kind: ControlKind
    default: Any
    low: float | None = None
    high: float | None = None
    step: float | None = None
    options: tuple[str, ...] = ()
    option_titles: tuple[tuple[str, str], ...] = ()
    help: str = ""

    def title_of(self, option: str) -> str:
        """What an option is called on screen."""
        return dict(self.option_titles).get(option, option)

    def expected(self) -> str:
        """What a valid value looks like, in words."""
        if self.kind == "toggle":
            return "use 1 (on) or 0 (off)"
        if self.kind == "select":
            return "use one of " + ", ".join(self.options)
        if self.kind == "multiselect":
            return "use options from " + ", ".join(self.options) + ", separated by commas"
        kind = "a whole number" if self.kind == "integer" else "a number"
        return f"use {kind} from {self.low:g} to {self.high:g}"

    def parse(self, raw: str) -> Any:
        """Read a value from its text in the address.

        Raises
        ------
        LessonError
            If the text is not a valid value of this control.
        """
        value: Any
        try:
            if self.kind == "toggle":
                if raw not in ("0", "1"):
                    raise ValueError(raw)
                value = raw == "1"
            elif self.kind == "select":
                if raw not in self.options:
                    raise ValueError(raw)
                value = raw
            elif self.kind == "multiselect":
                value = tuple(part for part in raw.split(",") if part)
                if not value or any(part not in self.options for part in value):
                    raise ValueError(raw)
            else:
                number = float(raw) if self.kind == "slider" else int(raw)
                if not math.isfinite(number) or not self.low <= number <= self.high:  # type: ignore[operator]
                    raise ValueError(raw)
                value = number
        except ValueError:
            raise LessonError(
                BAD_VALUE_ERROR.format(
                    name=self.name, label=self.label, value=raw, expected=self.expected()
                )
            ) from None
        return value

    def to_text(self, value: Any) -> str:
        """The text of a value in the address (the inverse of :meth:`parse`)."""
        if self.kind == "toggle":
            return "1" if value else "0"
        if self.kind == "multiselect":
            return ",".join(value)
        if self.kind == "slider":
            return f"{float(value):g}"
        return str(value)


@dataclass(frozen=True)
class Prediction:
    """A question the student answers before the result is shown.

    Parameters
    ----------
    question : str
        The question.
    options : tuple of str
        The possible answers; the step's result says which one the data gives.
    """

    question: str
    options: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class StepResult:
    """The live result of a step, computed from its control values.

    Attributes
    ----------
    headline : str
        The result in one or two plain sentences, with the numbers.
    figure : plotly.graph_objects.Figure, optional
        The chart.
    table : pandas.DataFrame, optional
        The numbers behind the chart, ready to show.
    answer : str, optional
        The option of the step's prediction that the data gives.
    facts : mapping of str to float
        The key numbers, by name (what the headline says, for checks and tests).
    notes : tuple of str
        Further remarks (caveats, what to look at).
    """

    headline: str
    figure: go.Figure | None = None
    table: pd.DataFrame | None = None
    answer: str | None = None
    facts: Mapping[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


StepCompute = Callable[[Mapping[str, Any], "Workbench"], StepResult]


@dataclass(frozen=True)
class Step:
    """One step of a lesson: an explanation, a control and a live result.

    Parameters
    ----------
    key : str
        The step's name in the address.
    title : str
        Its heading.
    text : str
        The explanation (Markdown).
    controls : tuple of Control
        What the student moves (usually one control; a pair of sliders counts as one).
    compute : callable
        ``compute(values, workbench) -> StepResult``, ``values`` keyed by control name.
    formula : str
        A LaTeX formula shown with the text, if any.
    predict : Prediction, optional
        A question to answer before the result is revealed.
    """

    key: str
    title: str
    text: str
    controls: tuple[Control, ...]
    compute: StepCompute
    formula: str = ""
    predict: Prediction | None = None

    def control(self, name: str) -> Control:
        """The control called ``name``."""
        for control in self.controls:
            if control.name == name:
                return control
        raise LessonError(f"Step '{self.key}' has no control '{name}'.")

    def defaults(self) -> dict[str, Any]:
        """Each control's default value."""
        return {c.name: c.default for c in self.controls}

    def run(self, workbench: Workbench, values: Mapping[str, Any] | None = None) -> StepResult:
        """Compute the step's result for control values (defaults for those not given)."""
        return self.compute({**self.defaults(), **(values or {})}, workbench)


@dataclass(frozen=True)
class Lesson:
    """A guided lesson: 3 to 6 steps, then questions for the class.

    Parameters
    ----------
    key : str
        The lesson's name in the address.
    title : str
        Its title.
    summary : str
        What the class will learn, in one sentence.
    steps : tuple of Step
        The steps, in order.
    discussion : tuple of str
        Two or three questions to discuss at the end.
    glossary : tuple of str
        Glossary entries the lesson relies on.
    """

    key: str
    title: str
    summary: str
    steps: tuple[Step, ...]
    discussion: tuple[str, ...]
    glossary: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not 3 <= len(self.steps) <= 6:
            raise LessonError(f"Lesson '{self.key}' has {len(self.steps)} steps; use 3 to 6.")
        keys = [s.key for s in self.steps]
        if len(set(keys)) != len(keys):
            raise LessonError(f"Lesson '{self.key}' repeats a step name.")

    def step_index(self, key: str) -> int:
        """The position of the step called ``key``.

        Raises
        ------
        LessonError
            If the lesson has no such step.
        """
        for i, step in enumerate(self.steps):
            if step.key == key:
                return i
        raise LessonError(
            f"Lesson '{self.title}' has no step '{key}'; its steps are "
            + ", ".join(s.key for s in self.steps)
            + ". It opened at the first step."
        )
