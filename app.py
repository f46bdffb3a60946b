"""FairLab: the Streamlit entry point.

Sets the page up, makes sure a dataset is loaded (the workspace the address names, else
Adult), hands over to the page the user chose, draws the shared sidebar (after the page,
so it shows the spec the page has just set), and keeps the session's work in its workspace.
"""

from __future__ import annotations

import streamlit as st

from fairlab_ui import sidebar, state
from fairlab_ui.jobs import warm_up_kernels
from fairlab_ui.lessons import PRESENT_KEY, presenting, warm_up_lessons
from fairlab_ui.render import PageStopped
from fairlab_ui.session import ensure_dataset, save_workspace

st.set_page_config(page_title="FairLab", page_icon=":material/balance:", layout="wide")

ensure_dataset()
warm_up_kernels()
warm_up_lessons()

page = st.navigation(
    [
        st.Page("app_pages/data.py", title="Data", icon=":material/table:", default=True),
        st.Page("app_pages/model.py", title="Model", icon=":material/model_training:"),
        st.Page("app_pages/fairness.py", title="Fairness", icon=":material/balance:"),
        st.Page("app_pages/explain.py", title="Explain", icon=":material/insights:"),
        st.Page("app_pages/mitigate.py", title="Mitigate", icon=":material/tune:"),
        st.Page("app_pages/learn.py", title="Learn", icon=":material/school:"),
        st.Page("app_pages/glossary.py", title="Glossary", icon=":material/menu_book:"),
    ],
    # Presentation mode keeps the sidebar to the lesson outline the Learn page draws.
    position="hidden" if presenting() else "sidebar",
)
if presenting() and page.title != "Learn":
    # Presentation mode belongs to the Learn page; elsewhere the navigation must show.
    st.session_state[PRESENT_KEY] = False
    st.rerun()
state.keep_widget_values()
notice = st.session_state.pop(state.WORKSPACE_NOTICE, None)
if notice:
    st.info(notice, icon=":material/info:")
slot = st.sidebar.container()
try:
    page.run()
except PageStopped:
    pass
# Drawn after the page, so it shows the spec the page has just set.
if not presenting():
    with slot:
        sidebar.render()
state.remember_widget_values()
save_workspace()
