"""Mitigation: pre-, in- and post-processing techniques compared on one split.

A *mitigation technique* changes how a model is trained or how its decisions are made, so
that a fairness criterion is closer to being met: the model is then *mitigated for*, say,
demographic parity. Mitigation trades some accuracy for a smaller disparity, and never
removes the need to ask whether the decisions are appropriate in context.

Every technique of :data:`TECHNIQUES` takes the same split, base model, sensitive
attribute and seed and returns a :class:`MitigationResult`:

- **pre-processing** changes the training data: *reweighing* (Kamiran & Calders) and the
  *correlation remover* (fairlearn);
- **in-processing** changes training: fairlearn's *exponentiated gradient* and *grid
  search* reductions, under demographic parity, equalized odds, equal opportunity (true
  positive rate parity) or error rate parity;
- **post-processing** changes decisions of the trained model: fairlearn's *threshold
  optimizer*, *reject-option classification* (Kamiran, Karim & Zhang) and per-group
  thresholds chosen on the Fairness page.

Some techniques need a person's sensitive attribute to decide about them
(:attr:`TechniqueSpec.needs_sensitive_at_prediction`), which is unlawful in many settings.

:func:`run_technique` runs one technique; :func:`compare_techniques` runs many, in parallel,
with the baseline always first, and returns a :class:`MitigationComparison` with a table,
group metrics next to the baseline's, and the decisions that changed. The features are
prepared once and the reductions work on the prepared matrix, so ``sample_weight`` reaches
the model and nothing is refitted needlessly.
"""

from __future__ import annotations

from fairlab.mitigation._compare import (
    DUPLICATE_TECHNIQUE_ERROR,
    KIND_ERROR,
    N_JOBS_ERROR,
    PER_GROUP_METRICS,
    TABLE_CRITERIA,
    UNKNOWN_NAME_ERROR,
    FitProgressCallback,
    MitigationComparison,
    ProgressCallback,
    compare_techniques,
)
from fairlab.mitigation._reject_option import RejectOptionClassifier
from fairlab.mitigation._reweighing import reweighing_weights
from fairlab.mitigation._run import (
    BASELINE_MISMATCH_ERROR,
    GROUP_THRESHOLDS_MISSING_ERROR,
    GROUP_THRESHOLDS_UNKNOWN_ERROR,
    NO_SAMPLE_WEIGHT_ERROR,
    NO_TEST_ROWS_ERROR,
    ONE_GROUP_ERROR,
    RANDOM_STATE_ERROR,
    TECHNIQUE_TYPE_ERROR,
    UNKNOWN_ATTRIBUTE_ERROR,
    run_technique,
)
from fairlab.mitigation._techniques import (
    BASELINE,
    CONSTRAINT_TITLES,
    CONSTRAINTS,
    DEFAULT_TECHNIQUES,
    NO_CONSTRAINT_ERROR,
    STAGE_TITLES,
    STAGES,
    TECHNIQUE_NAMES,
    TECHNIQUES,
    THRESHOLDS_NEEDED_ERROR,
    UNKNOWN_CONSTRAINT_ERROR,
    UNKNOWN_PARAM_ERROR,
    UNKNOWN_TECHNIQUE_ERROR,
    MitigationError,
    MitigationResult,
    TechniqueConfig,
    TechniqueSpec,
    technique_spec,
)

__all__ = [
    "MitigationError",
    "TechniqueSpec",
    "TechniqueConfig",
    "MitigationResult",
    "MitigationComparison",
    "ProgressCallback",
    "TECHNIQUES",
    "TECHNIQUE_NAMES",
    "BASELINE",
    "STAGES",
    "STAGE_TITLES",
    "CONSTRAINTS",
    "CONSTRAINT_TITLES",
    "DEFAULT_TECHNIQUES",
    "TABLE_CRITERIA",
    "PER_GROUP_METRICS",
    "technique_spec",
    "run_technique",
    "compare_techniques",
    "FitProgressCallback",
    "reweighing_weights",
    "RejectOptionClassifier",
    "UNKNOWN_TECHNIQUE_ERROR",
    "UNKNOWN_CONSTRAINT_ERROR",
    "NO_CONSTRAINT_ERROR",
    "UNKNOWN_PARAM_ERROR",
    "THRESHOLDS_NEEDED_ERROR",
    "UNKNOWN_ATTRIBUTE_ERROR",
    "ONE_GROUP_ERROR",
    "NO_TEST_ROWS_ERROR",
    "BASELINE_MISMATCH_ERROR",
    "NO_SAMPLE_WEIGHT_ERROR",
    "TECHNIQUE_TYPE_ERROR",
    "GROUP_THRESHOLDS_MISSING_ERROR",
    "GROUP_THRESHOLDS_UNKNOWN_ERROR",
    "RANDOM_STATE_ERROR",
    "DUPLICATE_TECHNIQUE_ERROR",
    "UNKNOWN_NAME_ERROR",
    "N_JOBS_ERROR",
    "KIND_ERROR",
]
