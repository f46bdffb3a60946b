"""A glossary of every metric, criterion and method in FairLab, and a criterion chooser.

Each :class:`GlossaryEntry` gives a term's plain-language meaning, its formula (LaTeX for
``st.latex``, without ``$`` delimiters), when it matters, a worked example with numbers
and related entries. :data:`GLOSSARY` covers every group metric of
:data:`fairlab.fairness.METRIC_NAMES`, the base rate and error rate, every criterion of
:data:`fairlab.fairness.CRITERIA`, both disparity forms, and the statistical, explanation
and mitigation methods the app uses. :func:`entry` also accepts the disparity names of
:data:`fairlab.fairness.DISPARITY_NAMES` and a few synonyms (``precision``, ``recall``,
``bootstrap``), so every place a metric appears can link to its entry.

The worked examples of the group metrics share two groups, :data:`EXAMPLE_GROUPS`:
group A with 200 people and group B with 100, both with a base rate of 0.4.

:func:`choose_criteria` is a metric chooser in the spirit of the Aequitas fairness tree
(Saleiro et al., 2018): answers to :data:`CHOOSER_QUESTIONS` (what should be equal, is
the decision assistive or punitive, among whom errors must be equal, how scarce the
decision is, how trustworthy the labels are) lead to the criteria that fit, with the
reasoning for each step. Choosing a criterion is a judgement about people and context,
not a technical default: fairness is socio-technical, and no criterion makes a system
fair on its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from fairlab.errors import FairLabError
from fairlab.fairness import DISPARITY_NAMES

__all__ = [
    "GlossaryEntry",
    "GLOSSARY",
    "ALIASES",
    "EXAMPLE_GROUPS",
    "GlossaryError",
    "entry",
    "ChooserOption",
    "ChooserQuestion",
    "ChooserResult",
    "CHOOSER_QUESTIONS",
    "choose_criteria",
    "UNKNOWN_KEY_ERROR",
    "UNKNOWN_QUESTION_ERROR",
    "UNKNOWN_ANSWER_ERROR",
    "MISSING_ANSWER_ERROR",
]

UNKNOWN_KEY_ERROR = (
    "The glossary has no entry '{key}'. Use a metric, criterion or method name, such as "
    "'selection_rate' or 'equalized_odds'; the glossary lists them all."
)
UNKNOWN_QUESTION_ERROR = "The chooser has no question '{question}'. Answer only these: {questions}."
UNKNOWN_ANSWER_ERROR = (
    "'{answer}' is not an answer to the question '{question}'. Choose one of: {options}."
)
MISSING_ANSWER_ERROR = (
    "The question '{question}' needs an answer ({text}). Choose one of: {options}."
)


class GlossaryError(FairLabError, KeyError):
    """A glossary key or a chooser answer is not known."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class GlossaryEntry:
    """One term of the glossary.

    Attributes
    ----------
    key : str
        The name the app uses, such as ``"true_positive_rate"``.
    title : str
        A human-readable title, such as ``"True positive rate (TPR, recall)"``.
    meaning : str
        What it is, in plain language.
    formula_latex : str
        Its definition as LaTeX for ``st.latex`` (no ``$`` delimiters).
    when_it_matters : str
        The situations in which it is the right thing to look at, and its limits.
    example : str
        A worked example with numbers.
    related : tuple of str
        Keys of related entries.
    """

    key: str
    title: str
    meaning: str
    formula_latex: str
    when_it_matters: str
    example: str
    related: tuple[str, ...] = ()


EXAMPLE_GROUPS: Mapping[str, Mapping[str, int]] = MappingProxyType(
    {
        "A": MappingProxyType({"tp": 60, "fp": 15, "tn": 105, "fn": 20}),
        "B": MappingProxyType({"tp": 14, "fp": 6, "tn": 54, "fn": 26}),
    }
)
"""The confusion counts behind the group metrics' worked examples: 200 people in group A,
100 in group B, 80 and 40 of them with the positive outcome."""

_GROUPS_TEXT = (
    "Group A: 200 people, 60 true positives, 15 false positives, 105 true negatives, 20 "
    "false negatives. Group B: 100 people, 14 true positives, 6 false positives, 54 true "
    "negatives, 26 false negatives. "
)


def _metric(
    key: str,
    title: str,
    meaning: str,
    formula: str,
    when: str,
    example: str,
    related: tuple[str, ...],
) -> GlossaryEntry:
    return GlossaryEntry(key, title, meaning, formula, when, _GROUPS_TEXT + example, related)


_ENTRIES: tuple[GlossaryEntry, ...] = (
    # ------------------------------------------------------------------ group metrics
    _metric(
        "base_rate",
        "Base rate",
        "The share of people in a group whose recorded outcome is positive, whatever the "
        "model predicts.",
        r"p_g = P(Y = 1 \mid A = g) = \frac{TP_g + FN_g}{n_g}",
        "Always read it first. When base rates differ between groups, a model cannot "
        "usually be equal on selection rates and error rates at once (see the impossibility "
        "results). It describes the recorded labels, which may themselves carry bias.",
        "Base rate of A: 60 + 20 = 80 positives, 80 / 200 = 0.4. Base rate of B: "
        "14 + 26 = 40 positives, 40 / 100 = 0.4. The groups start from the same base rate.",
        ("selection_rate", "impossibility", "demographic_parity"),
    ),
    _metric(
        "selection_rate",
        "Selection rate",
        "The share of people in a group that the model predicts positive: the share "
        "selected, approved or flagged.",
        r"\mathrm{SR}_g = P(\hat{Y} = 1 \mid A = g) = \frac{TP_g + FP_g}{n_g}",
        "When the decision itself is a benefit or a burden, whatever the outcome would have "
        "been: a loan offer, an interview, an investigation. It ignores the labels, so it "
        "is the rate to compare when the labels are doubtful.",
        "Selected in A: 60 + 15 = 75, so 75 / 200 = 0.375. Selected in B: 14 + 6 = 20, so "
        "20 / 100 = 0.2. Group B is selected about half as often, with the same base rate.",
        ("demographic_parity", "four_fifths_rule", "base_rate"),
    ),
    _metric(
        "true_positive_rate",
        "True positive rate (TPR, recall)",
        "Of the people in a group whose outcome is positive, the share the model predicts "
        "positive.",
        r"\mathrm{TPR}_g = P(\hat{Y} = 1 \mid Y = 1, A = g) = \frac{TP_g}{TP_g + FN_g}",
        "When missing a deserving person is the harm: a qualified applicant turned down, a "
        "patient in need not referred. It is one minus the false negative rate.",
        "TPR of A: 60 / 80 = 0.75. TPR of B: 14 / 40 = 0.35. Of the people who would "
        "repay, the model finds three in four in A but about one in three in B.",
        ("false_negative_rate", "equal_opportunity", "equalized_odds"),
    ),
    _metric(
        "false_positive_rate",
        "False positive rate (FPR)",
        "Of the people in a group whose outcome is negative, the share the model wrongly "
        "predicts positive.",
        r"\mathrm{FPR}_g = P(\hat{Y} = 1 \mid Y = 0, A = g) = \frac{FP_g}{FP_g + TN_g}",
        "When a wrong positive decision is the harm: flagged for fraud without cause, or "
        "given a loan one cannot repay. It is one minus the true negative rate.",
        "FPR of A: 15 / 120 = 0.125. FPR of B: 6 / 60 = 0.1.",
        ("true_negative_rate", "equalized_odds", "false_discovery_rate"),
    ),
    _metric(
        "false_negative_rate",
        "False negative rate (FNR)",
        "Of the people in a group whose outcome is positive, the share the model wrongly "
        "predicts negative.",
        r"\mathrm{FNR}_g = P(\hat{Y} = 0 \mid Y = 1, A = g) = \frac{FN_g}{TP_g + FN_g}",
        "When being wrongly passed over is the harm. Equal false negative rates are the "
        "same thing as equal true positive rates (equal opportunity).",
        "FNR of A: 20 / 80 = 0.25. FNR of B: 26 / 40 = 0.65. Check: 1 − 0.75 = 0.25 and "
        "1 − 0.35 = 0.65.",
        ("true_positive_rate", "equal_opportunity", "false_omission_rate"),
    ),
    _metric(
        "true_negative_rate",
        "True negative rate (TNR, specificity)",
        "Of the people in a group whose outcome is negative, the share the model correctly "
        "predicts negative.",
        r"\mathrm{TNR}_g = P(\hat{Y} = 0 \mid Y = 0, A = g) = \frac{TN_g}{FP_g + TN_g}",
        "When correctly leaving people alone matters, for example not flagging honest "
        "claimants. It is one minus the false positive rate.",
        "TNR of A: 105 / 120 = 0.875. TNR of B: 54 / 60 = 0.9.",
        ("false_positive_rate", "equalized_odds"),
    ),
    _metric(
        "positive_predictive_value",
        "Positive predictive value (PPV, precision)",
        "Of the people in a group the model predicts positive, the share whose outcome is "
        "positive.",
        r"\mathrm{PPV}_g = P(Y = 1 \mid \hat{Y} = 1, A = g) = \frac{TP_g}{TP_g + FP_g}",
        "When people act on a positive prediction as if it meant the same for everyone, "
        "such as a lender trusting an approval. It is one minus the false discovery rate.",
        "PPV of A: 60 / 75 = 0.8. PPV of B: 14 / 20 = 0.7.",
        ("false_discovery_rate", "predictive_parity", "calibration"),
    ),
    _metric(
        "negative_predictive_value",
        "Negative predictive value (NPV)",
        "Of the people in a group the model predicts negative, the share whose outcome is "
        "negative.",
        r"\mathrm{NPV}_g = P(Y = 0 \mid \hat{Y} = 0, A = g) = \frac{TN_g}{TN_g + FN_g}",
        "When a negative prediction must be equally trustworthy for every group, for "
        "example a screening that sends people home. It is one minus the false omission "
        "rate.",
        "Predicted negative in A: 105 + 20 = 125, NPV 105 / 125 = 0.84. Predicted negative "
        "in B: 54 + 26 = 80, NPV 54 / 80 = 0.675.",
        ("false_omission_rate", "positive_predictive_value"),
    ),
    _metric(
        "false_discovery_rate",
        "False discovery rate (FDR)",
        "Of the people in a group the model predicts positive, the share whose outcome is "
        "negative.",
        r"\mathrm{FDR}_g = P(Y = 0 \mid \hat{Y} = 1, A = g) = \frac{FP_g}{TP_g + FP_g}",
        "In punitive settings, among the people the intervention is applied to: how many "
        "of them did not warrant it. Equal FDRs are the same as equal precision "
        "(predictive parity).",
        "FDR of A: 15 / 75 = 0.2. FDR of B: 6 / 20 = 0.3. Check: 1 − 0.8 = 0.2 and 1 − 0.7 = 0.3.",
        ("positive_predictive_value", "predictive_parity", "false_positive_rate"),
    ),
    _metric(
        "false_omission_rate",
        "False omission rate (FOR)",
        "Of the people in a group the model predicts negative, the share whose outcome is "
        "positive.",
        r"\mathrm{FOR}_g = P(Y = 1 \mid \hat{Y} = 0, A = g) = \frac{FN_g}{TN_g + FN_g}",
        "In assistive settings, among the people turned down: how many of them needed or "
        "deserved the decision. It is one minus the negative predictive value.",
        "FOR of A: 20 / 125 = 0.16. FOR of B: 26 / 80 = 0.325. A turned-down applicant in "
        "B is about twice as likely to have been a good one.",
        ("negative_predictive_value", "false_negative_rate"),
    ),
    _metric(
        "accuracy",
        "Accuracy",
        "The share of people in a group whose prediction matches their recorded outcome.",
        r"\mathrm{ACC}_g = P(\hat{Y} = Y \mid A = g) = \frac{TP_g + TN_g}{n_g}",
        "As a first summary only: equal accuracy can hide very different kinds of error, "
        "so read it next to the true and false positive rates.",
        "Accuracy of A: 60 + 105 = 165 correct, 165 / 200 = 0.825. Accuracy of B: "
        "14 + 54 = 68 correct, 68 / 100 = 0.68.",
        ("error_rate", "error_rate_parity"),
    ),
    _metric(
        "error_rate",
        "Error rate",
        "The share of people in a group whose prediction differs from their recorded "
        "outcome: one minus accuracy.",
        r"\mathrm{ERR}_g = P(\hat{Y} \neq Y \mid A = g) = \frac{FP_g + FN_g}{n_g}",
        "When the model should be equally reliable for everyone, whatever the kind of "
        "error; it treats a wrong refusal and a wrong approval as equally bad.",
        "Errors in A: 15 + 20 = 35, 35 / 200 = 0.175. Errors in B: 6 + 26 = 32, 32 / 100 = 0.32.",
        ("accuracy", "error_rate_parity"),
    ),
    # ------------------------------------------------------------------ criteria
    _metric(
        "demographic_parity",
        "Demographic parity (statistical parity)",
        "Every group is selected at the same rate, whatever their recorded outcomes. "
        "FairLab compares selection rates as a difference and as a ratio.",
        r"P(\hat{Y} = 1 \mid A = a) = P(\hat{Y} = 1 \mid A = b) \quad \text{for all groups } a, b",
        "When the decision allocates a benefit or a burden and each group should receive "
        "its share (allocation harms), when places are few, or when the labels are doubtful: "
        "it does not use them. It can hold while the model is accurate for one group and "
        "guesses for another, and it conflicts with error-rate criteria when base rates "
        "differ.",
        "Selection rates 0.375 in A and 0.2 in B. Difference: 0.375 − 0.2 = 0.175, above "
        "a tolerance of 0.1. Ratio: 0.2 / 0.375 = 0.53, below the four-fifths bound of 0.8.",
        ("selection_rate", "four_fifths_rule", "difference", "ratio", "impossibility"),
    ),
    _metric(
        "equalized_odds",
        "Equalized odds",
        "Every group has the same true positive rate and the same false positive rate: "
        "both kinds of error fall equally on every group. FairLab reports the worse of the "
        "two: the larger difference, the smaller ratio.",
        r"P(\hat{Y} = 1 \mid Y = y, A = a) = P(\hat{Y} = 1 \mid Y = y, A = b) "
        r"\quad \text{for } y \in \{0, 1\}",
        "When both wrong refusals and wrong approvals harm people, and the recorded "
        "outcomes can be trusted. It relies on the labels, so it inherits any bias in them.",
        "TPR gap: 0.75 − 0.35 = 0.4; FPR gap: 0.125 − 0.1 = 0.025; the difference is the "
        "larger, 0.4. TPR ratio: 0.35 / 0.75 = 0.47; FPR ratio: 0.1 / 0.125 = 0.8; the "
        "ratio is the smaller, 0.47.",
        ("true_positive_rate", "false_positive_rate", "equal_opportunity", "threshold_optimizer"),
    ),
    _metric(
        "equal_opportunity",
        "Equal opportunity (true positive rate parity)",
        "Among the people whose outcome is positive, every group is selected at the same "
        "rate; equivalently, equal false negative rates.",
        r"P(\hat{Y} = 1 \mid Y = 1, A = a) = P(\hat{Y} = 1 \mid Y = 1, A = b)",
        "When the decision is assistive and the harm is a deserving person missed: a "
        "qualified applicant rejected. It needs trustworthy positive labels.",
        "TPR 0.75 in A and 0.35 in B. Difference: 0.75 − 0.35 = 0.4. Ratio: "
        "0.35 / 0.75 = 0.47. Deserving people in B are found about half as often.",
        ("true_positive_rate", "false_negative_rate", "equalized_odds"),
    ),
    _metric(
        "predictive_parity",
        "Predictive parity (precision parity)",
        "A positive prediction is equally often right for every group: equal precision, "
        "and so equal false discovery rates.",
        r"P(Y = 1 \mid \hat{Y} = 1, A = a) = P(Y = 1 \mid \hat{Y} = 1, A = b)",
        "When people act on a positive prediction as if it meant the same for everyone, or "
        "in punitive settings where the concern is those the intervention is applied to. "
        "With different base rates it conflicts with equalized odds.",
        "Precision 0.8 in A and 0.7 in B. Difference: 0.8 − 0.7 = 0.1. Ratio: 0.7 / 0.8 = 0.875.",
        ("positive_predictive_value", "false_discovery_rate", "calibration", "impossibility"),
    ),
    _metric(
        "error_rate_parity",
        "Error rate parity (accuracy parity)",
        "Every group meets errors equally often, whatever the kind of error.",
        r"P(\hat{Y} \neq Y \mid A = a) = P(\hat{Y} \neq Y \mid A = b)",
        "When the model should be equally reliable for everyone and the two kinds of error "
        "cost about the same. It can hide a trade of one kind of error for the other.",
        "Error rates 0.175 in A and 0.32 in B. Difference: 0.32 − 0.175 = 0.145. Ratio: "
        "0.175 / 0.32 = 0.55.",
        ("error_rate", "accuracy", "equalized_odds"),
    ),
    # ------------------------------------------------------------------ disparity forms
    GlossaryEntry(
        "difference",
        "Disparity as a difference",
        "The largest group rate minus the smallest (or each group's rate minus the "
        "reference group's, or minus the overall rate). 0 means equal.",
        r"\Delta = \max_{g} m_g - \min_{g} m_g",
        "When an absolute gap is what matters: 5 points of selection rate is the same gap "
        "at 0.90 as at 0.10. A difference passes when its whole interval is at or below the "
        "tolerance (0.1 by default).",
        "Selection rates 0.375 in A and 0.2 in B: 0.375 − 0.2 = 0.175. It fails only if its "
        "whole interval lies above 0.1; if the interval includes 0.1 the verdict is "
        "insufficient evidence.",
        ("ratio", "confidence_interval", "demographic_parity"),
    ),
    GlossaryEntry(
        "ratio",
        "Disparity as a ratio",
        "The smallest group rate divided by the largest (or by the reference group's). 1 "
        "means equal.",
        r"\rho = \frac{\min_{g} m_g}{\max_{g} m_g}",
        "When relative chances matter, as in the four-fifths rule; small rates make ratios "
        "jumpy, so read the interval. A ratio passes when its whole interval is at or above "
        "the bound (0.8 by default).",
        "Selection rates 0.375 in A and 0.2 in B: 0.2 / 0.375 = 0.53, below 0.8.",
        ("difference", "four_fifths_rule", "confidence_interval"),
    ),
    GlossaryEntry(
        "four_fifths_rule",
        "Four-fifths rule",
        "A rule of thumb of US employment practice (the EEOC's Uniform Guidelines, 1978): "
        "a selection rate for any group below four fifths of the highest group's rate is "
        "evidence of adverse impact.",
        r"\frac{\min_{g} \mathrm{SR}_g}{\max_{g} \mathrm{SR}_g} \geq 0.8",
        "As a screening threshold for demographic parity in hiring-like decisions. It is "
        "not a legal definition of fairness, says nothing about errors, and with small "
        "groups needs its interval.",
        "An employer hires 48 of 100 applicants from A and 30 of 100 from B: 48 / 100 = "
        "0.48 and 30 / 100 = 0.3. Ratio: 0.3 / 0.48 = 0.625, below 0.8: adverse impact.",
        ("ratio", "demographic_parity", "selection_rate"),
    ),
    # ------------------------------------------------------------------ statistics
    GlossaryEntry(
        "calibration",
        "Calibration within groups",
        "A score is calibrated for a group when, among its people with score about s, a "
        "share of about s have the positive outcome. FairLab compares each group's mean "
        "score with its observed rate.",
        r"P(Y = 1 \mid S = s, A = g) = s \quad \text{for all scores } s \text{ and groups } g",
        "When people read scores as probabilities (a risk score shown to a judge). With "
        "different base rates, calibration in every group and equal error rates cannot "
        "both hold.",
        "Of 50 people in A scored near 0.6, 30 repaid: 30 / 50 = 0.6, calibrated. Of 50 in "
        "B scored near 0.6, 20 repaid: 20 / 50 = 0.4. The same score means less for B.",
        ("predictive_parity", "impossibility", "positive_predictive_value"),
    ),
    GlossaryEntry(
        "confidence_interval",
        "Confidence interval",
        "A range of plausible values for a metric given the sample. For a group's rate "
        "FairLab uses the Clopper–Pearson interval, computed from the counts: it "
        "contains the true rate in at least 95% of samples, whatever the rate and however "
        "small the group, and a rate of 0 or 1 still gets an interval of honest width. "
        "For a gap between groups it uses intervals that hold together over all the "
        "comparisons (see 'How FairLab decides a verdict'). Nothing is resampled, so the "
        "same data always give the same interval.",
        r"\left[\,B^{-1}\!\left(\tfrac{\alpha}{2};\, x,\, n - x + 1\right),\;"
        r" B^{-1}\!\left(1 - \tfrac{\alpha}{2};\, x + 1,\, n - x\right)\right]"
        r",\quad \alpha = 0.05",
        "Always, and most with small groups: a gap whose interval includes the tolerance is "
        "reported as insufficient evidence, not as a pass or a fail. Here x is the number "
        "of cases counted (say, people selected), n the group's denominator and B⁻¹ the "
        "quantile of a beta distribution.",
        "A group of 40 with 10 selected: 10 / 40 = 0.25. The textbook normal approximation "
        "has a standard error of the square root of 0.25 × 0.75 = 0.1875 divided by 40, "
        "that is of 0.1875 / 40 = 0.0047, about 0.068; 1.96 × 0.068 = 0.13, so 0.12 to "
        "0.38. The Clopper–Pearson interval is 0.13 to 0.41: a little wider and not symmetric, "
        "because a share cannot go below 0 or above 1.",
        ("verdict", "difference", "ratio"),
    ),
    GlossaryEntry(
        "verdict",
        "How FairLab decides a verdict",
        "A verdict is a test, not a reading of the number. FairLab compares the groups in "
        "pairs (or each group with the reference group, or with all rows) and gives each "
        "comparison an interval; the intervals are made wide enough that all of them hold "
        "together at 95% (the Šidák adjustment), so more groups do not mean more false "
        "alarms. It says fails only when some comparison is shown beyond the tolerance (its "
        "whole interval above it), passes only when every comparison is shown within it "
        "(every interval inside ±tolerance), and insufficient evidence otherwise. A group "
        "with fewer than 30 cases in the rate's denominator (positives for the true "
        "positive rate, negatives for the false positive rate, predicted positives for "
        "precision) is listed as too small and cannot make a verdict confident. Every "
        "verdict names the comparison that decides it.",
        r"\text{fails} \iff \exists\,(g,h):\ L_{gh} > t,\qquad"
        r" \text{passes} \iff \forall\,(g,h):\ -t \le L_{gh},\ U_{gh} \le t,"
        r"\qquad 1 - \alpha' = (1 - \alpha)^{1/m}",
        "For every disparity verdict. Each comparison's interval [L, U] for the gap r_g − r_h "
        "combines the two groups' Clopper–Pearson intervals (Newcombe's method, at level "
        "1 − α' for m comparisons); the interval of the largest gap runs from the largest "
        "lower bound of |r_g − r_h| (0 when an interval contains 0) to the largest upper "
        "bound, so it can reach 0 and always contains the gap. Ratios work the same way on the log "
        "scale; equalized odds puts the true and false positive rate comparisons in one "
        "family.",
        "Two groups, one comparison at 95%: A selects 75 of 200 (0.375, interval "
        "0.308 to 0.446), B 20 of 100 (0.2, 0.127 to 0.292). The gap 0.375 − 0.2 = 0.175 "
        "gets 0.175 − √((0.375 − 0.308)² + (0.292 − 0.2)²) = 0.175 − 0.114 = 0.061 to "
        "0.175 + √((0.446 − 0.375)² + (0.2 − 0.127)²) = 0.175 + 0.102 = 0.277. Tolerance "
        "0.1: the interval reaches across it, so insufficient evidence. With three groups "
        "there are 3 comparisons, each at 0.95^(1/3) = 0.983, and the intervals widen.",
        ("confidence_interval", "difference", "ratio"),
    ),
    # ------------------------------------------------------------------ explanations
    GlossaryEntry(
        "shap",
        "SHAP values",
        "Each feature's contribution to one prediction, from Shapley values of cooperative "
        "game theory: the contributions add up to the prediction minus the average "
        "prediction (the base value).",
        r"f(x) = \phi_0 + \sum_{j=1}^{M} \phi_j(x)",
        "To see which features drive predictions overall and for a person, and whether a "
        "proxy of a sensitive attribute carries weight. Contributions describe the model, "
        "not causes in the world. They are relative to a background (the rows the base "
        "value averages over, or a tree's own training statistics), and where they are "
        "estimated from random permutations they carry a Monte-Carlo error, shown as ±.",
        "Base value 0.3; income adds 0.25, debt takes away 0.1, history adds 0.05: "
        "0.3 + 0.25 = 0.55, then 0.55 − 0.1 = 0.45, then 0.45 + 0.05 = 0.5, the model's "
        "score for this person.",
        ("lime", "proxy"),
    ),
    GlossaryEntry(
        "lime",
        "LIME",
        "Local Interpretable Model-agnostic Explanations: a simple weighted linear model "
        "fitted to the model's outputs on perturbed copies of one person, near that "
        "person.",
        r"\xi(x) = \operatorname*{arg\,min}_{g \in G} \; \mathcal{L}(f, g, \pi_x) + \Omega(g)",
        "For a quick local explanation of any model. It depends on the random "
        "perturbations, so check its stability across seeds and compare it with SHAP; "
        "and check its local fidelity: a local model whose prediction for the person is far "
        "from the model's explains little.",
        "The local model gives income a weight of 0.004 per thousand: for an income of "
        "50 thousand, 0.004 × 50 = 0.2 of the local score comes from income.",
        ("shap",),
    ),
    GlossaryEntry(
        "proxy",
        "Proxy feature",
        "A feature that carries information about a sensitive attribute, such as a postcode "
        "standing in for ethnicity. Leaving the sensitive attribute out does not stop a "
        "model from using a proxy.",
        r"r_j = \operatorname{corr}\left(X_j, \mathbf{1}[A = g]\right)",
        "Whenever sensitive attributes are excluded from the features (fairness through "
        "unawareness): check how well each feature, and all of them together, predicts "
        "group membership.",
        "A neighbourhood score correlates with group membership at 0.6: 0.6 × 0.6 = 0.36, "
        "so it alone accounts for 36% of the variance of membership.",
        ("shap", "reweighing", "correlation_remover"),
    ),
    GlossaryEntry(
        "impossibility",
        "Impossibility results (Kleinberg et al.; Chouldechova)",
        "When base rates differ between groups, a classifier that is not perfect cannot "
        "have equal precision (or calibration) and equal false positive and false negative "
        "rates in every group at once (Chouldechova, 2017; Kleinberg, Mullainathan and "
        "Raghavan, 2016).",
        r"\mathrm{FPR} = \frac{p}{1 - p} \cdot \frac{1 - \mathrm{PPV}}{\mathrm{PPV}} "
        r"\cdot \left(1 - \mathrm{FNR}\right)",
        "Whenever criteria disagree: choosing a criterion is choosing which harm to "
        "equalise, a decision for people in context, not a technical default.",
        "Base rates 0.5 and 0.25, precision 0.8 and FNR 0.2 in both groups. The common "
        "factor is 0.2 / 0.8 = 0.25 times 1 − 0.2 = 0.8, and 0.25 × 0.8 = 0.2. Group 1: "
        "0.5 / 0.5 = 1, FPR 1 × 0.2 = 0.2. Group 2: 0.25 / 0.75 = 0.3333, FPR "
        "0.3333 × 0.2 = 0.0667. Equal precision and FNR force unequal FPRs.",
        ("base_rate", "predictive_parity", "equalized_odds", "calibration"),
    ),
    # ------------------------------------------------------------------ mitigation
    GlossaryEntry(
        "reweighing",
        "Reweighing (Kamiran and Calders)",
        "Pre-processing: weight each training row so that, in the weighted data, group and "
        "outcome are independent; the model is then trained with these weights.",
        r"w(a, y) = \frac{P(A = a)\, P(Y = y)}{P(A = a, Y = y)}",
        "When historical data under-represents positive outcomes for a group and the model "
        "accepts sample weights. It changes no one's features or labels.",
        "300 rows, 120 positive: 120 / 300 = 0.4. Group B has 100 rows, 20 positive. If "
        "group and outcome were independent, B would have 100 × 0.4 = 40 positives, so each "
        "positive row of B weighs 40 / 20 = 2; B's negatives weigh 60 / 80 = 0.75. Group "
        "A (200 rows, 100 positive) expects 200 × 0.4 = 80, so its positives weigh "
        "80 / 100 = 0.8.",
        ("correlation_remover", "exponentiated_gradient", "demographic_parity"),
    ),
    GlossaryEntry(
        "correlation_remover",
        "Correlation remover (fairlearn)",
        "Pre-processing: remove from each numeric feature the part linearly explained by "
        "the sensitive attribute; alpha sets how much is removed.",
        r"X' = \alpha \left(X - (S - \bar{S}) W\right) + (1 - \alpha) X",
        "When proxies are linear mixtures of the sensitive attribute. It does not remove "
        "non-linear relationships, and the transformed features are harder to read.",
        "A feature averages 60 in A and 50 in B; overall 55. With alpha 1 both group means "
        "become 55: 60 − 5 = 55 and 50 + 5 = 55. With alpha 0.5 the gap halves: "
        "0.5 × 10 = 5.",
        ("proxy", "reweighing"),
    ),
    GlossaryEntry(
        "exponentiated_gradient",
        "Exponentiated gradient (fairlearn reduction)",
        "In-processing: trains a sequence of models on reweighted data and returns a "
        "randomised mix of them that minimises error subject to a bound on a disparity "
        "(Agarwal et al., 2018).",
        r"\min_{Q} \; \max_{\lambda \geq 0} \; \mathrm{err}(Q) + \lambda^{\top}"
        r"\left(\gamma(Q) - \varepsilon\right)",
        "When you can retrain the model and want a chosen criterion (demographic parity, "
        "equalized odds, equal opportunity, error rate parity) within a bound. Predictions "
        "are randomised, and do not need the sensitive attribute at prediction time.",
        "The baseline's selection-rate gap is 0.175 and accuracy 0.8; the mitigated model's "
        "gap 0.03 and accuracy 0.78. The gap fell by 0.175 − 0.03 = 0.145 at a cost of "
        "0.8 − 0.78 = 0.02 in accuracy; whether that trade is right is a judgement.",
        ("grid_search", "threshold_optimizer", "reweighing"),
    ),
    GlossaryEntry(
        "grid_search",
        "Grid search (fairlearn reduction)",
        "In-processing: trains one model for each of a grid of Lagrange multipliers that "
        "trade error against a disparity, and keeps the best trade-off.",
        r"\min_{h} \; \mathrm{err}(h) + \lambda \, \gamma(h), \quad \lambda \in "
        r"\{\lambda_1, \ldots, \lambda_K\}",
        "Like exponentiated gradient, but each candidate is a single deterministic model, "
        "and the whole grid shows the trade-off.",
        "A grid of 10 multipliers trains 10 models; if training one takes 2 seconds, the "
        "search takes 10 × 2 = 20 seconds.",
        ("exponentiated_gradient",),
    ),
    GlossaryEntry(
        "threshold_optimizer",
        "Threshold optimizer (fairlearn, Hardt et al.)",
        "Post-processing: chooses a decision threshold for each group (randomising between "
        "two near the boundary) so that a criterion holds on the training data, with the "
        "best accuracy.",
        r"\hat{Y} = \mathbf{1}\left[S \geq t_{A}\right]",
        "When the model is fixed and only its decisions can change. It needs each person's "
        "sensitive attribute when deciding, which many laws forbid (disparate treatment).",
        "At a shared threshold of 0.5, B's selection rate is 20 / 100 = 0.2. Lowering B's "
        "threshold to 0.4 selects 35 of 100: 35 / 100 = 0.35, close to A's 0.375.",
        ("equalized_odds", "reject_option", "exponentiated_gradient"),
    ),
    GlossaryEntry(
        "reject_option",
        "Reject-option classification (Kamiran, Karim and Zhang)",
        "Post-processing: for people whose score is close to the threshold, where the model "
        "is least sure, give the favourable outcome to the disadvantaged group and the "
        "unfavourable one to the advantaged group.",
        r"\hat{Y} = \begin{cases} 1 & \text{if } |S - t| \leq \theta "
        r"\text{ and } A \text{ is disadvantaged} \\ 0 & \text{if } |S - t| \leq \theta "
        r"\text{ and } A \text{ is advantaged} \\ \mathbf{1}[S \geq t] & \text{otherwise} "
        r"\end{cases}",
        "When the model is fixed and changing only uncertain decisions is acceptable. Like "
        "other post-processing, it uses the sensitive attribute at decision time.",
        "Threshold 0.5 and margin 0.1: scores from 0.5 − 0.1 = 0.4 to 0.5 + 0.1 = 0.6 "
        "form the critical region. A group B applicant scored 0.45 now gets yes; a group A "
        "applicant scored 0.55 now gets no.",
        ("threshold_optimizer", "demographic_parity"),
    ),
)

GLOSSARY: Mapping[str, GlossaryEntry] = MappingProxyType({e.key: e for e in _ENTRIES})
"""Every glossary entry, keyed by the name the app uses."""

ALIASES: Mapping[str, str] = MappingProxyType(
    {
        **{name: name.rsplit("_", 1)[0] for name in DISPARITY_NAMES},
        "precision": "positive_predictive_value",
        "recall": "true_positive_rate",
        "specificity": "true_negative_rate",
        "bootstrap": "confidence_interval",
        "interval": "confidence_interval",
        "mean_score": "calibration",
        "observed_rate": "calibration",
        "statistical_parity": "demographic_parity",
        "accuracy_parity": "error_rate_parity",
        "disparate_impact": "four_fifths_rule",
    }
)
"""Other names :func:`entry` accepts: each disparity of
:data:`fairlab.fairness.DISPARITY_NAMES` (``demographic_parity_ratio`` → its criterion)
and common synonyms."""


def entry(key: str) -> GlossaryEntry:
    """Return the glossary entry for a metric, criterion, disparity or method.

    Parameters
    ----------
    key : str
        A key of :data:`GLOSSARY` or of :data:`ALIASES`, such as ``"selection_rate"``,
        ``"equalized_odds_ratio"`` or ``"bootstrap"``.

    Returns
    -------
    GlossaryEntry

    Raises
    ------
    GlossaryError
        If the key is not known.
    """
    resolved = ALIASES.get(key, key)
    if resolved not in GLOSSARY:
        raise GlossaryError(UNKNOWN_KEY_ERROR.format(key=key))
    return GLOSSARY[resolved]


# ---------------------------------------------------------------------- chooser
@dataclass(frozen=True)
class ChooserOption:
    """One answer to a chooser question.

    Attributes
    ----------
    value : str
        The answer's id, passed to :func:`choose_criteria`.
    label : str
        Short text for a radio button.
    explanation : str
        What choosing it means, with an example.
    """

    value: str
    label: str
    explanation: str


@dataclass(frozen=True)
class ChooserQuestion:
    """One question of the criterion chooser.

    Attributes
    ----------
    id : str
        The key of its answer in :func:`choose_criteria`'s ``answers``.
    text : str
        The question as shown.
    options : tuple of ChooserOption
        The possible answers.
    asked_when : tuple of (str, str)
        ``(question id, answer)`` pairs that must all hold for the question to be asked;
        empty when it is always asked.
    """

    id: str
    text: str
    options: tuple[ChooserOption, ...]
    asked_when: tuple[tuple[str, str], ...] = ()

    @property
    def values(self) -> tuple[str, ...]:
        """The answer ids, in display order."""
        return tuple(option.value for option in self.options)

    def is_asked(self, answers: Mapping[str, str]) -> bool:
        """Whether the question applies, given the answers so far."""
        return all(answers.get(question) == value for question, value in self.asked_when)


@dataclass(frozen=True)
class ChooserResult:
    """The criteria that fit the answers, and why.

    Attributes
    ----------
    criteria : tuple of str
        Keys of :data:`fairlab.fairness.CRITERIA`, the best fit first.
    reasoning : tuple of str
        One plain sentence per step, in the order the answers were used.
    metrics : tuple of str
        Group metrics to read alongside (keys of :data:`GLOSSARY`).
    warnings : tuple of str
        Cautions that apply to the criteria, such as labels that may carry bias.
    """

    criteria: tuple[str, ...]
    reasoning: tuple[str, ...]
    metrics: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


CHOOSER_QUESTIONS: tuple[ChooserQuestion, ...] = (
    ChooserQuestion(
        id="focus",
        text="What should be equal across groups?",
        options=(
            ChooserOption(
                "representation",
                "Who receives the decision",
                "Each group should receive the decision at a similar rate, whatever the "
                "recorded outcomes: interview invitations shared in proportion to who "
                "applied.",
            ),
            ChooserOption(
                "errors",
                "The model's mistakes",
                "Mistakes should not fall more often on one group: qualified applicants in "
                "every group should be missed equally rarely.",
            ),
        ),
    ),
    ChooserQuestion(
        id="intervention",
        text="What does a positive prediction lead to for the person?",
        options=(
            ChooserOption(
                "assistive",
                "Something they want (assistive)",
                "A loan, a job offer, a place on a programme, extra support. The harm is "
                "being wrongly passed over. This is FairLab's usual set-up, where the "
                "positive outcome is the favourable one.",
            ),
            ChooserOption(
                "punitive",
                "A burden (punitive)",
                "An investigation, detention, a benefit stopped: the positive outcome is "
                "the one that triggers it, such as 'high risk'. The harm is being burdened "
                "without cause.",
            ),
        ),
        asked_when=(("focus", "errors"),),
    ),
    ChooserQuestion(
        id="error_group",
        text="Among whom must the errors be equal?",
        options=(
            ChooserOption(
                "by_outcome",
                "People grouped by what really happened",
                "Among people who warranted the decision (or did not), each group should "
                "be treated alike: of all qualified applicants, the same share approved.",
            ),
            ChooserOption(
                "by_decision",
                "People grouped by the decision they got",
                "Among people who received the decision (or were refused it), each group "
                "should see the same share of mistakes: of all people flagged, the same "
                "share flagged wrongly.",
            ),
        ),
        asked_when=(("focus", "errors"),),
    ),
    ChooserQuestion(
        id="capacity",
        text="Can everyone who qualifies receive the decision, or only a few?",
        options=(
            ChooserOption(
                "everyone",
                "Everyone who qualifies",
                "There is no fixed number of places: every good applicant can get a loan.",
            ),
            ChooserOption(
                "few",
                "Only a few (limited places)",
                "Places are scarce and people are ranked: 20 interviews for 500 applicants. "
                "Who gets the few places is itself what is shared out.",
            ),
        ),
    ),
    ChooserQuestion(
        id="labels",
        text="Do the recorded outcomes measure what you care about, equally well for every group?",
        options=(
            ChooserOption(
                "trusted",
                "Yes, they can be trusted",
                "The outcome was observed the same way for everyone: a loan was repaid or "
                "it was not.",
            ),
            ChooserOption(
                "doubtful",
                "No, or not sure",
                "The outcome was recorded by a past decision or a biased process: past "
                "hiring decisions rather than job performance, arrests rather than "
                "offences.",
            ),
        ),
    ),
)
"""The chooser's questions, in the order to ask them (skip those not asked)."""

_QUESTIONS: Mapping[str, ChooserQuestion] = MappingProxyType({q.id: q for q in CHOOSER_QUESTIONS})

_ERROR_BRANCHES: Mapping[tuple[str, str], tuple[tuple[str, ...], tuple[str, ...], str]] = {
    ("assistive", "by_outcome"): (
        ("equal_opportunity",),
        ("true_positive_rate", "false_negative_rate"),
        "The positive decision assists, and the concern is the people who deserved it: "
        "they should be missed equally rarely in every group. That is equal false negative "
        "rates, which is equal opportunity (equal true positive rates).",
    ),
    ("assistive", "by_decision"): (
        ("equal_opportunity",),
        ("false_omission_rate", "true_positive_rate"),
        "The positive decision assists, and the concern is the people turned down: the "
        "share of them who deserved it (the false omission rate) should be equal. FairLab "
        "has no criterion built on it, so read the false omission rate in the group table; "
        "equal opportunity looks at the same missed people from the side of everyone who "
        "deserved the decision.",
    ),
    ("punitive", "by_outcome"): (
        ("equalized_odds",),
        ("false_positive_rate", "true_negative_rate"),
        "The positive decision is a burden, and the concern is the people who did not "
        "warrant it: they should be burdened equally rarely in every group. That is equal "
        "false positive rates, which equalized odds checks together with true positive "
        "rates; read its false positive rate part.",
    ),
    ("punitive", "by_decision"): (
        ("predictive_parity",),
        ("false_discovery_rate", "positive_predictive_value"),
        "The positive decision is a burden, and the concern is the people it is applied "
        "to: the share of them who did not warrant it (the false discovery rate) should "
        "be equal. Equal false discovery rates are equal precision, which is predictive "
        "parity.",
    ),
}

_PUNITIVE_POLARITY_NOTE = (
    "This assumes the positive prediction triggers the burden. If your positive outcome is "
    "the favourable one (such as 'low risk') and the burden falls on negative predictions, "
    "the roles swap: people wrongly burdened are false negatives, and equal opportunity "
    "is the criterion to read."
)
_LABEL_WARNING = (
    "The recorded outcomes may carry bias. Every criterion other than demographic parity "
    "compares the model with those outcomes, so it inherits their bias: a model can meet "
    "equal opportunity by faithfully reproducing a biased record. Check how the outcomes "
    "were recorded before trusting those criteria."
)
_IMPOSSIBILITY_NOTE = (
    "Demographic parity and the error-based criteria usually cannot all hold when base "
    "rates differ between groups; decide which harm matters most for the people affected "
    "(see the impossibility results)."
)


def choose_criteria(answers: Mapping[str, str]) -> ChooserResult:
    """Suggest fairness criteria from answers to :data:`CHOOSER_QUESTIONS`.

    The logic follows the Aequitas fairness tree: equal representation leads to
    demographic parity; equal errors lead, for an assistive decision, to false negative
    parity (equal opportunity) or false omission parity, and for a punitive one to false
    positive parity (equalized odds) or false discovery parity (predictive parity);
    scarce places add demographic parity; doubtful labels put demographic parity first
    and warn that the other criteria inherit label bias.

    Parameters
    ----------
    answers : mapping of str to str
        Question id to answer value. Questions that are not asked for these answers (see
        :meth:`ChooserQuestion.is_asked`) may be left out; their answers are ignored.

    Returns
    -------
    ChooserResult
        The criteria, best fit first, with one sentence of reasoning per step.

    Raises
    ------
    GlossaryError
        If a question id or an answer is not known, or a question that is asked has no
        answer.
    """
    for question_id, answer in answers.items():
        if question_id not in _QUESTIONS:
            raise GlossaryError(
                UNKNOWN_QUESTION_ERROR.format(question=question_id, questions=list(_QUESTIONS))
            )
        question = _QUESTIONS[question_id]
        if answer not in question.values:
            raise GlossaryError(
                UNKNOWN_ANSWER_ERROR.format(
                    answer=answer, question=question_id, options=list(question.values)
                )
            )
    for question in CHOOSER_QUESTIONS:
        if question.is_asked(answers) and question.id not in answers:
            raise GlossaryError(
                MISSING_ANSWER_ERROR.format(
                    question=question.id, text=question.text, options=list(question.values)
                )
            )

    criteria: list[str] = []
    metrics: list[str] = []
    reasoning: list[str] = []
    warnings: list[str] = []
    if answers["focus"] == "representation":
        criteria.append("demographic_parity")
        metrics.append("selection_rate")
        reasoning.append(
            "You want each group to receive the decision at a similar rate, whatever the "
            "recorded outcomes: that is demographic parity, which compares selection rates."
        )
    else:
        branch = (answers["intervention"], answers["error_group"])
        branch_criteria, branch_metrics, sentence = _ERROR_BRANCHES[branch]
        reasoning.append(
            "You want the model's mistakes to fall equally on every group, so the criteria "
            "compare error rates."
        )
        reasoning.append(sentence)
        if answers["intervention"] == "punitive":
            reasoning.append(_PUNITIVE_POLARITY_NOTE)
        criteria.extend(branch_criteria)
        metrics.extend(branch_metrics)

    if answers["capacity"] == "few":
        if "demographic_parity" not in criteria:
            criteria.append("demographic_parity")
            metrics.append("selection_rate")
        reasoning.append(
            "Places are scarce, so who gets them is itself shared out between groups: "
            "compare selection rates too (demographic parity)."
        )
    else:
        reasoning.append(
            "Everyone who qualifies can receive the decision, so there is no fixed share "
            "of places to divide between groups."
        )

    if answers["labels"] == "doubtful":
        if "demographic_parity" in criteria:
            criteria.remove("demographic_parity")
        else:
            metrics.append("selection_rate")
        criteria.insert(0, "demographic_parity")
        reasoning.append(
            "The recorded outcomes may be biased, so demographic parity, the one criterion "
            "that does not use them, comes first."
        )
        if len(criteria) > 1:
            warnings.append(_LABEL_WARNING)
    else:
        reasoning.append(
            "The recorded outcomes can be trusted, so criteria that compare the model with "
            "them are meaningful."
        )

    if "demographic_parity" in criteria and len(criteria) > 1:
        reasoning.append(_IMPOSSIBILITY_NOTE)
    return ChooserResult(
        criteria=tuple(criteria),
        reasoning=tuple(reasoning),
        metrics=tuple(dict.fromkeys(metrics)),
        warnings=tuple(warnings),
    )
