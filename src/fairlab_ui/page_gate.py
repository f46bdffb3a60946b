"""The check at the top of every page that shows a model's numbers: a valid spec first,
then something to audit, then a warning for any choice that no longer fits the data."""

from __future__ import annotations

import streamlit as st

from fairlab_ui import cache, state
from fairlab_ui.predictions import SPEC_FIRST, PredictionSource, active_source, spec_is_valid
from fairlab_ui.render import show_choice_warnings, stop_page

NO_PREDICTIONS = "Get predictions on the Model page first."


def require_source(
    no_source: str = NO_PREDICTIONS,
) -> tuple[state.ActiveDataset, PredictionSource]:
    """The dataset and the predictions the page shows, or a message and the page's end.

    A spec with errors says so (and links to the Data page) before the lack of predictions
    does, since it is the reason; a choice that no longer fits (a threshold outside the
    scores) is shown before any number.
    """
    dataset = state.active_dataset()
    spec = state.current_spec()
    if dataset is not None and (spec is None or not spec_is_valid(dataset, spec)):
        st.info(SPEC_FIRST, icon=":material/info:")
        st.page_link("app_pages/data.py", label="Go to the Data page", icon=":material/table:")
        stop_page()
    source = active_source()
    if dataset is None or source is None:
        st.info(no_source, icon=":material/info:")
        st.page_link(
            "app_pages/model.py", label="Go to the Model page", icon=":material/model_training:"
        )
        stop_page()
    assert dataset is not None and source is not None
    show_choice_warnings(cache.validate_spec(dataset.key, source.spec, dataset.frame))
    return dataset, source
