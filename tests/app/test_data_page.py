"""The Data page, driven through widget keys as a user would drive it."""

from __future__ import annotations

import io
import json
import re
import zipfile

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from fairlab_ui import state


def texts(app: AppTest, kind: str) -> list[str]:
    """What a reader sees in every element of one kind (markdown escapes removed)."""
    return [re.sub(r"\\(.)", r"\1", str(element.value)) for element in getattr(app, kind)]


def _plotly_titles(app: AppTest) -> list[str]:
    charts = app.get("plotly_chart")
    return [json.loads(chart.proto.spec)["layout"]["title"]["text"] for chart in charts]


def _upload(app: AppTest, name: str, content: bytes) -> AppTest:
    app.radio(key=state.DATA_SOURCE).set_value(state.SOURCE_UPLOAD).run()
    app.file_uploader(key=state.DATA_UPLOAD).set_value((name, content, "text/csv")).run()
    assert not app.exception, app.exception
    return app


def _messy_csv() -> bytes:
    rng = np.random.default_rng(3)
    n = 300
    rows = ["Nom;Gender;Âge;Salaire;Embauché"]
    for i in range(n):
        gender = "Femme" if rng.random() < 0.5 else "Homme"
        hired = "oui" if rng.random() < (0.3 if gender == "Femme" else 0.5) else "non"
        salary = "" if i % 17 == 0 else f"{rng.normal(30000, 5000):.0f}"
        rows.append(f"Personne {i};{gender};{rng.integers(18, 70)};{salary};{hired}")
    return "\r\n".join(rows).encode("cp1252")


def test_first_visit_shows_adult_ready_to_audit(at: AppTest) -> None:
    assert [t.value for t in at.title] == ["Data"]
    assert at.header[0].value.startswith("UCI Adult")
    assert at.selectbox(key=state.DATA_TARGET).value == "income"
    assert at.selectbox(key=state.DATA_POSITIVE).value == ">50K"
    assert at.multiselect(key=state.DATA_SENSITIVE).value == ["sex", "race"]
    assert "fnlwgt" not in at.multiselect(key=state.DATA_FEATURES).value
    assert not at.error
    assert _plotly_titles(at)[:3] == [
        "Base rate of '&gt;50K' by sex",
        "Base rate of '&gt;50K' by race",
        "Base rate of '&gt;50K' by sex and race",
    ]
    assert any("ready to audit" in m for m in texts(at, "markdown"))
    assert at.metric[0].value == "48,842"


def test_german_credit_comes_with_age_bins(at: AppTest) -> None:
    at.selectbox(key=state.DATA_BUNDLED).select("german").run()
    assert not at.exception
    assert at.selectbox(key=state.DATA_TARGET).value == "credit"
    assert at.selectbox(key=state.DATA_POSITIVE).value == "good"
    assert at.text_input(key=state.DATA_BINS_PREFIX + "age").value == "25"
    assert "Base rate of 'good' by age" in _plotly_titles(at)
    assert not at.error


def test_compas_flags_small_groups(at: AppTest) -> None:
    at.selectbox(key=state.DATA_BUNDLED).select("compas").run()
    assert not at.exception
    assert at.selectbox(key=state.DATA_POSITIVE).value == 0
    warnings = texts(at, "warning")
    assert any("Native American" in w and "fewer than 30" in w for w in warnings)
    assert not at.error


def test_an_ambiguous_outcome_asks_for_the_positive_value(at: AppTest) -> None:
    at.selectbox(key=state.DATA_TARGET).select("workclass").run()
    assert at.selectbox(key=state.DATA_POSITIVE).value is None
    errors = texts(at, "error")
    assert any("choose which value counts as the positive outcome" in e for e in errors)
    assert any("Fix the 1 problem" in i for i in texts(at, "info"))
    assert not at.get("plotly_chart")

    at.selectbox(key=state.DATA_POSITIVE).select("Private").run()
    assert not at.error
    assert "Base rate of 'Private' by sex" in _plotly_titles(at)


def test_a_numeric_sensitive_attribute_gets_editable_bins(at: AppTest) -> None:
    at.multiselect(key=state.DATA_SENSITIVE).select("age").run()
    bins = at.text_input(key=state.DATA_BINS_PREFIX + "age")
    assert bins.value == "25, 45, 65"
    assert "age" not in at.multiselect(key=state.DATA_FEATURES).value
    bins.set_value("30, 60").run()
    assert "Base rate of '&gt;50K' by age" in _plotly_titles(at)

    at.text_input(key=state.DATA_BINS_PREFIX + "age").set_value("sixty").run()
    errors = texts(at, "error")
    assert any("Bins must be numbers" in e and "sixty" in e for e in errors)
    assert not at.exception


def test_a_messy_upload_is_read_and_profiled(at: AppTest) -> None:
    _upload(at, "embauches.csv", _messy_csv())
    assert at.header[0].value == "embauches\\.csv"  # escaped markdown, read as "embauches.csv"
    assert at.metric[0].value == "300"
    assert at.selectbox(key=state.DATA_TARGET).value == "Embauché"
    assert at.multiselect(key=state.DATA_SENSITIVE).value == ["Gender", "Âge"]
    assert at.text_input(key=state.DATA_BINS_PREFIX + "Âge").value == "25, 45, 65"
    assert at.selectbox(key=state.DATA_POSITIVE).value == "oui"
    assert not at.error
    assert "Base rate of 'oui' by Gender" in _plotly_titles(at)
    assert "Base rate of 'oui' by Âge" in _plotly_titles(at)


def test_a_bad_upload_keeps_the_dataset_loaded_before(at: AppTest) -> None:
    at.selectbox(key=state.DATA_BUNDLED).select("german").run()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    _upload(at, "report.csv", buffer.getvalue())
    errors = texts(at, "error")
    assert len(errors) == 1 and "Excel" in errors[0]
    assert any("is still active" in c for c in texts(at, "caption"))
    assert at.header[0].value.startswith("Statlog German credit")
    assert at.selectbox(key=state.DATA_TARGET).value == "credit"
    assert _plotly_titles(at)


def test_an_empty_upload_says_what_to_do(at: AppTest) -> None:
    _upload(at, "empty.csv", b"")
    errors = texts(at, "error")
    assert len(errors) == 1 and "empty" in errors[0]
    assert at.header[0].value.startswith("UCI Adult")


def test_column_names_with_markup_are_shown_as_text(at: AppTest) -> None:
    content = (
        "<img src=x onerror=alert(1)>,$\\frac{1}{0}$,outcome\n"
        + "\n".join(
            f"{'<b>a</b>' if i % 2 else '[link](http://x)'},{i},{'yes' if i % 3 else 'no'}"
            for i in range(60)
        )
    ).encode()
    _upload(at, "<script>alert(1)</script>.csv", content)
    assert not at.exception
    assert at.header[0].value == "\\<script\\>alert\\(1\\)\\</script\\>\\.csv"
    for kind in ("markdown", "error", "warning", "caption", "header"):
        for element in getattr(at, kind):
            raw = str(element.value)
            assert "<img" not in raw and "<script>" not in raw and "<b>" not in raw
            assert "](http" not in raw


def test_spec_is_saved_and_loaded_as_json(at: AppTest) -> None:
    download = at.get("download_button")
    assert download, "the save button is shown"
    spec = {
        "version": 1,
        "target": "income",
        "positive_label": ">50K",
        "sensitive": ["race"],
        "features": ["age", "hours_per_week"],
    }
    at.file_uploader(key=state.DATA_SPEC_UPLOAD).set_value(
        ("spec.json", json.dumps(spec).encode(), "application/json")
    ).run()
    assert not at.exception
    assert at.multiselect(key=state.DATA_SENSITIVE).value == ["race"]
    assert at.multiselect(key=state.DATA_FEATURES).value == ["age", "hours_per_week"]
    assert at.session_state[state.SPEC].features == ("age", "hours_per_week")


def test_a_broken_or_unfitting_spec_file_changes_nothing(at: AppTest) -> None:
    at.file_uploader(key=state.DATA_SPEC_UPLOAD).set_value(
        ("spec.json", b"{oops", "application/json")
    ).run()
    assert any("not valid JSON" in e for e in texts(at, "error"))
    assert at.multiselect(key=state.DATA_SENSITIVE).value == ["sex", "race"]

    other = json.dumps(
        {"target": "credit", "positive_label": "good", "sensitive": ["sex"]}
    ).encode()
    at.file_uploader(key=state.DATA_SPEC_UPLOAD).set_value(
        ("spec.json", other, "application/json")
    ).run()
    assert any("columns this data does not have ('credit')" in e for e in texts(at, "error"))
    assert at.selectbox(key=state.DATA_TARGET).value == "income"


def test_predictions_in_the_file_are_part_of_the_spec(at: AppTest) -> None:
    frame = pd.DataFrame(
        {
            "sex": ["F", "M"] * 50,
            "y": [1, 0, 0, 1] * 25,
            "y_pred": [1, 1, 0, 0] * 25,
            "score": np.linspace(0, 1, 100),
        }
    )
    _upload(at, "predictions.csv", frame.to_csv(index=False).encode())
    assert at.selectbox(key=state.DATA_TARGET).value == "y"
    assert at.selectbox(key=state.DATA_PREDICTION).value == "y_pred"
    assert at.multiselect(key=state.DATA_PREDICTION_POSITIVE).value == [1]
    assert at.selectbox(key=state.DATA_SCORE).value == "score"
    assert at.number_input(key=state.DATA_THRESHOLD).value == 0.5
    spec = at.session_state[state.SPEC]
    assert spec.prediction_column == "y_pred" and spec.score_column == "score"
    assert "y_pred" not in spec.features and "score" not in spec.features
    assert not at.error
