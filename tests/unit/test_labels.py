from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fairlab.labels import canonical_label, detect_positive_label, distinct_labels, positive_mask


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, "1"),
        (1.0, "1"),
        ("1", "1"),
        (" 1 ", "1"),
        ("1.0", "1"),
        (np.int64(1), "1"),
        (np.float32(1.0), "1"),
        (True, "True"),
        (np.bool_(False), "False"),
        ("true", "True"),
        ("FALSE", "False"),
        (0.5, "0.5"),
        (">50K", ">50K"),
        ("  yes", "yes"),
    ],
)
def test_canonical_label_identifies_values_across_dtypes(value: object, expected: str) -> None:
    assert canonical_label(value) == expected


def test_positive_mask_matches_whatever_the_dtype() -> None:
    as_int = pd.Series([0, 1, 1, 0])
    as_float = pd.Series([0.0, 1.0, np.nan, 0.0])
    as_text = pd.Series(["0", "1", None, "1"])
    assert positive_mask(as_int, 1).tolist() == [False, True, True, False]
    assert positive_mask(as_float, "1").tolist() == [False, True, False, False]
    assert positive_mask(as_text, 1.0).tolist() == [False, True, False, True]


def test_positive_mask_accepts_several_positive_values() -> None:
    values = pd.Series(["Low", "Medium", "High", "Low", None])
    assert positive_mask(values, ["Low", "Medium"]).tolist() == [True, True, False, True, False]


def test_distinct_labels_are_json_scalars_most_common_first() -> None:
    values = pd.Series([1.0, 0.0, 0.0, np.nan])
    labels = distinct_labels(values)
    assert labels == [0, 1]
    assert all(type(v) is int for v in labels)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([">50K", "<=50K", "<=50K"], ">50K"),
        (["<=50K", ">50K"], ">50K"),
        ([0, 1, 1], 1),
        ([True, False], True),
        (["no", "yes", "no"], "yes"),
        (["bad", "good"], "good"),
        (["Y", "N"], "Y"),
        (["red", "blue"], None),
        (["a", "b", "c"], None),
        ([1, 1, 1], None),
        ([1, 2], None),
    ],
)
def test_detect_positive_label_only_when_unambiguous(values: list, expected: object) -> None:
    assert detect_positive_label(pd.Series(values)) == expected
