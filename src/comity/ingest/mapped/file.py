"""The generic importer: a user's CSV, TSV, JSON or Parquet file, described by a TOML mapping.

Files can hold millions of participation rows, so the rules of :mod:`comity.model.engagements` are
applied column by column over all engagements at once: each column is encoded as codes into its
distinct values (:mod:`comity.ingest.mapped.encoded`), each distinct date, kind or nation name is
parsed or resolved once, and each rule is a NumPy operation whose limits are read from the model
(:mod:`comity.model.limits`). Problems come out in the order and wording of the model, engagement
by engagement (:mod:`comity.ingest.mapped.problems`; the test suite checks both agree on random
input). A file is read by a :class:`~comity.ingest.mapped.reader.Reader`: the engagement's own
fields there and in :mod:`comity.ingest.mapped.fields`, the participations in
:mod:`comity.ingest.mapped.participants`. The records come out as
:class:`~comity.model.prepared.EngagementColumns` (:mod:`comity.ingest.mapped.output`) with the
content digest the model gives, so that a later import or an edit compares equal.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from comity.ingest.base import Batch, DatasetInfo, ImportContext
from comity.ingest.mapped.coverage import mapped_coverage
from comity.ingest.mapped.mapping import Mapping
from comity.ingest.mapped.reader import Reader
from comity.ingest.mapped.tabular import read_columns
from comity.model.prepared import EngagementColumns

__all__ = ["MappedFile"]


class MappedFile:
    """An importer built from a mapping.

    Args:
        mapping: The checked mapping file.
    """

    def __init__(self, mapping: Mapping) -> None:
        self.mapping = mapping
        self.extra_names = dict(mapping.names)
        section = mapping.dataset
        self.info = DatasetInfo(
            name=section.name,
            title=section.title or section.name,
            files=(),
            citation=section.citation or "",
            licence=section.licence or "",
            version=section.version or "",
            becomes="engagements from your own file",
        )

    def read(self, paths: Sequence[Path], context: ImportContext) -> Batch:
        """Read, check and prepare every file's engagements."""
        batch = Batch()
        m = self.mapping
        found: EngagementColumns | None = None
        for path in paths:
            columns = read_columns(
                path,
                context,
                wanted=m.used_columns(),
                file_format=m.dataset.format,
                delimiter=m.dataset.delimiter,
            )
            if columns is None:
                continue
            batch.rows_read += columns.rows
            read = Reader(m, self.info.name, path.name, columns, context).run()
            if found is None:
                found = read
            else:
                _check_repeats(found, read, path.name, m.columns.id, context)
                found.extend(read)
            context.advance(columns.rows)
        if found is not None and len(found):
            batch.columns = found
            declared = mapped_coverage(m, found, context)
            if declared is not None:
                batch.coverage = declared.spans
                batch.coverage_assumed, batch.coverage_hint = declared.assumed, declared.hint
        return batch


def _check_repeats(
    earlier: EngagementColumns,
    read: EngagementColumns,
    file: str,
    column: str,
    context: ImportContext,
) -> None:
    """An id of ``read`` that an earlier file of the same import already has is a problem."""
    taken = set(earlier.external_id)
    for key, row in zip(read.external_id, read.source_row, strict=True):
        if key in taken:
            context.issue(
                file,
                int(row or 0),
                "repeats an id of an earlier file of this import",
                column=column,
                value=str(key).split(":", 1)[1],
            )
