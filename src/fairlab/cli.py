"""The headless audit: ``python -m fairlab audit ...``.

Runs the same journey as the app (data → spec → predictions → fairness → report) and
writes ``report.html``, ``group_metrics.csv``, ``spec.json`` and ``metrics.json`` to
``--out``. Predictions come from exactly one of: a prediction column, a score column with
a threshold, or a zoo model trained here on a stratified split (then the audit runs on the
test split). Audits of predictions held in the file use every row.

Bad input ends with exit code 2 and one line on standard error saying what is wrong and
what to do; nothing else is printed except the paths written.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fairlab.audit_data import AuditData, build_audit_data
from fairlab.data.bundled import BUNDLED_NAMES, load_bundled
from fairlab.data.csv import infer_column_roles, read_csv
from fairlab.errors import FairLabError
from fairlab.fairness import FairnessConfig, assess_audit, metrics_json
from fairlab.models import MODEL_NAMES, ModelConfig, predict, train_model
from fairlab.performance import performance_summary
from fairlab.report import performance_section, write_report
from fairlab.spec import AuditSpec, SensitiveBins, parse_edges
from fairlab.split import SplitConfig, split_audit_data
from fairlab.suggest import default_features

__all__ = ["main", "build_parser", "run_audit", "AuditOutcome"]

ONE_SOURCE_ERROR = (
    "Give exactly one of --data FILE or --dataset NAME (or a --spec with --data/--dataset)."
)
ONE_PREDICTION_SOURCE_ERROR = (
    "Give exactly one way to get predictions: --prediction COL with --prediction-positive "
    "VALUE, --score COL with --threshold X, or --model NAME."
)
SPEC_FILE_ERROR = "Cannot read the spec file '{path}': {reason}. Give a spec.json saved by FairLab."
BINS_ARGUMENT_ERROR = "--bins must look like COLUMN=25,45,65. Got '{value}' instead."
NEEDS_TARGET_ERROR = (
    "Say which column is the outcome with --target COL and which value is positive with "
    "--positive VALUE (or give --spec FILE)."
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m fairlab``."""
    parser = argparse.ArgumentParser(
        prog="python -m fairlab",
        description="Assess a model's predictions for fairness-related harms, headless.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    audit = commands.add_parser(
        "audit",
        help="run an audit and write report.html, group_metrics.csv, spec.json, metrics.json",
    )
    source = audit.add_argument_group("data")
    source.add_argument("--data", metavar="FILE", help="a CSV file")
    source.add_argument("--dataset", choices=BUNDLED_NAMES, help="a bundled dataset")
    source.add_argument("--spec", metavar="FILE", help="a spec.json saved by FairLab")
    what = audit.add_argument_group("what to audit")
    what.add_argument("--target", metavar="COL")
    what.add_argument("--positive", metavar="VALUE", help="the positive (favourable) outcome")
    what.add_argument("--sensitive", metavar="COL", action="append", default=[])
    what.add_argument(
        "--bins",
        metavar="COL=EDGES",
        action="append",
        default=[],
        help="cut points of a numeric sensitive attribute, e.g. age=25,45,65",
    )
    predictions = audit.add_argument_group("predictions (exactly one way)")
    predictions.add_argument("--prediction", metavar="COL")
    predictions.add_argument("--prediction-positive", metavar="VALUE", action="append", default=[])
    predictions.add_argument("--score", metavar="COL")
    predictions.add_argument("--threshold", metavar="X", type=float)
    predictions.add_argument("--model", choices=MODEL_NAMES)
    predictions.add_argument("--test-size", type=float, default=0.3)
    predictions.add_argument("--seed", type=int, default=0)
    audit.add_argument(
        "--n-boot",
        type=int,
        default=1000,
        help="kept for old scripts; intervals are computed from the counts and ignore it",
    )
    audit.add_argument("--out", metavar="DIR", required=True, help="folder to write into")
    return parser


@dataclass(frozen=True)
class AuditOutcome:
    """What a headless audit produced."""

    spec: AuditSpec
    metrics: dict
    files: tuple[Path, ...]


def _load_frame(args: argparse.Namespace):
    if bool(args.data) == bool(args.dataset):
        raise FairLabError(ONE_SOURCE_ERROR)
    if args.dataset:
        bundle = load_bundled(args.dataset)
        return bundle.frame, bundle.spec, bundle.title
    result = read_csv(args.data, name=f"'{args.data}'")
    return result.frame, None, Path(args.data).name


def _parse_bins(values: Sequence[str]) -> tuple[SensitiveBins, ...]:
    bins = []
    for value in values:
        column, sep, edges = value.partition("=")
        if not sep or not column:
            raise FairLabError(BINS_ARGUMENT_ERROR.format(value=value))
        bins.append(SensitiveBins(column, parse_edges(edges, column=column)))
    return tuple(bins)


def _spec_from_args(args: argparse.Namespace, frame, default: AuditSpec | None) -> AuditSpec:
    if args.spec:
        try:
            text = Path(args.spec).read_text("utf-8")
        except OSError as exc:
            raise FairLabError(SPEC_FILE_ERROR.format(path=args.spec, reason=exc.strerror)) from exc
        spec = AuditSpec.from_json(text)
    elif default is not None:
        spec = default
    else:
        if not args.target or args.positive is None:
            raise FairLabError(NEEDS_TARGET_ERROR)
        spec = AuditSpec(target=args.target, positive_label=args.positive, sensitive=())
    changes: dict = {}
    if args.target:
        changes["target"] = args.target
    if args.positive is not None:
        changes["positive_label"] = args.positive
    if args.sensitive:
        changes["sensitive"] = tuple(args.sensitive)
    if args.bins:
        changes["bins"] = _parse_bins(args.bins)
    ways = [bool(args.prediction), bool(args.score), bool(args.model)]
    if sum(ways) > 1 or (args.spec is None and default is None and sum(ways) == 0):
        raise FairLabError(ONE_PREDICTION_SOURCE_ERROR)
    if args.prediction:
        changes.update(
            prediction_column=args.prediction,
            prediction_positive=tuple(args.prediction_positive),
            score_column=None,
            threshold=None,
        )
    elif args.score:
        changes.update(
            score_column=args.score,
            threshold=args.threshold,
            prediction_column=None,
            prediction_positive=(),
        )
    elif args.model:
        changes.update(
            prediction_column=None, prediction_positive=(), score_column=None, threshold=None
        )
    spec = spec.replace(**changes) if changes else spec
    if not spec.features and (args.model or not spec.has_predictions):
        roles = {c.name: c.role for c in infer_column_roles(frame)}
        exclude = [c for c in (spec.prediction_column, spec.score_column) if c]
        spec = spec.replace(
            features=default_features(
                roles, target=spec.target, sensitive=spec.sensitive, exclude=exclude
            )
        )
    if not spec.has_predictions and not args.model:
        raise FairLabError(ONE_PREDICTION_SOURCE_ERROR)
    return spec


def run_audit(args: argparse.Namespace) -> AuditOutcome:
    """Run the audit the arguments describe and write its files.

    Raises
    ------
    FairLabError
        On any input the audit cannot use.
    """
    frame, default, dataset_name = _load_frame(args)
    spec = _spec_from_args(args, frame, default)
    data = build_audit_data(frame, spec)
    config = FairnessConfig(n_boot=args.n_boot, random_state=args.seed)
    sections_before = []
    audited: AuditData = data
    y_pred, y_score = data.y_pred, data.y_score
    if args.model:
        roles = {c.name: c.role for c in infer_column_roles(frame[list(spec.features)])}
        split = split_audit_data(
            data, SplitConfig(test_size=args.test_size, random_state=args.seed)
        )
        model = train_model(
            split.train(data), ModelConfig(args.model, random_state=args.seed), roles=roles
        )
        audited = split.test(data)
        y_pred, y_score = predict(model, audited.X)
        dataset_name = f"{dataset_name} — {model.title} on the test split ({audited.n_rows:,} rows)"
    result = assess_audit(audited, y_pred=y_pred, y_score=y_score, config=config)
    performance = performance_summary(audited.y_true, y_pred, y_score)
    sections_before.append(performance_section(performance.metrics()))
    files = write_report(
        args.out,
        dataset_name=dataset_name,
        spec=spec,
        fairness=result,
        sections_before=sections_before,
    )
    metrics = metrics_json(result, spec)
    metrics["performance"] = {
        k: (None if v != v else float(v)) for k, v in performance.metrics().items()
    }
    metrics_path = Path(args.out) / "metrics.json"
    metrics_path.write_text(
        json.dumps(metrics, indent=2, ensure_ascii=False, allow_nan=False), "utf-8"
    )
    return AuditOutcome(
        spec=spec,
        metrics=metrics,
        files=(files.html, files.group_metrics_csv, files.spec_json, metrics_path),
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: parse, run, print the written paths; exit 2 with one line on bad input."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        outcome = run_audit(args)
    except FairLabError as exc:
        message = " ".join(str(exc).split())
        sys.stderr.write(f"fairlab: error: {message}\n")
        return 2
    except ValueError as exc:
        sys.stderr.write(f"fairlab: error: {' '.join(str(exc).split())}\n")
        return 2
    for path in outcome.files:
        sys.stdout.write(f"{path}\n")
    return 0
