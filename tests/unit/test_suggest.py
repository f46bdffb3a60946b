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


def test_raw_compas_defaults_leave_out_the_outcomes_siblings_and_names() -> None:
    from fairlab.data.bundled import data_dir
    from fairlab.data.csv import read_csv

    result = read_csv(data_dir() / "compas-scores-two-years.csv.gz")
    spec = suggest_spec(result.frame, result.roles())
    siblings = {
        "two_year_recid",
        "is_recid",
        "decile_score",
        "score_text",
        "v_decile_score",
        "event",
        "c_charge_desc",
        "r_charge_degree",
        "r_charge_desc",
        "vr_charge_degree",
        "vr_charge_desc",
        "first",
        "last",
        "name",
        "id",
    }
    assert not siblings & set(spec.features), siblings & set(spec.features)
    assert {"age_cat", "priors_count", "juv_fel_count", "c_charge_degree"} <= set(spec.features)


def test_high_cardinality_text_stays_out_of_the_default_features() -> None:
    from fairlab.suggest import MAX_DEFAULT_CATEGORIES, high_cardinality_columns

    rng = np.random.default_rng(1)
    n = 600
    frame = pd.DataFrame(
        {
            "surname": rng.choice([f"s{i}" for i in range(300)], n),
            "town": rng.choice([f"t{i}" for i in range(MAX_DEFAULT_CATEGORIES)], n),
            "sex": rng.choice(["F", "M"], n),
            "hired": rng.choice(["yes", "no"], n),
        }
    )
    roles = {c: "categorical" for c in frame.columns} | {"hired": "boolean"}
    assert high_cardinality_columns(frame, roles) == ("surname",)
    spec = suggest_spec(frame, roles)
    assert spec.features == ("town",)
