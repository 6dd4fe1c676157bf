"""The generic importer's accepted engagements as columns, with their content digests.

Every column is taken from the distinct values the checks worked out, code by code, and the
digest of each engagement is put together from the ``repr`` of those values
(:func:`comity.ingest.mapped.encoded.digests`), equal to the model's :func:`content_digest`.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from comity.ingest.mapped.encoded import Codes, Encoded, Field, digests
from comity.ingest.mapped.problems import objects
from comity.model.prepared import EngagementColumns, frozen

if TYPE_CHECKING:
    from comity.ingest.mapped.fields import Fields
    from comity.ingest.mapped.participants import Checked
    from comity.ingest.mapped.reader import Dates, Reader, When

__all__ = ["Output"]

Mask = npt.NDArray[np.bool_]


class Output:
    """The accepted engagements as columns, with their content digests."""

    def __init__(
        self,
        reader: Reader,
        ids: Encoded,
        checked: Checked,
        fields: Fields,
        dates: Dates,
        kinds: list[Any],
        kind: Codes,
    ) -> None:
        self.reader, self.ids, self.checked, self.fields = reader, ids, checked, fields
        self.dates, self.kinds, self.kind = dates, kinds, kind

    def columns(
        self, accepted: Mask, spans: list[tuple[date, date | None]], span: Codes
    ) -> EngagementColumns:
        """The engagements ``accepted``, with their participations, in file order."""
        reader, checked, dates, fields = self.reader, self.checked, self.dates, self.fields
        c = reader.m.columns
        chosen = np.flatnonzero(accepted)
        parts = checked.parts
        seqs = np.flatnonzero(checked.found & accepted[parts.group])
        sizes = np.bincount(parts.group[seqs], minlength=len(accepted))[chosen]
        offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        kind_values = [k.value if k is not None else "" for k in self.kinds]
        title = reader.enc(c.title) if c.title else self.ids
        title_code = title.codes[reader.heads[chosen]] if c.title else chosen
        starts = [w.text if w else "" for w in dates.starts]
        ends = [w.text if w else None for w in dates.ends]
        description = reader.enc(c.description, trim=False) if c.description else None
        description_code = (
            description.codes[reader.heads[chosen]]
            if description
            else np.full(len(chosen), -1, dtype=np.int64)
        )
        details = (
            [fields.details[g] for g in chosen.tolist()]
            if reader.m.details
            else [None] * len(chosen)
        )
        external = [f"{reader.dataset}:{key}" for key in self.ids.values]
        location, location_code = fields.texts["location"]
        programme, programme_code = fields.texts["programme"]
        host = checked.host[chosen]
        everyone = np.zeros(len(chosen), dtype=np.int64)
        digested: list[Field] = [
            (kind_values, self.kind[chosen]),
            (title.values, title_code),
            (starts, dates.start[chosen]),
            (ends, dates.end[chosen]),
            (checked.keys, host),
            (location, location_code[chosen]),
            (fields.latitude, fields.latitude_code[chosen]),
            (fields.longitude, fields.longitude_code[chosen]),
            (programme, programme_code[chosen]),
            ([()], everyone),
            (description.values if description else [], description_code),
            ([frozen(d) for d in details], np.arange(len(chosen), dtype=np.int64))
            if reader.m.details
            else ([None], everyone),
            ([()], everyone),
            ([str(reader.releasability)], everyone),
            (external, chosen),
        ]
        ranked = seqs[np.lexsort((checked.nation[seqs], parts.group[seqs]))]
        triples: list[Field] = [
            (checked.keys, checked.nation[ranked]),
            (checked.role_names, checked.role[ranked]),
            (checked.personnel_values[:-1], parts.count[ranked]),
        ]
        start, end = dates.start[chosen], dates.end[chosen]
        lasts = objects([last for _, last in spans])[span[chosen]]
        keys = objects([*checked.keys, None])
        count = len(chosen)
        return EngagementColumns(
            kind=objects(kind_values)[self.kind[chosen]].tolist(),
            title=objects(title.values)[title_code].tolist(),
            start_date=_of_dates(dates.starts, "value")[start].tolist(),
            start_precision=_of_dates(dates.starts, "precision")[start].tolist(),
            end_date=_of_dates(dates.ends, "value")[end].tolist(),
            end_precision=_of_dates(dates.ends, "precision")[end].tolist(),
            start_year=_of_dates(dates.starts, "year")[start].tolist(),
            end_year=[last.year if last else None for last in lasts.tolist()],
            host=keys[host].tolist(),
            location=objects(location)[location_code[chosen]].tolist(),
            latitude=objects(fields.latitude)[fields.latitude_code[chosen]].tolist(),
            longitude=objects(fields.longitude)[fields.longitude_code[chosen]].tolist(),
            programme=objects(programme)[programme_code[chosen]].tolist(),
            objectives=[()] * count,
            description=(
                description.objects(description_code).tolist() if description else [None] * count
            ),
            details=[{k: v for k, v in d.items() if k != "kind"} if d else None for d in details],
            releasability=[reader.releasability] * count,
            external_id=objects(external)[chosen].tolist(),
            source_dataset=[reader.dataset] * count,
            source_version=[reader.context.version] * count,
            source_row=list(map(str, (reader.heads[chosen] + reader.cols.first_line).tolist())),
            content_hash=digests(digested, triples, offsets.tolist()),
            sources=[()] * count,
            offsets=offsets.tolist(),
            nation=keys[checked.nation[seqs]].tolist(),
            role=objects(checked.role_names)[checked.role[seqs]].tolist(),
            personnel=objects(checked.personnel_values)[parts.count[seqs]].tolist(),
        )


def _of_dates(dates: list[When | None], name: str) -> npt.NDArray[np.object_]:
    """One attribute of each distinct date (None where there is none), then None for -1."""
    return objects([getattr(w, name) if w else None for w in dates] + [None])
