"""Record sources: each context's records as the retention engine (and GDPR erasure) sees
them, and how each is deleted or anonymised. Registered in container.py
(``record_source_factories``); the engine knows none of them by name.

Every disposal runs with ``SET LOCAL medcore.retention = 'on'``: the clinical triggers of
migration 0005 (signed consultations frozen, addenda and deliveries append-only) let the
retention job through, and only for the current transaction.

What anonymising keeps: the rows, their ids and links (referential integrity), codes,
dates (birth dates generalised to the year), measurements and statistics; what it
removes: names, contact details, identifiers and free text."""

# ruff: noqa: S608 -- the SQL interpolates table names and fragments defined in this module, never input.
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from medcore.domain.compliance.disposal import RetentionCandidate
from medcore.domain.compliance.ports import RecordSource
from medcore.domain.compliance.retention import Disposal, RecordClass

# The last activity of each patient: the latest of a change to their record, a consultation
# and an appointment.
_PATIENT_ACTIVITY = """
    SELECT p.id AS patient_id,
           greatest(p.updated_at,
                    (SELECT max(c.started_at) FROM consultations c
                      WHERE c.organization_id = p.organization_id AND c.patient_id = p.id),
                    (SELECT max(a.starts_at) FROM appointments a
                      WHERE a.organization_id = p.organization_id AND a.patient_id = p.id
                        AND a.starts_at <= :now)) AS last_activity
      FROM patients p WHERE p.organization_id = :org
"""


def _day(value: datetime | date | None) -> date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, datetime) else value


def _jsonable(row: Mapping[str, Any]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in sorted(row.items()):
        if key in ("search_vector", "search_text"):
            continue
        if isinstance(value, (datetime, date, UUID)):
            out[key] = value.isoformat() if not isinstance(value, UUID) else str(value)
        elif isinstance(value, (list, tuple)):
            out[key] = [str(v) if isinstance(v, UUID) else v for v in value]
        else:
            out[key] = value
    return out


class _Source:
    name = ""
    record_class = RecordClass.MEDICAL_RECORD
    table = ""
    candidates_sql = ""  # selects record_id, patient_id, practitioner_ids, created, last_activity, end_of_care, birth

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def _run(self, sql: str, **params: object) -> Any:
        return await self._connection.execute(text(sql), params)

    async def candidates(
        self,
        organization_id: UUID,
        *,
        now: datetime,
        patient_id: UUID | None = None,
        created_before: date | None = None,
    ) -> Sequence[RetentionCandidate]:
        sql = f"SELECT * FROM ({self.candidates_sql}) AS candidate WHERE TRUE"
        params: dict[str, object] = {"org": organization_id, "now": now}
        if patient_id is not None:
            sql += " AND patient_id = :patient"
            params["patient"] = patient_id
        if created_before is not None:
            sql += " AND created < :before"
            params["before"] = created_before
        rows = (await self._run(sql + " ORDER BY record_id", **params)).mappings()
        return [
            RetentionCandidate(
                record_class=self.record_class,
                record_id=row["record_id"],
                patient_id=row["patient_id"],
                practitioner_ids=frozenset(p for p in (row["practitioner_ids"] or ()) if p is not None),
                created_on=_day(row["created"]) or date.min,
                last_activity_on=_day(row["last_activity"]),
                end_of_care_on=_day(row["end_of_care"]),
                patient_birth_date=row["birth_date"],
            )
            for row in rows
        ]

    async def snapshot(self, organization_id: UUID, record_id: UUID) -> Mapping[str, object] | None:
        row = (
            (
                await self._run(
                    f"SELECT * FROM {self.table} WHERE organization_id = :org AND id = :id",
                    org=organization_id,
                    id=record_id,
                )
            )
            .mappings()
            .first()
        )
        return _jsonable(row) if row is not None else None

    async def dispose(self, organization_id: UUID, record_id: UUID, action: Disposal) -> bool:
        await self._run("SET LOCAL medcore.retention = 'on'")
        exists = await self._run(
            f"SELECT 1 FROM {self.table} WHERE organization_id = :org AND id = :id FOR UPDATE",
            org=organization_id,
            id=record_id,
        )
        if exists.first() is None:
            return False
        if action is Disposal.ANONYMISE:
            await self._anonymise(organization_id, record_id)
        else:
            await self._delete(organization_id, record_id)
        return True

    async def _delete(self, organization_id: UUID, record_id: UUID) -> None:
        await self._run(
            f"DELETE FROM {self.table} WHERE organization_id = :org AND id = :id", org=organization_id, id=record_id
        )

    async def _anonymise(self, organization_id: UUID, record_id: UUID) -> None:
        await self._delete(organization_id, record_id)  # nothing worth keeping without identity


class PatientRecords(_Source):
    """The patient record (demographics, medical history, its versions). Deleting it is
    refused while other records point at it: the record classes that depend on it go first
    (their retention is never shorter in the presets); anonymising keeps the row."""

    name = "patients"
    record_class = RecordClass.MEDICAL_RECORD
    table = "patients"
    candidates_sql = f"""
        SELECT p.id AS record_id, p.id AS patient_id,
               ARRAY(SELECT DISTINCT c.practitioner_id FROM consultations c
                      WHERE c.organization_id = p.organization_id AND c.patient_id = p.id) AS practitioner_ids,
               p.created_at AS created, activity.last_activity, p.deleted_at AS end_of_care, p.birth_date
          FROM patients p JOIN ({_PATIENT_ACTIVITY}) activity ON activity.patient_id = p.id
         WHERE p.organization_id = :org
    """

    async def dispose(self, organization_id: UUID, record_id: UUID, action: Disposal) -> bool:
        if action is not Disposal.ANONYMISE and await self._referenced(organization_id, record_id):
            return False  # deleted once nothing else refers to it; until then, kept whole
        return await super().dispose(organization_id, record_id, action)

    async def _referenced(self, organization_id: UUID, record_id: UUID) -> bool:
        found = await self._run(
            """
            SELECT EXISTS (SELECT 1 FROM consultations WHERE organization_id = :org AND patient_id = :id)
                OR EXISTS (SELECT 1 FROM prescriptions WHERE organization_id = :org AND patient_id = :id)
                OR EXISTS (SELECT 1 FROM appointments WHERE organization_id = :org AND patient_id = :id)
                OR EXISTS (SELECT 1 FROM health_reminders WHERE organization_id = :org AND patient_id = :id)
                OR EXISTS (SELECT 1 FROM waitlist_entries WHERE organization_id = :org AND patient_id = :id)
            """,
            org=organization_id,
            id=record_id,
        )
        return bool(found.scalar())

    async def _anonymise(self, organization_id: UUID, record_id: UUID) -> None:
        params = {"org": organization_id, "id": record_id}
        await self._run(
            """
            UPDATE patients SET
                mrn = 'ANON-' || replace(id::text, '-', ''),
                given_name = 'Anonymised', family_name = 'Patient',
                birth_date = make_date(extract(year FROM birth_date)::int, 1, 1),
                email = NULL, phone = NULL, address_line1 = NULL, address_line2 = NULL,
                address_postal_code = NULL, address_city = NULL, time_zone = NULL, user_id = NULL,
                search_text = '', search_vector = ''::tsvector,
                deleted_at = coalesce(deleted_at, now()), updated_at = now(), version = version + 1
             WHERE organization_id = :org AND id = :id
            """,
            **params,
        )
        for statement in (
            "UPDATE patient_allergies SET reaction = NULL, end_reason = NULL WHERE organization_id = :org AND patient_id = :id",
            "UPDATE patient_conditions SET text = NULL, end_reason = NULL WHERE organization_id = :org AND patient_id = :id",
            "UPDATE patient_medications SET dose = NULL, end_reason = NULL WHERE organization_id = :org AND patient_id = :id",
            "UPDATE patient_versions SET snapshot = '{}'::jsonb WHERE organization_id = :org AND patient_id = :id",
        ):
            await self._run(statement, **params)

    async def _delete(self, organization_id: UUID, record_id: UUID) -> None:
        params = {"org": organization_id, "id": record_id}
        for table in (
            "patient_allergies",
            "patient_conditions",
            "patient_medications",
            "patient_measurements",
            "patient_versions",
        ):
            await self._run(f"DELETE FROM {table} WHERE organization_id = :org AND patient_id = :id", **params)
        await self._run("DELETE FROM patients WHERE organization_id = :org AND id = :id", **params)


class Consultations(_Source):
    """Consultations with their addenda; the period runs from the patient's last activity
    (the last visit), like the medical record's."""

    name = "consultations"
    record_class = RecordClass.CONSULTATION
    table = "consultations"
    candidates_sql = f"""
        SELECT c.id AS record_id, c.patient_id, ARRAY[c.practitioner_id] AS practitioner_ids,
               c.created_at AS created, greatest(c.updated_at, activity.last_activity) AS last_activity,
               p.deleted_at AS end_of_care, p.birth_date
          FROM consultations c
          JOIN patients p ON p.organization_id = c.organization_id AND p.id = c.patient_id
          JOIN ({_PATIENT_ACTIVITY}) activity ON activity.patient_id = c.patient_id
         WHERE c.organization_id = :org
    """

    async def _delete(self, organization_id: UUID, record_id: UUID) -> None:
        params = {"org": organization_id, "id": record_id}
        await self._run(
            "DELETE FROM consultation_addenda WHERE organization_id = :org AND consultation_id = :id", **params
        )
        await self._run(
            "UPDATE prescriptions SET consultation_id = NULL WHERE organization_id = :org AND consultation_id = :id",
            **params,
        )
        await self._run("DELETE FROM consultations WHERE organization_id = :org AND id = :id", **params)

    async def _anonymise(self, organization_id: UUID, record_id: UUID) -> None:
        """Free text goes (the reason, the notes' text, the diagnoses' wording, addenda);
        codes, vitals and dates stay."""
        params = {"org": organization_id, "id": record_id}
        await self._run(
            """
            UPDATE consultations SET
                reason = NULL,
                sections = coalesce((SELECT jsonb_agg(s || '{"text": ""}'::jsonb) FROM jsonb_array_elements(sections) s), '[]'::jsonb),
                diagnoses = coalesce((SELECT jsonb_agg(d || '{"text": null}'::jsonb) FROM jsonb_array_elements(diagnoses) d), '[]'::jsonb),
                updated_at = now(), version = version + 1
             WHERE organization_id = :org AND id = :id
            """,
            **params,
        )
        await self._run(
            "UPDATE consultation_addenda SET text = '' WHERE organization_id = :org AND consultation_id = :id", **params
        )


class Prescriptions(_Source):
    """Prescriptions with their items and acknowledgements; ``controlled`` selects those
    with at least one controlled substance (their own, longer, record class)."""

    table = "prescriptions"

    def __init__(self, connection: AsyncConnection, controlled_codes: frozenset[str], controlled: bool) -> None:
        super().__init__(connection)
        self._codes = sorted(controlled_codes)
        self._controlled = controlled
        self.name = "controlled_prescriptions" if controlled else "prescriptions"
        self.record_class = RecordClass.CONTROLLED_PRESCRIPTION if controlled else RecordClass.PRESCRIPTION
        test = "EXISTS" if controlled else "NOT EXISTS"
        self.candidates_sql = f"""
            SELECT r.id AS record_id, r.patient_id, ARRAY[r.prescriber_id] AS practitioner_ids,
                   r.created_at AS created, r.updated_at AS last_activity, NULL::timestamptz AS end_of_care,
                   p.birth_date
              FROM prescriptions r JOIN patients p ON p.id = r.patient_id
             WHERE r.organization_id = :org
               AND {test} (SELECT 1 FROM prescription_items i
                            WHERE i.prescription_id = r.id AND i.medication_code = ANY(CAST(:codes AS text[])))
        """

    async def _run(self, sql: str, **params: object) -> Any:
        if ":codes" in sql:
            params["codes"] = self._codes
        return await super()._run(sql, **params)

    async def _delete(self, organization_id: UUID, record_id: UUID) -> None:
        params = {"org": organization_id, "id": record_id}
        await self._run(
            "UPDATE prescriptions SET renewed_from_id = NULL WHERE organization_id = :org AND renewed_from_id = :id",
            **params,
        )
        await self._run(
            "UPDATE consultations SET prescription_ids = array_remove(prescription_ids, CAST(:id AS uuid)) "
            "WHERE organization_id = :org AND CAST(:id AS uuid) = ANY(prescription_ids)",
            **params,
        )
        await self._run("DELETE FROM prescriptions WHERE organization_id = :org AND id = :id", **params)

    async def _anonymise(self, organization_id: UUID, record_id: UUID) -> None:
        params = {"org": organization_id, "id": record_id}
        await self._run(
            "UPDATE prescriptions SET notes = NULL, cancellation_reason = NULL, updated_at = now(), version = version + 1 "
            "WHERE organization_id = :org AND id = :id",
            **params,
        )
        await self._run(
            "UPDATE prescription_items SET instructions = NULL WHERE organization_id = :org AND prescription_id = :id",
            **params,
        )


class Appointments(_Source):
    name = "appointments"
    record_class = RecordClass.APPOINTMENT
    table = "appointments"
    candidates_sql = """
        SELECT a.id AS record_id, a.patient_id, ARRAY[a.practitioner_id] AS practitioner_ids,
               a.created_at AS created, greatest(a.updated_at, a.starts_at) AS last_activity,
               a.ends_at AS end_of_care, p.birth_date
          FROM appointments a JOIN patients p ON p.id = a.patient_id
         WHERE a.organization_id = :org AND a.starts_at < :now
    """

    async def _anonymise(self, organization_id: UUID, record_id: UUID) -> None:
        """The free text goes (reason, notes); who, when and what stay, for statistics."""
        await self._run(
            "UPDATE appointments SET reason = NULL, cancellation_note = NULL, override_reason = NULL, "
            "updated_at = now(), version = version + 1 WHERE organization_id = :org AND id = :id",
            org=organization_id,
            id=record_id,
        )

    async def _delete(self, organization_id: UUID, record_id: UUID) -> None:
        params = {"org": organization_id, "id": record_id}
        await self._run(
            "DELETE FROM appointment_reminders WHERE organization_id = :org AND appointment_id = :id", **params
        )
        await self._run(
            "UPDATE appointments SET rescheduled_from_id = NULL WHERE organization_id = :org AND rescheduled_from_id = :id",
            **params,
        )
        await self._run(
            "UPDATE consultations SET appointment_id = NULL WHERE organization_id = :org AND appointment_id = :id",
            **params,
        )
        await self._run("DELETE FROM appointments WHERE organization_id = :org AND id = :id", **params)


class AppointmentReminders(_Source):
    """Reminders of appointments that were sent or skipped (pending ones are never due); the
    period runs from the sending (or the skipping), not from the booking that created them."""

    name = "appointment_reminders"
    record_class = RecordClass.NOTIFICATION
    table = "appointment_reminders"
    candidates_sql = """
        SELECT r.id AS record_id, a.patient_id, ARRAY[a.practitioner_id] AS practitioner_ids,
               coalesce(r.sent_at, r.updated_at) AS created, r.updated_at AS last_activity,
               coalesce(r.sent_at, r.updated_at) AS end_of_care, p.birth_date
          FROM appointment_reminders r
          JOIN appointments a ON a.id = r.appointment_id
          JOIN patients p ON p.id = a.patient_id
         WHERE r.organization_id = :org AND r.status <> 'pending'
    """


class HealthReminders(_Source):
    """Health reminders that ended or were cancelled, with their deliveries; the period runs
    from the end (an active reminder is never due)."""

    name = "health_reminders"
    record_class = RecordClass.NOTIFICATION
    table = "health_reminders"
    candidates_sql = """
        SELECT h.id AS record_id, h.patient_id, ARRAY[]::uuid[] AS practitioner_ids,
               h.updated_at AS created, h.updated_at AS last_activity, h.updated_at AS end_of_care, p.birth_date
          FROM health_reminders h JOIN patients p ON p.organization_id = h.organization_id AND p.id = h.patient_id
         WHERE h.organization_id = :org AND h.status IN ('ended', 'cancelled')
    """

    async def _delete(self, organization_id: UUID, record_id: UUID) -> None:
        params = {"org": organization_id, "id": record_id}
        await self._run(
            "DELETE FROM health_reminder_deliveries WHERE organization_id = :org AND reminder_id = :id", **params
        )
        await self._run("DELETE FROM health_reminders WHERE organization_id = :org AND id = :id", **params)


class Sessions(_Source):
    """Sessions that ended (revoked or expired) and their refresh tokens (cascade)."""

    name = "sessions"
    record_class = RecordClass.SESSION
    table = "sessions"
    candidates_sql = """
        SELECT s.id AS record_id, p.id AS patient_id, ARRAY[]::uuid[] AS practitioner_ids,
               least(coalesce(s.revoked_at, s.expires_at), s.expires_at) AS created,
               s.last_used_at AS last_activity, coalesce(s.revoked_at, s.expires_at) AS end_of_care,
               p.birth_date
          FROM sessions s
          LEFT JOIN patients p ON p.organization_id = s.organization_id AND p.user_id = s.user_id
         WHERE s.organization_id = :org AND (s.revoked_at IS NOT NULL OR s.expires_at < :now)
    """


class ActionTokens(_Source):
    """One-time tokens (email verification, password reset) used or expired."""

    name = "action_tokens"
    record_class = RecordClass.SESSION
    table = "action_tokens"
    candidates_sql = """
        SELECT t.id AS record_id, p.id AS patient_id, ARRAY[]::uuid[] AS practitioner_ids,
               least(coalesce(t.used_at, t.expires_at), t.expires_at) AS created,
               t.updated_at AS last_activity, coalesce(t.used_at, t.expires_at) AS end_of_care, p.birth_date
          FROM action_tokens t
          LEFT JOIN patients p ON p.organization_id = t.organization_id AND p.user_id = t.user_id
         WHERE t.organization_id = :org AND (t.used_at IS NOT NULL OR t.expires_at < :now)
    """

    async def snapshot(self, organization_id: UUID, record_id: UUID) -> Mapping[str, object] | None:
        found = await super().snapshot(organization_id, record_id)
        return None if found is None else {k: v for k, v in found.items() if k != "token_hash"}


def record_source_factories(controlled_codes: frozenset[str]) -> list[Callable[[AsyncConnection], RecordSource]]:
    """Every source of the contexts built so far, for the unit of work to bind."""
    return [
        PatientRecords,
        Consultations,
        lambda connection: Prescriptions(connection, controlled_codes, controlled=False),
        lambda connection: Prescriptions(connection, controlled_codes, controlled=True),
        Appointments,
        AppointmentReminders,
        HealthReminders,
        Sessions,
        ActionTokens,
    ]
