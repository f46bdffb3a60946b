"""Benchmark: FairLab's robust CSV reader against a naive ``pd.read_csv``.

Generates a realistic CSV (mixed numeric, categorical and free-text columns) of about
``--mb`` megabytes in a temporary directory, then measures, each in a fresh subprocess,
the wall time and the peak resident memory above the post-import baseline of

- ``fairlab.data.csv.read_csv(path)`` (delimiter and encoding sniffing, header repair,
  role inference), and
- ``pandas.read_csv(path)`` with default options,

both from the path and from the file's bytes already in memory (how a Streamlit upload
arrives). Run with ``python bench/bench_csv_read.py [--mb 200] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

_BYTES_PER_ROW = 85  # measured for the table built by _make_table
_MIB = 1024 * 1024
_READERS = ("fairlab path", "pandas path", "fairlab bytes", "pandas bytes")


def _make_table(n_rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    occupations = np.array(
        [
            "Tech-support",
            "Craft-repair",
            "Other-service",
            "Sales",
            "Exec-managerial",
            "Prof-specialty",
            "Handlers-cleaners",
            "Machine-op-inspct",
            "Adm-clerical",
            "Farming-fishing",
            "Transport-moving",
            "Priv-house-serv",
            "Protective-serv",
        ]
    )
    words = np.array(
        [
            "late",
            "payment",
            "customer",
            "called",
            "twice",
            "approved",
            "after",
            "review",
            "missing",
            "documents",
            "income",
            "verified",
            "manual",
            "check",
            "ok",
        ]
    )
    comment_words = words[rng.integers(0, len(words), size=(n_rows, 4))]
    comments = pd.Series(comment_words[:, 0]).str.cat(
        [pd.Series(comment_words[:, i]) for i in range(1, 4)], sep=" "
    )
    comments[rng.random(n_rows) < 0.3] = None
    age = rng.integers(18, 90, size=n_rows).astype("float64")
    age[rng.random(n_rows) < 0.01] = np.nan
    score = rng.random(n_rows)
    return pd.DataFrame(
        {
            "applicant_id": np.arange(1, n_rows + 1),
            "age": age,
            "income": np.round(rng.lognormal(10, 0.6, size=n_rows), 2),
            "sex": rng.choice(["Female", "Male"], size=n_rows, p=[0.45, 0.55]),
            "race": rng.choice(
                ["White", "Black", "Asian-Pac-Islander", "Amer-Indian-Eskimo", "Other"],
                size=n_rows,
                p=[0.7, 0.15, 0.08, 0.04, 0.03],
            ),
            "occupation": rng.choice(occupations, size=n_rows),
            "hours_per_week": rng.integers(1, 99, size=n_rows),
            "comment": comments,
            "approved": rng.choice(["yes", "no"], size=n_rows),
            "y_score": np.round(score, 4),
            "y_pred": (score > 0.5).astype("int64"),
        }
    )


def _write_csv(path: Path, megabytes: float, seed: int = 0) -> int:
    n_rows = int(megabytes * 1024 * 1024 / _BYTES_PER_ROW)
    chunk_rows = 250_000
    with path.open("w", encoding="utf-8", newline="") as handle:
        for start in range(0, n_rows, chunk_rows):
            chunk = _make_table(min(chunk_rows, n_rows - start), seed + start)
            chunk["applicant_id"] += start
            chunk.to_csv(handle, index=False, header=start == 0, lineterminator="\n")
    return n_rows


def _max_rss_bytes() -> int:
    # ru_maxrss is in kilobytes on Linux (bytes on macOS).
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def _measure(reader: str, path: str) -> None:
    """Read ``path`` once with ``reader`` and print the figures as one JSON line."""
    from fairlab.data.csv import infer_column_roles, read_csv

    source: bytes | str = path
    if reader.endswith("bytes"):
        # An upload arrives as bytes already in memory, before the baseline.
        source = Path(path).read_bytes()
    baseline = _max_rss_bytes()
    start = time.perf_counter()
    if reader.startswith("fairlab"):
        # The upload limit is not what is measured here.
        frame = read_csv(source, max_bytes=os.path.getsize(path) + 1).frame
    else:
        frame = pd.read_csv(io.BytesIO(source) if isinstance(source, bytes) else source)
    seconds = time.perf_counter() - start
    peak = _max_rss_bytes()
    start = time.perf_counter()
    infer_column_roles(frame)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "roles_seconds": time.perf_counter() - start,
                "peak_rss_delta": peak - baseline,
                "frame_bytes": int(frame.memory_usage(deep=True).sum()),
                "shape": list(frame.shape),
            }
        )
    )


def _run_in_subprocess(reader: str, path: Path) -> dict[str, float]:
    completed = subprocess.run(
        [sys.executable, __file__, "--measure", reader, "--path", str(path)],
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"measuring {reader} failed:\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _median_run(reader: str, path: Path, repeat: int) -> dict[str, float]:
    runs = sorted((_run_in_subprocess(reader, path) for _ in range(repeat)), key=_seconds)
    return runs[len(runs) // 2]


def _seconds(figures: dict[str, float]) -> float:
    return figures["seconds"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=200.0, help="size of the generated CSV")
    parser.add_argument("--repeat", type=int, default=3, help="runs per reader (median shown)")
    parser.add_argument("--measure", choices=_READERS, help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        _measure(args.measure, args.path)
        return

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "applications.csv"
        start = time.perf_counter()
        n_rows = _write_csv(path, args.mb)
        print(
            f"generated {path.stat().st_size / _MIB:.1f} MB, {n_rows:,} rows x 11 columns "
            f"in {time.perf_counter() - start:.1f} s; median of {args.repeat} runs each"
        )
        results = {reader: _median_run(reader, path, args.repeat) for reader in _READERS}

    for reader, figures in results.items():
        print(
            f"{reader:>13}: {figures['seconds']:5.2f} s, "
            f"peak RSS +{figures['peak_rss_delta'] / _MIB:6.1f} MB "
            f"(frame {figures['frame_bytes'] / _MIB:.1f} MB, shape {tuple(figures['shape'])})"
        )
    for source in ("path", "bytes"):
        ours, naive = results[f"fairlab {source}"], results[f"pandas {source}"]
        print(
            f"from {source:>5}: fairlab / pandas time x{ours['seconds'] / naive['seconds']:.2f}, "
            f"peak memory x{ours['peak_rss_delta'] / naive['peak_rss_delta']:.2f}; "
            f"role inference is {ours['roles_seconds']:.2f} s of fairlab's time"
        )


if __name__ == "__main__":
    main()
