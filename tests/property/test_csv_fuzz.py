"""Property tests for fairlab.data.csv: no input crashes it, written tables come back."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from fairlab.data.csv import CsvReadResult, read_csv
from fairlab.errors import CsvError

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# NUL marks a binary file and a leading U+FEFF is a byte order mark, so neither can
# round-trip; surrogates cannot be encoded at all.
_TEXT_CHARACTERS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\ufeff")
# With minimal quoting the other candidate delimiters stay unquoted in cells and can
# make a file honestly ambiguous (every cell "a;b" in one column), so they are left
# out there and exercised with quote-all below.
_UNQUOTED_SAFE = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\ufeff;\t|")


def _cells(characters: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    text = st.text(
        st.one_of(characters, st.sampled_from([",", '"', "\n", "\r", " ", "é", "€", "漢"])),
        max_size=12,
    )
    numbers = st.one_of(
        st.integers(-(10**12), 10**12).map(str),
        st.floats(allow_nan=False, allow_infinity=False).map(repr),
    )
    return st.one_of(text, numbers)


@st.composite
def _tables(draw: st.DrawFn, characters: st.SearchStrategy[str]) -> list[list[str]]:
    n_columns = draw(st.integers(1, 5))
    header = draw(
        st.lists(
            st.text(characters, min_size=1, max_size=10).filter(lambda name: name == name.strip()),
            min_size=n_columns,
            max_size=n_columns,
            unique=True,
        )
    )
    cells = _cells(characters)
    if n_columns == 1:
        # pandas skips a line holding only spaces as blank, which is fair for one column.
        cells = cells.filter(lambda cell: cell.strip(" ") != "" or cell == "")
    rows = draw(
        st.lists(st.lists(cells, min_size=n_columns, max_size=n_columns), min_size=1, max_size=8)
    )
    return [header, *rows]


def _write(table: list[list[str]], *, quoting: int) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, quoting=quoting).writerows(table)
    return buffer.getvalue().encode("utf-8")


def _assert_round_trip(table: list[list[str]], result: CsvReadResult) -> None:
    header, *rows = table
    assert list(result.frame.columns) == header
    assert result.frame.shape == (len(rows), len(header))
    assert len(result.columns) == len(header)


@FUZZ
@given(st.binary(max_size=2048))
def test_random_bytes_raise_only_csv_errors(content: bytes) -> None:
    try:
        result = read_csv(content)
    except CsvError:
        return
    assert len(result.columns) == result.frame.shape[1]


@FUZZ
@given(st.text(st.sampled_from(list('ab1,;\t|"\n\r ?é')), max_size=200))
def test_random_csv_like_text_raises_only_csv_errors(text: str) -> None:
    try:
        result = read_csv(text.encode("utf-8"))
    except CsvError:
        return
    assert result.frame.shape[0] >= 1


@FUZZ
@given(_tables(_UNQUOTED_SAFE))
def test_written_tables_round_trip(table: list[list[str]]) -> None:
    result = read_csv(_write(table, quoting=csv.QUOTE_MINIMAL))

    _assert_round_trip(table, result)
    if len(table[0]) > 1:
        assert result.delimiter == ","


@FUZZ
@given(_tables(_TEXT_CHARACTERS))
def test_fully_quoted_tables_round_trip_with_any_characters(table: list[list[str]]) -> None:
    result = read_csv(_write(table, quoting=csv.QUOTE_ALL))

    _assert_round_trip(table, result)


@FUZZ
@given(_tables(_TEXT_CHARACTERS))
def test_tables_without_a_header_row_round_trip_with_the_option(table: list[list[str]]) -> None:
    rows = table[1:]
    # A line holding one empty field is a blank line, skipped as in any CSV reader.
    assume(len(rows[0]) > 1 or all(row[0].strip(" ") for row in rows))
    result = read_csv(_write(rows, quoting=csv.QUOTE_ALL), header=False)

    n_columns = len(rows[0])
    assert list(result.frame.columns) == [f"column_{i}" for i in range(1, n_columns + 1)]
    assert result.frame.shape == (len(rows), n_columns)


_WORDS = st.text(st.sampled_from(list("abcxyz019é.-")), min_size=1, max_size=8)


@FUZZ
@given(
    st.integers(1, 5).flatmap(
        lambda n: st.lists(st.lists(_WORDS, min_size=n, max_size=n), min_size=2, max_size=8)
    ),
    st.lists(st.sampled_from([" ", "  ", "\t", " \t "]), min_size=1, max_size=3),
)
def test_whitespace_separated_tables_round_trip(table: list[list[str]], gaps: list[str]) -> None:
    lines = [gaps[number % len(gaps)].join(row) for number, row in enumerate(table)]
    result = read_csv(("\n".join(lines) + "\n").encode(), delimiter="whitespace", header=False)
    as_commas = read_csv(_write(table, quoting=csv.QUOTE_MINIMAL), delimiter=",", header=False)
    assert result.frame.shape == (len(table), len(table[0]))
    assert result.frame.equals(as_commas.frame)
