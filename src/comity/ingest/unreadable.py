"""Files an import cannot read at all: damaged compressed data, and fields no record can hold.

A truncated or corrupt ``.gz`` or ``.zip`` is not a problem of one row that the other rows can be
checked past: what follows the damage is lost, and Python reports it as ``EOFError`` (which the
command line would otherwise take for the user closing the input, and print "Aborted."),
``zlib.error``, ``gzip.BadGzipFile`` or ``zipfile.BadZipFile``. A field of megabytes is almost
always a quote left open, which makes the rest of the file one field. Both stop the import at
once with an :class:`~comity.errors.ImportRejectedError` that names the file (and the row and
column when known) and says what to do; nothing is written.
"""

from __future__ import annotations

import gzip
import zipfile
import zlib

from comity.errors import ImportRejectedError

__all__ = ["DAMAGED", "MAX_FIELD_CHARACTERS", "damaged_file", "field_too_long"]

DAMAGED: tuple[type[Exception], ...] = (EOFError, zlib.error, gzip.BadGzipFile, zipfile.BadZipFile)
"""What Python raises while reading a truncated or corrupt compressed file."""

MAX_FIELD_CHARACTERS = 131_072
"""The longest field an import reads: Python's CSV reader refuses longer ones by default, and
the generic importer applies the same limit to every format. No field of a record comes near
it (an engagement's description, the longest, is typed in forms of 10,000 characters)."""


def damaged_file(name: str, error: BaseException) -> ImportRejectedError:
    """The error for a compressed file that ends early or is corrupt.

    Args:
        name: The file's name, as the user gave it.
        error: What the decompressor raised.
    """
    detail = str(error).strip() or type(error).__name__
    if isinstance(error, EOFError):
        what = f"it is truncated: the compressed data ends early ({detail})"
    else:
        what = f"its compressed data is damaged ({detail})"
    tool = "unzip -t" if name.lower().endswith(".zip") else "gzip -t"
    return ImportRejectedError(
        f"{name} cannot be read: {what}; nothing was written.",
        hint=f"Copy or download the file again (`{tool} {name}` checks it).",
    )


def field_too_long(
    name: str, row: int | None, column: str | None, length: int | None
) -> ImportRejectedError:
    """The error for a field longer than :data:`MAX_FIELD_CHARACTERS`.

    Args:
        name: The file's name.
        row: Its row (the header is row 1), when known.
        column: Its column, when known.
        length: Its length in characters, when known.
    """
    where = name + (f", row {row}" if row is not None else "") + (f", {column}" if column else "")
    limit = f"{MAX_FIELD_CHARACTERS:,}"
    size = (
        f"holds {length:,} characters, more than the {limit} an import reads"
        if length is not None
        else f"is longer than the {limit} characters an import reads"
    )
    return ImportRejectedError(
        f"{where}: a field {size}; nothing was written.",
        hint="A quote left open makes the rest of the file one field: check the quotes on and "
        "before that row.",
    )
