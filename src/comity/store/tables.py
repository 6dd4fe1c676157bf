"""The schema: SQLAlchemy Core tables, one definition for SQLite and PostgreSQL.

Migrations in ``migrations/versions`` create exactly these tables; ``alembic check`` (run by the
tests) fails if the two drift apart. Indexes sit on what queries filter by: nation, year, kind.
Public records have no label (``label_id`` is NULL); a releasability label lists its targets in
``release_targets`` so that the viewer filter is one indexed ``EXISTS``.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from comity.model.kinds import KINDS

__all__ = [
    "analytic_results",
    "assessments",
    "coverage",
    "datasets",
    "dispute_years",
    "engagement_sources",
    "engagements",
    "import_runs",
    "institutions",
    "kind_check",
    "memberships",
    "metadata",
    "nation_codes",
    "nation_scores",
    "nations",
    "notes",
    "one_of",
    "organisations",
    "participants",
    "people",
    "postings",
    "programmes",
    "release_labels",
    "release_targets",
    "rivalries",
    "state_spells",
]

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

_PRECISIONS = ("day", "month", "year")

_DATASET_KEY = 54
"""The length of an import's key: a dataset name of up to 50 characters (the mapping's rule),
after ``NAT/`` when a nation's user imported it."""


def one_of(column: str, values: tuple[str, ...]) -> str:
    """Return a CHECK expression that keeps ``column`` within ``values``.

    Written as comparisons joined by OR, not ``IN (...)``: SQLite builds a lookup table for an
    ``IN`` list of three or more values each time a row is checked, which made bulk inserts of
    engagements and participations a third slower (migration 0009).
    """
    return "(" + " OR ".join(f"{column} = {value!r}" for value in values) + ")"


def kind_check(kinds: Sequence[str] = KINDS.values) -> str:
    """Return the CHECK expression that keeps ``engagements.kind`` within ``kinds``.

    The kinds are those of :data:`comity.model.kinds.KINDS`; a migration that adds one moves the
    stored CHECK from the kinds before it to those after (:mod:`comity.store.kind_check`).
    """
    return one_of("kind", tuple(kinds))


def _audit_columns() -> list[Column[object]]:
    return [
        # The nation that wrote the record: only its users change it (docs/security.md,
        # "Ownership"); empty for the installation's own (bundled datasets, the local operator).
        Column("owner_nation", String(3), ForeignKey("nations.iso3")),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("created_by", String(100), nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False),
        Column("updated_by", String(100), nullable=False),
    ]


nations = Table(
    "nations",
    metadata,
    Column("iso3", String(3), primary_key=True),
    Column("iso2", String(2)),
    Column("iso_numeric", Integer),
    Column("name", String(200), nullable=False),
    Column("official_name", String(300)),
    Column("region", String(100)),
    Column("continent", String(50)),
    Column("cow_code", Integer),
    Column("cow_abbrev", String(3)),
    Column("gw_code", Integer),
    Column("historical", Boolean, nullable=False),
    Index(None, "cow_code"),
)

state_spells = Table(
    "state_spells",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("nation", String(3), ForeignKey("nations.iso3"), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date),
    Index(None, "nation"),
)

nation_codes = Table(
    "nation_codes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("system", String(20), nullable=False),
    Column("code", String(20), nullable=False),
    Column("nation", String(3), ForeignKey("nations.iso3"), nullable=False),
    Column("valid_from", Date),
    Column("valid_to", Date),
    Index(None, "system", "code"),
    Index(None, "nation", "system"),
)

organisations = Table(
    "organisations",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(50)),
    Column("parent", String(16), ForeignKey("organisations.code")),
)

memberships = Table(
    "memberships",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("organisation", String(16), ForeignKey("organisations.code"), nullable=False),
    Column("nation", String(3), ForeignKey("nations.iso3"), nullable=False),
    Column("joined_year", Integer, nullable=False),
    Column("left_year", Integer),
    Column("note", Text),
    Index(None, "nation", "organisation"),
    Index(None, "organisation"),
    CheckConstraint("left_year IS NULL OR left_year >= joined_year", name="left_after_joined"),
)

release_labels = Table(
    "release_labels",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("label", String(500), nullable=False, unique=True),
)

release_targets = Table(
    "release_targets",
    metadata,
    Column("label_id", Integer, ForeignKey("release_labels.id"), primary_key=True),
    Column("target", String(16), primary_key=True),
    Index(None, "target"),
)

programmes = Table(
    "programmes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("kind", String(20)),
    Column("organiser", String(3), ForeignKey("nations.iso3")),
    Column("description", Text),
)

institutions = Table(
    "institutions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(300), nullable=False),
    Column("nation", String(3), ForeignKey("nations.iso3"), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("city", String(300)),
    UniqueConstraint("nation", "name"),
)

people = Table(
    "people",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(300), nullable=False),
    Column("nation", String(3), ForeignKey("nations.iso3"), nullable=False),
    Column("rank", String(300)),
    Column("service", String(300)),
    Column("label_id", Integer, ForeignKey("release_labels.id")),
    *_audit_columns(),
    Index(None, "nation"),
)

postings = Table(
    "postings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("host", String(3), ForeignKey("nations.iso3"), nullable=False),
    Column("post", String(30), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("start_precision", String(5), nullable=False),
    Column("end_date", Date),
    Column("end_precision", String(5)),
    Column("start_year", Integer, nullable=False),
    Column("end_year", Integer),
    Column("institution", String(300)),
    Column("label_id", Integer, ForeignKey("release_labels.id")),
    *_audit_columns(),
    Index(None, "person_id"),
    Index(None, "host", "start_year"),
)

engagements = Table(
    "engagements",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("title", String(300), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("start_precision", String(5), nullable=False),
    Column("end_date", Date),
    Column("end_precision", String(5)),
    Column("start_year", Integer, nullable=False),
    Column("end_year", Integer),
    Column("host", String(3), ForeignKey("nations.iso3")),
    Column("location", String(300)),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("programme_id", Integer, ForeignKey("programmes.id")),
    Column("objectives", JSON, nullable=False),
    Column("description", Text),
    Column("details", JSON(none_as_null=True)),
    Column("label_id", Integer, ForeignKey("release_labels.id")),
    # Unique per owner: one nation's ids never collide with (or reveal) another's.
    Column("external_id", String(200)),
    Column("source_dataset", String(_DATASET_KEY)),
    Column("source_version", String(64)),
    Column("source_row", String(100)),
    Column("content_hash", String(64)),
    Column("version", Integer, nullable=False),
    *_audit_columns(),
    CheckConstraint(kind_check(), name="kind"),
    CheckConstraint(one_of("start_precision", _PRECISIONS), name="start_precision"),
    UniqueConstraint("owner_nation", "external_id"),
    # The installation's records (no owner) are unique among themselves too.
    Index(
        "uq_engagements_installation_external_id",
        "external_id",
        unique=True,
        sqlite_where=text("owner_nation IS NULL"),
        postgresql_where=text("owner_nation IS NULL"),
    ),
    Index(None, "kind", "start_year"),
    Index(None, "start_year", "end_year"),
    Index(None, "start_date", "id"),
    Index(None, "programme_id"),
    Index(None, "source_dataset"),
)

participants = Table(
    "participants",
    metadata,
    Column(
        "engagement_id",
        Integer,
        ForeignKey("engagements.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("nation", String(3), ForeignKey("nations.iso3"), primary_key=True),
    Column("role", String(12), nullable=False),
    Column("personnel", Integer),
    # The engagement's start, copied so that a nation's engagements come in date order.
    Column("start_date", Date),
    CheckConstraint("personnel IS NULL OR personnel >= 0", name="personnel_not_negative"),
    CheckConstraint(one_of("role", ("host", "participant", "observer")), name="role"),
    Index(None, "nation", "start_date", "engagement_id"),
    # Clustered on its key: one B-tree fewer to write per participation.
    sqlite_with_rowid=False,
)

engagement_sources = Table(
    "engagement_sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "engagement_id",
        Integer,
        ForeignKey("engagements.id", ondelete="CASCADE"),
        nullable=False,
    ),
    # Free text a user types about the source: as long as they write it (migration 0012).
    Column("dataset", Text),
    Column("version", Text),
    Column("row", Text),
    Column("url", Text),
    Column("document", Text),
    Index(None, "engagement_id"),
    Index(None, "dataset", "row"),
)

assessments = Table(
    "assessments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "engagement_id",
        Integer,
        ForeignKey("engagements.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("assessed_on", Date, nullable=False),
    Column("objectives", JSON, nullable=False),
    Column("interoperability", Integer),
    Column("trust", Integer),
    Column("interoperability_notes", Text),
    Column("cultural_notes", Text),
    Column("lessons", Text),
    Column("follow_up", Text),
    Column("label_id", Integer, ForeignKey("release_labels.id")),
    *_audit_columns(),
    Index(None, "engagement_id"),
)

datasets = Table(
    "datasets",
    metadata,
    # The import's key: the dataset's name, after "NAT/" when a nation's user imported it (two
    # nations' datasets of one name never touch); bundled datasets belong to the installation.
    Column("name", String(_DATASET_KEY), primary_key=True),
    Column("owner_nation", String(3), ForeignKey("nations.iso3")),
    # The publisher's title and version, as free text ("peacesciencer fe150a2 (GML MID 2.2.1,
    # CoW MID 5.0, Thompson-Dreyer 2012)"); the checksum of the files is ``checksum``.
    Column("title", Text, nullable=False),
    Column("version", Text),
    Column("citation", Text),
    Column("licence", Text),
    Column("source_file", Text),
    Column("checksum", String(64)),
    Column("records", Integer, nullable=False),
    Column("first_year", Integer),
    Column("last_year", Integer),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("imported_by", String(100), nullable=False),
)

import_runs = Table(
    "import_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("dataset", String(_DATASET_KEY), nullable=False),
    Column("source_file", Text),
    Column("checksum", String(64)),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("added", Integer, nullable=False),
    Column("updated", Integer, nullable=False),
    Column("unchanged", Integer, nullable=False),
    Column("removed", Integer, nullable=False),
    Column("excluded", Integer, nullable=False),
    Index(None, "dataset"),
)

coverage = Table(
    "coverage",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("dataset", String(_DATASET_KEY), nullable=False),
    Column("nation", String(3), ForeignKey("nations.iso3")),
    Column("first_year", Integer, nullable=False),
    Column("last_year", Integer, nullable=False),
    Column("note", Text),
    # The engagement kind covered (None: not engagements, e.g. scores) and, with ``nation``,
    # which pairs: every pair, the pairs with ``nation``, or co-members of ``organisation``.
    Column("kind", String(20)),
    Column("organisation", String(16)),
    Index(None, "dataset"),
    Index(None, "nation"),
)

nation_scores = Table(
    "nation_scores",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("dataset", String(50), nullable=False),
    Column("measure", String(40), nullable=False),
    Column("nation", String(3), ForeignKey("nations.iso3"), nullable=False),
    Column("year", Integer),
    Column("value", Float, nullable=False),
    Index(None, "measure", "nation", "year"),
    Index(None, "dataset"),
)

dispute_years = Table(
    "dispute_years",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("dataset", String(50), nullable=False),
    Column("dispute", String(20), nullable=False),
    Column("nation1", String(3), ForeignKey("nations.iso3"), nullable=False),
    Column("nation2", String(3), ForeignKey("nations.iso3"), nullable=False),
    Column("year", Integer, nullable=False),
    Column("onset", Boolean, nullable=False),
    Column("hostility", Integer),
    Column("fatality", Integer),
    Column("initiator", String(3)),
    CheckConstraint("nation1 < nation2", name="pair_ordered"),
    Index(None, "nation1", "nation2", "year"),
    Index(None, "dataset"),
)

rivalries = Table(
    "rivalries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("dataset", String(50), nullable=False),
    Column("rivalry", String(20), nullable=False),
    Column("name", String(200), nullable=False),
    Column("nation1", String(3), ForeignKey("nations.iso3"), nullable=False),
    Column("nation2", String(3), ForeignKey("nations.iso3"), nullable=False),
    Column("first_year", Integer, nullable=False),
    Column("last_year", Integer, nullable=False),
    Column("region", String(100)),
    Column("types", String(200)),
    CheckConstraint("nation1 < nation2", name="pair_ordered"),
    Index(None, "nation1", "nation2"),
    Index(None, "dataset"),
)

analytic_results = Table(
    "analytic_results",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("kind", String(30), nullable=False),
    Column("method_version", String(20), nullable=False),
    Column("settings_digest", String(32), nullable=False),
    Column("data_version", String(32), nullable=False),
    Column("scope", String(16), nullable=False),
    Column("horizon", Integer, nullable=False),
    Column("path", Text, nullable=False),
    Column("rows", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index(None, "kind", "scope"),
)

notes = Table(
    "notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("nation", String(3), ForeignKey("nations.iso3"), nullable=False),
    Column("topic", String(20), nullable=False),
    Column("title", String(300), nullable=False),
    Column("body", Text, nullable=False),
    Column("label_id", Integer, ForeignKey("release_labels.id")),
    Column("version", Integer, nullable=False),
    *_audit_columns(),
    CheckConstraint(
        one_of("topic", ("customs", "etiquette", "language", "lessons", "protocol", "other")),
        name="topic",
    ),
    Index(None, "nation"),
)
