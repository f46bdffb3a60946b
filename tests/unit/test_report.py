from __future__ import annotations

import csv
import io
import re

import numpy as np
import pandas as pd
import pytest

from fairlab.fairness import FairnessConfig, assess_fairness
from fairlab.report import (
    escape_formula,
    fairness_sections,
    group_metrics_csv,
    render_html,
    spreadsheet_safe,
    write_report,
)
from fairlab.spec import AuditSpec

PAYLOAD = "<script>alert('x')</script>"


@pytest.fixture
def result():
    rng = np.random.default_rng(0)
    n = 600
    groups = pd.DataFrame(
        {"grp": rng.choice(['=HYPERLINK("http://x")', "+cmd", PAYLOAD, "plain"], n)}
    )
    y_true = rng.integers(0, 2, n)
    y_pred = rng.integers(0, 2, n)
    return assess_fairness(
        y_true, y_pred, sensitive_features=groups, config=FairnessConfig(n_boot=50)
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+33 1", "'+33 1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("safe", "safe"),
        (-2.5, -2.5),
        (3, 3),
    ],
)
def test_escape_formula(value: object, expected: object) -> None:
    assert escape_formula(value) == expected


def test_spreadsheet_safe_escapes_names_and_text_cells_only() -> None:
    frame = pd.DataFrame({"=bad": ["=1", "ok"], "n": [-1.0, 2.0]})
    safe = spreadsheet_safe(frame)
    assert list(safe.columns) == ["'=bad", "n"]
    assert safe["'=bad"].tolist() == ["'=1", "ok"]
    assert safe["n"].tolist() == [-1.0, 2.0]


def test_group_metrics_csv_has_no_formula_cells(result) -> None:
    rows = list(csv.reader(io.StringIO(group_metrics_csv(result))))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["attribute", "group", "count"]
    assert len(body) == 4
    for row in rows:
        for cell in row:
            if cell and cell[0] in "=+-@\t\r":
                float(cell)  # only numbers may start with '-'
    groups = {row[1] for row in body}
    assert '\'=HYPERLINK("http://x")' in groups and "'+cmd" in groups


def test_html_report_escapes_user_text_and_embeds_plotly(result, tmp_path) -> None:
    spec = AuditSpec(target=PAYLOAD, positive_label=1, sensitive=("grp",))
    files = write_report(tmp_path, dataset_name=PAYLOAD, spec=spec, fairness=result)
    text = files.html.read_text("utf-8")
    assert PAYLOAD not in text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in text
    assert text.count("<script") == text.count("</script>")
    assert not re.search(r"<script[^>]*\bsrc=", text), "no script is loaded from the network"
    assert re.search(r"plotly\.js v\d", text), "plotly.js is embedded inline"
    assert "Fairness is a socio-technical question" in text
    assert files.spec_json.read_text("utf-8") == spec.to_json()
    assert files.group_metrics_csv.read_text("utf-8") == group_metrics_csv(result)


def test_sections_cover_every_attribute_and_say_undefined() -> None:
    groups = pd.DataFrame({"g": ["a"] * 40 + ["b"] * 40})
    y_true = np.r_[np.zeros(40, int), np.r_[np.ones(20, int), np.zeros(20, int)]]
    y_pred = np.r_[np.r_[np.ones(10, int), np.zeros(30, int)], np.ones(40, int)]
    assessed = assess_fairness(
        y_true, y_pred, sensitive_features=groups, config=FairnessConfig(n_boot=20)
    )
    sections = fairness_sections(assessed)
    assert [s.title for s in sections] == ["Fairness by g", "What the metrics mean"]
    assert "undefined (n = 0" in sections[0].body_html
    html = render_html(dataset_name="d", spec=AuditSpec("y", 1, ("g",)), sections=sections)
    assert html.startswith("<!DOCTYPE html>")
