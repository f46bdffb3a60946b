"""The one exception family of FairLab.

Every :class:`FairLabError` carries text meant for the person using FairLab: it says
what is wrong and what to do about it. Pages show it with ``st.error``; the command
line prints it on one line. Any other exception is a bug.
"""

from __future__ import annotations

__all__ = [
    "FairLabError",
    "DataError",
    "CsvError",
    "DatasetNotFoundError",
    "SpecError",
    "ModelError",
]


class FairLabError(Exception):
    """Base class for errors whose message is written for the user."""


class DataError(FairLabError):
    """A dataset could not be read or loaded."""


class CsvError(DataError):
    """An uploaded or given CSV file cannot be read as a table."""


class DatasetNotFoundError(DataError):
    """A bundled dataset name is not known."""


class SpecError(FairLabError):
    """An audit specification does not fit the data it is applied to.

    Parameters
    ----------
    problems : sequence of SpecProblem
        Every blocking problem found, so the UI can show each next to the
        widget that fixes it.
    """

    def __init__(self, problems: object) -> None:
        self.problems = tuple(problems)  # type: ignore[arg-type]
        super().__init__(" ".join(p.message for p in self.problems))  # type: ignore[attr-defined]


class ModelError(FairLabError):
    """A model cannot be configured, trained, loaded or used as asked.

    Raised for a model or split configuration out of range, data too small to split,
    a feature a model cannot use, and a model file that is unsafe or unreadable.
    """
