"""The bad-input matrix: every kind of bad input a user can feed FairLab, through the UI.

Each case starts from a loaded dataset with a valid spec (Adult, as the app opens, or a
small upload), feeds one bad input the way a user would (an upload, a spec widget, the
Model page) and checks three things: nothing raises; a message at the right place says
what is wrong and what to do; and when the input is refused, what was loaded before
(dataset, spec, predictions) is still there. Inputs that deserve a warning rather than a
refusal (a constant column, leakage, free text, ...) are checked for the warning.

Small fixture files live in ``tests/fixtures/bad_inputs``; anything big is generated in
``tmp_path`` at test time.
"""

from __future__ import annotations

import csv
import gzip
import io
import pickle
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import skops.io
from streamlit.testing.v1 import AppTest

from fairlab.audit_data import build_audit_data
from fairlab.cli import main as cli_main
from fairlab.data.csv import DEFAULT_MAX_BYTES
from fairlab_ui import state

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bad_inputs"
ROOT = Path(__file__).resolve().parents[2]
TRAIN = "FormSubmitter:model_train_form-Train"
MODEL_PAGE = "app_pages/model.py"
DATA_PAGE = "app_pages/data.py"
FAIRNESS_PAGE = "app_pages/fairness.py"
SKOPS_SOURCE = "Bring your own model (skops file)"

# --------------------------------------------------------------------------- helpers


def texts(app: AppTest, kind: str) -> list[str]:
    """What a reader sees in every element of one kind (markdown escapes removed)."""
    return [re.sub(r"\\(.)", r"\1", str(element.value)) for element in getattr(app, kind)]


def _sidebar(app: AppTest) -> str:
    return " ".join(re.sub(r"\\(.)", r"\1", str(m.value)) for m in app.sidebar.markdown)


def _notes(app: AppTest) -> list[str]:
    """The notes from reading the uploaded file (a bulleted list on the Data page)."""
    return [t[2:] for t in texts(app, "markdown") if t.startswith("- ")]


def _one_with(messages: list[str], *phrases: str) -> str:
    """The one message that holds every phrase (fails with all messages if none does)."""
    found = [m for m in messages if all(p in m for p in phrases)]
    assert found, f"no message holds {phrases}: {messages}"
    return found[0]


def _walk(node: object) -> Iterator[object]:
    children = getattr(node, "children", None)
    if isinstance(children, dict) and children:
        for index in sorted(children):
            yield from _walk(children[index])
    else:
        yield node


def _shown_under(app: AppTest, key: str, *phrases: str, kind: str = "error") -> str:
    """Assert that a message of ``kind`` holding ``phrases`` is drawn right below the widget
    ``key`` (only other messages in between) and return its text."""
    elements = list(_walk(app.main))
    position = next((i for i, e in enumerate(elements) if getattr(e, "key", None) == key), None)
    assert position is not None, f"no widget with key {key!r} on the page"
    for element in elements[position + 1 :]:
        element_type = getattr(element, "type", "")
        if element_type not in ("error", "warning", "info", "success", "exception"):
            break
        text = re.sub(r"\\(.)", r"\1", str(element.value))
        if element_type == kind and all(p in text for p in phrases):
            return text
    shown = [
        (getattr(e, "type", "?"), str(getattr(e, "value", ""))[:120])
        for e in elements[position + 1 : position + 6]
    ]
    raise AssertionError(f"no {kind} with {phrases} right below {key!r}; below it: {shown}")


def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def _upload(app: AppTest, name: str, content: bytes) -> AppTest:
    app.radio(key=state.DATA_SOURCE).set_value(state.SOURCE_UPLOAD).run()
    app.file_uploader(key=state.DATA_UPLOAD).set_value((name, content, "text/csv")).run()
    assert not app.exception, app.exception
    return app


def _snapshot(app: AppTest) -> tuple[str, object]:
    return app.session_state[state.ACTIVE_DATASET].key, app.session_state[state.SPEC]


def _assert_upload_refused(app: AppTest, before: tuple[str, object], *phrases: str) -> str:
    """The upload is refused under the uploader; the dataset and spec loaded before stay."""
    assert not app.exception, app.exception
    errors = texts(app, "error")
    assert len(errors) == 1, errors
    message = _shown_under(app, state.DATA_UPLOAD, *phrases)
    assert _snapshot(app) == before
    assert any("is still active" in c for c in texts(app, "caption"))
    assert app.header[0].value.startswith("UCI Adult")
    assert "UCI Adult" in _sidebar(app) and "ready to audit" in _sidebar(app)
    return message


def _assert_accepted(app: AppTest, name: str) -> None:
    assert not app.exception, app.exception
    dataset = app.session_state[state.ACTIVE_DATASET]
    assert dataset.kind == "upload" and dataset.name == name
    assert state.UPLOAD_ERROR not in app.session_state
    assert not any("is still active" in c for c in texts(app, "caption"))


def _people(n: int = 240, seed: int = 0) -> pd.DataFrame:
    """A small, valid hiring dataset: the suggested spec audits 'hired' by sex and age."""
    rng = np.random.default_rng(seed)
    sex = np.where(np.arange(n) % 2 == 0, "F", "M")
    hired = np.where(rng.random(n) < np.where(sex == "F", 0.35, 0.55), "yes", "no")
    return pd.DataFrame(
        {
            "sex": sex,
            "age": rng.integers(18, 80, n),
            "experience": rng.integers(0, 30, n),
            "team": rng.choice(["north", "south", "east"], n),
            "hired": hired,
        }
    )


def _upload_people(app: AppTest, name: str = "people.csv", **extra: object) -> AppTest:
    """Upload ``_people()`` with extra columns; its suggested spec must be valid."""
    frame = _people()
    for column, values in extra.items():
        frame[column] = values
    _upload(app, name, _csv(frame))
    _assert_accepted(app, name)
    assert not app.error, texts(app, "error")
    return app


def _train(app: AppTest) -> AppTest:
    app.switch_page(MODEL_PAGE).run()
    app.button(key=TRAIN).click().run()
    assert not app.exception, app.exception
    assert not app.error, texts(app, "error")
    return app


def _skops_source(app: AppTest) -> AppTest:
    app.switch_page(MODEL_PAGE).run()
    app.radio(key="model_source").set_value(SKOPS_SOURCE).run()
    return app


def _group_table(app: AppTest, group: str) -> pd.DataFrame:
    """The Fairness page's table of the groups of the attribute that has ``group``."""
    for frame in app.dataframe:
        table = pd.DataFrame(frame.value)
        is_group_table = "group" in table.columns and "rows" in table.columns
        if is_group_table and group in set(table["group"].astype(str)):
            return table.set_index("group")
    raise AssertionError(f"no group table with group {group!r}")


# --------------------------------------------------------------------------- files


def test_empty_file(at: AppTest) -> None:
    before = _snapshot(at)
    _upload(at, "empty.csv", _fixture("empty.csv"))
    message = _assert_upload_refused(at, before, "empty.csv is empty")
    assert "Choose a CSV file with a header row and at least one row of data" in message


def test_header_only(at: AppTest) -> None:
    before = _snapshot(at)
    _upload(at, "header_only.csv", _fixture("header_only.csv"))
    _assert_upload_refused(
        at, before, "has a header row but no data rows", "at least one row of data below"
    )


def test_excel_workbook_named_csv(at: AppTest) -> None:
    before = _snapshot(at)
    _upload(at, "excel_workbook.csv", _fixture("excel_workbook.csv"))
    _assert_upload_refused(
        at, before, "looks like an Excel workbook, not a CSV file", "Save As > CSV UTF-8"
    )


def test_zip_archive_of_one_csv_named_csv_loads(at: AppTest) -> None:
    _upload(at, "zip_archive.csv", _fixture("zip_archive.csv"))
    _assert_accepted(at, "zip_archive.csv")


def _zip(**files: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for file_name, text in files.items():
            archive.writestr(file_name, text)
    return buffer.getvalue()


def test_zip_of_one_csv_loads(at: AppTest) -> None:
    _upload(at, "people.zip", _zip(**{"people.csv": _csv(_people()).decode()}))
    _assert_accepted(at, "people.zip")
    assert len(at.session_state[state.ACTIVE_DATASET].frame) == 240


def test_gzip_of_a_csv_loads(at: AppTest) -> None:
    _upload(at, "people.csv.gz", gzip.compress(_csv(_people())))
    _assert_accepted(at, "people.csv.gz")


def test_zip_of_several_files(at: AppTest) -> None:
    before = _snapshot(at)
    _upload(at, "two.zip", _zip(**{"a.csv": "x,y\n1,2\n", "b.csv": "x,y\n3,4\n"}))
    _assert_upload_refused(at, before, "is a zip archive of 2 files", "zip it alone")


def test_zip_of_a_non_csv(at: AppTest) -> None:
    before = _snapshot(at)
    _upload(at, "notes.zip", _zip(**{"notes.json": "{}"}))
    _assert_upload_refused(at, before, "holding 'notes.json', which is not a CSV file")


def test_uploader_accepts_compressed_files() -> None:
    from fairlab_ui.data_options import UPLOAD_TYPES

    assert {"csv", "gz", "zip"} <= set(UPLOAD_TYPES)


def test_headerless_file_with_the_no_header_option(at: AppTest) -> None:
    body = _csv(_people()).split(b"\n", 1)[1]
    _upload(at, "no_header.csv", body)
    first = at.session_state[state.ACTIVE_DATASET]
    assert "sex" not in first.frame.columns and len(first.frame) == 239
    at.checkbox(key=state.DATA_NO_HEADER).check().run()
    assert not at.exception
    dataset = at.session_state[state.ACTIVE_DATASET]
    assert dataset.name == "no_header.csv" and len(dataset.frame) == 240
    assert list(dataset.frame.columns)[:2] == ["column_1", "column_2"]
    assert dataset.key != first.key


def test_space_separated_file_with_the_whitespace_separator(at: AppTest) -> None:
    frame = _people()
    text = frame.to_csv(index=False, sep=" ").encode()
    _upload(at, "spaces.txt", text)
    assert at.session_state[state.ACTIVE_DATASET].frame.shape[1] == 1
    _one_with(_notes(at), "single column", "upload options")
    assert at.selectbox(key=state.DATA_SEPARATOR).value == "detect"  # shown, not blank
    at.selectbox(key=state.DATA_SEPARATOR).set_value("whitespace").run()
    assert not at.exception
    dataset = at.session_state[state.ACTIVE_DATASET]
    assert list(dataset.frame.columns) == list(frame.columns)
    assert at.session_state[state.SPEC].target == "hired"


def test_turning_an_upload_option_back_restores_the_first_reading(at: AppTest) -> None:
    _upload(at, "people.csv", _csv(_people()))
    good = _snapshot(at)
    at.checkbox(key=state.DATA_NO_HEADER).check().run()
    assert not at.exception
    # A header row read as data: still a table, and it says so in the column roles.
    assert at.session_state[state.ACTIVE_DATASET].key != good[0]
    at.checkbox(key=state.DATA_NO_HEADER).uncheck().run()
    assert at.session_state[state.ACTIVE_DATASET].key == good[0]


def test_png_image_named_csv(at: AppTest) -> None:
    before = _snapshot(at)
    _upload(at, "png_image.csv", _fixture("png_image.csv"))
    _assert_upload_refused(
        at, before, "looks like a PNG image", "Choose the CSV file that holds your data"
    )


def test_binary_file_with_nul_bytes(at: AppTest) -> None:
    before = _snapshot(at)
    _upload(at, "data.csv", b"sex,age,hired\n\x00\x01\x02\x00F,30,yes\n" * 4)
    _assert_upload_refused(at, before, "contains NUL bytes", "Choose a CSV text file")


def test_unclosed_quote(at: AppTest) -> None:
    before = _snapshot(at)
    _upload(at, "unclosed_quote.csv", _fixture("unclosed_quote.csv"))
    _assert_upload_refused(
        at, before, "never closed, starting at line 6", "Remove the stray quote or close it"
    )


def test_file_over_the_upload_limit(at: AppTest, tmp_path: Path) -> None:
    limit_mb = DEFAULT_MAX_BYTES // (1024 * 1024)
    config = (ROOT / ".streamlit" / "config.toml").read_text("utf-8")
    assert re.search(rf"^maxUploadSize = {limit_mb}$", config, re.MULTILINE)
    path = tmp_path / "big.csv"
    row = b"F,34,5,yes\n"
    with path.open("wb") as handle:
        handle.write(b"sex,age,experience,hired\n")
        block = row * (1024 * 1024 // len(row) + 1)
        while handle.tell() <= DEFAULT_MAX_BYTES:
            handle.write(block)
    before = _snapshot(at)
    _upload(at, "big.csv", path.read_bytes())
    _assert_upload_refused(
        at,
        before,
        f"the limit is {limit_mb:.1f} MB",
        "Upload a sample of the rows, or run the audit from the command line",
    )


def test_refused_upload_keeps_the_trained_model_and_its_results(at: AppTest) -> None:
    trained = _german_trained(at)
    before = _snapshot(at)
    at.switch_page(DATA_PAGE).run()
    _upload(at, "png_image.csv", _fixture("png_image.csv"))
    _shown_under(at, state.DATA_UPLOAD, "looks like a PNG image")
    _one_with(texts(at, "caption"), "Statlog German credit", "is still active")
    assert _snapshot(at) == before
    assert at.session_state[state.PREDICTIONS] == trained
    assert trained.label in _sidebar(at)
    at.switch_page(FAIRNESS_PAGE).run()
    assert not at.exception and not at.error, texts(at, "error")
    assert any(trained.label in m for m in texts(at, "markdown"))


def test_semicolon_delimiter(at: AppTest) -> None:
    _upload(at, "semicolon.csv", _fixture("semicolon.csv"))
    _assert_accepted(at, "semicolon.csv")
    assert list(at.session_state[state.ACTIVE_DATASET].frame.columns) == [
        "sex",
        "age",
        "experience",
        "hired",
    ]
    assert at.selectbox(key=state.DATA_TARGET).value == "hired"
    assert not at.error


def test_unsupported_delimiter(at: AppTest) -> None:
    _upload(at, "colon.csv", _fixture("colon.csv"))
    assert not at.exception
    shown = _notes(at) + texts(at, "warning") + texts(at, "error")
    _one_with(shown, "delimiter")


def test_latin1_file(at: AppTest) -> None:
    _upload(at, "latin1.csv", _fixture("latin1.csv"))
    _assert_accepted(at, "latin1.csv")
    _one_with(_notes(at), "is not UTF-8, so it was read as", "save the file as CSV UTF-8")
    assert at.selectbox(key=state.DATA_TARGET).value == "Embauché"
    assert at.multiselect(key=state.DATA_SENSITIVE).value == ["Sexe", "Âge"]
    assert at.selectbox(key=state.DATA_POSITIVE).value == "oui"
    assert not at.error


def test_utf8_bom_file(at: AppTest) -> None:
    _upload(at, "utf8_bom.csv", _fixture("utf8_bom.csv"))
    _assert_accepted(at, "utf8_bom.csv")
    columns = list(at.session_state[state.ACTIVE_DATASET].frame.columns)
    assert columns == ["sex", "age", "experience", "hired"]  # no '\ufeffsex'
    assert at.multiselect(key=state.DATA_SENSITIVE).value == ["sex", "age"]
    assert not at.error


def test_ragged_rows(at: AppTest) -> None:
    _upload(at, "ragged_rows.csv", _fixture("ragged_rows.csv"))
    _assert_accepted(at, "ragged_rows.csv")
    notes = _notes(at)
    _one_with(notes, "6 rows had more fields than the header and were skipped", "delimiter")
    _one_with(notes, "6 rows had fewer fields than the header", "Check the delimiter")
    assert at.metric[0].value == "54"
    # The short rows lack an outcome: said where the outcome is chosen.
    _shown_under(at, state.DATA_TARGET, "6 rows have no value in 'hired'", kind="warning")


def test_duplicate_column_names(at: AppTest) -> None:
    _upload(at, "duplicate_columns.csv", _fixture("duplicate_columns.csv"))
    _assert_accepted(at, "duplicate_columns.csv")
    _one_with(
        _notes(at), "'sex' to 'sex (2)'", "'age' to 'age (2)'", "Rename the columns in the file"
    )
    frame = at.session_state[state.ACTIVE_DATASET].frame
    assert list(frame.columns) == ["sex", "age", "sex (2)", "age (2)", "hired"]
    assert at.multiselect(key=state.DATA_SENSITIVE).value == ["sex", "age"]


def test_five_thousand_columns(at: AppTest) -> None:
    rng = np.random.default_rng(1)
    n = 40
    frame = pd.DataFrame(
        rng.integers(0, 100, size=(n, 4998)), columns=[f"x{i}" for i in range(4998)]
    )
    frame.insert(0, "sex", np.where(np.arange(n) % 2, "F", "M"))
    frame["hired"] = np.where(np.arange(n) % 3, "yes", "no")
    _upload(at, "wide.csv", _csv(frame))
    _assert_accepted(at, "wide.csv")
    assert at.metric[1].value == "5,000"
    assert at.selectbox(key=state.DATA_TARGET).value == "hired"
    assert at.multiselect(key=state.DATA_SENSITIVE).value == ["sex"]
    assert not at.error, texts(at, "error")


def test_one_row(at: AppTest) -> None:
    _upload(at, "one_row.csv", _fixture("one_row.csv"))
    _assert_accepted(at, "one_row.csv")
    assert at.metric[0].value == "1"
    shown = texts(at, "error") + texts(at, "warning") + _notes(at)
    _one_with(shown, "1 row")


# --------------------------------------------------------------------------- columns


def test_all_missing_column(at: AppTest) -> None:
    _upload_people(at, "missing_col.csv", comment=[None] * 240)
    _one_with(_notes(at), "Column 'comment' carries no information (entirely missing)")
    assert "comment" not in at.multiselect(key=state.DATA_FEATURES).value
    assert "Missing values" in [s.value for s in at.subheader]


def test_constant_column(at: AppTest) -> None:
    _upload_people(at, "constant.csv", country=["NL"] * 240)
    _one_with(
        _notes(at),
        "Column 'country' carries no information (one distinct value: NL)",
        "left out of the default features",
    )
    assert "country" not in at.multiselect(key=state.DATA_FEATURES).value


def test_identifier_column(at: AppTest) -> None:
    _upload_people(at, "ids.csv", applicant_id=np.arange(5000, 5240))
    _one_with(
        _notes(at),
        "Column 'applicant_id' looks like an identifier",
        "left out of the default features",
    )
    assert "applicant_id" not in at.multiselect(key=state.DATA_FEATURES).value


def test_long_free_text_column(at: AppTest) -> None:
    notes = [
        f"Applicant {i} wrote a long motivation letter about teamwork and project {i * 7}."
        for i in range(240)
    ]
    _upload_people(at, "letters.csv", letter=notes)
    _one_with(
        _notes(at), "Column 'letter' looks like free text", "left out of the default features"
    )
    assert "letter" not in at.multiselect(key=state.DATA_FEATURES).value
    roles = {row["column"]: row["role"] for row in at.dataframe[1].value.to_dict("records")}
    assert roles["letter"] == "text"


def _dates() -> list[str]:
    return [str(d.date()) for d in pd.date_range("2021-01-01", periods=240, freq="D")]


def test_datetime_column_is_noted(at: AppTest) -> None:
    _upload_people(at, "dates.csv", applied_on=_dates())
    assert "applied_on" not in at.multiselect(key=state.DATA_FEATURES).value
    _one_with(_notes(at), "applied_on", "left out of the default features")


def test_datetime_column_as_a_feature_is_refused_when_training(at: AppTest) -> None:
    _upload_people(at, "dates.csv", applied_on=_dates())
    roles = {row["column"]: row["role"] for row in at.dataframe[1].value.to_dict("records")}
    assert roles["applied_on"] == "datetime"
    features = at.multiselect(key=state.DATA_FEATURES)
    features.set_value([*features.value, "applied_on"]).run()
    spec = at.session_state[state.SPEC]
    assert "applied_on" in spec.features
    at.switch_page(MODEL_PAGE).run()
    at.button(key=TRAIN).click().run()
    assert not at.exception, at.exception
    message = _one_with(texts(at, "error"), "Feature 'applied_on' is a date column")
    assert "Remove it from the features" in message and "year or the month" in message
    assert state.PREDICTIONS not in at.session_state
    assert at.session_state[state.SPEC] == spec


# --------------------------------------------------------------------------- outcome


def test_target_with_one_class_after_training(at: AppTest) -> None:
    _upload_people(at, "people.csv", country=["NL"] * 240)
    _train(at)
    trained = at.session_state[state.PREDICTIONS]
    spec = at.session_state[state.SPEC]
    at.switch_page(DATA_PAGE).run()
    at.selectbox(key=state.DATA_TARGET).select("country").run()
    assert not at.exception
    _shown_under(
        at,
        state.DATA_TARGET,
        "Column 'country' has only one value (NL)",
        "Choose an outcome column with at least two values",
    )
    assert "1 problem(s) to fix on the Data page" in _sidebar(at)
    at.switch_page(MODEL_PAGE).run()
    assert any("Set a valid audit spec on the Data page first" in i for i in texts(at, "info"))
    # Back to the outcome it had: the spec and the trained model are as they were.
    at.switch_page(DATA_PAGE).run()
    at.selectbox(key=state.DATA_TARGET).select("hired").run()
    assert at.session_state[state.SPEC] == spec
    assert at.session_state[state.PREDICTIONS] == trained
    at.switch_page(FAIRNESS_PAGE).run()
    assert not at.exception and not at.error
    assert any(trained.label in m for m in texts(at, "markdown"))


def test_target_with_three_classes(at: AppTest) -> None:
    grades = np.array(["A", "B", "C"])[np.arange(240) % 3]
    _upload_people(at, "grades.csv", grade=grades)
    at.selectbox(key=state.DATA_TARGET).select("grade").run()
    assert at.selectbox(key=state.DATA_POSITIVE).value is None
    _shown_under(
        at,
        state.DATA_POSITIVE,
        "Column 'grade' has 3 distinct values; choose which value counts as the positive outcome",
    )
    assert not at.get("plotly_chart")
    at.selectbox(key=state.DATA_POSITIVE).select("A").run()
    assert not at.error
    _shown_under(
        at,
        state.DATA_POSITIVE,
        "'A' counts as positive and every other value (B, C) as negative",
        kind="warning",
    )
    assert at.session_state[state.SPEC].positive_label == "A"


def test_target_with_missing_values(at: AppTest) -> None:
    frame = _people()
    frame.loc[frame.index % 8 == 0, "hired"] = None
    _upload(at, "gaps.csv", _csv(frame))
    _assert_accepted(at, "gaps.csv")
    assert not at.error
    _shown_under(
        at,
        state.DATA_TARGET,
        "30 rows have no value in 'hired'; they are left out of the audit",
        "Fill them in",
        kind="warning",
    )
    _one_with(texts(at, "caption"), "210 rows are audited; left out: 30 with no outcome")


def test_target_with_float_values(at: AppTest) -> None:
    rng = np.random.default_rng(2)
    _upload_people(at, "salaries.csv", salary=rng.normal(40_000, 8_000, 240).round(2))
    at.selectbox(key=state.DATA_TARGET).select("salary").run()
    assert not at.exception
    _shown_under(
        at,
        state.DATA_TARGET,
        "Column 'salary' looks continuous",
        "set it as the score column with a threshold",
    )
    assert "problem(s) to fix" in _sidebar(at)


# --------------------------------------------------------------------------- sensitive


def test_sensitive_attribute_with_one_group(at: AppTest) -> None:
    _upload_people(at, "one_group.csv", country=["NL"] * 240)
    at.multiselect(key=state.DATA_SENSITIVE).set_value(["country"]).run()
    assert not at.exception
    _shown_under(
        at,
        state.DATA_SENSITIVE,
        "Sensitive attribute 'country' has only one group (NL)",
        "Choose an attribute with at least two groups",
    )
    assert any("Fix the 1 problem(s)" in i for i in texts(at, "info"))


def test_sensitive_attribute_with_more_than_50_groups(at: AppTest) -> None:
    regions = [f"region {i:02d}" for i in np.arange(240) % 60]
    _upload_people(at, "regions.csv", region=regions)
    _one_with(_notes(at), "Column 'region' has 60 distinct values", "Group rare values")
    at.multiselect(key=state.DATA_SENSITIVE).set_value(["sex", "region"]).run()
    assert not at.exception
    _shown_under(
        at,
        state.DATA_SENSITIVE,
        "Sensitive attribute 'region' has 60 groups; FairLab compares at most 50",
        "Merge rare groups into 'Other'",
    )
    assert "region" not in at.multiselect(key=state.DATA_FEATURES).value
    # Merging: every region has 4 rows; 40 of them mapped into 'North', the rest rare.
    mapping = "\n".join(f"region {i:02d} = North" for i in range(40))
    at.text_area(key=state.DATA_MERGE_MAP_PREFIX + "region").set_value(mapping).run()
    at.number_input(key=state.DATA_MERGE_MIN_PREFIX + "region").set_value(100).run()
    assert not at.exception and not at.error, texts(at, "error")
    spec = at.session_state[state.SPEC]
    merge = spec.merge_for("region")
    assert merge.min_rows == 100 and len(merge.mapping) == 40
    groups = at.session_state[state.ACTIVE_DATASET].frame["region"].map(
        lambda r: "North" if int(r.split()[1]) < 40 else "Other"
    )
    assert groups.value_counts().to_dict() == {"North": 160, "Other": 80}
    data = build_audit_data(at.session_state[state.ACTIVE_DATASET].frame, spec)
    assert data.sensitive_features["region"].value_counts().to_dict() == {"North": 160, "Other": 80}


def test_unreadable_merge_mapping_line_says_what_to_write(at: AppTest) -> None:
    _upload_people(at, "people.csv")
    at.text_area(key=state.DATA_MERGE_MAP_PREFIX + "sex").set_value("F -> women").run()
    assert not at.exception
    _one_with(texts(at, "error"), "Line 1 of the mapping for 'sex' reads 'F -> women'")
    assert at.session_state[state.SPEC].merge_for("sex") is None


def test_merge_of_everything_into_one_group(at: AppTest) -> None:
    _upload_people(at, "people.csv")
    at.number_input(key=state.DATA_MERGE_MIN_PREFIX + "sex").set_value(1000).run()
    assert not at.exception
    _shown_under(
        at, state.DATA_SENSITIVE, "Merging the groups of 'sex' leaves a single group ('Other')"
    )


def test_merges_survive_a_page_visit_and_a_saved_spec_restores_them(at: AppTest) -> None:
    _upload_people(at, "people.csv")
    at.text_area(key=state.DATA_MERGE_MAP_PREFIX + "sex").set_value("F = women").run()
    saved = at.session_state[state.SPEC]
    assert saved.merge_for("sex").mapping == (("F", "women"),)
    at.switch_page("app_pages/glossary.py").run()
    at.switch_page("app_pages/data.py").run()
    assert at.session_state[state.SPEC].merge_for("sex") == saved.merge_for("sex")
    at.text_area(key=state.DATA_MERGE_MAP_PREFIX + "sex").set_value("").run()
    assert at.session_state[state.SPEC].merges == ()
    at.file_uploader(key=state.DATA_SPEC_UPLOAD).set_value(
        ("spec.json", saved.to_json().encode(), "application/json")
    ).run()
    assert not at.exception
    assert at.session_state[state.SPEC].merge_for("sex") == saved.merge_for("sex")
    assert at.text_area(key=state.DATA_MERGE_MAP_PREFIX + "sex").value == "F = women"


def test_sensitive_attribute_with_missing_values(at: AppTest) -> None:
    religion = np.array(["A", "B", None, "A", "B"], dtype=object)[np.arange(240) % 5]
    _upload_people(at, "religion.csv", religion=religion)
    at.multiselect(key=state.DATA_SENSITIVE).set_value(["sex", "religion"]).run()
    assert not at.error
    _shown_under(
        at,
        state.DATA_MISSING_POLICY,
        "48 rows have no value in 'religion'; they form their own group '(missing)'",
        "Choose 'drop'",
        kind="warning",
    )
    at.radio(key=state.DATA_MISSING_POLICY).set_value("drop").run()
    assert not at.error
    _shown_under(
        at,
        state.DATA_MISSING_POLICY,
        "48 rows have no value in 'religion'; they are left out of the audit",
        "Choose 'own group'",
        kind="warning",
    )
    _one_with(texts(at, "caption"), "192 rows are audited", "48 with no value for 'religion'")


def test_numeric_sensitive_attribute_needs_bins(at: AppTest) -> None:
    _upload_people(at, "people.csv")
    bins = at.text_input(key=state.DATA_BINS_PREFIX + "age")
    assert bins.value == "25, 45, 65"
    spec = at.session_state[state.SPEC]
    bins.set_value("").run()
    assert not at.exception
    _shown_under(
        at,
        state.DATA_BINS_PREFIX + "age",
        "Bins must be numbers in increasing order separated by commas, for example 25, 45, 65",
    )
    assert at.session_state[state.SPEC] is None
    at.text_input(key=state.DATA_BINS_PREFIX + "age").set_value("40").run()
    assert not at.error
    assert at.session_state[state.SPEC] == spec.replace(bins=(("age", (40.0,)),))
    age_table = next(
        pd.DataFrame(d.value)
        for d in at.dataframe
        if "< 40" in list(pd.DataFrame(d.value).get("group", []))
    )
    assert set(age_table["group"]) == {"< 40", "≥ 40"}


def test_a_bins_typo_survives_a_visit_to_another_page(at: AppTest) -> None:
    _upload_people(at, "people.csv")
    spec = at.session_state[state.SPEC]
    at.text_input(key=state.DATA_BINS_PREFIX + "age").set_value("sixty").run()
    assert any("Bins must be numbers" in e for e in texts(at, "error"))
    at.switch_page(MODEL_PAGE).run()
    assert any("Set a valid audit spec on the Data page first" in i for i in texts(at, "info"))
    at.switch_page(DATA_PAGE).run()
    assert not at.exception, at.exception
    assert at.selectbox(key=state.DATA_TARGET).value == spec.target
    assert at.multiselect(key=state.DATA_SENSITIVE).value == list(spec.sensitive)
    assert at.multiselect(key=state.DATA_FEATURES).value == list(spec.features)


def _teams(n_big: int = 200) -> pd.DataFrame:
    """Predictions held in the file, with a team that has no positive outcome, one that
    has no negative outcome, and a team of one."""
    rng = np.random.default_rng(4)
    teams = ["big"] * n_big + ["no hires"] * 40 + ["all hired"] * 40 + ["solo"]
    n = len(teams)
    hired = np.where(rng.random(n) < 0.5, "yes", "no")
    hired[n_big : n_big + 40] = "no"
    hired[n_big + 40 : n_big + 80] = "yes"
    y_pred = np.where(rng.random(n) < 0.5, "yes", "no")
    return pd.DataFrame(
        {
            "sex": np.where(np.arange(n) % 2, "F", "M"),
            "team": teams,
            "experience": rng.integers(0, 30, n),
            "y_pred": y_pred,
            "hired": hired,
        }
    )


def _audit_teams(app: AppTest) -> AppTest:
    _upload(app, "teams.csv", _csv(_teams()))
    _assert_accepted(app, "teams.csv")
    assert not app.error, texts(app, "error")
    assert app.selectbox(key=state.DATA_PREDICTION).value == "y_pred"
    app.multiselect(key=state.DATA_SENSITIVE).set_value(["team"]).run()
    assert not app.exception and not app.error, texts(app, "error")
    app.switch_page(FAIRNESS_PAGE).run()
    assert not app.exception, app.exception
    assert not app.error, texts(app, "error")
    return app


def test_group_with_no_positive_outcome(at: AppTest) -> None:
    _audit_teams(at)
    row = _group_table(at, "no hires").loc["no hires"]
    assert row["TPR"] == "undefined (n = 0 positives)"
    assert row["FNR"] == "undefined (n = 0 positives)"
    assert row["base rate"].startswith("0.0%")
    assert not bool(row["under 30 rows"])


def test_group_with_no_negative_outcome(at: AppTest) -> None:
    _audit_teams(at)
    row = _group_table(at, "all hired").loc["all hired"]
    assert row["FPR"] == "undefined (n = 0 negatives)"
    assert row["TNR"] == "undefined (n = 0 negatives)"
    assert row["base rate"].startswith("100.0%")


def test_group_of_one_row(at: AppTest) -> None:
    _upload(at, "teams.csv", _csv(_teams()))
    at.multiselect(key=state.DATA_SENSITIVE).set_value(["team"]).run()
    _shown_under(
        at,
        state.DATA_SENSITIVE,
        "Group 'solo' of 'team' has only 1 row",
        "Consider merging groups",
        kind="warning",
    )
    _one_with(texts(at, "caption"), "1 group(s) have fewer than 30 rows")
    at.switch_page(FAIRNESS_PAGE).run()
    assert not at.exception and not at.error, texts(at, "error")
    table = _group_table(at, "solo")
    assert table.loc["solo", "rows"] == 1
    assert bool(table.loc["solo", "under 30 rows"])
    assert any("undefined (n = 0" in str(v) for v in table.loc["solo"])


def test_intersection_with_empty_cells(at: AppTest) -> None:
    frame = _teams()
    # The 'no hires' and 'all hired' teams are all women: two empty cells.
    frame.loc[frame["team"].isin(["no hires", "all hired"]), "sex"] = "F"
    _upload(at, "cells.csv", _csv(frame))
    at.multiselect(key=state.DATA_SENSITIVE).set_value(["sex", "team"]).run()
    assert not at.exception and not at.error, texts(at, "error")
    message = _shown_under(
        at,
        state.DATA_SENSITIVE,
        "combinations of 'sex' × 'team' have no rows",
        "left out of the intersectional view",
        kind="warning",
    )
    assert "M × all hired" in message and "M × no hires" in message
    assert "sex×team" in [t.label for t in at.tabs]
    at.switch_page(FAIRNESS_PAGE).run()
    assert not at.exception and not at.error, texts(at, "error")
    assert "sex×team" in [re.sub(r"\\(.)", r"\1", t.label) for t in at.tabs]


# --------------------------------------------------------------------------- predictions


def test_prediction_values_outside_the_outcome_values(at: AppTest) -> None:
    frame = _people()
    frame["y_pred"] = np.array(["yes", "no", "maybe"])[np.arange(240) % 3]
    _upload(at, "maybe.csv", _csv(frame))
    _assert_accepted(at, "maybe.csv")
    assert at.multiselect(key=state.DATA_PREDICTION_POSITIVE).value == []
    _shown_under(
        at,
        state.DATA_PREDICTION_POSITIVE,
        "Choose which value(s) of the prediction column 'y_pred' mean a positive prediction",
    )
    at.multiselect(key=state.DATA_PREDICTION_POSITIVE).set_value(["yes"]).run()
    assert not at.error, texts(at, "error")
    _shown_under(
        at,
        state.DATA_PREDICTION_POSITIVE,
        "has values the outcome column does not (maybe); they count as negative predictions",
        "Check that this is the right column",
        kind="warning",
    )
    at.switch_page(FAIRNESS_PAGE).run()
    assert not at.exception and not at.error, texts(at, "error")


def test_score_with_missing_and_infinite_values(at: AppTest) -> None:
    frame = _people()
    rng = np.random.default_rng(5)
    scores = rng.random(240).round(3).astype(object)
    scores[::20] = ""
    scores[1::40] = "inf"
    scores[2::40] = "-inf"
    frame["score"] = scores
    _upload(at, "scores.csv", _csv(frame))
    _assert_accepted(at, "scores.csv")
    assert at.selectbox(key=state.DATA_SCORE).value == "score"
    at.number_input(key=state.DATA_THRESHOLD).set_value(0.5).run()
    assert not at.error, texts(at, "error")
    _shown_under(
        at,
        state.DATA_THRESHOLD,
        "24 rows of score column 'score' are missing or infinite; they are left out of the audit",
        kind="warning",
    )
    _one_with(texts(at, "caption"), "216 rows are audited", "24 with no usable score")
    at.switch_page(FAIRNESS_PAGE).run()
    assert not at.exception and not at.error, texts(at, "error")
    at.radio(key="fair_view").set_value("Threshold explorer").run()
    assert not at.exception, at.exception
    assert at.slider(key="fair_threshold").value == 0.5


def test_score_outside_0_1_with_a_threshold(at: AppTest) -> None:
    frame = _people()
    frame["risk_score"] = np.random.default_rng(6).integers(10, 100, 240)
    _upload(at, "risk.csv", _csv(frame))
    _assert_accepted(at, "risk.csv")
    assert at.selectbox(key=state.DATA_SCORE).value == "risk_score"
    at.number_input(key=state.DATA_THRESHOLD).set_value(0.5).run()
    assert not at.exception
    message = _shown_under(
        at,
        state.DATA_THRESHOLD,
        "The threshold 0.5 lies outside the scores in 'risk_score'",
        "Choose a threshold inside that range",
        kind="warning",
    )
    assert "from 10 to 99" in message
    at.switch_page(FAIRNESS_PAGE).run()
    assert not at.exception and not at.error, texts(at, "error")
    assert _group_table(at, "F").loc["F", "selection rate"].startswith("100.0%")


def test_threshold_explorer_with_scores_outside_0_1(at: AppTest) -> None:
    frame = _people()
    frame["risk_score"] = np.random.default_rng(6).uniform(10, 99, 240).round(1)
    _upload(at, "risk.csv", _csv(frame))
    _assert_accepted(at, "risk.csv")
    at.switch_page(FAIRNESS_PAGE).run()
    assert not at.exception and not at.error, texts(at, "error")
    at.radio(key="fair_view").set_value("Threshold explorer").run()
    assert not at.exception, at.exception
    slider = at.slider(key="fair_threshold")
    assert slider.min <= frame["risk_score"].min() and slider.max >= frame["risk_score"].max()


# --------------------------------------------------------------------------- features


def test_target_duplicated_as_a_feature(at: AppTest) -> None:
    frame = _people()
    frame["hired_flag"] = (frame["hired"] == "yes").astype(int)
    _upload(at, "leak.csv", _csv(frame))
    _assert_accepted(at, "leak.csv")
    # The leakage check keeps it out of the default features; chosen, it is flagged twice.
    assert "hired_flag" not in at.multiselect(key=state.DATA_FEATURES).value
    features = at.multiselect(key=state.DATA_FEATURES).value
    at.multiselect(key=state.DATA_FEATURES).set_value([*features, "hired_flag"]).run()
    _shown_under(
        at,
        state.DATA_FEATURES,
        "Feature 'hired_flag' duplicates the outcome 'hired'",
        "this is leakage. Remove it from the features",
        kind="warning",
    )
    _shown_under(
        at,
        state.DATA_FEATURES,
        "Feature 'hired_flag' alone predicts the outcome 'hired' almost perfectly",
        kind="warning",
    )
    assert "hired" not in at.multiselect(key=state.DATA_FEATURES).options


def test_saved_spec_with_the_target_as_a_feature(at: AppTest) -> None:
    _upload_people(at, "people.csv")
    spec = at.session_state[state.SPEC]
    bad = spec.replace(features=("hired", *spec.features), sensitive=("sex",), bins=())
    at.file_uploader(key=state.DATA_SPEC_UPLOAD).set_value(
        ("spec.json", bad.to_json().encode(), "application/json")
    ).run()
    assert not at.exception, at.exception
    assert not at.error, texts(at, "error")
    # The spec is loaded, and the outcome cannot be chosen as a feature: it is left out.
    assert at.multiselect(key=state.DATA_SENSITIVE).value == ["sex"]
    assert "hired" not in at.multiselect(key=state.DATA_FEATURES).options
    assert at.session_state[state.SPEC] == bad.replace(features=spec.features)
    assert at.session_state[state.ACTIVE_DATASET].name == "people.csv"


# --------------------------------------------------------------------------- markup

PAYLOADS = {
    "script": "<script>window.__pwned=1</script>",
    "img": '<img src=x onerror="window.__pwned=1">',
    "link": "[x](javascript:alert(1))",
    "latex": "$\\frac{1}{0}$",
    "bold": "**bold** _em_ `code` # head",
}
# Each payload's live form: an unescaped '<script', '<img', '](javascript', '$\\frac' or
# '**bold' in an element's markdown source would be rendered as markup.
_LIVE = re.compile(r"(?<!\\)(<script|<img|</script|\]\(javascript|\$\\frac|\*\*bold)")


def _assert_all_text_escaped(app: AppTest) -> None:
    """No element's markdown source holds a payload in a form that would render as markup."""
    sources = [
        (kind, str(element.value))
        for kind in ("markdown", "caption", "header", "subheader", "error", "warning", "info")
        for element in getattr(app, kind)
    ]
    sources += [("sidebar", str(element.value)) for element in app.sidebar.markdown]
    sources += [("tab", tab.label) for tab in app.tabs]
    sources += [("label", str(getattr(w, "label", ""))) for w in _walk(app.main)]
    live = [(kind, raw) for kind, raw in sources if _LIVE.search(raw)]
    assert not live, live


def _payload_frame() -> pd.DataFrame:
    n = 120
    values = list(PAYLOADS.values())
    frame = _people(n)
    frame[PAYLOADS["img"]] = [values[i % 2] for i in range(n)]  # <script> / <img>
    frame[PAYLOADS["script"]] = np.random.default_rng(8).integers(0, 50, n)
    frame[PAYLOADS["link"]] = [values[2 + i % 3] for i in range(n)]
    frame["y_pred"] = frame["hired"].to_numpy()[::-1]
    return frame


def test_html_and_javascript_in_names_and_values(at: AppTest) -> None:
    _upload(at, PAYLOADS["script"] + ".csv", _csv(_payload_frame()))
    _assert_accepted(at, PAYLOADS["script"] + ".csv")
    at.multiselect(key=state.DATA_SENSITIVE).set_value([PAYLOADS["img"]]).run()
    assert not at.exception and not at.error, texts(at, "error")
    assert re.sub(r"\\(.)", r"\1", at.header[0].value) == PAYLOADS["script"] + ".csv"
    assert PAYLOADS["script"] in at.multiselect(key=state.DATA_FEATURES).value
    _assert_all_text_escaped(at)
    assert any(PAYLOADS["script"] in m for m in _sidebar(at).split("  "))
    at.switch_page(FAIRNESS_PAGE).run()
    assert not at.exception and not at.error, texts(at, "error")
    table = _group_table(at, PAYLOADS["img"])
    assert set(table.index) == {PAYLOADS["img"], PAYLOADS["script"]}
    _assert_all_text_escaped(at)


def test_markdown_and_latex_in_names_and_values(at: AppTest) -> None:
    _upload(at, "markup.csv", _csv(_payload_frame()))
    _assert_accepted(at, "markup.csv")
    at.multiselect(key=state.DATA_SENSITIVE).set_value(["sex", PAYLOADS["link"]]).run()
    assert not at.exception and not at.error, texts(at, "error")
    labels = [re.sub(r"\\(.)", r"\1", t.label) for t in at.tabs]
    assert PAYLOADS["link"] in labels
    _assert_all_text_escaped(at)
    at.switch_page(FAIRNESS_PAGE).run()
    assert not at.exception and not at.error, texts(at, "error")
    table = _group_table(at, PAYLOADS["latex"])
    assert set(table.index) == {PAYLOADS["link"], PAYLOADS["latex"], PAYLOADS["bold"]}
    at.radio(key="fair_comparison").set_value("reference").run()
    assert not at.exception, at.exception
    _assert_all_text_escaped(at)


def test_formula_cells_are_escaped_in_group_metrics_csv(at: AppTest, tmp_path: Path) -> None:
    formulas = ["=1+1", "+SUM(A1:A9)", "-2+3", '@HYPERLINK("http://x")']
    frame = _teams()
    frame["=cmd|' /C calc'!A0"] = [formulas[i % 4] for i in range(len(frame))]
    path = tmp_path / "formulas.csv"
    path.write_bytes(_csv(frame))
    # In the app: the file is audited and the Report view offers group_metrics.csv.
    _upload(at, "formulas.csv", path.read_bytes())
    at.multiselect(key=state.DATA_SENSITIVE).set_value(["=cmd|' /C calc'!A0"]).run()
    assert not at.exception and not at.error, texts(at, "error")
    at.switch_page(FAIRNESS_PAGE).run()
    at.radio(key="fair_view").set_value("Report").run()
    assert not at.exception and not at.error, texts(at, "error")
    assert "group_metrics.csv" in [b.label for b in at.get("download_button")]
    # The same audit from the command line writes the same group_metrics.csv.
    out = tmp_path / "out"
    code = cli_main(
        [
            "audit", "--data", str(path), "--target", "hired", "--positive", "yes",
            "--sensitive", "=cmd|' /C calc'!A0", "--prediction", "y_pred",
            "--prediction-positive", "yes", "--n-boot", "50", "--out", str(out),
        ]
    )  # fmt: skip
    assert code == 0
    with (out / "group_metrics.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "@")]
    assert not [c for c in cells if c[:1] == "-" and not re.fullmatch(r"-[\d.e+-]+", c)]
    groups = {row[1] for row in rows[1:]}
    assert groups == {"'" + f for f in formulas}
    assert {row[0] for row in rows[1:]} == {"'=cmd|' /C calc'!A0"}


# --------------------------------------------------------------------------- models


def _german_skops() -> bytes:
    from fairlab.audit_data import build_audit_data
    from fairlab.data import load_bundled
    from fairlab.data.csv import infer_column_roles
    from fairlab.models import ModelConfig, train_model

    frame, spec = load_bundled("german")
    data = build_audit_data(frame, spec)
    roles = {c.name: c.role for c in infer_column_roles(frame[list(spec.features)])}
    model = train_model(data, ModelConfig("logistic_regression"), roles=roles)
    buffer = io.BytesIO()
    skops.io.dump(model.pipeline, buffer)
    return buffer.getvalue()


def _german_trained(app: AppTest) -> object:
    app.selectbox(key=state.DATA_BUNDLED).select("german").run()
    _train(app)
    return app.session_state[state.PREDICTIONS]


def test_skops_file_with_untrusted_types(at: AppTest) -> None:
    trained = _german_trained(at)
    raw = _german_skops()
    untrusted = skops.io.get_untrusted_types(data=raw)
    assert untrusted
    _skops_source(at)
    at.file_uploader(key="model_skops_upload").set_value(
        ("model.skops", raw, "application/octet-stream")
    ).run()
    assert not at.exception, at.exception
    _one_with(texts(at, "warning"), "not trusted by default", "accept them only if you know")
    listed = list(at.dataframe[0].value["type"])
    assert listed == list(untrusted)
    assert at.button(key="model_skops_load").disabled
    assert at.session_state[state.PREDICTIONS] == trained
    at.checkbox(key="model_skops_accept").check().run()
    at.button(key="model_skops_load").click().run()
    assert not at.exception, at.exception
    assert not at.error, texts(at, "error")
    assert at.session_state[state.PREDICTIONS].kind == "skops"


def test_skops_file_that_is_not_a_classifier(at: AppTest) -> None:
    trained = _german_trained(at)
    buffer = io.BytesIO()
    skops.io.dump({"weights": [1, 2, 3]}, buffer)
    _skops_source(at)
    at.file_uploader(key="model_skops_upload").set_value(
        ("weights.skops", buffer.getvalue(), "application/octet-stream")
    ).run()
    at.button(key="model_skops_load").click().run()
    assert not at.exception, at.exception
    _one_with(
        texts(at, "error"),
        "weights.skops holds a dict, which has no 'predict' method",
        "Save a fitted classifier",
    )
    assert at.session_state[state.PREDICTIONS] == trained
    assert trained.label in _sidebar(at)


def test_pickle_offered_as_a_model(at: AppTest) -> None:
    trained = _german_trained(at)
    _skops_source(at)
    at.file_uploader(key="model_skops_upload").set_value(
        ("model.skops", pickle.dumps({"a": 1}), "application/octet-stream")
    ).run()
    assert not at.exception, at.exception
    errors = texts(at, "error")
    assert len(errors) == 1
    _one_with(errors, "looks like a pickle file", "never unpickles", "skops.io")
    assert not [b for b in at.button if b.key == "model_skops_load"]
    assert at.session_state[state.PREDICTIONS] == trained
    assert trained.label in _sidebar(at)
    at.switch_page(FAIRNESS_PAGE).run()
    assert not at.exception and not at.error
