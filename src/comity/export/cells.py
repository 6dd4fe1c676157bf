"""CSV cells that a spreadsheet shows as text, never runs as a formula (CSV injection).

Excel, LibreOffice and Google Sheets read a cell that begins with ``=``, ``+``, ``-`` or ``@``
as a formula, and a tab or carriage return before one as the same. A title such as
``=HYPERLINK("http://example.org","Report")`` or ``=cmd|' /C calc'!A0``, typed by one user or
found in an imported file, would run on the machine of whoever opens the export. OWASP's rule
is applied to every CSV comity writes (the CLI's ``--csv``, ``comity export``, the API's exports
and the web's ``/engagements.csv``): a text cell that begins with one of those characters is
written with a ``'`` before it, which makes spreadsheets read it as text, not as a formula. The
CSV writer quotes the cell as usual afterwards. A script reading the CSV sees the ``'``; JSON and
Parquet carry the text as it is.

Only text is changed: numbers (a negative index component, a year) are written as numbers,
and so are the numeric columns of an Arrow table.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FORMULA_STARTS", "neutralise_cell", "neutralise_table"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""The first characters that make a spreadsheet read a cell as a formula (OWASP)."""

_PATTERN = "^([=+\\-@\t\r])"  # RE2: the same characters, at the start of the cell only


def neutralise_cell(value: Any) -> Any:
    """``value`` with a ``'`` before it when it is text that begins like a formula.

    Anything else (numbers, dates, None) is returned as it is.

    Example:
        >>> neutralise_cell("=SUM(1+1)"), neutralise_cell("-2+3"), neutralise_cell(-2)
        ("'=SUM(1+1)", "'-2+3", -2)
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_table(table: Any) -> Any:
    """An Arrow table whose text columns have every formula-like cell neutralised.

    String columns (and dictionary-encoded ones) are rewritten with :func:`neutralise_cell`'s
    rule; numeric, date and boolean columns are left as they are.

    Args:
        table: A ``pyarrow.Table``.

    Returns:
        The table, with the same schema.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    def rewrite(column: Any) -> Any:
        return pc.replace_substring_regex(column, pattern=_PATTERN, replacement="'\\1")

    columns = []
    for field, column in zip(table.schema, table.columns, strict=True):
        kind = field.type
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            column = rewrite(column)
        elif pa.types.is_dictionary(kind) and (
            pa.types.is_string(kind.value_type) or pa.types.is_large_string(kind.value_type)
        ):
            column = rewrite(column.cast(kind.value_type)).dictionary_encode().cast(kind)
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=table.schema)
