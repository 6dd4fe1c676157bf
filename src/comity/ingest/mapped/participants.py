"""The nations of the generic importer's engagements, checked for every participation at once.

A participation is a row of the long layout, or one name of the list layout's column. Each
distinct (name, year) is resolved once; the first participation (or host) that names an unknown
nation gets the resolver's message with its closest matches, later ones point back to it. Roles,
personnel, repeated nations, the host and the state-system years are then checked as the model
checks them, with its wording.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from comity.ingest.mapped.encoded import Codes, Encoded
from comity.ingest.mapped.problems import Problems, Step, flags
from comity.model.engagements import existence_problem

if TYPE_CHECKING:
    from comity.ingest.mapped.reader import Reader

__all__ = ["Participations"]

Mask = npt.NDArray[np.bool_]
_ROLES = {"host", "participant", "observer"}
_YEAR = 1 << 16  # a year fits in 16 bits: (name, year) pairs as one integer


@dataclass
class Participations:
    """Every participation of a file, ordered by engagement then as listed.

    Attributes:
        group: The engagement of each participation.
        row: The row it is reported at.
        text: Code of its nation's name in ``texts`` (-1: empty).
        texts: The distinct names.
        role: Code of its role in ``roles`` (-1: none given).
        roles: The distinct roles as written.
        count: Code of its personnel in ``counts`` (-1: none given).
        counts: The distinct personnel texts.
        column: The column the names come from.
    """

    group: Codes
    row: Codes
    text: Codes
    texts: list[str]
    role: Codes
    roles: list[str]
    count: Codes
    counts: list[str]
    column: str

    @classmethod
    def of_rows(cls, reader: Reader, order: Codes, groups: Codes) -> Participations:
        """The long layout: one participation per row, ``order`` the rows grouped."""
        p = reader.m.participants
        column = p.nation or "nation"
        nations = reader.enc(column)
        roles = reader.enc(p.role) if p.role else None
        counts = reader.enc(p.personnel) if p.personnel else None
        none = np.full(len(order), -1, dtype=np.int64)
        return cls(
            group=groups[order],
            row=order,
            text=nations.codes[order],
            texts=nations.values,
            role=roles.codes[order] if roles else none,
            roles=roles.values if roles else [],
            count=counts.codes[order] if counts else none,
            counts=counts.values if counts else [],
            column=column,
        )

    @classmethod
    def of_lists(cls, reader: Reader, heads: Codes, going: Mask) -> Participations:
        """The list layout: the names of each engagement's column, split and trimmed."""
        p = reader.m.participants
        column = p.column or ""
        listed = reader.enc(column)
        distinct: dict[str, int] = {}
        group: list[int] = []
        text: list[int] = []
        for index in np.flatnonzero(going).tolist():
            cell = listed.value(int(heads[index])) or ""
            for part in str(cell).split(p.separator):
                name = part.strip()
                if name:
                    group.append(index)
                    text.append(distinct.setdefault(name, len(distinct)))
        groups = np.array(group, dtype=np.int64)
        none = np.full(len(group), -1, dtype=np.int64)
        return cls(
            group=groups,
            row=heads[groups],
            text=np.array(text, dtype=np.int64),
            texts=list(distinct),
            role=none,
            roles=[],
            count=none,
            counts=[],
            column=column,
        )


class Checked:
    """The outcome of the participation checks, for the engagements that reached them.

    Nations are integer ids into ``keys`` (sorted, so ids sort as keys do); -1 is none.

    Attributes:
        keys: The nation keys named anywhere in the file.
        nation: Per participation, its nation's id (-1: empty or unknown).
        found: Participations that count (resolved, not a repeat).
        role: Per participation, its role's code in ``role_names`` (the model's default where
            none is given).
        personnel_values: Personnel per code of the personnel column, then None (not given).
        host: Per engagement, its host's id (given, or the one participation marked host).
    """

    def __init__(self, reader: Reader, parts: Participations, heads: Codes) -> None:
        self.reader = reader
        self.parts = parts
        self.heads = heads
        size = len(parts.group)
        self.keys: list[str] = []
        self.nation: Codes = np.full(size, -1, dtype=np.int64)
        self.found: Mask = np.zeros(size, dtype=bool)
        self.role_names: list[str] = ["host", "participant"]
        self.role: Codes = np.ones(size, dtype=np.int64)
        self.personnel_values: list[int | None] = [None]
        self.host: Codes = np.full(len(heads), -1, dtype=np.int64)
        self._resolved: dict[tuple[str, int], int] = {}
        self._answers: list[tuple[str | None, str | None]] = []

    def _resolve(self, texts: list[str], codes: Codes, years: Codes) -> Codes:
        """For each (name code, year), the index of its answer in ``self._answers``."""
        if not len(codes):
            return np.zeros(0, dtype=np.int64)
        pairs, inverse = np.unique(codes * _YEAR + years, return_inverse=True)
        found = []
        system = self.reader.m.participants.code_system
        for pair in pairs.tolist():
            key = (texts[pair // _YEAR], pair % _YEAR)
            if key not in self._resolved:
                self._resolved[key] = len(self._answers)
                self._answers.append(
                    self.reader.context.resolution(key[0], system=system, year=key[1])
                )
            found.append(self._resolved[key])
        answers: Codes = np.array(found, dtype=np.int64)[inverse.reshape(-1)]
        return answers

    def run(self, problems: Problems, going: Mask, years: Codes) -> None:
        """Check every participation (and the host) of the engagements ``going``."""
        parts, heads = self.parts, self.heads
        c = self.reader.m.columns
        host_groups = np.flatnonzero(going)
        host_answers = np.zeros(0, dtype=np.int64)
        hosts: Encoded | None = None
        if c.host is not None:
            hosts = self.reader.enc(c.host)
            codes = hosts.codes[heads[host_groups]]
            host_groups = host_groups[codes >= 0]
            host_answers = self._resolve(hosts.values, codes[codes >= 0], years[host_groups])
        else:
            host_groups = host_groups[:0]
        live = going[parts.group]
        for seq in np.flatnonzero(live & (parts.text < 0)).tolist():
            problems.add(
                int(parts.group[seq]),
                Step.PARTICIPATIONS,
                int(parts.row[seq]),
                parts.column,
                "is empty: each row names a nation",
                seq=seq,
            )
        named = np.flatnonzero(live & (parts.text >= 0))
        answers = self._resolve(parts.texts, parts.text[named], years[parts.group[named]])
        self.keys = sorted({key for key, _ in self._answers if key is not None})
        rank = {key: index for index, key in enumerate(self.keys)}
        ids = np.array(
            [-1 if key is None else rank[key] for key, _ in self._answers] + [-1], dtype=np.int64
        )
        self.host[host_groups] = ids[host_answers]
        self.nation[named] = ids[answers]
        self._unknown(problems, host_groups, host_answers, hosts, named, answers)
        self._roles(problems, named)
        self._personnel(problems, named)
        self._repeats(problems, named)

    def _unknown(
        self,
        problems: Problems,
        host_groups: Codes,
        host_answers: Codes,
        hosts: Encoded | None,
        named: Codes,
        answers: Codes,
    ) -> None:
        failed = np.array([key is None for key, _ in self._answers] + [False], dtype=bool)
        bad_hosts, bad_parts = failed[host_answers], failed[answers]
        hosts_failed, parts_failed = int(bad_hosts.sum()), int(bad_parts.sum())
        if not hosts_failed + parts_failed:
            return
        groups = np.concatenate([host_groups[bad_hosts], self.parts.group[named[bad_parts]]])
        steps = np.concatenate(
            [
                np.full(hosts_failed, Step.HOST, dtype=np.int64),
                np.full(parts_failed, Step.PARTICIPATIONS, dtype=np.int64),
            ]
        )
        seqs = np.concatenate([np.zeros(hosts_failed, dtype=np.int64), named[bad_parts]])
        which = np.concatenate([host_answers[bad_hosts], answers[bad_parts]])
        order = np.lexsort((seqs, steps, groups))
        first = np.zeros(len(which), dtype=bool)
        first[order[np.unique(which[order], return_index=True)[1]]] = True
        parts, column = self.parts, self.reader.m.columns.host or "host"
        for index in range(len(which)):
            reason = (
                str(self._answers[int(which[index])][1])
                if first[index]
                else ("unknown nation (see the first problem with this name)")
            )
            group, seq = int(groups[index]), int(seqs[index])
            if steps[index] == Step.HOST and hosts is not None:
                row = int(self.heads[group])
                problems.add(group, Step.HOST, row, column, reason, hosts.value(row))
            else:
                problems.add(
                    group,
                    Step.PARTICIPATIONS,
                    int(parts.row[seq]),
                    parts.column,
                    reason,
                    parts.texts[int(parts.text[seq])],
                    seq=seq,
                )

    def _roles(self, problems: Problems, named: Codes) -> None:
        parts = self.parts
        self.role_names = [r.lower() for r in parts.roles] + ["host", "participant"]
        invalid = np.array([r not in _ROLES for r in self.role_names[:-2]] + [False], dtype=bool)
        column = self.reader.m.participants.role
        for seq in named[invalid[parts.role[named]]].tolist():
            problems.add(
                int(parts.group[seq]),
                Step.PARTICIPATIONS,
                int(parts.row[seq]),
                column,
                "is not a role: write host, participant or observer",
                parts.roles[int(parts.role[seq])],
                seq=seq,
                sub=1,
            )
        hosting = (self.nation >= 0) & (self.nation == self.host[parts.group])
        default = np.where(hosting, len(parts.roles), len(parts.roles) + 1)
        self.role = np.where(parts.role >= 0, parts.role, default)

    def is_host(self) -> Mask:
        """Participations whose role is host."""
        names = np.array([name == "host" for name in self.role_names], dtype=bool)
        return names[self.role]

    def _personnel(self, problems: Problems, named: Codes) -> None:
        parts = self.parts
        if not parts.counts:
            return
        numbers, reasons = self.reader.personnel.per_code(parts.counts, parse_empty=False)
        self.personnel_values = numbers
        codes = parts.count[named]
        column = self.reader.m.participants.personnel
        for seq in named[flags(reasons, codes) & (codes >= 0)].tolist():
            code = int(parts.count[seq])
            problems.add(
                int(parts.group[seq]),
                Step.PARTICIPATIONS,
                int(parts.row[seq]),
                column,
                str(reasons[code]),
                parts.counts[code],
                seq=seq,
                sub=2,
            )

    def _repeats(self, problems: Problems, named: Codes) -> None:
        parts = self.parts
        resolved = named[self.nation[named] >= 0]
        self.found[resolved] = True
        if len(resolved) < 2:
            return
        ranked = resolved[np.lexsort((resolved, self.nation[resolved], parts.group[resolved]))]
        group, ids = parts.group[ranked], self.nation[ranked]
        same = (group[1:] == group[:-1]) & (ids[1:] == ids[:-1])
        repeats = np.sort(ranked[1:][same])
        self.found[repeats] = False
        for seq in repeats.tolist():
            nation = self.keys[int(self.nation[seq])]
            problems.add(
                int(parts.group[seq]),
                Step.PARTICIPATIONS,
                int(parts.row[seq]),
                parts.column,
                f"{nation} is listed more than once",
                parts.texts[int(parts.text[seq])],
                seq=seq,
                sub=3,
            )

    def check_hosts(self, problems: Problems, going: Mask) -> None:
        """The host is among the participants and the one with the role host (model rules)."""
        parts, heads, reader = self.parts, self.heads, self.reader
        where = reader.m.columns.host or reader.m.participants.role or "host"
        counted = self.found & going[parts.group]
        hosting = counted & self.is_host()
        size = len(heads)
        host_count = np.bincount(parts.group[hosting], minlength=size)
        is_host = counted & (self.nation == self.host[parts.group])
        among = np.bincount(parts.group[is_host], minlength=size) > 0
        marked = np.bincount(parts.group[is_host & hosting], minlength=size) > 0
        given = going & (self.host >= 0)
        for group in np.flatnonzero(given & ~among).tolist():
            host = self.keys[int(self.host[group])]
            problems.add(
                group,
                Step.HOST_ROLE,
                int(heads[group]),
                where,
                f"the host {host} must be among the participants",
                host,
            )
        for group in np.flatnonzero(given & among & ~((host_count == 1) & marked)).tolist():
            host = self.keys[int(self.host[group])]
            problems.add(
                group,
                Step.HOST_ROLE,
                int(heads[group]),
                where,
                f"the host {host} must be the one participant with the role host",
                host,
            )
        unnamed = going & (self.host < 0)
        single = np.flatnonzero(hosting & unnamed[parts.group])
        single = single[host_count[parts.group[single]] == 1]
        self.host[parts.group[single]] = self.nation[single]
        for group in np.flatnonzero(unnamed & (host_count > 1)).tolist():
            named = sorted(self.keys[int(n)] for n in self.nation[hosting & (parts.group == group)])
            problems.add(
                group,
                Step.HOST_ROLE,
                int(heads[group]),
                where,
                f"participants name {', '.join(named)} as host",
            )

    def check_state_system(
        self, problems: Problems, going: Mask, span: Codes, spans: list[tuple[date, date | None]]
    ) -> None:
        """Each nation was a state during its engagement (``spans[span[group]]``: first, last)."""
        parts = self.parts
        seqs = np.flatnonzero(self.found & going[parts.group])
        if not len(seqs):
            return
        pairs, inverse = np.unique(
            self.nation[seqs] * len(spans) + span[parts.group[seqs]], return_inverse=True
        )
        nations = self.reader.context.nations
        reasons: list[str | None] = []
        for pair in pairs.tolist():
            known = nations.get(self.keys[pair // len(spans)])
            first, last = spans[pair % len(spans)]
            reasons.append(
                "unknown nation" if known is None else existence_problem(known, first, last)
            )
        column = self.reader.m.participants.nation or self.reader.m.participants.column
        failing = flags(reasons, inverse.reshape(-1))
        for index in np.flatnonzero(failing).tolist():
            seq = int(seqs[index])
            group = int(parts.group[seq])
            problems.add(
                group,
                Step.STATE_SYSTEM,
                int(self.heads[group]),
                column,
                str(reasons[int(inverse.reshape(-1)[index])]),
                self.keys[int(self.nation[seq])],
                seq=seq,
            )
