"""The computations lessons share, each kept in a small bounded cache.

Lessons only ever touch synthetic worlds built from a config, so one workbench can serve
every session of a classroom server: nothing in it comes from a user's upload.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import replace
from typing import Any, TypeVar

import pandas as pd

from fairlab.data.synthetic import GROUP_COLUMN, WorldConfig
from fairlab.explain import (
    LimeExplainer,
    LimeResult,
    LimeStability,
    ShapResult,
    explain_shap,
    lime_stability,
    proxy_strength,
)
from fairlab.fairness import FairnessConfig
from fairlab.lessons.lab import LessonLab, build_lab
from fairlab.mitigation import MitigationComparison, TechniqueConfig, compare_techniques

__all__ = ["Workbench", "LESSON_TECHNIQUES", "LESSON_FAIRNESS", "LIME_SAMPLES"]

T = TypeVar("T")

LESSON_FAIRNESS = FairnessConfig(n_boot=400)
"""Fewer resamples than an audit: lessons show intervals, and must answer in a blink."""
LIME_SAMPLES = 1000
"""LIME's samples per explanation in lessons, unless a step asks for another number."""

LESSON_TECHNIQUES: dict[str, TechniqueConfig] = {
    "reweighing": TechniqueConfig("reweighing"),
    "exponentiated_gradient": TechniqueConfig("exponentiated_gradient", "demographic_parity"),
    "threshold_dp": TechniqueConfig("threshold_optimizer", "demographic_parity"),
    "threshold_eo": TechniqueConfig("threshold_optimizer", "equalized_odds"),
}
"""The techniques the mitigation lesson compares, by short name."""


class _Bounded:
    """A small least-recently-used cache that computes each key once, thread-safely."""

    def __init__(self, max_entries: int) -> None:
        self._max = max_entries
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in self._items:
                    return self._items[key]
            value = compute()
            with self._lock:
                self._items[key] = value
                self._items.move_to_end(key)
                while len(self._items) > self._max:
                    self._items.popitem(last=False)
                self._key_locks.pop(key, None)
        return value

    def __len__(self) -> int:
        return len(self._items)


class Workbench:
    """Builds and keeps the labs, comparisons and explanations lessons ask for.

    Parameters
    ----------
    max_labs : int, default 48
        How many trained labs to keep.
    max_results : int, default 64
        How many comparisons, proxy tables and explanations to keep.
    """

    def __init__(self, *, max_labs: int = 48, max_results: int = 64) -> None:
        self._labs = _Bounded(max_labs)
        self._results = _Bounded(max_results)

    def lab(
        self,
        config: WorldConfig,
        *,
        aware: bool = False,
        model: str = "logistic_regression",
        without: tuple[str, ...] = (),
    ) -> LessonLab:
        """The lab of a world (see :func:`fairlab.lessons.lab.build_lab`)."""
        key = (config, aware, model, without)
        return self._labs.get(
            key, lambda: build_lab(config, aware=aware, model=model, without=without)
        )

    def comparison(self, config: WorldConfig, names: tuple[str, ...]) -> MitigationComparison:
        """The baseline and the named :data:`LESSON_TECHNIQUES` on a world.

        Every technique of :data:`LESSON_TECHNIQUES` is run once per world; the comparison
        returned holds the baseline and ``names`` only, in the catalogue's order.
        """
        full = self._results.get(("comparison", config), lambda: self._compare_all(config))
        labels = {LESSON_TECHNIQUES[n].label for n in names}
        keep = [full.baseline_name] + [n for n in full.names[1:] if n in labels]
        return replace(
            full,
            results={k: full.results[k] for k in keep},
            assessments={k: full.assessments[k] for k in keep},
            performance={k: full.performance[k] for k in keep},
        )

    def _compare_all(self, config: WorldConfig) -> MitigationComparison:
        lab = self.lab(config)
        return compare_techniques(
            lab.train,
            lab.test,
            lab.model.config,
            tuple(LESSON_TECHNIQUES.values()),
            roles=lab.roles,
            attribute=GROUP_COLUMN,
            fairness_config=LESSON_FAIRNESS,
            random_state=config.seed,
            baseline=lab.model,
        )

    def proxies(self, config: WorldConfig) -> pd.DataFrame:
        """How well each feature of a world predicts the group (see ``proxy_strength``)."""

        def compute() -> pd.DataFrame:
            lab = self.lab(config)
            train = lab.train
            return proxy_strength(
                train.X,
                train.sensitive_features[GROUP_COLUMN],
                roles=lab.roles,
                random_state=config.seed,
                max_rows=2000,
            )

        return self._results.get(("proxies", config), compute)

    def shap_rows(self, config: WorldConfig, model: str) -> ShapResult:
        """SHAP values of the first 200 test rows of a world's lab."""

        def compute() -> ShapResult:
            lab = self.lab(config, model=model)
            return explain_shap(
                lab.model,
                lab.test.X.iloc[:200],
                background=lab.train.X,
                max_rows=200,
                random_state=config.seed,
            )

        return self._results.get(("shap", config, model), compute)

    def lime_explainer(self, config: WorldConfig, model: str) -> LimeExplainer:
        """A LIME explainer fitted on a world's training rows."""
        lab = self.lab(config, model=model)
        return self._results.get(
            ("lime-explainer", config, model), lambda: LimeExplainer(lab.train.X, roles=lab.roles)
        )

    def lime_row(
        self, config: WorldConfig, model: str, row: int, *, seed: int, num_samples: int
    ) -> LimeResult:
        """LIME's explanation of one test row, for a seed and a number of samples."""

        def compute() -> LimeResult:
            lab = self.lab(config, model=model)
            explainer = self.lime_explainer(config, model)
            return explainer.explain(
                lab.model, lab.test.X.iloc[row], num_samples=num_samples, random_state=seed
            )

        return self._results.get(("lime", config, model, row, seed, num_samples), compute)

    def stability(
        self, config: WorldConfig, model: str, row: int, *, num_samples: int
    ) -> LimeStability:
        """LIME re-run with several seeds (lime_.STABILITY_SEEDS) on one test row."""

        def compute() -> LimeStability:
            lab = self.lab(config, model=model)
            return lime_stability(
                lab.model,
                lab.train.X,
                lab.test.X.iloc[row],
                roles=lab.roles,
                num_samples=num_samples,
                random_state=0,
            )

        return self._results.get(("stability", config, model, row, num_samples), compute)
