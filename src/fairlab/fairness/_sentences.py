"""The plain-language sentence of each disparity: the number, its interval, the verdict, the
comparison that drives it, and the groups too small to be confident about."""

from __future__ import annotations

from fairlab.fairness._config import FairnessConfig
from fairlab.fairness._counts import _RATES, Kind
from fairlab.fairness._pairs import OVERALL_LABEL, Decision

_SUBJECTS = {
    "demographic_parity": ("Selection rates", "selection rate"),
    "equalized_odds": ("True and false positive rates", "true or false positive rate"),
    "equal_opportunity": ("True positive rates", "true positive rate"),
    "predictive_parity": ("Precisions (positive predictive values)", "precision"),
    "error_rate_parity": ("Error rates", "error rate"),
}


def sentence(
    *,
    criterion: str,
    kind: Kind,
    value: float,
    decision: Decision,
    reason: str | None,
    too_small: list[tuple[str, str, int]],
    comparisons: int,
    attribute: str,
    reference: str | None,
    reference_defaulted: bool,
    limit: float,
    config: FairnessConfig,
) -> str:
    """The sentence of one disparity (see :func:`fairlab.fairness.assess_fairness`)."""
    plural, singular = _SUBJECTS[criterion]
    verdict = decision.verdict
    largest = " (its largest group)" if reference_defaulted else ""
    if config.comparison == "between_groups":
        where = f"between the groups of '{attribute}'"
    elif config.comparison == "reference":
        where = f"from the reference group '{reference}'{largest} of '{attribute}'"
    else:
        where = f"from the overall rate, across the groups of '{attribute}'"
    if verdict == "undefined":
        return f"{plural} cannot be compared {where}: {reason}."
    level = f"{config.confidence * 100:g}% CI"
    interval = f"{level} {decision.low:.2f}–{decision.high:.2f}"
    if kind == "difference":
        exact = config.comparison == "between_groups" and criterion != "equalized_odds"
        up_to = "" if exact else "up to "
        statement = f"{plural} differ by {up_to}{value:.2f} ({interval}) {where}"
        bound = f"the tolerance of {limit:.2f}"
        relation = {"passes": f", within {bound}", "fails": f", more than {bound}"}
    else:
        if config.comparison == "between_groups":
            statement = (
                f"Among the groups of '{attribute}', the lowest {singular} is {value:.2f} "
                f"times the highest ({interval})"
            )
        elif config.comparison == "reference":
            statement = (
                f"Comparing each group of '{attribute}' with the reference group "
                f"'{reference}'{largest}, the smaller {singular} is at least {value:.2f} "
                f"times the larger ({interval})"
            )
        else:
            statement = (
                f"Comparing each group of '{attribute}' with the overall rate, the smaller "
                f"{singular} is at least {value:.2f} times the larger ({interval})"
            )
        rule = "four-fifths bound" if limit == 0.8 else "bound"
        bound = f"the {rule} of {limit:.2f}"
        relation = {"passes": f", at or above {bound}", "fails": f", below {bound}"}
    if verdict in relation:
        ending = relation[verdict]
    elif too_small:
        ending = (
            f"; groups with fewer than {config.min_cases} cases cannot make it confident"
        )
    else:
        ending = f"; the interval reaches across {bound}"
    parts = [f"{statement}{ending}: {verdict}.", _driver(decision, kind, comparisons)]
    if too_small:
        parts.append(_too_small(too_small, config.min_cases))
    return " ".join(parts)


def _driver(decision: Decision, kind: Kind, comparisons: int) -> str:
    first, second = decision.pair
    other = "the overall rate" if second == OVERALL_LABEL else f"'{second}'"
    what = _RATES[decision.metric].label if decision.metric else ""
    measure = "ratio" if kind == "ratio" else "gap"
    together = (
        f"simultaneous interval over {comparisons} comparisons"
        if comparisons > 1
        else "interval"
    )
    return (
        f"Decided by '{first}' vs {other} ({what}): {measure} {decision.pair_value:.2f}, "
        f"{together} {decision.pair_low:.2f}–{decision.pair_high:.2f}."
    )


def _too_small(groups: list[tuple[str, str, int]], min_cases: int) -> str:
    items = [
        f"'{group}' ({cases} {_RATES[metric].of_whom} for its {_RATES[metric].label})"
        for group, metric, cases in groups
    ]
    return f"Too small to be confident (fewer than {min_cases} cases): " + "; ".join(items) + "."
