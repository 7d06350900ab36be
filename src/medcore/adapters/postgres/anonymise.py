"""An anonymised copy of one organization's data into another PostgreSQL database (migrated
to head), for test and demonstration data.

Identities are replaced consistently: the same person gets the same pseudonym in every
table (derived with a key drawn at random for the run, so that it cannot be recomputed
afterwards); dates of birth move by a per-patient number of days; emails, phones, addresses,
licence numbers and medical record numbers are replaced; free text (notes, reasons, SOAP
sections, instructions, addenda, reminder texts) becomes a placeholder. Ids stay as they
are, so every foreign key holds. Left behind: the audit trail, sessions, tokens, API keys,
idempotency keys, calendar feeds, GDPR exports and retention runs (secrets, or records of
the source's own history); the copy starts a trail of its own.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import Table, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from medcore.adapters.postgres.clinical_tables import (
    consultation_addenda,
    consultation_templates,
    consultations,
    health_reminder_deliveries,
    health_reminders,
)
from medcore.adapters.postgres.database import Database
from medcore.adapters.postgres.engine import create_engine
from medcore.adapters.postgres.patient_tables import (
    patient_allergies,
    patient_conditions,
    patient_measurements,
    patient_medications,
    patient_mrn_counters,
    patient_versions,
    patients,
)
from medcore.adapters.postgres.practitioner_tables import appointment_types, holidays, practitioners, rooms, time_off
from medcore.adapters.postgres.prescribing_tables import (
    prescription_acknowledgements,
    prescription_items,
    prescription_templates,
    prescriptions,
)
from medcore.adapters.postgres.scheduling_tables import appointment_reminders, appointments, waitlist_entries
from medcore.adapters.postgres.tables import organizations, users

REDACTED = "[redacted]"
_BATCH = 500

_GIVEN = (
    "Alex", "Robin", "Sam", "Charlie", "Jordan", "Morgan", "Taylor", "Casey", "Jamie", "Avery",
    "Riley", "Quinn", "Rowan", "Sasha", "Eden", "Noa", "Lou", "Kim", "Ari", "Dale",
)  # fmt: skip
_FAMILY = (
    "Ashdown", "Birchley", "Copperfield", "Dunmore", "Elmsworth", "Fairholm", "Greystone", "Hollins",
    "Ivybridge", "Juniper", "Kestrel", "Larchmont", "Millbrook", "Northcote", "Oakhurst", "Pembury",
)  # fmt: skip
_LETTERS = "bcdfghjklmnprstvz"

# Keys of JSON snapshots (the versions of the medical history) that hold free text.
_FREE_TEXT_KEYS = frozenset({"reaction", "text", "dose", "end_reason", "note", "notes", "reason"})
_IDENTITY_KEYS = ("mrn", "given_name", "family_name", "birth_date", "email", "phone", "address")

# Tables copied, in an order that satisfies their foreign keys; self references are set
# after the rows exist.
_TABLES: tuple[Table, ...] = (
    organizations,
    users,
    practitioners,
    rooms,
    appointment_types,
    holidays,
    time_off,
    patient_mrn_counters,
    patients,
    patient_allergies,
    patient_conditions,
    patient_medications,
    patient_measurements,
    patient_versions,
    consultation_templates,
    appointments,
    appointment_reminders,
    waitlist_entries,
    consultations,
    consultation_addenda,
    health_reminders,
    health_reminder_deliveries,
    prescriptions,
    prescription_items,
    prescription_acknowledgements,
    prescription_templates,
)
_SELF_REFERENCES = {"appointments": "rescheduled_from_id", "prescriptions": "renewed_from_id"}


class Pseudonyms:
    """Keyed, deterministic replacements for one run."""

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key or secrets.token_bytes(32)
        self.mrns: dict[UUID, str] = {}

    def _digest(self, kind: str, record_id: object) -> bytes:
        return hmac.new(self._key, f"{kind}:{record_id}".encode(), hashlib.sha256).digest()

    def number(self, kind: str, record_id: object) -> int:
        return int.from_bytes(self._digest(kind, record_id)[:8], "big")

    def given_name(self, person_id: object) -> str:
        return _GIVEN[self.number("given", person_id) % len(_GIVEN)]

    def family_name(self, person_id: object) -> str:
        number = self.number("family", person_id)
        suffix = "".join(_LETTERS[(number >> (5 * i)) % len(_LETTERS)] for i in range(4))
        return f"{_FAMILY[number % len(_FAMILY)]}-{suffix.capitalize()}"

    def email(self, person_id: object) -> str:
        return f"person-{self._digest('email', person_id).hex()[:12]}@example.invalid"

    def phone(self, person_id: object) -> str:
        return f"+1555{self.number('phone', person_id) % 10_000_000:07d}"

    def birth_shift(self, patient_id: object) -> timedelta:
        days = self.number("birth", patient_id) % 365 - 182
        return timedelta(days=days or 1)

    def birth_date(self, patient_id: object, original: date, today: date) -> date:
        shifted = original + self.birth_shift(patient_id)
        return shifted if shifted < today else original - abs(self.birth_shift(patient_id))

    def code(self, kind: str, record_id: object) -> str:
        return self._digest(kind, record_id).hex()[:10].upper()


def _scrub_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: (REDACTED if k in _FREE_TEXT_KEYS and isinstance(v, str) else _scrub_json(v)) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_scrub_json(v) for v in value]
    return value


def _text(value: object) -> object:
    return REDACTED if isinstance(value, str) and value else value


Row = dict[str, Any]


class PostgresAnonymisedCopy:
    """Copies one organization from the source database into a target database."""

    def __init__(self, source: Database, today: Callable[[], date], key: bytes | None = None) -> None:
        self._source = source
        self._today = today
        self._key = key

    async def copy(self, organization_id: UUID, target_url: str) -> Mapping[str, int]:
        names = Pseudonyms(self._key)
        target = create_engine(target_url, pool_size=1, max_overflow=0)
        counts: dict[str, int] = {}
        try:
            transaction = await self._source.begin()
            try:
                async with target.begin() as destination:
                    existing = await destination.execute(
                        select(organizations.c.id).where(organizations.c.id == organization_id)
                    )
                    if existing.first() is not None:
                        raise ValueError("the target database already holds this organization")
                    for table in _TABLES:
                        counts[table.name] = await self._copy_table(
                            transaction.connection, destination, table, organization_id, names
                        )
                    await destination.execute(
                        update(patients)
                        .where(patients.c.organization_id == organization_id)
                        .values(search_vector=func.to_tsvector(text("'simple'"), patients.c.search_text))
                    )
            finally:
                await transaction.close()
        finally:
            await target.dispose()
        return counts

    async def _copy_table(
        self, source: AsyncConnection, target: AsyncConnection, table: Table, organization_id: UUID, names: Pseudonyms
    ) -> int:
        key = table.c.id if table is organizations else table.c.organization_id
        order = list(table.primary_key.columns)
        self_reference = _SELF_REFERENCES.get(table.name)
        deferred: list[tuple[object, object]] = []
        copied = 0
        result = await source.stream(select(table).where(key == organization_id).order_by(*order))
        async for partition in result.mappings().partitions(_BATCH):
            rows = [self._anonymised(table, dict(row), names) for row in partition]
            if self_reference is not None:
                for row in rows:
                    if row[self_reference] is not None:
                        deferred.append((row["id"], row[self_reference]))
                        row[self_reference] = None
            await target.execute(table.insert(), rows)
            copied += len(rows)
        for record_id, reference in deferred:
            await target.execute(update(table).where(table.c.id == record_id).values({self_reference: reference}))
        return copied

    def _anonymised(self, table: Table, row: Row, names: Pseudonyms) -> Row:
        transform = _TRANSFORMS.get(table.name)
        if transform is not None:
            transform(self, row, names)
        return row

    # -- per table ---------------------------------------------------------------------

    def _users(self, row: Row, names: Pseudonyms) -> None:
        person = row["id"]
        row.update(
            email=names.email(person),
            given_name=names.given_name(person),
            family_name=names.family_name(person),
            password_hash=None,  # nobody signs in to a copy with the source's passwords
            totp_secret=None,
            totp_confirmed_at=None,
            totp_last_step=None,
            recovery_code_hashes=[],
        )

    def _practitioners(self, row: Row, names: Pseudonyms) -> None:
        person = row["user_id"] or row["id"]
        row.update(
            given_name=names.given_name(person),
            family_name=names.family_name(person),
            licence_number=f"LIC-{names.code('licence', row['id'])}" if row["licence_number"] else None,
        )

    def _identity(self, patient_id: UUID, row: Mapping[str, Any], names: Pseudonyms) -> dict[str, Any]:
        mrn = names.mrns.setdefault(patient_id, f"ANON-{len(names.mrns) + 1:06d}")
        return {
            "mrn": mrn,
            "given_name": names.given_name(patient_id),
            "family_name": names.family_name(patient_id),
            "birth_date": names.birth_date(patient_id, row["birth_date"], self._today()),
            "email": names.email(patient_id) if row["email"] else None,
            "phone": names.phone(patient_id) if row["phone"] else None,
        }

    def _patients(self, row: Row, names: Pseudonyms) -> None:
        identity = self._identity(row["id"], row, names)
        has_address = row["address_line1"] is not None
        row.update(
            identity,
            address_line1=f"{names.number('street', row['id']) % 200 + 1} Example Street" if has_address else None,
            address_line2=None,
            address_postal_code="00000" if has_address and row["address_postal_code"] else None,
            address_city="Sampleton" if has_address and row["address_city"] else None,
            search_text=" ".join(
                str(v).lower()
                for v in (identity["given_name"], identity["family_name"], identity["mrn"], identity["email"])
                if v
            ),
            search_vector="",
        )

    def _versions(self, row: Row, names: Pseudonyms) -> None:
        snapshot = dict(row["snapshot"] or {})
        if row["resource_type"] == "patient":
            patient_id = row["patient_id"]
            birth = snapshot.get("birth_date")
            original = date.fromisoformat(birth) if isinstance(birth, str) else self._today()
            identity = self._identity(
                patient_id,
                {"birth_date": original, "email": snapshot.get("email"), "phone": snapshot.get("phone")},
                names,
            )
            identity["birth_date"] = identity["birth_date"].isoformat()
            for name in _IDENTITY_KEYS:
                if name == "address":
                    snapshot[name] = {"line1": "Example Street", "city": "Sampleton"} if snapshot.get(name) else None
                elif name in snapshot:
                    snapshot[name] = identity[name]
        row["snapshot"] = _scrub_json(snapshot)

    def _consultations(self, row: Row, names: Pseudonyms) -> None:
        row["reason"] = _text(row["reason"])
        row["sections"] = [
            {**section, "text": _text(section.get("text"))} if isinstance(section, dict) else section
            for section in row["sections"] or []
        ]
        row["diagnoses"] = [
            {**d, "text": d.get("code") or REDACTED} if isinstance(d, dict) else d for d in row["diagnoses"] or []
        ]


def _free_text(*columns: str) -> Callable[[PostgresAnonymisedCopy, Row, Pseudonyms], None]:
    def scrub(copier: PostgresAnonymisedCopy, row: Row, names: Pseudonyms) -> None:
        for column in columns:
            row[column] = _text(row[column])

    return scrub


_TRANSFORMS: dict[str, Callable[[PostgresAnonymisedCopy, Row, Pseudonyms], None]] = {
    "users": PostgresAnonymisedCopy._users,
    "practitioners": PostgresAnonymisedCopy._practitioners,
    "patients": PostgresAnonymisedCopy._patients,
    "patient_versions": PostgresAnonymisedCopy._versions,
    "patient_allergies": _free_text("reaction", "end_reason"),
    "patient_conditions": _free_text("end_reason"),
    "patient_medications": _free_text("end_reason"),
    "patient_measurements": _free_text("end_reason"),
    "time_off": _free_text("reason"),
    "appointments": _free_text("reason", "override_reason", "cancellation_note"),
    "waitlist_entries": _free_text("note"),
    "consultations": PostgresAnonymisedCopy._consultations,
    "consultation_addenda": _free_text("text"),
    "health_reminders": _free_text("text"),
    "prescriptions": _free_text("notes"),
    "prescription_items": _free_text("instructions"),
    "prescription_acknowledgements": _free_text("reason"),
    "prescription_templates": _free_text("notes"),
}


def copied_tables() -> Sequence[str]:
    return [t.name for t in _TABLES]
