"""The headless audit, run as a user would run it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fairlab.cli import main
from fairlab.fairness import DISPARITY_NAMES, METRIC_NAMES

FILES = ("report.html", "group_metrics.csv", "spec.json", "metrics.json")


def _metrics(out: Path) -> dict:
    return json.loads((out / "metrics.json").read_text("utf-8"))


def _check_shape(metrics: dict, attributes: list[str]) -> None:
    assert set(metrics) >= {"spec", "overall", "by_group", "disparities"}
    assert set(metrics["overall"]) >= set(METRIC_NAMES)
    assert list(metrics["by_group"]) == attributes
    for rows in metrics["by_group"].values():
        for row in rows:
            assert set(row) >= {"group", "count", "tp", "fp", "tn", "fn", "ci", *METRIC_NAMES}
            assert row["tp"] + row["fp"] + row["tn"] + row["fn"] == row["count"]
            for name in METRIC_NAMES:
                value = row[name]
                assert value is None or 0 <= value <= 1
                if value is not None:
                    low, high = row["ci"][name]
                    assert low <= value <= high
    for attribute in attributes:
        disparities = metrics["disparities"][attribute]
        assert set(disparities) == set(DISPARITY_NAMES)
        for entry in disparities.values():
            assert entry["verdict"] in ("passes", "fails", "insufficient evidence", "undefined")
            assert len(entry["ci"]) == 2


def test_compas_scores_already_in_the_file(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["audit", "--dataset", "compas", "--n-boot", "100", "--out", str(tmp_path)]) == 0
    written = capsys.readouterr().out.split()
    assert [Path(p).name for p in written] == list(FILES)
    metrics = _metrics(tmp_path)
    _check_shape(metrics, ["race", "sex", "race×sex"])
    total = sum(row["count"] for row in metrics["by_group"]["sex"])
    assert total == 7214, "audits of predictions use every row"


def test_adult_with_a_model_trained_here(tmp_path: Path) -> None:
    args = ["audit", "--dataset", "adult", "--model", "logistic_regression", "--n-boot", "100"]
    assert main([*args, "--seed", "1", "--out", str(tmp_path)]) == 0
    metrics = _metrics(tmp_path)
    _check_shape(metrics, ["sex", "race", "sex×race"])
    total = sum(row["count"] for row in metrics["by_group"]["sex"])
    assert total == pytest.approx(0.3 * 48842, abs=2), "the audit runs on the test split"
    assert metrics["performance"]["accuracy"] > 0.8


def test_german_with_bins_and_a_tree(tmp_path: Path) -> None:
    args = ["audit", "--dataset", "german", "--model", "decision_tree", "--bins", "age=25,40"]
    assert main([*args, "--n-boot", "50", "--out", str(tmp_path)]) == 0
    groups = [row["group"] for row in _metrics(tmp_path)["by_group"]["age"]]
    assert sorted(groups) == sorted(["< 25", "[25, 40)", "≥ 40"])


def test_a_csv_with_scores_and_the_spec_file_round_trip(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    n = 400
    frame = pd.DataFrame(
        {
            "group": rng.choice(["a", "b"], n),
            "label": rng.choice(["yes", "no"], n),
            "risk": rng.random(n),
        }
    )
    data = tmp_path / "scores.csv"
    frame.to_csv(data, index=False)
    first = tmp_path / "first"
    args = ["audit", "--data", str(data), "--target", "label", "--positive", "yes"]
    args += ["--sensitive", "group", "--score", "risk", "--threshold", "0.5", "--n-boot", "50"]
    assert main([*args, "--out", str(first)]) == 0
    again = tmp_path / "again"
    spec_args = ["audit", "--data", str(data), "--spec", str(first / "spec.json")]
    assert main([*spec_args, "--n-boot", "50", "--out", str(again)]) == 0
    assert _metrics(first)["by_group"] == _metrics(again)["by_group"]
    expected = int(
        ((frame["risk"] >= 0.5) & (frame["label"] == "yes") & (frame["group"] == "a")).sum()
    )
    row_a = next(r for r in _metrics(first)["by_group"]["group"] if r["group"] == "a")
    assert row_a["tp"] == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dataset", "german"], "Give exactly one way to get predictions"),
        (
            ["--dataset", "adult", "--data", "x.csv"],
            "Give exactly one of --data FILE or --dataset NAME",
        ),
        (["--data", "/no/such.csv", "--target", "y", "--positive", "1"], "could not be opened"),
        (
            ["--dataset", "adult", "--model", "knn", "--target", "nope"],
            "Column 'nope' is not in the data",
        ),
        (["--dataset", "adult", "--model", "knn", "--sensitive", "age"], "set bins"),
        (["--dataset", "adult", "--model", "knn", "--bins", "age:25"], "--bins must look like"),
        (["--dataset", "adult", "--spec", "/no/spec.json"], "Cannot read the spec file"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    assert main(["audit", *args, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("fairlab: error: ")
    assert message in err


def test_python_m_fairlab_runs(tmp_path: Path) -> None:
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "fairlab",
            "audit",
            "--dataset",
            "compas",
            "--n-boot",
            "20",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert all((tmp_path / name).exists() for name in FILES)
