"""One widget per model or technique setting, drawn from its :class:`ParamSpec`."""

from __future__ import annotations

from typing import Any

import streamlit as st

from fairlab.models import ParamSpec


def param_widget(param: ParamSpec, key: str) -> Any:
    """Draw the widget of one setting and return its value (None for "no limit")."""
    if param.kind == "choice":
        return st.selectbox(param.label, param.choices, key=key, help=param.help)
    if param.none_label is not None:
        unlimited = st.checkbox(
            f"{param.label}: {param.none_label}", value=param.default is None, key=f"{key}_none"
        )
        if unlimited:
            return None
    default = param.default if param.default is not None else param.low
    if param.kind == "int":
        return st.number_input(
            param.label,
            int(param.low),
            int(param.high),
            int(default),
            step=1,
            key=key,
            help=param.help,
        )
    return st.number_input(
        param.label,
        float(param.low),
        float(param.high),
        float(default),
        key=key,
        help=param.help,
        format="%.4g",
    )
