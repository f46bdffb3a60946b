"""Read CSV files people actually have, and say what each column looks like.

:func:`read_csv` takes the raw bytes of an upload or a path (plain, gzip-compressed, or
a zip archive of one CSV file) and returns a :class:`CsvReadResult`: the table, one
:class:`ColumnInfo` per column, and plain-text warnings for the user. It sniffs the
encoding (UTF-8, UTF-8 with BOM, UTF-16 with BOM, Windows-1252 / Latin-1) and the
delimiter (``,`` ``;`` tab ``|``; runs of whitespace and a file without a header row
when asked),
repairs the header row (blank and duplicate names), skips rows with too many fields,
and refuses files that are not CSV at all (Excel workbooks, images, PDFs, ...) with a
message that says what the file looks like and what to do.

Parsing is done by pandas' C engine on a file handle or path, so the file is never
decoded into one Python string and the frame is never copied.
:func:`infer_column_roles` is public because it is also applied to bundled datasets.
"""

from __future__ import annotations

import codecs
import csv as _csv
import gzip
import io
import math
import os
import re
import warnings
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import islice
from typing import IO, Literal, get_args

import numpy as np
import pandas as pd

from fairlab.errors import CsvError

__all__ = [
    "ColumnRole",
    "Delimiter",
    "DELIMITERS",
    "WHITESPACE",
    "ColumnInfo",
    "CsvReadResult",
    "DEFAULT_MAX_BYTES",
    "read_csv",
    "infer_column_roles",
]

ColumnRole = Literal[
    "numeric", "categorical", "boolean", "datetime", "text", "identifier", "constant"
]

DEFAULT_MAX_BYTES = 200 * 1024 * 1024

WHITESPACE = "whitespace"
"""The delimiter that means runs of spaces and tabs (as in ``german.data``)."""
Delimiter = Literal[",", ";", "\t", "|", "whitespace"]
DELIMITERS: tuple[str, ...] = get_args(Delimiter)

# --- Errors ------------------------------------------------------------------------------

EMPTY_FILE_ERROR = (
    "{name} is empty. Choose a CSV file with a header row and at least one row of data."
)
HEADER_ONLY_ERROR = (
    "{name} has a header row but no data rows. "
    "Choose a CSV file with at least one row of data below the header."
)
TOO_LARGE_ERROR = (
    "{name} is {size_mb:.1f} MB; the limit is {limit_mb:.1f} MB. "
    "Upload a sample of the rows, or run the audit from the command line."
)
TOO_LARGE_GZIP_ERROR = (
    "{name} holds more than {limit_mb:.1f} MB of CSV once decompressed; the limit is "
    "{limit_mb:.1f} MB. Upload a sample of the rows, or run the audit from the command line."
)
BINARY_FILE_ERROR = "{name} cannot be read: this looks like {kind}, not a CSV file. {advice}"
UNREADABLE_FILE_ERROR = (
    "{name} could not be opened ({detail}). Check the path and that the file is readable."
)
DECODE_ERROR = (
    "{name} starts as {encoding} text but later holds bytes that are not valid {encoding}. "
    "Save the file again as CSV UTF-8 and upload that."
)
UNCLOSED_QUOTE_ERROR = (
    '{name} has a quote (") that is never closed, starting at line {line}. '
    "Remove the stray quote or close it, then upload the file again."
)
ZIP_SEVERAL_FILES_ERROR = (
    "{name} is a zip archive of {n_files} files ({files}); FairLab reads a zip that holds "
    "one CSV file. Upload the CSV file you want on its own, or zip it alone."
)
ZIP_NOT_CSV_ERROR = (
    "{name} is a zip archive holding '{file}', which is not a CSV file. Zip the CSV file "
    "(.csv, .tsv or .txt) that holds your data, or upload it uncompressed."
)
ZIP_EMPTY_ERROR = "{name} is an empty zip archive. Zip the CSV file that holds your data."
DELIMITER_ERROR = (
    "The 'delimiter' parameter must be one of {choices} or None. Got {value!r} instead."
)
PARSE_ERROR = (
    "{name} could not be read as a table ({detail}). "
    "Check that it is a CSV export with one record per line and balanced quotes."
)

# --- Warnings ----------------------------------------------------------------------------

ENCODING_WARNING = (
    "{name} is not UTF-8, so it was read as {label}. "
    "If accented letters look wrong, save the file as CSV UTF-8 and upload it again."
)
REPLACED_BYTES_WARNING = (
    "{name} is UTF-8 but holds some bytes that are not, which were replaced with '\ufffd'. "
    "Save the file as CSV UTF-8 and upload it again to keep those characters."
)
BLANK_HEADER_WARNING = (
    "Column {position} has no name in the header row, so it is called '{new_name}'. "
    "Add a name to the header row to choose your own."
)
DUPLICATE_HEADER_WARNING = (
    "Some column names appear more than once, so they were renamed: {renames}. "
    "Rename the columns in the file if you want other names."
)
EXTRA_FIELDS_HEADER_WARNING = (
    "The header row has {n_names} names but the first data row has {n_fields} fields, "
    "so the extra columns are called {new_names}. Check the header row and the delimiter."
)
SKIPPED_ROWS_WARNING = (
    "{rows} had more fields than the header and {were} skipped (first at line {line}). "
    "Check the delimiter or quoting."
)
SHORT_ROWS_WARNING = (
    "{rows} had fewer fields than the header, so the missing fields were left empty "
    "(first at line {line}). Check the delimiter or quoting."
)
IDENTIFIER_WARNING = (
    "Column '{column}' looks like an identifier ({reason}); it is left out of the default features."
)
CONSTANT_WARNING = (
    "Column '{column}' carries no information ({reason}); it is left out of the default features."
)
TEXT_WARNING = (
    "Column '{column}' looks like free text ({reason}); it is left out of the default features."
)
DATETIME_WARNING = (
    "Column '{column}' holds dates or times ({reason}); it is left out of the default "
    "features. To use it, derive a number from it (such as a year or an age) in the file."
)
ONE_COLUMN_WARNING = (
    "{name} was read as a single column: no known delimiter was found. If it holds "
    "several columns, choose its separator (such as spaces) in the upload options, or save "
    "it with commas, semicolons, tabs or '|' between the values (the header starts "
    "{header!r})."
)
FEW_ROWS_WARNING = (
    "{name} has only {n_rows} row{s}: group metrics need many rows per group. Upload the "
    "whole file, or a larger sample of it."
)
MANY_CATEGORIES_WARNING = (
    "Column '{column}' has {n_unique} distinct values, so as a feature it becomes "
    "{n_unique} one-hot columns. Group rare values, or leave it out of the features."
)

# --- Tuning constants --------------------------------------------------------------------

_MIB = 1024 * 1024
_SAMPLE_BYTES = 64 * 1024
_SAMPLE_LINES = 100
_FULL_SAMPLE_BYTES = 1 * _MIB  # beyond this, a sample of two lines (header + a row) will do
_MAX_SAMPLE_BYTES = 16 * _MIB
_DELIMITERS = (",", ";", "\t", "|")
FEW_ROWS = 10
"""Below this many rows a file gets a warning that group metrics need more."""
_EXTRA_NA_VALUES = ("?",)
_CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")
_ENCODING_LABELS = {
    "cp1252": "Windows-1252 (cp1252)",
    "latin-1": "Latin-1 (ISO-8859-1)",
    "utf-16": "UTF-16",
}
_UNCLOSED_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")

_EXCEL_ADVICE = "In Excel, use File > Save As > CSV UTF-8 and upload that."
_CHOOSE_CSV_ADVICE = "Choose the CSV file that holds your data."
_MAGIC_KINDS: tuple[tuple[bytes, str, str], ...] = (
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "an Excel workbook (.xls) or another Microsoft Office file",
        _EXCEL_ADVICE,
    ),
    (b"\x89PNG\r\n\x1a\n", "a PNG image", _CHOOSE_CSV_ADVICE),
    (b"\xff\xd8\xff", "a JPEG image", _CHOOSE_CSV_ADVICE),
    (b"GIF87a", "a GIF image", _CHOOSE_CSV_ADVICE),
    (b"GIF89a", "a GIF image", _CHOOSE_CSV_ADVICE),
    (
        b"%PDF-",
        "a PDF document",
        "Export the table as CSV from the program that made the PDF, and upload that.",
    ),
    (
        b"PAR1",
        "a Parquet file",
        "Convert it with pandas, pd.read_parquet(path).to_csv('data.csv', index=False), "
        "and upload data.csv.",
    ),
)
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_ZIP_CSV_SUFFIXES = (".csv", ".tsv", ".txt")
_ZIP_SKIPPED = re.compile(r"(^|/)(__MACOSX/|\.)")
_GZIP_MAGIC = b"\x1f\x8b"
_GZIP_NOT_TEXT = (
    "a gzip-compressed file that does not hold text",
    "Decompress it and upload the CSV file inside, if there is one.",
)
_GZIP_DAMAGED = (
    "a damaged or incomplete gzip file",
    "Compress the CSV file again, or upload it uncompressed.",
)
_NUL_BYTES = (
    "a binary file (it contains NUL bytes)",
    "Choose a CSV text file. If it is text saved as UTF-16 without a byte order mark, "
    "save it again as CSV UTF-8.",
)

# Role inference thresholds.
_MIN_IDENTIFIER_ROWS = 20
_IDENTIFIER_DISTINCT_SHARE = 0.95
_TEXT_MIN_DISTINCT = 50
_TEXT_DISTINCT_SHARE = 0.5
_PROSE_MEAN_LENGTH = 30
_PROSE_SPACE_SHARE = 0.5
_DATETIME_PARSED_SHARE = 0.95
_MANY_CATEGORIES = 50
_ROLE_SAMPLE_SIZE = 1000
_BLOCK_VALUES = 1 << 22
_DATETIME_SAMPLE_SIZE = 200
_LISTED_VALUES = 5
_BOOLEAN_PAIRS = tuple(
    frozenset(pair)
    for pair in (("true", "false"), ("yes", "no"), ("y", "n"), ("t", "f"), ("0", "1"))
)
_IDENTIFIER_NAME = re.compile(r"^(id|uuid|key)$|[_\s.-](id|uuid|key)$", re.IGNORECASE)
_CAMEL_CASE_ID = re.compile(r"[a-z0-9](Id|ID)$")
_DATE_PREFIX = re.compile(r"\s*\d{1,4}[-/.]\d{1,2}(?:[-/.]\d{1,4})?")
_DAY_MONTH_FORMATS = (
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%m-%d-%Y",
    "%Y/%m/%d",
    "%d/%m/%y",
    "%m/%d/%y",
)


@dataclass(frozen=True)
class ColumnInfo:
    """What one column of a table looks like.

    Attributes
    ----------
    name : str
        The column name.
    role : ColumnRole
        How FairLab proposes to use the column: ``"numeric"``, ``"categorical"``,
        ``"boolean"``, ``"datetime"``, ``"text"`` (free text), ``"identifier"`` or
        ``"constant"`` (no information).
    dtype : str
        ``str(series.dtype)``.
    n_missing : int
        Number of missing values.
    n_unique : int
        Number of distinct non-missing values.
    reason : str
        One short plain sentence saying why the column got its role.
    """

    name: str
    role: ColumnRole
    dtype: str
    n_missing: int
    n_unique: int
    reason: str


@dataclass(frozen=True)
class CsvReadResult:
    """A CSV file read into a table, with what was found along the way.

    Attributes
    ----------
    frame : pandas.DataFrame
        The table. Text columns keep pandas' default ``str`` dtype; columns that look
        like dates are reported as ``"datetime"`` but not converted.
    columns : tuple of ColumnInfo
        One entry per column of ``frame``, in order.
    warnings : tuple of str
        Plain-text sentences for the user: what happened and what to do, if anything.
    encoding : str
        The text encoding used: ``"utf-8"``, ``"utf-8-sig"``, ``"utf-16"``, ``"cp1252"``
        or ``"latin-1"``.
    delimiter : str
        The field delimiter used: ``","``, ``";"``, ``"\\t"``, ``"|"`` or
        ``"whitespace"`` (runs of spaces and tabs).
    n_bytes : int
        Size of the CSV text in bytes (after decompression, for a gzip file).
    """

    frame: pd.DataFrame
    columns: tuple[ColumnInfo, ...]
    warnings: tuple[str, ...]
    encoding: str
    delimiter: str
    n_bytes: int

    def roles(self) -> dict[str, ColumnRole]:
        """Map each column name to its role.

        Returns
        -------
        dict of str to ColumnRole
            In column order.
        """
        return {column.name: column.role for column in self.columns}

    def columns_with_role(self, *roles: ColumnRole) -> list[str]:
        """Names of the columns whose role is one of ``roles``.

        Parameters
        ----------
        *roles : ColumnRole
            One or more roles.

        Returns
        -------
        list of str
            In column order.

        Raises
        ------
        ValueError
            If a role is not one of the known roles.
        """
        known = get_args(ColumnRole)
        for role in roles:
            if role not in known:
                raise ValueError(
                    f"The 'roles' parameter must hold values from {list(known)}. "
                    f"Got {role!r} instead."
                )
        return [column.name for column in self.columns if column.role in roles]


def read_csv(
    source: bytes | str | os.PathLike[str],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    name: str = "the file",
    header: bool = True,
    delimiter: Delimiter | None = None,
) -> CsvReadResult:
    """Read a CSV file robustly, and describe its columns.

    Parameters
    ----------
    source : bytes, str or os.PathLike
        The raw bytes of the file (for example a Streamlit upload), or the path of a
        ``.csv`` file, a gzip-compressed ``.csv.gz`` file or a ``.zip`` archive holding
        one CSV file. Gzip and zip are recognised by their magic bytes, not by the name.
    max_bytes : int, default 200 MiB
        Largest CSV accepted, in bytes (after decompression, for gzip).
    name : str, default "the file"
        How messages refer to the file, for example ``"'adult.csv'"``.
    header : bool, default True
        Whether the first row holds the column names. Without one, the columns are
        called ``column_1``, ``column_2``, ... and the first row is data.
    delimiter : {",", ";", "\\t", "|", "whitespace"}, optional
        The field separator; ``"whitespace"`` means runs of spaces and tabs. By default
        it is sniffed among the first four.

    Returns
    -------
    CsvReadResult
        The table, one :class:`ColumnInfo` per column, warnings for the user, and the
        encoding and delimiter that were used.

    Raises
    ------
    fairlab.errors.CsvError
        If the file is empty, has a header but no rows, is larger than ``max_bytes``,
        is not a CSV file (an Excel workbook, an image, a PDF, a zip of several files
        or of another kind of file, ...), cannot be opened or cannot be parsed as a table.
    TypeError
        If ``source`` is neither bytes nor a path.
    ValueError
        If ``max_bytes`` is not a positive integer, or ``delimiter`` is not a known one.
    """
    if not isinstance(max_bytes, int) or isinstance(max_bytes, bool) or max_bytes <= 0:
        raise ValueError(
            f"The 'max_bytes' parameter must be a positive integer. Got {max_bytes!r} instead."
        )
    if delimiter is not None and delimiter not in DELIMITERS:
        raise ValueError(DELIMITER_ERROR.format(choices=list(DELIMITERS), value=delimiter))
    source_file = _open_source(source, max_bytes=max_bytes, name=name)
    sample = source_file.sample
    is_whole = len(sample) == source_file.n_bytes
    encoding = _sniff_encoding(sample, is_whole=is_whole)
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(sample, final=is_whole)
    if not text.strip() and is_whole:
        raise CsvError(EMPTY_FILE_ERROR.format(name=name))

    if delimiter is None:
        delimiter, records = _sniff_delimiter(text, is_whole=is_whole)
    else:
        records = _sample_records(text, delimiter, is_whole=is_whole)
    if not records:
        raise CsvError(PARSE_ERROR.format(name=name, detail="no row could be read from its start"))
    if header:
        names, messages = _clean_header(records[0].fields)
        data_records = records[1:]
    else:
        names = _placeholder_names(0, max(len(r.fields) for r in records), ())
        messages = []
        data_records = records
    if data_records and len(data_records[0].fields) > len(names):
        new_names = _placeholder_names(len(names), len(data_records[0].fields), names)
        messages.append(
            EXTRA_FIELDS_HEADER_WARNING.format(
                n_names=len(names),
                n_fields=len(data_records[0].fields),
                new_names=_quoted_list(new_names),
            )
        )
        names = names + new_names

    reading = _read_frame(
        source_file,
        _ParseOptions(names=tuple(names), delimiter=delimiter, header=header),
        encoding=encoding,
        sample_is_ascii=sample.isascii(),
        name=name,
    )
    if reading.frame.empty:
        raise CsvError(HEADER_ONLY_ERROR.format(name=name))
    if reading.encoding in _ENCODING_LABELS:
        messages.append(
            ENCODING_WARNING.format(name=name, label=_ENCODING_LABELS[reading.encoding])
        )
    if reading.replaced_bytes:
        messages.append(REPLACED_BYTES_WARNING.format(name=name))
    if reading.counts is not None:
        messages.extend(reading.counts.messages())
    else:
        # pandas read every row, so none was too long: only short rows are worth a word.
        sample_counts = _count_fields(data_records, n_fields=len(names), exact=is_whole)
        messages.extend(replace(sample_counts, n_long=0).messages())

    columns = infer_column_roles(reading.frame)
    if reading.frame.shape[1] == 1:
        header = str(reading.frame.columns[0])
        messages.append(ONE_COLUMN_WARNING.format(name=name, header=header[:40]))
    if len(reading.frame) < FEW_ROWS:
        n_rows = len(reading.frame)
        messages.append(
            FEW_ROWS_WARNING.format(name=name, n_rows=n_rows, s="" if n_rows == 1 else "s")
        )
    messages.extend(_role_warnings(columns))
    return CsvReadResult(
        frame=reading.frame,
        columns=columns,
        warnings=tuple(messages),
        encoding=reading.encoding,
        delimiter=delimiter,
        n_bytes=source_file.n_bytes,
    )


def infer_column_roles(frame: pd.DataFrame) -> tuple[ColumnInfo, ...]:
    """Propose a role for every column of a table, with the reason.

    Rules, in order: ``constant`` (at most one distinct value, or entirely missing);
    ``boolean`` (two values that read as true/false, yes/no, y/n, t/f or 0/1);
    ``datetime`` (a datetime dtype, or text of which at least 95 % of a sample parses as
    ISO 8601 or a common day-first / month-first date); ``identifier`` (short text with
    at least 95 % distinct values among at least 20, or whole numbers unique in every
    row that are in order or whose name looks like an id); ``text`` (more than 50
    distinct values in more than half the rows, long or mostly with spaces);
    ``numeric`` (any other numeric dtype); ``categorical`` (everything else).

    Parameters
    ----------
    frame : pandas.DataFrame
        The table. It is not modified; date-like text is not converted.

    Returns
    -------
    tuple of ColumnInfo
        One per column, in column order.
    """
    labels = [str(label) for label in frame.columns.tolist()]
    dtypes = frame.dtypes.tolist()
    summaries = _summarize_numeric_columns(frame, dtypes)
    others = [position for position in range(len(labels)) if position not in summaries]
    if others:
        rest = frame if len(others) == len(labels) else frame.iloc[:, others]
        for position, (_, column) in zip(others, rest.items(), strict=True):
            summaries[position] = _summarize(column)
    infos = []
    for position, (label, dtype) in enumerate(zip(labels, dtypes, strict=True)):
        summary = summaries[position]
        role, reason = _infer_role(label, dtype, summary)
        infos.append(
            ColumnInfo(
                name=label,
                role=role,
                dtype=str(dtype),
                n_missing=summary.n_missing,
                n_unique=summary.n_unique,
                reason=reason,
            )
        )
    return tuple(infos)


# --- Opening the source ------------------------------------------------------------------


@dataclass(frozen=True)
class _SourceFile:
    """The CSV bytes, either in memory or on disk, and a sample of their start."""

    content: bytes | None
    path: str | None
    n_bytes: int
    sample: bytes

    def for_pandas(self) -> str | IO[bytes]:
        """A path or a fresh binary buffer; ``BytesIO(bytes)`` shares, not copies."""
        return self.path if self.path is not None else io.BytesIO(self.content or b"")

    def open_binary(self) -> IO[bytes]:
        return open(self.path, "rb") if self.path is not None else io.BytesIO(self.content or b"")


def _open_source(source: object, *, max_bytes: int, name: str) -> _SourceFile:
    if isinstance(source, bytes):
        return _source_from_bytes(source, max_bytes=max_bytes, name=name)
    if isinstance(source, str | os.PathLike):
        return _source_from_path(os.fspath(source), max_bytes=max_bytes, name=name)
    raise TypeError(
        f"The 'source' parameter must be bytes or a path. Got {type(source).__name__} instead."
    )


def _source_from_bytes(content: bytes, *, max_bytes: int, name: str) -> _SourceFile:
    if content.startswith(_GZIP_MAGIC):
        content = _gunzip(io.BytesIO(content), max_bytes=max_bytes, name=name)
    elif content.startswith(_ZIP_MAGIC) and _zip_kind_of(content) is None:
        content = _unzip_one_csv(content, max_bytes=max_bytes, name=name)
    elif len(content) > max_bytes:
        raise CsvError(_too_large_message(len(content), max_bytes, name))
    source_file = _SourceFile(
        content=content,
        path=None,
        n_bytes=len(content),
        sample=_read_sample(io.BytesIO(content)),
    )
    _check_is_text(source_file, name=name)
    return source_file


def _source_from_path(path: str, *, max_bytes: int, name: str) -> _SourceFile:
    try:
        n_bytes = os.path.getsize(path)
        with open(path, "rb") as handle:
            magic = handle.read(len(_ZIP_MAGIC[0]))
            if magic.startswith(_GZIP_MAGIC):
                handle.seek(0)
                return _source_from_bytes(
                    _gunzip(handle, max_bytes=max_bytes, name=name),
                    max_bytes=max_bytes,
                    name=name,
                )
            if magic in _ZIP_MAGIC and n_bytes <= max_bytes:
                handle.seek(0)
                return _source_from_bytes(handle.read(), max_bytes=max_bytes, name=name)
            if n_bytes > max_bytes:
                raise CsvError(_too_large_message(n_bytes, max_bytes, name))
            handle.seek(0)
            sample = _read_sample(handle)
    except OSError as error:
        raise CsvError(
            UNREADABLE_FILE_ERROR.format(name=name, detail=error.strerror or error)
        ) from error
    source_file = _SourceFile(content=None, path=path, n_bytes=n_bytes, sample=sample)
    _check_is_text(source_file, name=name)
    return source_file


def _too_large_message(n_bytes: int, max_bytes: int, name: str) -> str:
    return TOO_LARGE_ERROR.format(name=name, size_mb=n_bytes / _MIB, limit_mb=max_bytes / _MIB)


def _gunzip(handle: IO[bytes], *, max_bytes: int, name: str) -> bytes:
    """Decompress at most ``max_bytes``; refuse damaged archives and bigger contents."""
    try:
        with gzip.GzipFile(fileobj=handle, mode="rb") as archive:
            content = archive.read(max_bytes + 1)
    except (OSError, EOFError, zlib.error) as error:
        kind, advice = _GZIP_DAMAGED
        raise CsvError(BINARY_FILE_ERROR.format(name=name, kind=kind, advice=advice)) from error
    if len(content) > max_bytes:
        raise CsvError(TOO_LARGE_GZIP_ERROR.format(name=name, limit_mb=max_bytes / _MIB))
    if content.startswith(_GZIP_MAGIC) or _binary_kind(content[:_SAMPLE_BYTES]) is not None:
        kind, advice = _GZIP_NOT_TEXT
        raise CsvError(BINARY_FILE_ERROR.format(name=name, kind=kind, advice=advice))
    return content


def _zip_kind_of(content: bytes) -> tuple[str, str] | None:
    """What an Office file in zip form is (a workbook, a document); ``None`` for a plain zip."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return "a damaged zip archive", "Zip the CSV file again, or upload it uncompressed."
    return _office_kind(names)


def _unzip_one_csv(content: bytes, *, max_bytes: int, name: str) -> bytes:
    """The CSV file a zip archive holds; refuse archives of several or of other files."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        entries = [
            info
            for info in archive.infolist()
            if not info.is_dir() and not _ZIP_SKIPPED.search(info.filename)
        ]
        if not entries:
            raise CsvError(ZIP_EMPTY_ERROR.format(name=name))
        if len(entries) > 1:
            shown = _quoted_list([info.filename for info in entries[:_LISTED_VALUES]])
            more = ", …" if len(entries) > _LISTED_VALUES else ""
            raise CsvError(
                ZIP_SEVERAL_FILES_ERROR.format(name=name, n_files=len(entries), files=shown + more)
            )
        entry = entries[0]
        if not entry.filename.lower().endswith(_ZIP_CSV_SUFFIXES):
            raise CsvError(ZIP_NOT_CSV_ERROR.format(name=name, file=entry.filename))
        if entry.file_size > max_bytes:
            raise CsvError(TOO_LARGE_GZIP_ERROR.format(name=name, limit_mb=max_bytes / _MIB))
        try:
            with archive.open(entry) as member:
                inner = member.read(max_bytes + 1)
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError) as error:
            raise CsvError(
                BINARY_FILE_ERROR.format(
                    name=name,
                    kind="a damaged or encrypted zip archive",
                    advice="Zip the CSV file again without a password, or upload it uncompressed.",
                )
            ) from error
    if len(inner) > max_bytes:
        raise CsvError(TOO_LARGE_GZIP_ERROR.format(name=name, limit_mb=max_bytes / _MIB))
    return inner


def _read_sample(handle: IO[bytes]) -> bytes:
    """Read enough of the start for ~100 lines, or at least a header and one row."""
    sample = handle.read(_SAMPLE_BYTES)
    while True:
        n_lines = sample.count(b"\n")
        if n_lines >= _SAMPLE_LINES or len(sample) >= _MAX_SAMPLE_BYTES:
            return sample
        if len(sample) >= _FULL_SAMPLE_BYTES and n_lines >= 2:
            return sample
        more = handle.read(len(sample))
        if not more:
            return sample
        sample += more


def _check_is_text(source_file: _SourceFile, *, name: str) -> None:
    if source_file.n_bytes == 0:
        raise CsvError(EMPTY_FILE_ERROR.format(name=name))
    head = source_file.sample[:_SAMPLE_BYTES]
    if head.startswith(_ZIP_MAGIC):
        kind, advice = _zip_kind(source_file)
    else:
        found = _binary_kind(head)
        if found is None:
            return
        kind, advice = found
    raise CsvError(BINARY_FILE_ERROR.format(name=name, kind=kind, advice=advice))


def _binary_kind(head: bytes) -> tuple[str, str] | None:
    """What a non-text file looks like, from its first bytes; ``None`` if it may be text."""
    for magic, kind, advice in _MAGIC_KINDS:
        if head.startswith(magic):
            return kind, advice
    if head.startswith(_ZIP_MAGIC):
        return "a zip archive", "Unzip it and upload the CSV file inside."
    if head.startswith(_GZIP_MAGIC):
        return _GZIP_NOT_TEXT
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _NUL_BYTES
    return None


def _zip_kind(source_file: _SourceFile) -> tuple[str, str]:
    try:
        with zipfile.ZipFile(source_file.open_binary()) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError):
        names = []
    return _office_kind(names) or ("a zip archive", "Unzip it and upload the CSV file inside.")


def _office_kind(names: Sequence[str]) -> tuple[str, str] | None:
    if any(entry.startswith("xl/") for entry in names):
        return "an Excel workbook", _EXCEL_ADVICE
    if any(entry.startswith("word/") for entry in names):
        return (
            "a Word document",
            "Copy the table into a spreadsheet, save it as CSV UTF-8 and upload that.",
        )
    return None


# --- Sniffing the encoding, delimiter and header -----------------------------------------


def _sniff_encoding(sample: bytes, *, is_whole: bool) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=is_whole)
    except UnicodeDecodeError:
        if any(byte in sample for byte in _CP1252_UNDEFINED):
            return "latin-1"
        return "cp1252"
    return "utf-8"


@dataclass(frozen=True)
class _Record:
    line: int  # 1-based physical line on which the record starts
    fields: list[str]


def _records(lines: Iterable[str], delimiter: str) -> Iterator[_Record]:
    """Records as the csv module reads them, with ``skipinitialspace`` like pandas.

    Lines of nothing but spaces are skipped as blank, as pandas does.
    """
    if delimiter == WHITESPACE:
        lines = (line.replace("\t", " ") for line in lines)
    reader = _csv.reader(
        lines, delimiter=" " if delimiter == WHITESPACE else delimiter, skipinitialspace=True
    )
    start = 1
    try:
        for fields in reader:
            if len(fields) > 1 or (fields and fields[0].strip()):
                yield _Record(line=start, fields=fields)
            start = reader.line_num + 1
    except _csv.Error:
        return


def _sniff_delimiter(text: str, *, is_whole: bool) -> tuple[str, list[_Record]]:
    """The delimiter whose field counts are the most consistent, and the sample records.

    Only candidates giving more than one field count; ties go to more fields. A
    truncated last record is dropped. A candidate whose quotes swallow line breaks (fewer
    records than another candidate reads from the same lines) is scored down in
    proportion, since a quote that opens mid-field under the wrong delimiter never closes.
    """
    parsed = {
        delimiter: _sample_records(text, delimiter, is_whole=is_whole) for delimiter in _DELIMITERS
    }
    most_records = max((len(records) for records in parsed.values()), default=0)
    best: tuple[float, int] = (0.0, 0)
    chosen = _DELIMITERS[0]
    for delimiter, records in parsed.items():
        counts = Counter(len(record.fields) for record in records)
        if not counts:
            continue
        frequency, n_fields = max((frequency, n_fields) for n_fields, frequency in counts.items())
        score = (frequency / most_records, n_fields)
        if n_fields > 1 and score > best:
            best, chosen = score, delimiter
    return chosen, parsed[chosen]


def _sample_records(text: str, delimiter: str, *, is_whole: bool) -> list[_Record]:
    """The first records of the sample; a truncated last record is dropped."""
    lines = io.StringIO(text, newline="")
    records = list(islice(_records(lines, delimiter), _SAMPLE_LINES + 1))
    if not is_whole and len(records) > 1:
        records = records[:-1]
    return records


def _clean_header(raw_names: Sequence[str]) -> tuple[list[str], list[str]]:
    """Strip names, name blank ones ``column_<position>``, number duplicates ``name (2)``."""
    stripped = [raw.strip() for raw in raw_names]
    reserved = {name for name in stripped if name}
    used: set[str] = set()
    names: list[str] = []
    messages: list[str] = []
    renames: list[tuple[str, str]] = []
    for position, original in enumerate(stripped, start=1):
        if not original:
            new_name = _unused(f"column_{position}", used, reserved)
            messages.append(BLANK_HEADER_WARNING.format(position=position, new_name=new_name))
        elif original in used:
            new_name = _unused(original, used, reserved)
            renames.append((original, new_name))
        else:
            new_name = original
        used.add(new_name)
        names.append(new_name)
    if renames:
        described = ", ".join(f"'{old}' to '{new}'" for old, new in renames)
        messages.append(DUPLICATE_HEADER_WARNING.format(renames=described))
    return names, messages


def _unused(base: str, used: set[str], reserved: set[str]) -> str:
    if base not in used and base not in reserved:
        return base
    number = 2
    while f"{base} ({number})" in used or f"{base} ({number})" in reserved:
        number += 1
    return f"{base} ({number})"


def _placeholder_names(n_names: int, n_fields: int, names: Sequence[str]) -> list[str]:
    taken = set(names)
    new_names: list[str] = []
    for position in range(n_names + 1, n_fields + 1):
        new_name = _unused(f"column_{position}", taken, set())
        taken.add(new_name)
        new_names.append(new_name)
    return new_names


# --- Reading with pandas -----------------------------------------------------------------


@dataclass(frozen=True)
class _ParseOptions:
    names: tuple[str, ...]
    delimiter: str
    header: bool = True


@dataclass(frozen=True)
class _FieldCounts:
    """Data rows with more / fewer fields than the header, and where the first ones are."""

    n_long: int = 0
    first_long_line: int = 0
    n_short: int = 0
    first_short_line: int = 0
    exact: bool = True

    def messages(self) -> list[str]:
        messages = []
        if self.n_long:
            messages.append(
                SKIPPED_ROWS_WARNING.format(
                    rows=_rows_phrase(self.n_long, exact=True),
                    were="was" if self.n_long == 1 else "were",
                    line=self.first_long_line,
                )
            )
        if self.n_short:
            messages.append(
                SHORT_ROWS_WARNING.format(
                    rows=_rows_phrase(self.n_short, exact=self.exact),
                    line=self.first_short_line,
                )
            )
        return messages


@dataclass(frozen=True)
class _Reading:
    frame: pd.DataFrame
    encoding: str
    replaced_bytes: bool
    counts: _FieldCounts | None  # from a full pass over the file, when one was needed


def _read_frame(
    source_file: _SourceFile,
    options: _ParseOptions,
    *,
    encoding: str,
    sample_is_ascii: bool,
    name: str,
) -> _Reading:
    """Read with pandas, falling back to other encodings if a byte beyond the sample fails."""
    for attempt, errors in _decoding_attempts(encoding, sample_is_ascii=sample_is_ascii):
        try:
            frame, counts = _read_frame_with(source_file, options, attempt, errors, name=name)
        except UnicodeDecodeError:
            continue
        except pd.errors.EmptyDataError as error:
            raise CsvError(EMPTY_FILE_ERROR.format(name=name)) from error
        return _Reading(
            frame=frame, encoding=attempt, replaced_bytes=errors == "replace", counts=counts
        )
    label = _ENCODING_LABELS.get(encoding, encoding)
    raise CsvError(DECODE_ERROR.format(name=name, encoding=label))


def _decoding_attempts(encoding: str, *, sample_is_ascii: bool) -> list[tuple[str, str]]:
    """Encodings to try in order, each with its ``errors`` handler.

    A UTF-8 sample that already held non-ASCII characters means the file is UTF-8 with a
    few broken bytes: replace them rather than misread every accented letter.
    """
    if encoding in ("utf-8", "utf-8-sig"):
        if sample_is_ascii:
            return [(encoding, "strict"), ("cp1252", "strict"), ("latin-1", "strict")]
        return [(encoding, "strict"), (encoding, "replace")]
    if encoding == "cp1252":
        return [("cp1252", "strict"), ("latin-1", "strict")]
    return [(encoding, "strict")]


def _read_frame_with(
    source_file: _SourceFile, options: _ParseOptions, encoding: str, errors: str, *, name: str
) -> tuple[pd.DataFrame, _FieldCounts | None]:
    try:
        return _pandas_read(source_file, options, encoding, errors, on_bad_lines="error"), None
    except pd.errors.ParserError as error:
        if _UNCLOSED_QUOTE.search(str(error)):
            raise _parse_error(error, name) from error
        counts = _count_fields_in_file(source_file, options, encoding, errors)
        if not counts.n_long:
            raise _parse_error(error, name) from error
    try:
        return _pandas_read(source_file, options, encoding, errors, on_bad_lines="skip"), counts
    except pd.errors.ParserError as error:
        raise _parse_error(error, name) from error


def _pandas_read(
    source_file: _SourceFile,
    options: _ParseOptions,
    encoding: str,
    errors: str,
    *,
    on_bad_lines: Literal["error", "skip"],
) -> pd.DataFrame:
    """One pass of pandas' C parser; columns of mixed types are re-read as text.

    With ``low_memory`` (the default) pandas parses in chunks, and a column that is
    numeric in one chunk and text in another comes back as ``object`` holding both;
    only those columns are read again, as ``str``.
    """

    def read(**extra: object) -> pd.DataFrame:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pd.errors.DtypeWarning)
            return pd.read_csv(
                source_file.for_pandas(),
                sep=r"\s+" if options.delimiter == WHITESPACE else options.delimiter,
                names=list(options.names),
                header=0 if options.header else None,
                index_col=False,
                skipinitialspace=options.delimiter != WHITESPACE,
                na_values=list(_EXTRA_NA_VALUES),
                keep_default_na=True,
                engine="c",
                # pandas strips a UTF-8 BOM itself, and reads UTF-8 without a text layer.
                encoding="utf-8" if encoding == "utf-8-sig" else encoding,
                encoding_errors=errors,
                on_bad_lines=on_bad_lines,
                **extra,
            )

    frame = read()
    mixed = [
        column
        for column, dtype in frame.dtypes.items()
        if dtype.kind == "O" and pd.api.types.infer_dtype(frame[column]).startswith("mixed")
    ]
    if mixed:
        as_text = read(usecols=mixed, dtype=dict.fromkeys(mixed, "str"))
        for column in mixed:
            frame[column] = as_text[column]
    return frame


def _parse_error(error: pd.errors.ParserError, name: str) -> CsvError:
    unclosed = _UNCLOSED_QUOTE.search(str(error))
    if unclosed:
        return CsvError(UNCLOSED_QUOTE_ERROR.format(name=name, line=int(unclosed.group(1)) + 1))
    detail = str(error).removeprefix("Error tokenizing data. ").removeprefix("C error: ")
    return CsvError(PARSE_ERROR.format(name=name, detail=detail.rstrip(".\n ")))


def _count_fields_in_file(
    source_file: _SourceFile, options: _ParseOptions, encoding: str, errors: str
) -> _FieldCounts:
    """Count data rows with too many / too few fields, in one streaming csv-module pass."""
    with source_file.open_binary() as binary:
        text = io.TextIOWrapper(binary, encoding=encoding, errors=errors, newline="")
        records = _records(text, options.delimiter)
        if options.header:
            next(records, None)
        return _count_fields(records, n_fields=len(options.names), exact=True)


def _count_fields(records: Iterable[_Record], *, n_fields: int, exact: bool) -> _FieldCounts:
    n_long = n_short = first_long_line = first_short_line = 0
    for record in records:
        if len(record.fields) > n_fields:
            n_long += 1
            first_long_line = first_long_line or record.line
        elif len(record.fields) < n_fields:
            n_short += 1
            first_short_line = first_short_line or record.line
    return _FieldCounts(
        n_long=n_long,
        first_long_line=first_long_line,
        n_short=n_short,
        first_short_line=first_short_line,
        exact=exact,
    )


def _rows_phrase(count: int, *, exact: bool) -> str:
    rows = "1 row" if count == 1 else f"{count} rows"
    return rows if exact else f"At least {rows}"


# --- Column roles ------------------------------------------------------------------------


@dataclass(frozen=True)
class _ColumnSummary:
    """Counts for one column, and non-missing values to look at.

    ``sample`` holds the non-missing values of evenly spaced rows (every row when there
    are at most ``_ROLE_SAMPLE_SIZE``; left empty for plain numbers, which need none);
    ``distinct`` the distinct non-missing values in order of first appearance, only
    when there are at most ``_LISTED_VALUES``; ``monotonic`` whether the values never
    go down, or never go up.
    """

    n_rows: int
    n_missing: int
    n_unique: int
    sample: list[object]
    distinct: list[object]
    monotonic: bool


def _summarize_numeric_columns(
    frame: pd.DataFrame, dtypes: Sequence[object]
) -> dict[int, _ColumnSummary]:
    """Summaries of the plain numpy number columns, by position, a block at a time.

    Sorting a 2-D block and counting changes down each column is one numpy call for
    thousands of columns; blocks hold at most ``_BLOCK_VALUES`` values.
    """
    positions_by_dtype: dict[np.dtype, list[int]] = {}
    for position, dtype in enumerate(dtypes):
        if isinstance(dtype, np.dtype) and dtype.kind in "biuf":
            positions_by_dtype.setdefault(dtype, []).append(position)
    columns_per_block = max(1, _BLOCK_VALUES // max(1, len(frame)))
    summaries: dict[int, _ColumnSummary] = {}
    for dtype, positions in positions_by_dtype.items():
        for start in range(0, len(positions), columns_per_block):
            block_positions = positions[start : start + columns_per_block]
            block = frame.iloc[:, block_positions].to_numpy(dtype=dtype)
            summaries.update(zip(block_positions, _summarize_block(block), strict=True))
    return summaries


def _summarize_block(block: np.ndarray) -> list[_ColumnSummary]:
    n_rows = block.shape[0]
    ordered = np.sort(block, axis=0)  # NaN sorts last
    changes = ordered[1:] != ordered[:-1]
    if block.dtype.kind == "f":
        missing = np.isnan(block)
        n_missing = missing.sum(axis=0)
        changes &= ~np.isnan(ordered[1:])
    else:
        missing = None
        n_missing = np.zeros(block.shape[1], dtype=np.int64)
    n_unique = changes.sum(axis=0) + (n_missing < n_rows)
    is_integer = block.dtype.kind in "iu"
    summaries = []
    for index in range(block.shape[1]):
        count = int(n_unique[index])
        distinct: list[object] = []
        if count <= _LISTED_VALUES:
            uniques = pd.unique(block[:, index]).tolist()  # NaN included, at most once
            distinct = [value for value in uniques if value == value]
        summaries.append(
            _ColumnSummary(
                n_rows=n_rows,
                n_missing=int(n_missing[index]),
                n_unique=count,
                sample=[],
                distinct=distinct,
                monotonic=is_integer and count == n_rows and _is_monotonic(block[:, index]),
            )
        )
    return summaries


def _is_monotonic(values: np.ndarray) -> bool:
    return bool((values[1:] >= values[:-1]).all() or (values[1:] <= values[:-1]).all())


def _summarize(column: pd.Series) -> _ColumnSummary:
    """Count missing and distinct values of a column that is not plain numpy numbers.

    Short columns are counted with Python sets, which beat ``Series.nunique`` on a
    hundred rows; long ones with one ``Series.unique`` (pandas' hashing), and only
    evenly spaced non-missing values become Python objects.
    """
    n_rows = len(column)
    if n_rows <= _ROLE_SAMPLE_SIZE:
        sample = _present_values(column)
        distinct = list(dict.fromkeys(sample))
        n_unique = len(distinct)
        n_missing = n_rows - len(sample)
        if n_unique > _LISTED_VALUES:
            distinct = []
    else:
        uniques = column.unique()  # in order of appearance, missing values included
        present_uniques = uniques[~pd.isna(uniques)]
        n_unique = len(present_uniques)
        present_positions = np.flatnonzero(column.notna().to_numpy())
        n_missing = n_rows - present_positions.size
        step = max(1, present_positions.size // _ROLE_SAMPLE_SIZE)
        # One value at a time: slicing a pyarrow-backed column with a step copies it whole.
        sample = [column.iat[position] for position in present_positions[::step].tolist()]
        distinct = present_uniques.tolist() if n_unique <= _LISTED_VALUES else []
    return _ColumnSummary(
        n_rows=n_rows,
        n_missing=n_missing,
        n_unique=n_unique,
        sample=sample,
        distinct=distinct,
        monotonic=pd.api.types.is_integer_dtype(column.dtype)
        and n_unique == n_rows
        and (column.is_monotonic_increasing or column.is_monotonic_decreasing),
    )


def _present_values(column: pd.Series) -> list[object]:
    values = column.tolist()
    return [value for value in values if isinstance(value, str) or not _is_missing(value)]


def _is_missing(value: object) -> bool:
    """``pd.isna`` for one value without its overhead (NaN is the value unequal to itself)."""
    return value is None or value is pd.NA or value is pd.NaT or value != value


def _infer_role(name: str, dtype: object, summary: _ColumnSummary) -> tuple[ColumnRole, str]:
    if summary.n_unique == 0:
        return "constant", "entirely missing"
    if summary.n_unique == 1:
        return "constant", f"one distinct value: {_show(summary.distinct[0])}"
    if summary.n_unique == 2 and (
        pd.api.types.is_bool_dtype(dtype) or _reads_as_boolean(summary.distinct)
    ):
        return "boolean", _distinct_reason(summary)
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime", "stored as dates"
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        return _numeric_role(name, dtype, summary)
    if pd.api.types.is_string_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype):
        text_role = _text_role(summary)
        if text_role is not None:
            return text_role
    return "categorical", _distinct_reason(summary)


def _reads_as_boolean(values: Sequence[object]) -> bool:
    normalized = frozenset(_boolean_token(value) for value in values)
    return normalized in _BOOLEAN_PAIRS


def _boolean_token(value: object) -> str:
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | float | np.number) and value in (0, 1):
        return str(int(value))
    return str(value).strip().lower()


def _numeric_role(name: str, dtype: object, summary: _ColumnSummary) -> tuple[ColumnRole, str]:
    if pd.api.types.is_integer_dtype(dtype) and summary.n_unique == summary.n_rows:
        if _IDENTIFIER_NAME.search(name.strip()) or _CAMEL_CASE_ID.search(name.strip()):
            return "identifier", "unique in every row, and named like an identifier"
        if summary.n_rows >= _MIN_IDENTIFIER_ROWS and summary.monotonic:
            return "identifier", "unique in every row, in order"
    return "numeric", f"numbers with {summary.n_unique} distinct values"


def _text_role(summary: _ColumnSummary) -> tuple[ColumnRole, str] | None:
    """Datetime, identifier or free text for a text column; ``None`` for categorical."""
    texts = [value if isinstance(value, str) else str(value) for value in summary.sample]
    example = _date_example(texts)
    if example is not None:
        return "datetime", f"dates such as {_show(example)}"
    n_present = summary.n_rows - summary.n_missing
    distinct_share = summary.n_unique / n_present
    could_be_identifier = (
        n_present >= _MIN_IDENTIFIER_ROWS and distinct_share >= _IDENTIFIER_DISTINCT_SHARE
    )
    could_be_text = summary.n_unique > _TEXT_MIN_DISTINCT and distinct_share > _TEXT_DISTINCT_SHARE
    if not (could_be_identifier or could_be_text):
        return None
    mean_length = sum(map(len, texts)) / len(texts)
    space_share = sum(" " in text for text in texts) / len(texts)
    is_prose = mean_length > _PROSE_MEAN_LENGTH or space_share > _PROSE_SPACE_SHARE
    if could_be_identifier and not is_prose:
        if summary.n_unique == summary.n_rows:
            return "identifier", "unique in every row"
        if summary.n_unique == n_present:
            return "identifier", "unique in every row that has a value"
        return "identifier", f"{math.floor(distinct_share * 100)} % of the values are distinct"
    if could_be_text and is_prose:
        shape = (
            f"{mean_length:.0f} characters long on average"
            if mean_length > _PROSE_MEAN_LENGTH
            else f"{space_share:.0%} of them with spaces"
        )
        return "text", f"{summary.n_unique} distinct values, {shape}"
    return None


def _date_example(texts: Sequence[str]) -> str | None:
    """An example value if nearly all of ``texts`` (first 200) are dates, else ``None``.

    A cheap pattern check runs first, so only date-like columns reach ``pd.to_datetime``.
    """
    head = list(texts[:_DATETIME_SAMPLE_SIZE])
    if not head:
        return None
    needed = _DATETIME_PARSED_SHARE * len(head)
    allowed_misses = len(head) - needed
    misses = 0
    for text in head:
        if not _DATE_PREFIX.match(text):
            misses += 1
            if misses > allowed_misses:
                return None
    if pd.to_datetime(head, format="ISO8601", errors="coerce", utc=True).notna().sum() >= needed:
        return head[0].strip()
    for date_format in _DAY_MONTH_FORMATS:
        parsed = pd.to_datetime(head, format=date_format, errors="coerce", exact=False)
        if parsed.notna().sum() >= needed:
            return head[0].strip()
    return None


def _distinct_reason(summary: _ColumnSummary) -> str:
    if not summary.distinct:
        return f"{summary.n_unique} distinct values"
    values = ", ".join(_show(value) for value in summary.distinct)
    return f"{summary.n_unique} distinct values: {values}"


def _show(value: object, width: int = 30) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def _role_warnings(columns: Iterable[ColumnInfo]) -> list[str]:
    messages = []
    for info in columns:
        if info.role == "identifier":
            messages.append(IDENTIFIER_WARNING.format(column=info.name, reason=info.reason))
        elif info.role == "constant":
            messages.append(CONSTANT_WARNING.format(column=info.name, reason=info.reason))
        elif info.role == "text":
            messages.append(TEXT_WARNING.format(column=info.name, reason=info.reason))
        elif info.role == "datetime":
            messages.append(DATETIME_WARNING.format(column=info.name, reason=info.reason))
        elif info.role == "categorical" and info.n_unique > _MANY_CATEGORIES:
            messages.append(
                MANY_CATEGORIES_WARNING.format(column=info.name, n_unique=info.n_unique)
            )
    return messages


def _quoted_list(names: Sequence[str]) -> str:
    return ", ".join(f"'{name}'" for name in names)
