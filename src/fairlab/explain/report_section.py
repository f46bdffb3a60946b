"""The explanations section of the HTML report.

:func:`explanation_section` gathers what the report keeps of the explanations: what was
explained (the model, or a surrogate of the file's predictions with its fidelity), which
explainer ran on how many rows, the global importance of each feature (a table and the bar
chart of :func:`fairlab.plots.explain.shap_bar_chart`), whether SHAP and LIME agree, and
which features give a sensitive attribute away. Every piece of user text (feature names,
labels, sentences naming features) is HTML-escaped, as :class:`fairlab.report.ReportSection`
requires.

Import it from this module: :mod:`fairlab.report` imports the plots, which import
:mod:`fairlab.explain`, so the package :mod:`fairlab.explain` must not import this module.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fairlab.explain.agreement import AgreementSummary
from fairlab.explain.shap_ import ShapResult
from fairlab.explain.surrogate import Surrogate
from fairlab.plots.explain import shap_bar_chart
from fairlab.plots.explain_extra import proxy_chart
from fairlab.report import ReportSection, _e, _html_table, _number, spreadsheet_safe

__all__ = [
    "explanation_section",
    "shap_values_table",
    "shap_values_csv",
    "SECTION_TITLE",
    "SURROGATE_NOTE",
]

SECTION_TITLE = "Explanations"
SURROGATE_NOTE = (
    "These explanations describe a surrogate: a model fitted to mimic the file's {mimics} "
    "from the features, not the model that made them. They are only as trustworthy as the "
    "surrogate is faithful."
)
_SPACES = {
    "probability": "the probability of the positive outcome",
    "log-odds": "the log-odds of the positive outcome",
}
_AGREEMENT_METRICS = {
    "overlap": "shared top features",
    "jaccard": "top-k Jaccard",
    "spearman": "rank correlation (ρ)",
    "sign_agreement": "same direction",
}


def explanation_section(
    shap_result: ShapResult,
    *,
    model_label: str,
    agreement: AgreementSummary | None = None,
    proxies: pd.DataFrame | None = None,
    proxy_attribute: str | None = None,
    surrogate: Surrogate | None = None,
    top: int = 15,
) -> ReportSection:
    """A report section on a model's explanations.

    Parameters
    ----------
    shap_result : ShapResult
        The SHAP explanation (of the model, or of ``surrogate``).
    model_label : str
        What was explained, in words (a model's title, or ``surrogate.label``).
    agreement : AgreementSummary, optional
        SHAP against LIME over rows (:func:`fairlab.explain.summarize_agreement`).
    proxies : pandas.DataFrame, optional
        The proxy table of :func:`fairlab.explain.proxy_strength` (its columns
        :data:`fairlab.explain.proxies.PROXY_COLUMNS`).
    proxy_attribute : str, optional
        The sensitive attribute the proxy table is about.
    surrogate : Surrogate, optional
        When the explanations are of a surrogate: its fidelity is shown and the section
        says plainly that the surrogate, not the file's model, is explained.
    top : int, default 15
        How many features the importance table and chart show.

    Returns
    -------
    ReportSection
        Body text escaped; figures: the global importance chart, and the proxy chart
        when there is a proxy table.
    """
    parts = [f"<p>Explained: <strong>{_e(model_label)}</strong>.</p>"]
    if surrogate is not None:
        parts.append(_surrogate_html(surrogate))
    parts.append(_importance_html(shap_result, top))
    if agreement is not None:
        parts.append(_agreement_html(agreement))
    figures = [shap_bar_chart(shap_result, top=top)]
    if proxies is not None:
        parts.append(_proxies_html(proxies, proxy_attribute))
        figures.append(proxy_chart(proxies, attribute=proxy_attribute))
    return ReportSection(title=SECTION_TITLE, body_html="".join(parts), figures=tuple(figures))


def _surrogate_html(surrogate: Surrogate) -> str:
    rows = [
        ("surrogate", _e(surrogate.label)),
        ("agreement with the file's decisions", _number(surrogate.agreement, percent=True)),
        ("balanced agreement", _number(surrogate.balanced_agreement, percent=True)),
    ]
    if surrogate.r2 is not None:
        rows.append(("R² of the scores", _number(surrogate.r2)))
    rows.append(("held-out rows", f"{surrogate.n_test:,} of {surrogate.n_rows:,}"))
    rows = [(_e(name), value_html) for name, value_html in rows]
    note = SURROGATE_NOTE.format(mimics=surrogate.mimics)
    return f"<p class='note'>{_e(note)} {_e(surrogate.fidelity_sentence)}</p>" + _html_table(
        rows, ["fidelity", "value"]
    )


def _importance_html(result: ShapResult, top: int) -> str:
    if result.sampled:
        rows = f"{result.n_rows:,} of {result.n_rows_total:,} rows explained (a seeded sample)"
    else:
        rows = f"all {result.n_rows:,} rows explained"
    space = _SPACES.get(result.output_space, result.output_space)
    text = (
        f"SHAP values by {result.explainer}; {rows}. A feature's importance is its mean "
        f"absolute SHAP value, in {space} (the output space)."
    )
    html = f"<h3>Global importance</h3><p>{_e(text)}</p>"
    html += f"<p>Background: {_e(result.background)}</p>"
    html += f"<p>{_e(result.uncertainty_sentence)}</p>"
    html += "".join(f"<p class='note'>{_e(note)}</p>" for note in result.notes)
    if result.additivity_error > result.additivity_tolerance:
        warning = (
            f"The SHAP values add up to the model output only within "
            f"{result.additivity_error:.2g} (more than {result.additivity_tolerance:.0e}): the "
            "model's predictions depend on the batch they are made in."
        )
        html += f"<p class='note'>{_e(warning)}</p>"
    importance = result.mean_abs().head(top)
    errors = result.mean_abs_errors()
    if errors is None:
        table_rows = [(_e(f), _number(float(v))) for f, v in importance.items()]
        return html + _html_table(table_rows, ["feature", "mean |SHAP value|"])
    table_rows = [
        (_e(f), _number(float(v)), _number(float(errors[f]))) for f, v in importance.items()
    ]
    return html + _html_table(table_rows, ["feature", "mean |SHAP value|", "standard error"])


def shap_values_table(result: ShapResult) -> pd.DataFrame:
    """Every SHAP value of a result in one long table, with what it is relative to.

    Parameters
    ----------
    result : ShapResult
        The explanation.

    Returns
    -------
    pandas.DataFrame
        One row per explained row and feature: ``row`` (its position in the data),
        ``feature``, ``feature_value``, ``shap_value``, ``standard_error`` (empty for exact
        explainers), and the columns ``output_space``, ``base_value``, ``model_output``,
        ``explainer`` and ``background`` the values are read with.
    """
    n_rows, features = result.n_rows, list(result.values.columns)
    errors = (
        result.standard_errors.to_numpy().ravel()
        if result.standard_errors is not None
        else np.full(n_rows * len(features), np.nan)
    )
    return pd.DataFrame(
        {
            "row": np.repeat(np.asarray(result.row_index), len(features)),
            "feature": features * n_rows,
            "feature_value": result.data.loc[:, features].astype(str).to_numpy().ravel(),
            "shap_value": result.values.to_numpy().ravel(),
            "standard_error": errors,
            "output_space": result.output_space,
            "base_value": result.base_value,
            "model_output": np.repeat(result.output, len(features)),
            "explainer": result.explainer,
            "background": result.background,
        }
    )


def shap_values_csv(result: ShapResult) -> str:
    """``shap_values.csv``: :func:`shap_values_table`, spreadsheet-safe."""
    return spreadsheet_safe(shap_values_table(result)).to_csv(index=False)


def _agreement_html(summary: AgreementSummary) -> str:
    rows = [
        (_e(title), _number(float(summary.mean[metric])), _number(float(summary.min[metric])))
        for metric, title in _AGREEMENT_METRICS.items()
    ]
    share = _number(summary.same_story_share, percent=True)
    rows.append((_e("rows telling the same story"), share, "—"))
    return f"<h3>Do SHAP and LIME agree?</h3><p>{_e(summary.sentence)}</p>" + _html_table(
        rows, ["measure", "mean over rows", "lowest"]
    )


def _proxies_html(table: pd.DataFrame, attribute: str | None) -> str:
    what = f"'{attribute}'" if attribute else "the sensitive attribute"
    n_rows = table.attrs.get("n_rows")
    used = f" on {n_rows:,} rows" if isinstance(n_rows, int) else ""
    text = (
        f"How well each feature predicts {what} (cross-validated{used}; 0.5 is chance). A "
        "likely proxy can carry the attribute into a model that does not take it."
    )
    rows = [
        (
            _e(feature),
            _e(row["role"]),
            _number(float(row["roc_auc"])),
            _number(float(row["normalized_mutual_information"])),
            "yes" if bool(row["likely_proxy"]) else "no",
        )
        for feature, row in table.iterrows()
    ]
    skipped = table.attrs.get("skipped") or []
    note = ""
    if skipped:
        note = f"<p>{_e('Not checked: ' + ', '.join(str(c) for c in skipped) + '.')}</p>"
    metric = str(table["metric"].iloc[0]) if len(table) else "ROC AUC"
    header = ["feature", "role", metric, "normalised mutual information", "likely proxy"]
    return f"<h3>Proxies of {_e(what)}</h3><p>{_e(text)}</p>" + _html_table(rows, header) + note
