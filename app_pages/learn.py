"""Learn page: guided lessons on a synthetic world, one step at a time, for a classroom."""

from __future__ import annotations

from typing import Any

import streamlit as st

from fairlab.errors import FairLabError
from fairlab.lessons import LESSONS, Lesson, Step
from fairlab_ui import lessons as ui
from fairlab_ui.glossary_links import glossary_links
from fairlab_ui.render import md, show_error, stop_page

ui.open_from_address()
if ui.presenting():
    st.html(ui.PRESENTATION_CSS)

head, toggle = st.columns([3, 1], vertical_alignment="bottom")
head.title("Learn")
toggle.toggle(
    "Presentation mode",
    key=ui.PRESENT_KEY,
    help="Larger text and a simpler sidebar, for a projector.",
)
st.caption(
    "Seven short lessons on a synthetic lending world whose biases are set on purpose. Each "
    "step explains one idea, gives you one control and shows the live result. The address "
    "bar always holds the lesson, step and settings: copy it to share exactly this view."
)
for message in st.session_state.pop(ui.URL_ERRORS, []):
    show_error(message)

keys = list(LESSONS)
chosen_key = st.selectbox(
    "Lesson",
    keys,
    key=ui.LESSON_KEY,
    format_func=lambda k: f"{keys.index(k) + 1}. {LESSONS[k].title}",
)
item: Lesson = LESSONS[chosen_key]
st.markdown(f"*{md(item.summary)}*")

step_key = ui.step_key(item)
st.session_state.setdefault(step_key, 0)
indices = list(range(len(item.steps)))
index = st.radio(
    "Step",
    indices,
    key=step_key,
    horizontal=True,
    format_func=lambda i: f"{i + 1}. {item.steps[i].title}",
)
step: Step = item.steps[index]


def _move(by: int) -> None:
    st.session_state[step_key] = min(max(st.session_state[step_key] + by, 0), len(indices) - 1)


st.header(f"Step {index + 1} of {len(item.steps)}: {step.title}", divider="gray")
st.markdown(step.text)
if step.formula:
    st.latex(step.formula)


columns = st.columns(len(step.controls)) if len(step.controls) > 1 else [st.container()]
values: dict[str, Any] = {}
for column, control in zip(columns, step.controls, strict=True):
    with column:
        values[control.name] = ui.control_widget(item, step, control)
ui.write_address(item, step, values)

if any(control.kind == "multiselect" and not values[control.name] for control in step.controls):
    st.info("Pick at least one technique to compare.", icon=":material/info:")
    stop_page()

revealed = True
if step.predict is not None:
    guess = st.radio(
        "**Predict before you look.** " + step.predict.question,
        list(step.predict.options),
        index=None,
        key=ui.guess_key(item, step),
    )
    shown_key = ui.revealed_key(item, step)
    revealed = bool(st.session_state.get(shown_key))
    if not revealed:
        st.button(
            "Reveal the result",
            key=f"learn_reveal_{item.key}_{step.key}",
            type="primary",
            disabled=guess is None,
            on_click=lambda: st.session_state.__setitem__(shown_key, True),
            help="Make your guess first." if guess is None else None,
        )

if revealed:
    try:
        with st.spinner("Computing…"):
            result = step.compute(values, ui.workbench())
    except FairLabError as exc:
        show_error(str(exc))
        stop_page()
    if step.predict is not None and result.answer is not None:
        guess = st.session_state.get(ui.guess_key(item, step))
        if guess is None:
            st.info(f"The data says: **{md(result.answer)}**.", icon=":material/lightbulb:")
        elif guess == result.answer:
            st.success(
                f"You guessed **{md(guess)}**, and the data agrees.", icon=":material/check_circle:"
            )
        else:
            st.warning(
                f"You guessed **{md(guess)}**; the data says **{md(result.answer)}**.",
                icon=":material/lightbulb:",
            )
    st.markdown("**Result.** " + md(result.headline))
    if result.figure is not None:
        st.plotly_chart(result.figure, key=f"learn_chart_{item.key}_{step.key}")
    if result.table is not None:
        st.dataframe(result.table)
    for note in result.notes:
        st.caption(md(note))

back, forward = st.columns(2)
back.button(
    "← Previous step",
    key="learn_back",
    disabled=index == 0,
    on_click=_move,
    args=(-1,),
    use_container_width=True,
)
forward.button(
    "Next step →",
    key="learn_next",
    disabled=index == len(indices) - 1,
    on_click=_move,
    args=(1,),
    use_container_width=True,
)

if index == len(indices) - 1:
    st.subheader("Questions for the class")
    for number, question in enumerate(item.discussion, 1):
        st.markdown(f"{number}. {md(question)}")
glossary_links(item.glossary)

if ui.presenting():
    with st.sidebar:
        st.markdown(f"#### {md(item.title)}")
        for i, s in enumerate(item.steps):
            line = f"{i + 1}\\. {md(s.title)}"
            st.markdown(f"▶ **{line}**" if i == index else line)
