"""Tests for fairlab.data.bundled: the bundled datasets, their specs, cards and files."""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import pytest

from fairlab.data import BUNDLED_NAMES, BundledDataset, bundled_titles, data_dir, load_bundled
from fairlab.data.bundled import (
    CARD_NOT_FOUND_ERROR,
    DATA_DIR_ENV,
    DATA_FILE_MISSING_ERROR,
    UNKNOWN_DATASET_ERROR,
)
from fairlab.errors import DataError, DatasetNotFoundError
from fairlab.spec import AuditSpec

FILE_ROW = re.compile(
    r"^\| `(?P<file>[^`]+\.gz)` \| `[^`]+` \| (?P<size>[\d,]+) \| `(?P<sha>[0-9a-f]{64})` \|$",
    re.MULTILINE,
)
HEADING = re.compile(r"^## (?P<name>\S+) — (?P<title>.+)$", re.MULTILINE)
EXPECTED_FILES = {
    "adult.data.gz",
    "adult.test.gz",
    "compas-scores-two-years.csv.gz",
    "german.data.gz",
}


@pytest.fixture(scope="module")
def datasets() -> dict[str, BundledDataset]:
    return {name: load_bundled(name) for name in BUNDLED_NAMES}


def _readme() -> str:
    return (data_dir() / "README.md").read_text(encoding="utf-8")


# ---------------------------------------------------------------------- shapes
@pytest.mark.parametrize(
    ("name", "rows", "columns"),
    [("adult", 48_842, 16), ("compas", 7_214, 53), ("german", 1_000, 22)],
)
def test_row_and_column_counts(datasets, name, rows, columns):
    assert datasets[name].frame.shape == (rows, columns)


def test_adult_columns_sources_and_labels(datasets):
    frame = datasets["adult"].frame
    assert list(frame.columns) == [
        "age", "workclass", "fnlwgt", "education", "education_num", "marital_status",
        "occupation", "relationship", "race", "sex", "capital_gain", "capital_loss",
        "hours_per_week", "native_country", "income", "source_file",
    ]  # fmt: skip
    assert frame["source_file"].value_counts().to_dict() == {
        "adult.data": 32_561,
        "adult.test": 16_281,
    }
    assert set(frame["income"]) == {"<=50K", ">50K"}
    assert not frame["income"].str.contains(".", regex=False).any()
    assert frame["income"].value_counts().to_dict() == {"<=50K": 37_155, ">50K": 11_687}


def test_adult_question_marks_are_missing_and_spaces_stripped(datasets):
    frame = datasets["adult"].frame
    assert frame.isna().sum()[lambda s: s > 0].to_dict() == {
        "workclass": 2_799,
        "occupation": 2_809,
        "native_country": 857,
    }
    text = frame.select_dtypes(exclude="number")
    assert not text.isin(["?"]).any().any()
    assert not text.apply(lambda c: c.str.startswith(" ").any()).any()
    assert frame["sex"].value_counts().to_dict() == {"Male": 32_650, "Female": 16_192}


def test_compas_is_unfiltered_with_deduplicated_columns(datasets):
    frame = datasets["compas"].frame
    for first in ("decile_score", "priors_count"):
        second = f"{first} (2)"
        assert first in frame.columns and second in frame.columns
        assert frame[first].equals(frame[second].rename(first))
    assert not any(column.endswith(".1") for column in frame.columns)
    assert frame["two_year_recid"].value_counts().to_dict() == {0: 3_963, 1: 3_251}
    assert set(frame["score_text"].dropna()) == {"Low", "Medium", "High"}


def test_german_decoding(datasets):
    frame = datasets["german"].frame
    assert frame["sex"].value_counts().to_dict() == {"male": 690, "female": 310}
    assert frame["credit"].value_counts().to_dict() == {"good": 700, "bad": 300}
    assert frame["telephone"].value_counts().to_dict() == {"no": 596, "yes": 404}
    assert frame["foreign_worker"].value_counts().to_dict() == {"yes": 963, "no": 37}
    assert "status_sex" not in frame.columns
    assert list(frame.columns[8:10]) == ["personal_status", "sex"]
    assert frame["age"].dtype.kind == "i"
    assert frame.iloc[0]["status"] == "< 0 DM"
    assert not frame.isna().any().any()
    assert (
        not frame.select_dtypes(exclude="number")
        .apply(lambda c: c.str.match(r"^A\d+$").any())
        .any()
    )


# ---------------------------------------------------------------------- specs
@pytest.mark.parametrize("name", BUNDLED_NAMES)
def test_default_spec_validates_without_errors(datasets, name):
    dataset = datasets[name]
    problems = dataset.spec.validate(dataset.frame)
    assert [p.message for p in problems if p.severity == "error"] == []


@pytest.mark.parametrize("name", BUNDLED_NAMES)
def test_default_spec_survives_json(datasets, name):
    spec = datasets[name].spec
    assert AuditSpec.from_json(spec.to_json()) == spec


def test_default_specs_leave_out_leaks_and_sensitive_attributes(datasets):
    adult = datasets["adult"].spec
    assert adult.target == "income" and adult.positive_label == ">50K"
    assert adult.sensitive == ("sex", "race")
    assert not {"income", "source_file", "fnlwgt", "sex", "race"} & set(adult.features)
    assert len(adult.features) == 11

    compas = datasets["compas"].spec
    assert (compas.target, compas.positive_label) == ("two_year_recid", 0)
    assert (compas.prediction_column, compas.prediction_positive) == ("score_text", ("Low",))
    assert compas.sensitive == ("race", "sex")

    german = datasets["german"].spec
    assert german.target == "credit" and german.positive_label == "good"
    assert german.sensitive == ("sex", "age")
    assert german.bins_for("age") == (25.0,)
    assert not {"credit", "sex", "age", "personal_status"} & set(german.features)
    assert len(german.features) == 18


# ---------------------------------------------------------------------- API
def test_unpacking_gives_frame_and_spec():
    frame, spec = load_bundled("german")
    assert frame.shape == (1_000, 22)
    assert isinstance(spec, AuditSpec)


def test_each_load_returns_a_fresh_frame():
    first = load_bundled("german")
    first.frame.loc[0, "credit"] = "bad"
    assert load_bundled("german").frame.loc[0, "credit"] == "good"


def test_titles_in_display_order():
    titles = bundled_titles()
    assert tuple(titles) == BUNDLED_NAMES == ("adult", "compas", "german")
    assert titles["adult"] == "UCI Adult (census income, 1994)"
    assert all(titles.values())


@pytest.mark.parametrize("name", ["Adult", "credit", ""])
def test_unknown_name_raises(name):
    expected = UNKNOWN_DATASET_ERROR.format(name=name)
    with pytest.raises(DatasetNotFoundError, match=re.escape(expected)):
        load_bundled(name)
    assert "adult, compas, german" in UNKNOWN_DATASET_ERROR


def test_data_dir_default_and_override(monkeypatch, tmp_path):
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    assert data_dir() == Path(__file__).resolve().parents[2] / "data"
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    assert data_dir() == tmp_path


def test_missing_file_raises_data_error(monkeypatch, tmp_path):
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    expected = DATA_FILE_MISSING_ERROR.format(path=tmp_path / "german.data.gz")
    with pytest.raises(DataError, match=re.escape(expected)):
        load_bundled("german")


def test_missing_card_raises_data_error(monkeypatch, tmp_path):
    source = Path(__file__).resolve().parents[2] / "data"
    (tmp_path / "german.data.gz").write_bytes((source / "german.data.gz").read_bytes())
    (tmp_path / "README.md").write_text("# Bundled datasets\n\n## adult — Adult\n\ntext\n")
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    expected = CARD_NOT_FOUND_ERROR.format(path=tmp_path / "README.md", name="german")
    with pytest.raises(DataError, match=re.escape(expected)):
        load_bundled("german")


# ---------------------------------------------------------------------- README and files
def test_readme_headings_match_titles():
    headings = {m["name"]: m["title"] for m in HEADING.finditer(_readme())}
    assert {n: t for n, t in headings.items() if n in BUNDLED_NAMES} == bundled_titles()


@pytest.mark.parametrize("name", BUNDLED_NAMES)
def test_card_is_its_readme_section(datasets, name):
    card = datasets[name].card
    assert card
    assert "### Known issues" in card
    assert "### Source" in card and "### Licence" in card
    assert not card.startswith("## ")
    assert "\n## " not in card
    other = next(n for n in BUNDLED_NAMES if n != name)
    assert datasets[other].card != card


def test_readme_lists_every_bundled_file():
    rows = {m["file"] for m in FILE_ROW.finditer(_readme())}
    assert rows == EXPECTED_FILES
    assert {p.name for p in data_dir().glob("*.gz")} == EXPECTED_FILES


@pytest.mark.parametrize("file_name", sorted(EXPECTED_FILES))
def test_decompressed_file_matches_readme(file_name):
    row = next(m for m in FILE_ROW.finditer(_readme()) if m["file"] == file_name)
    content = gzip.decompress((data_dir() / file_name).read_bytes())
    assert len(content) == int(row["size"].replace(",", ""))
    assert hashlib.sha256(content).hexdigest() == row["sha"]


def test_suggested_spec_on_the_raw_compas_frame_leaves_out_the_outcomes_siblings(datasets):
    from fairlab.data.csv import infer_column_roles
    from fairlab.suggest import suggest_spec

    frame = datasets["compas"].frame
    roles = {info.name: info.role for info in infer_column_roles(frame)}
    features = set(suggest_spec(frame, roles).features)
    assert not features & {
        "two_year_recid",
        "decile_score",
        "score_text",
        "event",
        "r_charge_degree",
        "r_charge_desc",
        "vr_charge_degree",
        "vr_charge_desc",
        "c_charge_desc",
        "name",
        "first",
        "last",
    }
    assert set(datasets["compas"].spec.features) <= features | {"age"}
