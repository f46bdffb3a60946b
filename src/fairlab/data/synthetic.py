"""Synthetic decision worlds with known, dialled-in sources of bias.

Real datasets mix many sources of fairness-related harm, and nobody knows how much of each.
:func:`generate_world` builds a lending or hiring scenario where every source is injected
on purpose, by one knob of :class:`WorldConfig`, so an audit can be checked against what
is known to be there:

- **under-representation**: group B is ``minority_share`` of the rows;
- **historical inequality**: the true rate of qualified people is ``base_rate_gap`` lower
  in group B than in group A;
- **label bias**: a share ``label_bias`` of group B's truly qualified people are recorded
  with the negative outcome;
- **a proxy**: a named feature (``neighbourhood_score``, ``postcode_index``) correlates
  with group membership at ``proxy_strength``, without saying anything else about the
  person;
- **unequal measurement**: group B's features carry ``noise_gap`` more measurement noise.

Each person has a latent ability. Their features are noisy measurements of it, and their
true label says whether ability plus chance clears the bar, with group B's ability shifted
so that the base rates differ by the gap asked for. Group sizes, base rates, the share of
flipped labels and the proxy correlation are set exactly (up to rounding), so the realised
quantities match the knobs. With every knob at zero and ``minority_share=0.5`` the groups
differ only by chance. Everything is drawn from ``seed``: the same config gives the same
world.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, fields
from statistics import NormalDist
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from fairlab.errors import FairLabError
from fairlab.spec import AuditSpec

__all__ = [
    "WorldConfig",
    "SyntheticWorld",
    "WorldConfigError",
    "Scenario",
    "SCENARIOS",
    "generate_world",
    "GROUP_COLUMN",
    "AGE_BAND_COLUMN",
    "MAJORITY_GROUP",
    "MINORITY_GROUP",
    "AGE_BANDS",
    "POSITIVE_LABEL",
    "NEGATIVE_LABEL",
    "BOUNDS",
    "SCENARIO_ERROR",
    "OUT_OF_RANGE_ERROR",
    "NOT_A_NUMBER_ERROR",
    "NOT_A_SWITCH_ERROR",
]

Scenario = Literal["lending", "hiring"]
SCENARIOS: tuple[str, ...] = get_args(Scenario)

GROUP_COLUMN = "group"
"""The sensitive attribute every world has: a made-up protected group, ``A`` or ``B``."""
AGE_BAND_COLUMN = "age_band"
"""The optional second sensitive attribute; no bias is injected along it."""
MAJORITY_GROUP = "A"
MINORITY_GROUP = "B"
"""The group every knob disadvantages (smaller than A unless ``minority_share=0.5``)."""
AGE_BANDS: tuple[str, ...] = ("under 30", "30 to 49", "50 and over")
POSITIVE_LABEL = "yes"
NEGATIVE_LABEL = "no"

BOUNDS: Mapping[str, tuple[float, float]] = {
    "n_rows": (100, 1_000_000),
    "seed": (0, 2**32 - 1),
    "minority_share": (0.05, 0.5),
    "base_rate_gap": (0.0, 0.6),
    "label_bias": (0.0, 0.9),
    "proxy_strength": (0.0, 0.95),
    "noise_gap": (0.0, 2.0),
}
"""The allowed range of each numeric setting of :class:`WorldConfig`, ends included."""

_MEANINGS: Mapping[str, str] = {
    "n_rows": "the number of people",
    "seed": "the random seed",
    "minority_share": "group B's share of the rows; 0.5 means equal groups",
    "base_rate_gap": "how much lower group B's true rate of qualified people is",
    "label_bias": "the share of group B's qualified people recorded as negative",
    "proxy_strength": "the proxy feature's correlation with group membership",
    "noise_gap": "the extra measurement noise on group B's features",
}
_INTEGER_SETTINGS = ("n_rows", "seed")

SCENARIO_ERROR = "The 'scenario' setting must be one of {options}. Got {value!r} instead."
OUT_OF_RANGE_ERROR = (
    "The '{name}' setting ({meaning}) must be {kind} from {low} to {high}. Got {value!r} instead."
)
NOT_A_NUMBER_ERROR = (
    "The link sets '{name}' to {value!r}, which is not {kind}. Correct it in the address, "
    "or open the page without it and choose the setting there."
)
NOT_A_SWITCH_ERROR = (
    "The link sets '{name}' to {value!r}; use 1 (on) or 0 (off). Correct it in the address, "
    "or open the page without it and choose the setting there."
)

_BASE_NOISE_SD = 0.5
"""Measurement noise on everyone's features, in units of the ability's spread."""
_OUTCOME_NOISE_SD = 0.5
"""Chance in the outcome that no feature can see, in the same units."""
_N_MEASUREMENTS = 6
_PROXY_MEAN, _PROXY_SD = 50.0, 15.0


class WorldConfigError(FairLabError, ValueError):
    """A synthetic world's settings are out of range or unreadable."""


@dataclass(frozen=True)
class _ScenarioText:
    title: str
    people: str
    target: str
    outcome: str
    qualified: str
    proxy: str
    proxy_meaning: str
    label_bias_story: str
    features: tuple[str, ...]


_SCENARIO_TEXT: Mapping[str, _ScenarioText] = {
    "lending": _ScenarioText(
        title="Lending",
        people="loan applicants",
        target="repaid",
        outcome="whether the applicant repaid the loan",
        qualified="would repay",
        proxy="neighbourhood_score",
        proxy_meaning="a score of the applicant's neighbourhood, averaging 50",
        label_bias_story=("as if loans restructured for group B had been recorded as defaults"),
        features=(
            "annual_income_k",
            "credit_score",
            "debt_to_income",
            "credit_history_years",
            "employment_type",
            "existing_loans",
            "neighbourhood_score",
        ),
    ),
    "hiring": _ScenarioText(
        title="Hiring",
        people="job applicants",
        target="hired",
        outcome="whether past recruiters hired the applicant",
        qualified="merit hiring",
        proxy="postcode_index",
        proxy_meaning="an index of the applicant's home postcode, averaging 50",
        label_bias_story="as if past recruiters had turned down qualified group B applicants",
        features=(
            "years_experience",
            "education",
            "aptitude_test_score",
            "interview_score",
            "referrals",
            "postcode_index",
        ),
    ),
}


@dataclass(frozen=True)
class WorldConfig:
    """The knobs of a synthetic world; each injects one documented kind of bias.

    Hashable, so it keys caches, and round-trips through URL query parameters
    (:meth:`to_query_params`, :meth:`from_query_params`).

    Parameters
    ----------
    scenario : {"lending", "hiring"}, default "lending"
        The decision: loan repayment, or hiring.
    n_rows : int, default 5000
        The number of people, from 100 to 1,000,000.
    seed : int, default 0
        The random seed; the same config always gives the same world.
    minority_share : float, default 0.5
        Group B's share of the rows, from 0.05 to 0.5 (under-representation; 0.5 is
        balanced).
    base_rate_gap : float, default 0.0
        True rate of qualified people in group A minus that in group B, from 0 to 0.6
        (historical inequality). The two rates sit symmetrically around the scenario's
        typical rate (0.6 for lending, 0.45 for hiring).
    label_bias : float, default 0.0
        The share of group B's truly qualified people recorded with the negative outcome,
        from 0 to 0.9.
    proxy_strength : float, default 0.0
        The correlation between the proxy feature and membership of group A, from 0 to 0.95
        (group B scores lower on it).
    noise_gap : float, default 0.0
        Extra measurement noise (standard deviation, in units of the ability's spread) on
        group B's features, from 0 to 2; everyone's features carry 0.5.
    include_age_band : bool, default False
        Add a second sensitive attribute, ``age_band``, along which no bias is injected.

    Raises
    ------
    WorldConfigError
        If a setting is out of range or of the wrong type.
    """

    scenario: Scenario = "lending"
    n_rows: int = 5000
    seed: int = 0
    minority_share: float = 0.5
    base_rate_gap: float = 0.0
    label_bias: float = 0.0
    proxy_strength: float = 0.0
    noise_gap: float = 0.0
    include_age_band: bool = False

    def __post_init__(self) -> None:
        if self.scenario not in SCENARIOS:
            raise WorldConfigError(
                SCENARIO_ERROR.format(options=list(SCENARIOS), value=self.scenario)
            )
        for name, (low, high) in BOUNDS.items():
            value = getattr(self, name)
            integer = name in _INTEGER_SETTINGS
            if not _in_range(value, low, high, integer=integer):
                raise WorldConfigError(
                    OUT_OF_RANGE_ERROR.format(
                        name=name,
                        meaning=_MEANINGS[name],
                        kind="a whole number" if integer else "a number",
                        low=f"{int(low):,}" if integer else f"{low:g}",
                        high=f"{int(high):,}" if integer else f"{high:g}",
                        value=value,
                    )
                )
            object.__setattr__(self, name, int(value) if integer else float(value))
        if not isinstance(self.include_age_band, bool | np.bool_):
            raise WorldConfigError(
                "The 'include_age_band' setting must be True or False. "
                f"Got {self.include_age_band!r} instead."
            )
        object.__setattr__(self, "include_age_band", bool(self.include_age_band))

    def to_query_params(self) -> dict[str, str]:
        """Return the settings as URL query parameters, one string per field.

        Returns
        -------
        dict of str to str
            For example ``{"scenario": "lending", "n_rows": "5000", ...,
            "include_age_band": "0"}``; :meth:`from_query_params` reads it back exactly.
        """
        params: dict[str, str] = {}
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, bool):
                params[field.name] = "1" if value else "0"
            else:
                params[field.name] = str(value)
        return params

    @classmethod
    def from_query_params(cls, params: Mapping[str, Any]) -> WorldConfig:
        """Build a config from URL query parameters.

        Parameters
        ----------
        params : mapping of str to str
            Such as ``st.query_params.to_dict()``. Settings that are absent keep their
            defaults; keys that are not settings are ignored, so the page's other
            parameters may share the URL. A list value counts by its last element.

        Returns
        -------
        WorldConfig

        Raises
        ------
        WorldConfigError
            If a value is not a number, switch or scenario, or is out of range.
        """
        values: dict[str, Any] = {}
        for field in fields(cls):
            if field.name not in params:
                continue
            raw = params[field.name]
            if isinstance(raw, list | tuple):
                raw = raw[-1] if raw else ""
            text = str(raw).strip()
            if field.name == "scenario":
                values[field.name] = text
            elif field.name == "include_age_band":
                switch = {"1": True, "true": True, "0": False, "false": False}.get(text.lower())
                if switch is None:
                    raise WorldConfigError(NOT_A_SWITCH_ERROR.format(name=field.name, value=text))
                values[field.name] = switch
            elif field.name in _INTEGER_SETTINGS:
                try:
                    values[field.name] = int(text)
                except ValueError:
                    raise WorldConfigError(
                        NOT_A_NUMBER_ERROR.format(
                            name=field.name, value=text, kind="a whole number"
                        )
                    ) from None
            else:
                try:
                    values[field.name] = float(text)
                except ValueError:
                    raise WorldConfigError(
                        NOT_A_NUMBER_ERROR.format(name=field.name, value=text, kind="a number")
                    ) from None
        return cls(**values)


def _in_range(value: object, low: float, high: float, *, integer: bool) -> bool:
    if isinstance(value, bool | np.bool_):
        return False
    if integer and not isinstance(value, numbers.Integral):
        return False
    if not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
        return False
    return low <= float(value) <= high


@dataclass(frozen=True, eq=False)
class SyntheticWorld:
    """A generated world: the data, how to audit it, and what was injected.

    Compared and hashed by identity, since it holds a DataFrame.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per person: the sensitive attribute(s), the features and the observed
        outcome (``"yes"`` or ``"no"``).
    spec : AuditSpec
        A spec valid for ``frame``: the outcome, ``"yes"`` as positive, the sensitive
        attribute(s) and the features.
    true_labels : pandas.Series
        The outcome before label bias, in the same form as the outcome column, aligned
        with ``frame``: ``frame.assign(**{spec.target: true_labels})`` is the world without
        label bias.
    description : tuple of str
        Plain sentences: the scenario, then what each knob injected, with the numbers.
    realised : mapping of str to float
        The injected quantities as measured in this world: ``minority_share``,
        ``true_base_rate_A``/``_B``, ``base_rate_gap``, ``observed_base_rate_A``/``_B``,
        ``observed_base_rate_gap``, ``label_bias`` (NaN if group B has no qualified
        people), ``proxy_correlation``, ``noise_sd_A``/``_B`` and ``noise_gap``.
    config : WorldConfig
        The settings that produced it.
    """

    frame: pd.DataFrame
    spec: AuditSpec
    true_labels: pd.Series
    description: tuple[str, ...]
    realised: Mapping[str, float]
    config: WorldConfig


def generate_world(config: WorldConfig, *, sensitive_as_feature: bool = False) -> SyntheticWorld:
    """Generate the world a config describes.

    Parameters
    ----------
    config : WorldConfig
        The scenario, size, seed and bias knobs.
    sensitive_as_feature : bool, default False
        Whether the spec's features include the sensitive attribute(s). By default they
        do not, so a model can only pick up group membership through other features, such
        as the proxy.

    Returns
    -------
    SyntheticWorld
        A fresh DataFrame on every call, so callers may change it.

    Raises
    ------
    WorldConfigError
        If ``config`` is not a :class:`WorldConfig`.
    """
    if not isinstance(config, WorldConfig):
        raise WorldConfigError(
            f"Pass a WorldConfig to generate a world. Got {type(config).__name__} instead."
        )
    text = _SCENARIO_TEXT[config.scenario]
    n = config.n_rows
    (
        group_rng,
        age_rng,
        ability_rng,
        outcome_rng,
        measurement_rng,
        label_rng,
        proxy_rng,
        feature_rng,
    ) = (np.random.default_rng(s) for s in np.random.SeedSequence(config.seed).spawn(8))

    n_minority = min(max(round(config.minority_share * n), 1), n - 1)
    is_minority = np.zeros(n, dtype=bool)
    is_minority[group_rng.permutation(n)[:n_minority]] = True
    age = age_rng.integers(21, 70, size=n)

    centre = 0.6 if config.scenario == "lending" else 0.45
    rates = {
        False: centre + config.base_rate_gap / 2,
        True: centre - config.base_rate_gap / 2,
    }
    spread = math.sqrt(1 + _OUTCOME_NOISE_SD**2)
    shift = np.where(
        is_minority,
        spread * NormalDist().inv_cdf(rates[True]),
        spread * NormalDist().inv_cdf(rates[False]),
    )
    ability = shift + ability_rng.standard_normal(n)
    merit = ability + _OUTCOME_NOISE_SD * outcome_rng.standard_normal(n)
    true_label = np.zeros(n, dtype=np.int8)
    for minority in (False, True):
        members = np.flatnonzero(is_minority == minority)
        n_qualified = round(rates[minority] * members.size)
        ranked = members[np.argsort(-merit[members], kind="stable")]
        true_label[ranked[:n_qualified]] = 1

    noise_sd = np.where(is_minority, _BASE_NOISE_SD + config.noise_gap, _BASE_NOISE_SD)
    noise = noise_sd * measurement_rng.standard_normal((_N_MEASUREMENTS, n))
    measured = ability + noise

    observed_label = true_label.copy()
    qualified_minority = np.flatnonzero(is_minority & (true_label == 1))
    n_flipped = round(config.label_bias * qualified_minority.size)
    observed_label[label_rng.permutation(qualified_minority)[:n_flipped]] = 0

    proxy = _proxy(~is_minority, config.proxy_strength, proxy_rng)

    columns: dict[str, Any] = {
        GROUP_COLUMN: _categories((MAJORITY_GROUP, MINORITY_GROUP), is_minority.astype(np.int8))
    }
    if config.include_age_band:
        columns[AGE_BAND_COLUMN] = _categories(AGE_BANDS, np.digitize(age, (30, 50)))
    columns.update(_FEATURE_BUILDERS[config.scenario](measured, age, feature_rng))
    columns[text.proxy] = np.round(_PROXY_MEAN + _PROXY_SD * proxy, 1)
    labels = (NEGATIVE_LABEL, POSITIVE_LABEL)
    columns[text.target] = _categories(labels, observed_label)
    frame = pd.DataFrame(columns)

    sensitive = (GROUP_COLUMN, AGE_BAND_COLUMN) if config.include_age_band else (GROUP_COLUMN,)
    spec = AuditSpec(
        target=text.target,
        positive_label=POSITIVE_LABEL,
        sensitive=sensitive,
        features=(*sensitive, *text.features) if sensitive_as_feature else text.features,
    )
    true_labels = pd.Series(
        _categories(labels, true_label), index=frame.index, name=f"{text.target} (true)"
    )
    realised = _realised(
        is_minority,
        true_label,
        observed_label,
        qualified_minority.size,
        n_flipped,
        frame[text.proxy].to_numpy(),
        noise,
    )
    return SyntheticWorld(
        frame=frame,
        spec=spec,
        true_labels=true_labels,
        description=_describe(config, text, realised, n_minority, n_flipped),
        realised=realised,
        config=config,
    )


def _proxy(is_majority: np.ndarray, strength: float, rng: np.random.Generator) -> np.ndarray:
    """Standard-normal-like values whose sample correlation with ``is_majority`` is exact."""
    membership = is_majority.astype(float)
    membership = (membership - membership.mean()) / membership.std()
    noise = rng.standard_normal(membership.size)
    noise -= noise.mean()
    noise -= (noise @ membership) / (membership @ membership) * membership
    noise /= noise.std()
    return strength * membership + math.sqrt(1 - strength**2) * noise


def _categories(names: tuple[str, ...], codes: np.ndarray) -> np.ndarray:
    """Text values by code, as an object array (pandas turns those into text fast)."""
    return np.asarray(names, dtype=object)[codes]


def _lending_features(
    measured: np.ndarray, age: np.ndarray, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    employment = ("unemployed", "part-time", "temporary", "permanent")
    return {
        "annual_income_k": np.round(np.exp(3.7 + 0.35 * measured[0]), 1),
        "credit_score": np.clip(np.rint(600 + 50 * measured[1]), 300, 850).astype(np.int64),
        "debt_to_income": np.round(1 / (1 + np.exp(0.9 + 0.5 * measured[2])), 2),
        "credit_history_years": np.clip(
            np.rint(0.4 * (age - 21) + 2 * measured[3]), 0, age - 18
        ).astype(np.int64),
        "employment_type": _categories(employment, np.digitize(measured[4], (-1.5, -0.6, 0.0))),
        "existing_loans": rng.poisson(np.exp(0.1 - 0.3 * measured[5])).astype(np.int64),
    }


def _hiring_features(
    measured: np.ndarray, age: np.ndarray, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    education = ("secondary", "bachelor", "master", "doctorate")
    return {
        "years_experience": np.clip(
            np.rint(0.45 * (age - 22) + 2 * measured[0]), 0, age - 18
        ).astype(np.int64),
        "education": _categories(education, np.digitize(measured[1], (-0.8, 0.5, 1.6))),
        "aptitude_test_score": np.clip(np.rint(55 + 10 * measured[2]), 0, 100).astype(np.int64),
        "interview_score": np.clip(np.round(5 + measured[3], 1), 0, 10),
        "referrals": rng.poisson(np.exp(-0.7 + 0.35 * measured[4])).astype(np.int64),
    }


_FEATURE_BUILDERS = {"lending": _lending_features, "hiring": _hiring_features}


def _realised(
    is_minority: np.ndarray,
    true_label: np.ndarray,
    observed_label: np.ndarray,
    n_qualified_minority: int,
    n_flipped: int,
    proxy: np.ndarray,
    noise: np.ndarray,
) -> dict[str, float]:
    majority = ~is_minority
    true_a, true_b = true_label[majority].mean(), true_label[is_minority].mean()
    observed_a, observed_b = observed_label[majority].mean(), observed_label[is_minority].mean()
    noise_a, noise_b = noise[:, majority].std(), noise[:, is_minority].std()
    return {
        "minority_share": float(is_minority.mean()),
        "true_base_rate_A": float(true_a),
        "true_base_rate_B": float(true_b),
        "base_rate_gap": float(true_a - true_b),
        "observed_base_rate_A": float(observed_a),
        "observed_base_rate_B": float(observed_b),
        "observed_base_rate_gap": float(observed_a - observed_b),
        "label_bias": (n_flipped / n_qualified_minority if n_qualified_minority else float("nan")),
        "proxy_correlation": float(np.corrcoef(proxy, majority.astype(float))[0, 1]),
        "noise_sd_A": float(noise_a),
        "noise_sd_B": float(noise_b),
        "noise_gap": float(noise_b - noise_a),
    }


def _describe(
    config: WorldConfig,
    text: _ScenarioText,
    realised: Mapping[str, float],
    n_minority: int,
    n_flipped: int,
) -> tuple[str, ...]:
    n = config.n_rows
    lines = [
        f"{text.title}: {n:,} synthetic {text.people}. The outcome '{text.target}' records "
        f"{text.outcome}; '{POSITIVE_LABEL}' is the favourable outcome. The sensitive "
        f"attribute '{GROUP_COLUMN}' is made up: group {MINORITY_GROUP} is the one every "
        "knob disadvantages.",
    ]
    if config.minority_share < 0.5:
        lines.append(
            f"Under-representation: group {MINORITY_GROUP} is {realised['minority_share']:.1%} "
            f"of the rows ({n_minority:,} of {n:,}; set to {config.minority_share:.0%})."
        )
    else:
        lines.append(
            f"Group sizes: groups {MAJORITY_GROUP} and {MINORITY_GROUP} are the same size "
            f"({n - n_minority:,} and {n_minority:,}); no under-representation is injected."
        )
    rates = (
        f"the true rate of people who {text.qualified} is {realised['true_base_rate_A']:.2f} "
        f"in group {MAJORITY_GROUP} and {realised['true_base_rate_B']:.2f} in group "
        f"{MINORITY_GROUP}"
    )
    if config.base_rate_gap > 0:
        lines.append(
            f"Historical inequality: {rates}, a gap of {realised['base_rate_gap']:.2f} (set to "
            f"{config.base_rate_gap:.2f}). Group {MINORITY_GROUP}'s features are lower too, "
            "as unequal opportunities would leave them."
        )
    else:
        lines.append(f"Base rates: {rates}; no historical inequality is injected.")
    if config.label_bias > 0:
        share = realised["label_bias"]
        share_text = (
            "none, since it has no qualified people" if math.isnan(share) else (f"{share:.1%}")
        )
        lines.append(
            f"Label bias: {n_flipped:,} of group {MINORITY_GROUP}'s qualified people "
            f"({share_text}; set to {config.label_bias:.0%}) are recorded as "
            f"'{NEGATIVE_LABEL}', {text.label_bias_story}. Group {MINORITY_GROUP}'s observed "
            f"rate is {realised['observed_base_rate_B']:.2f} against a true "
            f"{realised['true_base_rate_B']:.2f}; a model trained on these labels learns "
            "the bias, and an audit against them cannot see it."
        )
    else:
        lines.append("Labels: the recorded outcomes are the true ones; no label bias is injected.")
    if config.proxy_strength > 0:
        lines.append(
            f"Proxy: '{text.proxy}' ({text.proxy_meaning}) correlates with membership of group "
            f"{MAJORITY_GROUP} at {realised['proxy_correlation']:.2f} (set to "
            f"{config.proxy_strength:.2f}) and says nothing else about the person, so a model "
            "that uses it can tell the groups apart without seeing the sensitive attribute."
        )
    else:
        lines.append(
            f"Proxy: '{text.proxy}' ({text.proxy_meaning}) is unrelated to the group and "
            "to the outcome."
        )
    if config.noise_gap > 0:
        lines.append(
            f"Unequal measurement: group {MINORITY_GROUP}'s features carry measurement noise "
            f"with a spread of {realised['noise_sd_B']:.2f} against {realised['noise_sd_A']:.2f}"
            f" for group {MAJORITY_GROUP} (an extra {realised['noise_gap']:.2f}; set to "
            f"{config.noise_gap:.2f}), so a model is less accurate for group {MINORITY_GROUP}."
        )
    else:
        lines.append(
            "Measurement: every group's features carry the same measurement noise "
            f"(spread {_BASE_NOISE_SD:.2f})."
        )
    if config.include_age_band:
        lines.append(
            f"Second attribute: '{AGE_BAND_COLUMN}' ({', '.join(AGE_BANDS)}) is independent of "
            "the group and of the true outcome; no bias is injected along it, though "
            "experience-like features grow with age."
        )
    lines.append(f"Drawn from seed {config.seed}: the same settings give the same world.")
    return tuple(lines)
