"""Bring your own model: load a classifier saved with ``skops.io``, safely.

A pickle or joblib file is a program: loading it runs whatever code it holds. FairLab
therefore never unpickles an upload. It accepts models saved with ``skops.io.dump``,
whose format lists every type the file will create; skops creates the types it trusts by
default (NumPy arrays, most scikit-learn estimators) and refuses any other until the user
accepts it by name.

The journey is two calls. :func:`inspect_skops` returns the untrusted type names of a file,
for the user to review; :func:`load_skops` loads it only if every one of them is in
``trusted``, checks that it is a fitted classifier, and returns a :class:`LoadedModel` that
:func:`fairlab.models.predict` uses like a model trained in the app. Pickle and joblib files
are recognised by their first bytes and refused with advice on how to save the model.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import skops.io as sio
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted
from skops.io.exceptions import UNTRUSTED_TYPE_REASONS

from fairlab.errors import ModelError
from fairlab.labels import Label, canonical_label

__all__ = [
    "LoadedModel",
    "UntrustedTypesError",
    "inspect_skops",
    "load_skops",
    "untrusted_type_notes",
    "MAX_MODEL_BYTES",
    "MAX_UNPACKED_BYTES",
    "EMPTY_MODEL_FILE_ERROR",
    "MODEL_TOO_LARGE_ERROR",
    "PICKLE_REFUSED_ERROR",
    "NOT_SKOPS_ERROR",
    "UNREADABLE_SKOPS_ERROR",
    "UNTRUSTED_TYPES_ERROR",
    "NO_PREDICT_ERROR",
    "NOT_FITTED_ERROR",
    "NO_CLASSES_ERROR",
    "POSITIVE_CLASS_NEEDED_ERROR",
    "POSITIVE_CLASS_NOT_FOUND_ERROR",
]

MAX_MODEL_BYTES = 200 * 1024 * 1024
"""Largest model file accepted, in bytes."""
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
"""Largest total size of the files inside a skops archive, in bytes (guards zip bombs)."""

_SAVE_ADVICE = (
    "Save the model with skops instead: `import skops.io as sio; sio.dump(model, "
    "'model.skops')`, and upload model.skops."
)
EMPTY_MODEL_FILE_ERROR = "{name} is empty. Choose a model file saved with skops.io.dump."
MODEL_TOO_LARGE_ERROR = (
    "{name} holds {size_mb:.0f} MB, more than the {limit_mb:.0f} MB FairLab accepts for a "
    "model. Save a smaller model (fewer or shallower trees), or audit its predictions "
    "instead: add them to the data as a column."
)
PICKLE_REFUSED_ERROR = (
    "{name} looks like {kind}. FairLab never unpickles uploads: loading a pickle or joblib "
    "file runs whatever code it holds. " + _SAVE_ADVICE
)
NOT_SKOPS_ERROR = (
    "{name} is not a skops model file ({detail}). FairLab loads models saved with "
    "skops.io.dump and never unpickles uploads. " + _SAVE_ADVICE
)
UNREADABLE_SKOPS_ERROR = (
    "{name} could not be read as a skops model ({detail}). Save the model again with "
    "skops.io.dump, with the skops version FairLab uses (0.16) or an older one."
)
UNTRUSTED_TYPES_ERROR = (
    "{name} holds types that are not trusted by default: {types}. A crafted file could use "
    "them to run code or crash FairLab. Review them, and accept them explicitly only if "
    "you trust where the file came from."
)
NO_PREDICT_ERROR = (
    "{name} holds a {kind}, which has no 'predict' method. Save a fitted classifier (or a "
    "Pipeline ending in one)."
)
NOT_FITTED_ERROR = "{name} holds a {kind} that has not been fitted. Fit the model before saving it."
NO_CLASSES_ERROR = (
    "{name} holds a {kind} without 'classes_', so FairLab cannot tell which prediction is "
    "the positive outcome. Save a scikit-learn classifier."
)
POSITIVE_CLASS_NEEDED_ERROR = (
    "The model predicts the classes {classes}. Choose which one is the positive outcome."
)
POSITIVE_CLASS_NOT_FOUND_ERROR = (
    "The positive outcome '{value}' is not one of the classes the model predicts "
    "({classes}). Choose one of them, or a model trained on this outcome."
)

# First bytes of files that must never be unpickled. joblib writes a plain pickle
# stream, or one compressed with zlib, gzip, bz2, lzma, xz or lz4; before version 0.10
# it prefixed zlib data with "ZF".
_PICKLE_KINDS: tuple[tuple[bytes, str], ...] = (
    (b"\x80", "a pickle file (or an uncompressed joblib file)"),
    (b"ZF", "an old joblib file"),
    (b"\x1f\x8b", "a gzip-compressed file, such as a compressed joblib or pickle file"),
    (b"BZh", "a bz2-compressed file, such as a compressed joblib or pickle file"),
    (b"\xfd7zXZ\x00", "an xz-compressed file, such as a compressed joblib or pickle file"),
    (b"]\x00\x00", "an lzma-compressed file, such as a compressed joblib or pickle file"),
    (b"\x04\x22\x4d\x18", "an lz4-compressed file, such as a compressed joblib or pickle file"),
)
_ZLIB_KIND = "a zlib-compressed joblib file"
_ZIP_MAGIC = b"PK\x03\x04"
_SCHEMA = "schema.json"
# Reading bytes from an untrusted source can fail in many ways inside zipfile, json and
# skops; each becomes a message for the user rather than a crash of the page.
_READ_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    KeyError,
    ValueError,
    TypeError,
    AttributeError,
    ImportError,
    IndexError,
    OSError,
    EOFError,
    RecursionError,
    NotImplementedError,
)


class UntrustedTypesError(ModelError):
    """A skops file holds types the user has not accepted.

    Attributes
    ----------
    types : tuple of str
        The untrusted type names not yet accepted, sorted.
    """

    def __init__(self, message: str, types: Sequence[str]) -> None:
        super().__init__(message)
        self.types = tuple(types)


@dataclass(frozen=True, eq=False)
class LoadedModel:
    """A fitted classifier loaded from a skops file, ready for :func:`fairlab.models.predict`.

    Attributes
    ----------
    pipeline : object
        The loaded estimator (often a Pipeline); it has ``predict``.
    features : tuple of str or None
        The columns it was fitted on (``feature_names_in_``), or None if it was fitted
        on an array, in which case the data's feature columns are passed in order.
    positive_class : str, int, float or bool
        The class label, as the model predicts it, that is the positive outcome.
    classes : tuple
        The classes the model predicts (``classes_``).
    has_probabilities : bool
        Whether it has ``predict_proba``.
    trusted : tuple of str
        The untrusted types that were accepted to load it.
    kind : str
        The estimator's class name, such as ``"Pipeline"``.
    """

    pipeline: Any
    features: tuple[str, ...] | None
    positive_class: Label
    classes: tuple[Any, ...]
    has_probabilities: bool
    trusted: tuple[str, ...]
    kind: str


def inspect_skops(raw: bytes, *, name: str = "the file") -> list[str]:
    """List the types in a skops file that skops does not trust by default.

    Nothing in the file is created: only its schema is read.

    Parameters
    ----------
    raw : bytes
        The uploaded file.
    name : str, default "the file"
        How messages refer to the file.

    Returns
    -------
    list of str
        Fully qualified type names, sorted; empty if the file loads without trust.

    Raises
    ------
    ModelError
        If the file is empty, too large, a pickle or joblib file, or not a readable
        skops file.
    """
    raw = _check_container(raw, name=name)
    try:
        return list(sio.get_untrusted_types(data=raw))
    except _READ_ERRORS as exc:
        raise ModelError(UNREADABLE_SKOPS_ERROR.format(name=name, detail=_detail(exc))) from exc


def untrusted_type_notes(types: Sequence[str]) -> dict[str, str]:
    """What skops says about specific risky types, for the review shown to the user.

    Parameters
    ----------
    types : sequence of str
        Type names from :func:`inspect_skops`.

    Returns
    -------
    dict of str to str
        A note for each type skops documents a known risk of; other types are left out.
    """
    return {t: UNTRUSTED_TYPE_REASONS[t] for t in types if t in UNTRUSTED_TYPE_REASONS}


def load_skops(
    raw: bytes,
    *,
    trusted: Sequence[str] = (),
    positive_label: Label | None = None,
    name: str = "the file",
) -> LoadedModel:
    """Load a classifier saved with ``skops.io.dump``, trusting only the given types.

    Parameters
    ----------
    raw : bytes
        The uploaded file.
    trusted : sequence of str, default ()
        Untrusted type names (from :func:`inspect_skops`) the user has reviewed and
        accepted. Only those that occur in the file are passed on to skops.
    positive_label : str, int, float or bool, optional
        The positive outcome, such as the audit spec's ``positive_label``. It is matched
        to the model's classes like outcome labels are (``1``, ``1.0`` and ``"1"`` are
        the same). When it is not among them and the classes are 0/1 or False/True, the
        model is taken to predict FairLab's 0/1 outcome and 1 (True) is positive.
    name : str, default "the file"
        How messages refer to the file.

    Returns
    -------
    LoadedModel

    Raises
    ------
    UntrustedTypesError
        If the file holds untrusted types not in ``trusted``; the message and
        ``types`` name them.
    ModelError
        If the file is empty, too large, a pickle or joblib file, not a readable skops
        file, not a fitted classifier, or its positive class cannot be told.
    """
    untrusted = inspect_skops(raw, name=name)
    raw = bytes(raw)
    accepted = set(trusted)
    refused = [t for t in untrusted if t not in accepted]
    if refused:
        raise UntrustedTypesError(
            UNTRUSTED_TYPES_ERROR.format(name=name, types=", ".join(refused)), refused
        )
    needed = [t for t in untrusted if t in accepted]
    try:
        estimator = sio.loads(raw, trusted=needed)
    except _READ_ERRORS as exc:
        raise ModelError(UNREADABLE_SKOPS_ERROR.format(name=name, detail=_detail(exc))) from exc
    kind = type(estimator).__name__
    if not callable(getattr(estimator, "predict", None)):
        raise ModelError(NO_PREDICT_ERROR.format(name=name, kind=kind))
    if hasattr(estimator, "fit"):
        try:
            check_is_fitted(estimator)
        except NotFittedError as exc:
            raise ModelError(NOT_FITTED_ERROR.format(name=name, kind=kind)) from exc
    classes = getattr(estimator, "classes_", None)
    if classes is None:
        raise ModelError(NO_CLASSES_ERROR.format(name=name, kind=kind))
    class_list = tuple(np.asarray(classes).tolist())
    names_in = getattr(estimator, "feature_names_in_", None)
    return LoadedModel(
        pipeline=estimator,
        features=None if names_in is None else tuple(str(c) for c in names_in),
        positive_class=_positive_class(class_list, positive_label),
        classes=class_list,
        has_probabilities=callable(getattr(estimator, "predict_proba", None)),
        trusted=tuple(needed),
        kind=kind,
    )


def _check_container(raw: bytes, *, name: str) -> bytes:
    """Refuse what is not a zip archive holding a skops schema, before skops reads it."""
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise TypeError(f"The 'raw' parameter must be bytes. Got {type(raw).__name__} instead.")
    raw = bytes(raw)
    if not raw:
        raise ModelError(EMPTY_MODEL_FILE_ERROR.format(name=name))
    if len(raw) > MAX_MODEL_BYTES:
        raise ModelError(_too_large(name, len(raw), MAX_MODEL_BYTES))
    for magic, kind in _PICKLE_KINDS:
        if raw.startswith(magic):
            raise ModelError(PICKLE_REFUSED_ERROR.format(name=name, kind=kind))
    if _is_zlib(raw):
        raise ModelError(PICKLE_REFUSED_ERROR.format(name=name, kind=_ZLIB_KIND))
    if not raw.startswith(_ZIP_MAGIC):
        raise ModelError(NOT_SKOPS_ERROR.format(name=name, detail="it is not a zip archive"))
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise ModelError(
            NOT_SKOPS_ERROR.format(name=name, detail=f"a damaged zip archive: {_detail(exc)}")
        ) from exc
    if _SCHEMA not in {member.filename for member in members}:
        raise ModelError(
            NOT_SKOPS_ERROR.format(name=name, detail=f"a zip archive without {_SCHEMA}")
        )
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED_BYTES:
        raise ModelError(_too_large(name, unpacked, MAX_UNPACKED_BYTES))
    return raw


def _is_zlib(raw: bytes) -> bool:
    """Whether ``raw`` starts with a zlib header (RFC 1950), as compressed joblib files do."""
    if len(raw) < 2:
        return False
    method, flags = raw[0], raw[1]
    return method & 0x0F == 8 and method >> 4 <= 7 and (method * 256 + flags) % 31 == 0


def _too_large(name: str, size: int, limit: int) -> str:
    mib = 1024 * 1024
    return MODEL_TOO_LARGE_ERROR.format(name=name, size_mb=size / mib, limit_mb=limit / mib)


def _positive_class(classes: tuple[Any, ...], positive_label: Label | None) -> Label:
    canon = [canonical_label(c) for c in classes]
    shown = ", ".join(str(c) for c in classes)
    if positive_label is not None and canonical_label(positive_label) in canon:
        return classes[canon.index(canonical_label(positive_label))]
    if set(canon) in ({"0", "1"}, {"False", "True"}):
        return classes[canon.index("1" if "1" in canon else "True")]
    if positive_label is None:
        raise ModelError(POSITIVE_CLASS_NEEDED_ERROR.format(classes=shown))
    raise ModelError(POSITIVE_CLASS_NOT_FOUND_ERROR.format(value=positive_label, classes=shown))


def _detail(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:200] if text else type(exc).__name__
