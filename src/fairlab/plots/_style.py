"""Shared look of FairLab's figures, and escaping of user text for plotly."""

from __future__ import annotations

import html

import plotly.graph_objects as go

COLOR_GROUP = "#3b5bdb"
COLOR_SMALL = "#adb5bd"
COLOR_OVERALL = "#e8590c"
COLOR_SEQUENCE = (
    "#3b5bdb",
    "#e8590c",
    "#2b8a3e",
    "#ae3ec9",
    "#f59f00",
    "#1098ad",
    "#c92a2a",
    "#5c940d",
)
FONT = dict(family="Inter, Segoe UI, Helvetica, Arial, sans-serif", size=13)


def plain(text: object) -> str:
    """Escape user text for plotly, which honours a few HTML tags in labels."""
    return html.escape(str(text), quote=False)


def apply_layout(fig: go.Figure, *, title: str, height: int) -> go.Figure:
    """Give a figure FairLab's title, font, margins and background."""
    fig.update_layout(
        title=dict(text=title, x=0, xanchor="left", font=dict(size=15)),
        font=FONT,
        height=height,
        margin=dict(l=10, r=20, t=70, b=40),
        plot_bgcolor="white",
        paper_bgcolor="white",
        colorway=list(COLOR_SEQUENCE),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1),
    )
    return fig
