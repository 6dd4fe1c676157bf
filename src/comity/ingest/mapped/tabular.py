"""Read a user's CSV, TSV, JSON or Parquet file into columns of text, fast, noting problems.

CSV and TSV go through pyarrow's multithreaded reader with every column read as text (nothing
is guessed); JSON may be an array of objects or one object per line; Parquet columns keep their
values, turned to text when read. Line numbers count a CSV header as line 1; in JSON and Parquet
a "row" is the record's position, from 1.

A file that cannot be read at all stops the import (:mod:`comity.ingest.unreadable`): a truncated
or corrupt gzip file, or a field of a wanted column longer than any record holds. pyarrow reads
a CSV in blocks of a megabyte and refuses a row longer than one ("straddling object"): such a
file is read again in one block, so that the error names the row and column of the long field.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from comity.ingest.base import ImportContext
from comity.ingest.unreadable import DAMAGED, MAX_FIELD_CHARACTERS, damaged_file, field_too_long
from comity.model.numbers import is_whole

__all__ = ["Columns", "read_columns"]


class Columns:
    """A file read as columns of text (an Arrow table).

    Args:
        table: Every wanted column, as strings (None where empty).
        first_line: The file line (or record number) of row 0.
    """

    def __init__(self, table: Any, first_line: int) -> None:
        self.table = table
        self.rows: int = table.num_rows
        self.first_line = first_line

    def line(self, index: int) -> int:
        """The line number of row ``index``."""
        return self.first_line + index


def _format(path: Path, declared: str | None) -> str:
    if declared:
        return declared
    suffixes = [s.lower() for s in path.suffixes if s.lower() != ".gz"]
    last = suffixes[-1] if suffixes else ""
    return {
        ".tsv": "tsv",
        ".tab": "tsv",
        ".json": "json",
        ".jsonl": "jsonl",
        ".ndjson": "jsonl",
        ".parquet": "parquet",
        ".pq": "parquet",
    }.get(last, "csv")


def _raw(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def read_columns(
    path: Path,
    context: ImportContext,
    *,
    wanted: Sequence[str],
    file_format: str | None = None,
    delimiter: str | None = None,
) -> Columns | None:
    """Read ``wanted`` columns of a file; None (with issues noted) when it cannot be read.

    Args:
        path: The file.
        context: Where issues go.
        wanted: Columns to read; a missing one is an issue.
        file_format: csv, tsv, json, jsonl or parquet; from the extension when None.
        delimiter: The CSV separator (default "," for csv, tab for tsv).

    Raises:
        ImportRejectedError: When the file is a truncated or corrupt gzip file, or a wanted
            column holds a field longer than
            :data:`~comity.ingest.unreadable.MAX_FIELD_CHARACTERS`.
    """
    columns = _read(path, context, wanted, file_format, delimiter)
    if columns is not None:
        _check_lengths(columns, path.name)
    return columns


def _check_lengths(columns: Columns, name: str) -> None:
    """Refuse the first field (by row, then column) longer than an import reads."""
    import pyarrow.compute as pc

    found: tuple[int, str, int] | None = None
    for column in columns.table.column_names:
        values = columns.table.column(column)
        # Bytes are never fewer than characters: count characters only where bytes exceed.
        if (pc.max(pc.binary_length(values)).as_py() or 0) <= MAX_FIELD_CHARACTERS:
            continue
        lengths = pc.utf8_length(values)
        index = pc.index(pc.greater(lengths, MAX_FIELD_CHARACTERS), True).as_py()
        if index >= 0 and (found is None or index < found[0]):
            found = (index, column, lengths[index].as_py())
    if found is not None:
        index, column, length = found
        raise field_too_long(name, columns.line(index), column, length)


def _read(
    path: Path,
    context: ImportContext,
    wanted: Sequence[str],
    file_format: str | None,
    delimiter: str | None,
) -> Columns | None:
    kind = _format(path, file_format)
    name = path.name
    try:
        if kind == "parquet":
            return _parquet(path, context, wanted)
        raw = _raw(path)
    except DAMAGED as error:
        raise damaged_file(name, error) from None
    except OSError as error:
        context.issue(name, None, f"cannot be read: {error}")
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        context.issue(
            name,
            None,
            f"is not UTF-8 text (byte {raw[error.start]:#04x} at offset "
            f"{error.start}); save it as UTF-8",
        )
        return None
    if not text or text.isspace():
        context.issue(name, None, "the file is empty")
        return None
    if kind in {"json", "jsonl"}:
        return _json(text, kind, name, context, wanted)
    separator = delimiter or ("\t" if kind == "tsv" else ",")
    # The checked bytes go to the CSV reader as they are (no copy), without a byte order mark.
    body = memoryview(raw)[3:] if raw.startswith(codecs.BOM_UTF8) else memoryview(raw)
    end = text.find("\n")
    return _csv(text if end < 0 else text[:end], body, separator, name, context, wanted)


def _missing(
    name: str, have: Sequence[str], wanted: Sequence[str], context: ImportContext, line: int | None
) -> bool:
    missing = [c for c in wanted if c not in have]
    if missing:
        context.issue(
            name, line, f"missing column(s) {', '.join(missing)}; the file has {', '.join(have)}"
        )
    return bool(missing)


def _csv(
    first_line: str,
    body: memoryview,
    separator: str,
    name: str,
    context: ImportContext,
    wanted: Sequence[str],
) -> Columns | None:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    header = next(csv.reader(io.StringIO(first_line), delimiter=separator), [])
    header = [h.strip() for h in header]
    if _missing(name, header, wanted, context, 1):
        return None

    def read(block_size: int) -> Any:
        return pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(body)),
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1, block_size=block_size),
            parse_options=pacsv.ParseOptions(delimiter=separator),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in header},
                include_columns=list(dict.fromkeys(wanted)),
                strings_can_be_null=True,
                null_values=[""],
            ),
        )

    try:
        try:
            table = read(_BLOCK)
        except pa.ArrowInvalid as error:
            # A row longer than a block ("straddling object"; pyarrow gives the case no error
            # type of its own): read the file as one block, to find and name the long field.
            if "straddling" not in str(error) or len(body) >= _MAX_BLOCK:
                raise
            table = read(len(body) + 1)
    except pa.ArrowInvalid as error:
        context.issue(name, _line_of(str(error)), f"is not well-formed: {_tidy(str(error))}")
        return None
    return Columns(table, first_line=2)


_BLOCK = 1 << 20  # pyarrow's default: blocks are parsed in parallel
_MAX_BLOCK = (1 << 31) - 1  # its block size is a 32-bit integer


def _line_of(message: str) -> int | None:
    # pyarrow says "Row #12: ..." counting data rows from 1 after the header.
    marker = "Row #"
    if marker in message:
        digits = message.split(marker, 1)[1].split(":", 1)[0]
        if is_whole(digits):
            return int(digits) + 1
    return None


def _tidy(message: str) -> str:
    return message.replace("CSV parse error: ", "").split("\n")[0]


def _json(
    text: str, kind: str, name: str, context: ImportContext, wanted: Sequence[str]
) -> Columns | None:
    try:
        if kind == "jsonl":
            records = [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            loaded = json.loads(text)
            records = loaded if isinstance(loaded, list) else loaded.get("records", [])
    except (json.JSONDecodeError, AttributeError) as error:
        context.issue(name, getattr(error, "lineno", None), f"is not valid JSON: {error}")
        return None
    if not records:
        context.issue(name, None, "holds no records")
        return None
    if not all(isinstance(r, dict) for r in records):
        context.issue(name, None, "must be a list of objects (one per row)")
        return None
    have = list(dict.fromkeys(k for r in records for k in r))
    if _missing(name, have, wanted, context, None):
        return None
    return Columns(_strings({c: [_text(r.get(c)) for r in records] for c in wanted}), 1)


def _parquet(path: Path, context: ImportContext, wanted: Sequence[str]) -> Columns | None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
    except (pa.ArrowInvalid, OSError) as error:
        context.issue(path.name, None, f"is not a Parquet file: {_tidy(str(error))}")
        return None
    if _missing(path.name, schema.names, wanted, context, None):
        return None
    table = pq.read_table(path, columns=list(dict.fromkeys(wanted)))
    data = {c: [_text(v) for v in table.column(c).to_pylist()] for c in dict.fromkeys(wanted)}
    return Columns(_strings(data), first_line=1)


def _strings(data: dict[str, list[Any]]) -> Any:
    import pyarrow as pa

    return pa.table({name: pa.array(values, type=pa.string()) for name, values in data.items()})


def _text(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
