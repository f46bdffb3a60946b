"""Glossary page: every metric, criterion and technique in words and in formulas, with a
worked example, and a metric chooser after the Aequitas fairness tree."""

from __future__ import annotations

import streamlit as st

from fairlab.errors import FairLabError
from fairlab.glossary import CHOOSER_QUESTIONS, GLOSSARY, choose_criteria, entry
from fairlab_ui.render import md, show_error

st.title("Glossary")
st.caption(
    "What every number in FairLab means: in plain words, as a formula, when it matters, and "
    "worked through with counts. The chooser below suggests which criteria fit a decision."
)

# A link such as ?term=equalized_odds opens that entry.
wanted = st.query_params.get("term")
try:
    opened = entry(wanted).key if wanted else None
except FairLabError:
    opened = None
    show_error(f"There is no glossary entry '{wanted}'. Pick one from the list below.")

search = st.text_input(
    "Find a term", key="glossary_search", placeholder="e.g. equalized odds, FPR, SHAP"
)
needle = search.strip().lower()
shown = [
    e
    for e in GLOSSARY.values()
    if not needle
    or needle in e.title.lower()
    or needle in e.key.replace("_", " ")
    or needle in e.meaning.lower()
]
# An entry a link opened comes first, so it is in view without scrolling.
shown.sort(key=lambda e: e.key != opened)
if not shown:
    st.caption("No entry matches; try another word.")
for item in shown:
    with st.expander(md(item.title), expanded=item.key == opened):
        st.markdown(md(item.meaning))
        st.latex(item.formula_latex)
        st.markdown("**When it matters.** " + md(item.when_it_matters))
        st.markdown("**Worked example.** " + md(item.example))
        if item.related:
            st.caption(
                "Related: "
                + ", ".join(md(GLOSSARY[r].title) for r in item.related if r in GLOSSARY)
            )

st.header("Which criteria fit my decision?", divider="gray")
st.caption(
    "A few questions in the spirit of the Aequitas fairness tree. The answer is a starting "
    "point for a conversation with the people affected, not a verdict."
)
answers: dict[str, str] = {}
for question in CHOOSER_QUESTIONS:
    if not question.is_asked(answers):
        continue
    labels = {option.value: option.label for option in question.options}
    value = st.radio(
        md(question.text),
        list(labels),
        format_func=labels.__getitem__,
        key=f"glossary_chooser_{question.id}",
        index=None,
    )
    if value is None:
        break
    answers[question.id] = value
else:
    try:
        result = choose_criteria(answers)
    except FairLabError as exc:
        show_error(str(exc))
    else:
        titles = ", ".join(
            md(GLOSSARY[c].title) if c in GLOSSARY else md(c) for c in result.criteria
        )
        st.success(f"Criteria that fit: {titles}.", icon=":material/lightbulb:")
        for step in result.reasoning:
            st.markdown("- " + md(step))
        for warning in result.warnings:
            st.warning(md(warning), icon=":material/warning:")
