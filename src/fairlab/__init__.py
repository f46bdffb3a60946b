"""FairLab: assess machine-learning models for fairness-related harms, explain them,
and compare mitigation techniques.

The library is the whole analysis; the Streamlit app only chooses arguments and
renders results. Everything here is usable from a notebook or the command line and
never imports streamlit.
"""

from __future__ import annotations

__version__ = "0.1.0"
