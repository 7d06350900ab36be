"""Tables of the practitioners context: practitioners (with their working hours as JSON),
time off, holidays, rooms and appointment types, and the constraints that back the domain's
checks when requests race.

Working hours are stored as a JSON array on the practitioner row
(``[{"weekday": 1, "start": "09:00", "end": "12:30"}, ...]``): they are always read with the
practitioner (to build its calendar) and always replaced whole (``PUT .../working-hours``),
never queried on their own, and keeping them on the row makes them share the practitioner's
``version``, so ``If-Match`` covers them. Time off is one row per stretch with a
``tstzrange``, indexed by GiST (``btree_gist``) for the overlap queries of availability.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    SmallInteger,
    Table,
    Text,
    UniqueConstraint,
    func,
    literal_column,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSTZRANGE
from sqlalchemy.dialects.postgresql import UUID as PgUUID

from medcore.adapters.postgres.base import refuse_on
from medcore.adapters.postgres.columns import mutable, organization, timestamp
from medcore.adapters.postgres.metadata import metadata
from medcore.domain.shared.errors import conflict

practitioners = Table(
    "practitioners",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),
    organization(),
    Column("user_id", PgUUID(as_uuid=True), ForeignKey("users.id")),
    Column("given_name", Text, nullable=False),
    Column("family_name", Text, nullable=False),
    Column("specialties", ARRAY(Text), nullable=False, server_default="{}"),
    Column("licence_number", Text),
    Column("licence_expires_on", Date),
    Column("can_prescribe", Boolean, nullable=False, server_default="false"),
    Column("controlled_substances", Boolean, nullable=False, server_default="false"),
    Column("time_zone", Text, nullable=False),
    Column("buffer_minutes", SmallInteger, nullable=False, server_default="0"),
    Column("daily_capacity", SmallInteger),
    Column("working_hours", JSONB, nullable=False, server_default="[]"),
    Column("active", Boolean, nullable=False, server_default="true"),
    *mutable(),
    UniqueConstraint("organization_id", "user_id"),
    CheckConstraint("buffer_minutes BETWEEN 0 AND 120", name="buffer_minutes"),
    CheckConstraint("daily_capacity IS NULL OR daily_capacity BETWEEN 1 AND 200", name="daily_capacity"),
    CheckConstraint("can_prescribe OR NOT controlled_substances", name="controlled_substances"),
    Index("ix_practitioners_organization_id_created_at", "organization_id", "created_at", "id"),
    Index("ix_practitioners_organization_id_family_name", "organization_id", "family_name", "id"),
    Index("ix_practitioners_specialties", "specialties", postgresql_using="gin"),
    # Written as PostgreSQL reflects it, so that the schema comparison sees no change.
    Index(
        "ix_practitioners_search",
        text("to_tsvector('simple'::regconfig, (given_name || ' '::text) || family_name)"),
        postgresql_using="gin",
    ),
)

time_off = Table(
    "time_off",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),
    organization(),
    Column("practitioner_id", PgUUID(as_uuid=True), ForeignKey("practitioners.id"), nullable=False),
    Column("during", TSTZRANGE, nullable=False),
    Column("reason", Text),
    timestamp("created_at", nullable=False),
    CheckConstraint("NOT isempty(during) AND NOT lower_inf(during) AND NOT upper_inf(during)", name="during"),
    Index(
        "ix_time_off_organization_id_practitioner_id_during",
        "organization_id",
        "practitioner_id",
        "during",
        postgresql_using="gist",
    ),
)

holidays = Table(
    "holidays",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),
    organization(),
    Column("day", Date, nullable=False),
    Column("name", Text, nullable=False),
    timestamp("created_at", nullable=False),
    UniqueConstraint("organization_id", "day"),
)

rooms = Table(
    "rooms",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),
    organization(),
    Column("name", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("active", Boolean, nullable=False, server_default="true"),
    *mutable(),
    CheckConstraint("kind IN ('room', 'equipment')", name="kind"),
    Index("ix_rooms_organization_id_name", "organization_id", "name", "id"),
)

appointment_types = Table(
    "appointment_types",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),
    organization(),
    Column("name", Text, nullable=False),
    Column("default_minutes", SmallInteger, nullable=False),
    Column("min_minutes", SmallInteger, nullable=False),
    Column("max_minutes", SmallInteger, nullable=False),
    Column("colour", Text, nullable=False),
    Column("active", Boolean, nullable=False, server_default="true"),
    *mutable(),
    CheckConstraint(
        "min_minutes >= 5 AND min_minutes <= default_minutes AND default_minutes <= max_minutes AND max_minutes <= 480",
        name="durations",
    ),
    Index("ix_appointment_types_organization_id_name", "organization_id", "name", "id"),
)

# The expression of ix_practitioners_search, so that searches use the index.
PRACTITIONER_SEARCH_DOCUMENT = func.to_tsvector(
    text("'simple'"), practitioners.c.given_name.concat(literal_column("' '")).concat(practitioners.c.family_name)
)
# Names are unique without regard to case.
Index("uq_rooms_organization_id_lower_name", rooms.c.organization_id, func.lower(rooms.c.name), unique=True)
Index(
    "uq_appointment_types_organization_id_lower_name",
    appointment_types.c.organization_id,
    func.lower(appointment_types.c.name),
    unique=True,
)

refuse_on(
    "uq_practitioners_organization_id_user_id",
    conflict("practitioner.user_taken", "This account is already linked to another practitioner."),
)
refuse_on("uq_holidays_organization_id_day", conflict("holiday.day_taken", "This day is already a holiday."))
refuse_on("uq_rooms_organization_id_lower_name", conflict("room.name_taken", "A room with this name exists."))
refuse_on(
    "uq_appointment_types_organization_id_lower_name",
    conflict("appointment_type.name_taken", "An appointment type with this name exists."),
)
