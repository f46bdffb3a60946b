"""The report to keep: a self-contained HTML page, a spreadsheet-safe CSV and the spec.

``write_report`` writes ``report.html`` (plotly embedded inline, so it opens offline),
``group_metrics.csv`` and ``spec.json`` into a folder; the app offers the same bytes as
downloads. Later steps (explanations, mitigation) add their own :class:`ReportSection`.

Every string that comes from the user's data is HTML-escaped; every CSV cell that a
spreadsheet would read as a formula is escaped (OWASP: cells starting with ``=``, ``+``,
``-``, ``@``, tab or carriage return get a leading apostrophe).
"""

from __future__ import annotations

import datetime as dt
import html
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from fairlab import __version__
from fairlab.fairness import METHOD, METRIC_EXPLANATIONS, METRIC_NAMES, FairnessResult
from fairlab.plots.fairness import disparity_chart, group_metric_chart
from fairlab.spec import AuditSpec

__all__ = [
    "FORMULA_PREFIXES",
    "ReportSection",
    "ReportFiles",
    "escape_formula",
    "spreadsheet_safe",
    "group_metrics_table",
    "group_metrics_csv",
    "fairness_sections",
    "performance_section",
    "render_html",
    "write_report",
]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
SOCIO_TECHNICAL_NOTE = (
    "Fairness is a socio-technical question. These numbers show where the model's decisions "
    "differ between groups, with their uncertainty; whether a difference is a harm, and what "
    "to do about it, depends on the people affected and the context of use."
)
METRIC_TITLES = {
    "base_rate": "base rate",
    "selection_rate": "selection rate",
    "true_positive_rate": "TPR",
    "false_positive_rate": "FPR",
    "false_negative_rate": "FNR",
    "true_negative_rate": "TNR",
    "positive_predictive_value": "precision (PPV)",
    "negative_predictive_value": "NPV",
    "false_discovery_rate": "FDR",
    "false_omission_rate": "FOR",
    "accuracy": "accuracy",
}


def escape_formula(value: object) -> object:
    """Make one CSV cell safe to open in a spreadsheet.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
    leading apostrophe, so a spreadsheet shows it instead of evaluating it. Numbers are
    left alone (a negative number is a number, not a formula).
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Escape every text cell and column name of ``frame`` (see :func:`escape_formula`)."""
    safe = frame.rename(columns=lambda c: escape_formula(str(c)))
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = safe[column].map(escape_formula)
    return safe


def group_metrics_table(result: FairnessResult) -> pd.DataFrame:
    """All group tables of a fairness result in one long table with an ``attribute`` column."""
    frames = [table.assign(attribute=attribute) for attribute, table in result.by_group.items()]
    combined = pd.concat(frames, ignore_index=True)
    ordered = ["attribute", *[c for c in combined.columns if c != "attribute"]]
    return combined[ordered]


def group_metrics_csv(result: FairnessResult) -> str:
    """``group_metrics.csv``: every group metric with its interval, spreadsheet-safe."""
    buffer = io.StringIO()
    spreadsheet_safe(group_metrics_table(result)).to_csv(buffer, index=False)
    return buffer.getvalue()


@dataclass(frozen=True)
class ReportSection:
    """One section of the HTML report.

    ``body_html`` is built by FairLab's own section builders, which escape every piece of
    user text; never put raw user text in it.
    """

    title: str
    body_html: str
    figures: tuple[go.Figure, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class ReportFiles:
    """Paths of the files :func:`write_report` wrote."""

    html: Path
    group_metrics_csv: Path
    spec_json: Path


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _number(value: object, *, percent: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, int | float):
        return f"{value:.1%}" if percent else f"{value:.3g}"
    return _e(value)


def _html_table(rows: Iterable[Sequence[str]], header: Sequence[str] | None) -> str:
    head = (
        ""
        if header is None
        else "<thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in header) + "</tr></thead>"
    )
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table>{head}<tbody>{body}</tbody></table>"


def _rate_cell(row: pd.Series, metric: str) -> str:
    reason = row.get(f"{metric}_undefined")
    if isinstance(reason, str) and reason:
        return f'<span class="undefined">{_e(reason)}</span>'
    value = row.get(metric)
    low, high = row.get(f"{metric}_low"), row.get(f"{metric}_high")
    interval = ""
    if low is not None and high is not None and not (pd.isna(low) or pd.isna(high)):
        interval = f'<br><span class="ci">{low:.1%} – {high:.1%}</span>'
    return _number(value, percent=True) + interval


def _method_statement(result: FairnessResult) -> str:
    config = result.config
    return (
        f"Method: {METHOD}. Level {config.confidence:.0%}, held together over each "
        f"criterion's comparisons. A verdict fails only when some comparison is shown "
        f"beyond the bound, passes only when every comparison is shown within it, and is "
        f"insufficient evidence otherwise; groups with fewer than {config.min_cases} cases in "
        "a rate's denominator cannot make a verdict confident."
    )


def fairness_sections(
    result: FairnessResult, *, figures: Mapping[str, Sequence[go.Figure]] | None = None
) -> list[ReportSection]:
    """Report sections for a fairness assessment: disparities, then one table per attribute.

    Parameters
    ----------
    result : FairnessResult
        From :func:`fairlab.fairness.assess_fairness`.
    figures : mapping of str to sequence of Figure, optional
        Figures to show with each attribute's section; by default the disparity chart
        and the selection rate by group.

    Returns
    -------
    list of ReportSection
    """
    if figures is None:
        figures = {
            attribute: (
                disparity_chart(result.disparities[attribute], attribute=attribute),
                group_metric_chart(
                    result.by_group[attribute],
                    attribute=attribute,
                    metric="selection_rate",
                    metric_title="selection rate",
                    overall=float(result.overall["selection_rate"]),
                ),
            )
            for attribute in result.attributes
        }
    sections: list[ReportSection] = []
    for attribute in result.attributes:
        disparities = result.disparities[attribute]
        disparity_rows = [
            (
                _e(name.replace("_", " ")),
                _number(row["value"]),
                "—" if pd.isna(row["ci_low"]) else f"{row['ci_low']:.3g} – {row['ci_high']:.3g}",
                f'<span class="verdict {_e(row["verdict"]).replace(" ", "-")}">'
                f"{_e(row['verdict'])}</span>",
                _e(row["sentence"]) + (f"<br><em>{_e(row['note'])}</em>" if row["note"] else ""),
            )
            for name, row in disparities.iterrows()
        ]
        table = result.by_group[attribute]
        metrics = ["base_rate", *METRIC_NAMES]
        group_rows = [
            (
                _e(row["group"])
                + (' <span class="small">under 30 rows</span>' if row["small"] else ""),
                f"{int(row['count']):,}",
                *[_rate_cell(row, metric) for metric in metrics],
            )
            for _, row in table.iterrows()
        ]
        level = f"{result.config.confidence:.0%}"
        body = (
            "<h3>Disparities</h3>"
            + f'<p class="note">{_e(_method_statement(result))}</p>'
            + _html_table(
                disparity_rows, ["criterion", "value", f"{level} CI", "verdict", "in words"]
            )
            + "<h3>Groups</h3>"
            + _html_table(group_rows, ["group", "rows", *[METRIC_TITLES[m] for m in metrics]])
        )
        sections.append(
            ReportSection(
                title=f"Fairness by {attribute}",
                body_html=body,
                figures=tuple(figures.get(attribute, ())),
            )
        )
    glossary = "".join(
        f"<dt>{_e(name.replace('_', ' '))}</dt><dd>{_e(text)}</dd>"
        for name, text in METRIC_EXPLANATIONS.items()
    )
    sections.append(ReportSection(title="What the metrics mean", body_html=f"<dl>{glossary}</dl>"))
    return sections


def performance_section(
    metrics: Mapping[str, float],
    *,
    title: str = "Model performance on the test split",
    figures: Sequence[go.Figure] = (),
) -> ReportSection:
    """A section listing overall performance metrics (NaN shows as undefined)."""
    rows = [(_e(name.replace("_", " ")), _number(value)) for name, value in metrics.items()]
    return ReportSection(
        title=title, body_html=_html_table(rows, ["metric", "value"]), figures=tuple(figures)
    )


_CSS = """
body{font-family:Inter,Segoe UI,Helvetica,Arial,sans-serif;color:#1f2430;max-width:1100px;
margin:2rem auto;padding:0 1rem;line-height:1.45}
h1{margin-bottom:.2rem}h2{border-bottom:1px solid #dee2e6;padding-bottom:.3rem;margin-top:2.2rem}
table{border-collapse:collapse;margin:.6rem 0 1.2rem;font-size:.86rem}
th,td{border:1px solid #dee2e6;padding:.3rem .5rem;vertical-align:top;text-align:left}
th{background:#f4f6fb}.ci{color:#6c757d;font-size:.78rem}.undefined{color:#868e96;font-style:italic}
.small{background:#fff3bf;border-radius:3px;padding:0 .3rem;font-size:.75rem}
.verdict{font-weight:600}.passes{color:#2b8a3e}.fails{color:#c92a2a}
.insufficient-evidence{color:#e67700}.note{background:#f4f6fb;padding:.7rem 1rem;border-radius:6px}
dt{font-weight:600;margin-top:.5rem}dd{margin-left:1rem}
"""


def render_html(
    *,
    dataset_name: str,
    spec: AuditSpec,
    sections: Sequence[ReportSection],
    title: str = "FairLab audit report",
    generated_at: dt.datetime | None = None,
) -> str:
    """Render the report as one self-contained HTML document.

    The plotly library is embedded once, inline, so the file opens without a network.

    Parameters
    ----------
    dataset_name : str
        Shown in the header (escaped).
    spec : AuditSpec
        Summarised in the header and embedded as JSON.
    sections : sequence of ReportSection
        In order.
    title : str
        The document title.
    generated_at : datetime, optional
        Defaults to now (UTC).

    Returns
    -------
    str
    """
    generated_at = generated_at or dt.datetime.now(dt.UTC)
    plotly_included = False
    parts: list[str] = []
    for section in sections:
        parts.append(f"<section><h2>{_e(section.title)}</h2>{section.body_html}")
        for figure in section.figures:
            parts.append(
                figure.to_html(
                    full_html=False,
                    include_plotlyjs=not plotly_included,
                    config={"displaylogo": False},
                )
            )
            plotly_included = True
        parts.append("</section>")
    summary = _html_table(
        [
            ("outcome", f"{_e(spec.target)} = {_e(spec.positive_label)}"),
            ("sensitive attributes", _e(", ".join(spec.sensitive))),
            ("features", _e(", ".join(spec.features)) or "—"),
            ("predictions from the file", _e(spec.prediction_column or "—")),
            ("scores from the file", _e(spec.score_column or "—")),
        ],
        None,
    )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{_e(title)}</h1>"
        f"<p>Dataset: <strong>{_e(dataset_name)}</strong> · generated "
        f"{generated_at:%Y-%m-%d %H:%M} UTC by FairLab {__version__}</p>"
        f"<p class='note'>{_e(SOCIO_TECHNICAL_NOTE)}</p>"
        f"<h2>What was audited</h2>{summary}"
        + "".join(parts)
        + f"<h2>Spec</h2><pre>{_e(spec.to_json())}</pre></body></html>"
    )


def write_report(
    out_dir: str | Path,
    *,
    dataset_name: str,
    spec: AuditSpec,
    fairness: FairnessResult,
    sections_before: Sequence[ReportSection] = (),
    sections_after: Sequence[ReportSection] = (),
    figures: Mapping[str, Sequence[go.Figure]] | None = None,
) -> ReportFiles:
    """Write ``report.html``, ``group_metrics.csv`` and ``spec.json`` into ``out_dir``.

    Parameters
    ----------
    out_dir : str or Path
        Created if missing.
    dataset_name : str
        Shown in the report.
    spec : AuditSpec
        The audit's spec.
    fairness : FairnessResult
        The assessment.
    sections_before, sections_after : sequence of ReportSection
        Extra sections (e.g. performance before, explanations after).
    figures : mapping, optional
        Figures per attribute for the fairness sections.

    Returns
    -------
    ReportFiles
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sections = [*sections_before, *fairness_sections(fairness, figures=figures), *sections_after]
    files = ReportFiles(
        html=out / "report.html",
        group_metrics_csv=out / "group_metrics.csv",
        spec_json=out / "spec.json",
    )
    files.html.write_text(
        render_html(dataset_name=dataset_name, spec=spec, sections=sections), "utf-8"
    )
    files.group_metrics_csv.write_text(group_metrics_csv(fairness), "utf-8")
    files.spec_json.write_text(spec.to_json(), "utf-8")
    return files
