from __future__ import annotations

import numpy as np
import pandas as pd

from fairlab.suggest import default_features, suggest_spec


def test_suggest_spec_guesses_from_names_and_roles() -> None:
    rng = np.random.default_rng(0)
    n = 100
    frame = pd.DataFrame(
        {
            "id": np.arange(n),
            "gender": rng.choice(["F", "M"], n),
            "age": rng.integers(18, 90, n),
            "hours": rng.normal(40, 5, n),
            "notes": [f"a long free text about the applicant number {i}" for i in range(n)],
            "prediction": rng.choice(["yes", "no"], n),
            "score": rng.random(n),
            "hired": rng.choice(["yes", "no"], n),
        }
    )
    roles = {
        "id": "identifier",
        "gender": "categorical",
        "age": "numeric",
        "hours": "numeric",
        "notes": "text",
        "prediction": "boolean",
        "score": "numeric",
        "hired": "boolean",
    }
    spec = suggest_spec(frame, roles)
    assert spec.target == "hired"
    assert spec.positive_label == "yes"
    assert spec.sensitive == ("gender", "age")
    assert spec.bins_for("age") == (25.0, 45.0, 65.0)
    assert spec.features == ("hours",)
    assert spec.prediction_column == "prediction" and spec.prediction_positive == ("yes",)
    assert spec.score_column == "score" and spec.threshold == 0.5
    assert [p for p in spec.validate(frame) if p.severity == "error"] == []


def test_ambiguous_outcome_leaves_the_positive_value_to_the_user() -> None:
    frame = pd.DataFrame({"x": [1, 2, 3, 4], "colour": ["red", "blue", "red", "green"]})
    spec = suggest_spec(frame, {"x": "numeric", "colour": "categorical"})
    assert spec.target == "colour"
    assert spec.positive_label == ""
    assert spec.sensitive == ()
    messages = [p.message for p in spec.validate(frame)]
    assert any("choose which value counts as the positive outcome" in m for m in messages)
    assert any("Choose at least one sensitive attribute" in m for m in messages)


def test_default_features_leave_out_roles_that_models_cannot_use() -> None:
    roles = {
        "a": "numeric",
        "b": "identifier",
        "c": "constant",
        "d": "datetime",
        "e": "categorical",
        "y": "boolean",
    }
    assert default_features(roles, target="y", sensitive=["e"]) == ("a",)


def test_names_with_accents_and_other_languages_are_recognised() -> None:
    frame = pd.DataFrame(
        {
            "Âge": np.arange(18, 118),
            "Sexe": ["F", "H"] * 50,
            "Embauché": ["oui", "non", "non", "oui"] * 25,
        }
    )
    spec = suggest_spec(frame, {"Âge": "numeric", "Sexe": "categorical", "Embauché": "boolean"})
    assert spec.target == "Embauché"
    assert spec.positive_label == "oui"
    assert spec.sensitive == ("Âge", "Sexe")
    assert spec.bins_for("Âge") == (25.0, 45.0, 65.0)
