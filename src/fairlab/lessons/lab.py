"""The lab a lesson runs in: a synthetic world, split, with a model trained on it."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from fairlab.audit_data import AuditData, build_audit_data
from fairlab.data.csv import infer_column_roles
from fairlab.data.synthetic import GROUP_COLUMN, SyntheticWorld, WorldConfig, generate_world
from fairlab.models import ModelConfig, TrainedModel, predict, train_model
from fairlab.split import Split, SplitConfig, split_audit_data

__all__ = ["LessonLab", "build_lab", "LESSON_MODELS"]

LESSON_MODELS: dict[str, ModelConfig] = {
    "logistic_regression": ModelConfig("logistic_regression"),
    "random_forest": ModelConfig("random_forest", params=(("n_estimators", 50), ("max_depth", 6))),
}
"""The models lessons train: a linear one, and a small forest where non-linearity matters."""


@dataclass(frozen=True, eq=False)
class LessonLab:
    """A synthetic world with a trained model and its scores on held-out people.

    Compared and hashed by identity, since it holds arrays.

    Attributes
    ----------
    world : SyntheticWorld
        The generated world.
    roles : dict of str to str
        Each column's role, as the app infers it.
    data : AuditData
        The world's audit rows (outcome as recorded).
    split : Split
        Training and test rows of ``data``.
    model : TrainedModel
        The model trained on the training rows' recorded outcomes.
    scores : numpy.ndarray
        The model's probability of the favourable outcome for each test row.
    y_test : numpy.ndarray
        The recorded outcome of each test row (1 favourable).
    y_true_test : numpy.ndarray
        The true outcome of each test row, before label bias.
    groups : pandas.Series
        The group (``A`` or ``B``) of each test row, as text.
    aware : bool
        Whether the model saw the group column as a feature.
    """

    world: SyntheticWorld
    roles: dict[str, str]
    data: AuditData
    split: Split
    model: TrainedModel
    scores: np.ndarray
    y_test: np.ndarray
    y_true_test: np.ndarray
    groups: pd.Series
    aware: bool

    @property
    def train(self) -> AuditData:
        """The training rows."""
        return self.split.train(self.data)

    @property
    def test(self) -> AuditData:
        """The test rows."""
        return self.split.test(self.data)

    def decisions(self, threshold: float = 0.5) -> np.ndarray:
        """1 where a test row's score reaches ``threshold``."""
        return (self.scores >= threshold).astype(np.int8)


def build_lab(
    config: WorldConfig,
    *,
    aware: bool = False,
    model: str = "logistic_regression",
    without: tuple[str, ...] = (),
) -> LessonLab:
    """Generate a world, split it and train a lesson model on it.

    Parameters
    ----------
    config : WorldConfig
        The world.
    aware : bool, default False
        Give the model the group column as a feature.
    model : {"logistic_regression", "random_forest"}, default "logistic_regression"
        Which of :data:`LESSON_MODELS` to train.
    without : tuple of str, default ()
        Features to leave out of the model (such as the proxy).

    Returns
    -------
    LessonLab
        Deterministic for the same arguments.
    """
    world = generate_world(config, sensitive_as_feature=aware)
    if without:
        kept = tuple(f for f in world.spec.features if f not in without)
        world = replace(world, spec=replace(world.spec, features=kept))
    roles = {c.name: c.role for c in infer_column_roles(world.frame)}
    data = build_audit_data(world.frame, world.spec)
    split = split_audit_data(data, SplitConfig(test_size=0.3, random_state=config.seed))
    base = LESSON_MODELS[model]
    trained = train_model(
        split.train(data),
        ModelConfig(base.name, base.params, random_state=config.seed),
        roles=roles,
    )
    test = split.test(data)
    _, scores = predict(trained, test.X)
    true_positive = world.true_labels.to_numpy() == world.spec.positive_label
    return LessonLab(
        world=world,
        roles=roles,
        data=data,
        split=split,
        model=trained,
        scores=np.asarray(scores, dtype=float),
        y_test=test.y_true,
        y_true_test=true_positive[split.test_rows].astype(np.int8),
        groups=test.sensitive_features[GROUP_COLUMN].astype(str).reset_index(drop=True),
        aware=aware,
    )
