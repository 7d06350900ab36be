"""The GDPR context on Postgres: the exports' registry, the erasure log, the dossier of
everything stored about one patient, and the eraser of the data that only serves to reach
the patient."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import Table, and_, case, delete, func, literal_column, or_, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Select

from medcore.adapters.postgres.base import Repository
from medcore.adapters.postgres.clinical_tables import (
    consultation_addenda,
    consultations,
    health_reminder_deliveries,
    health_reminders,
)
from medcore.adapters.postgres.gdpr_tables import gdpr_erasures, gdpr_exports
from medcore.adapters.postgres.patient_tables import (
    patient_allergies,
    patient_conditions,
    patient_measurements,
    patient_medications,
    patient_versions,
    patients,
)
from medcore.adapters.postgres.patients import _patient, _patient_values
from medcore.adapters.postgres.prescribing_tables import (
    prescription_acknowledgements,
    prescription_items,
    prescriptions,
)
from medcore.adapters.postgres.scheduling_tables import appointment_reminders, appointments, waitlist_entries
from medcore.adapters.postgres.tables import action_tokens, audit_events, refresh_tokens, sessions, users
from medcore.domain.gdpr.erasure import PersonalData, PersonalDataFinding
from medcore.domain.gdpr.export import ExportStatus, GdprExport
from medcore.domain.gdpr.ports import AuditRedactionRefused, ErasureSubject, JsonRecord, JsonValue
from medcore.domain.patients.values import ContactChannel


class PgGdprExports(Repository):
    def __init__(self, connection: AsyncConnection) -> None:
        super().__init__(connection)

    async def add(self, export: GdprExport) -> None:
        await self._execute(
            gdpr_exports.insert().values(
                id=export.id,
                organization_id=export.organization_id,
                patient_id=export.patient_id,
                status=export.status.value,
                requested_by_type=export.requested_by_type,
                requested_by=export.requested_by,
                blob_key=export.blob_key,
                size_bytes=export.size_bytes,
                sha256=export.sha256,
                members=export.members,
                expires_at=export.expires_at,
                created_at=export.created_at,
                updated_at=export.updated_at,
                version=export.version,
            )
        )

    async def get(self, organization_id: UUID, patient_id: UUID, export_id: UUID) -> GdprExport | None:
        row = (
            (
                await self._execute(
                    select(gdpr_exports).where(
                        gdpr_exports.c.id == export_id,
                        gdpr_exports.c.organization_id == organization_id,
                        gdpr_exports.c.patient_id == patient_id,
                    )
                )
            )
            .mappings()
            .one_or_none()
        )
        if row is None:
            return None
        return GdprExport(
            id=row["id"],
            organization_id=row["organization_id"],
            patient_id=row["patient_id"],
            status=ExportStatus(row["status"]),
            requested_by_type=row["requested_by_type"],
            requested_by=row["requested_by"],
            blob_key=row["blob_key"],
            size_bytes=row["size_bytes"],
            sha256=row["sha256"],
            members=row["members"],
            created_at=row["created_at"],
            expires_at=row["expires_at"],
            updated_at=row["updated_at"],
            version=row["version"],
        )


class PgErasureLog(Repository):
    def __init__(self, connection: AsyncConnection) -> None:
        super().__init__(connection)

    async def add(
        self,
        *,
        id: UUID,
        organization_id: UUID,
        patient_id: UUID,
        requested_by_type: str,
        requested_by: UUID | None,
        summary: Mapping[str, JsonValue],
        created_at: dt.datetime,
    ) -> None:
        await self._execute(
            gdpr_erasures.insert().values(
                id=id,
                organization_id=organization_id,
                patient_id=patient_id,
                requested_by_type=requested_by_type,
                requested_by=requested_by,
                summary=dict(summary),
                created_at=created_at,
            )
        )


def json_value(value: object) -> JsonValue:
    """A stored value as JSON: ids and instants as text (instants in UTC), numbers as numbers."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_value(v) for v in value]
    return str(value)


# Never exported: secrets, and columns derived from the others (search helpers).
_WITHHELD = frozenset(
    {
        "search_text",
        "search_vector",
        "password_hash",
        "totp_secret",
        "totp_last_step",
        "recovery_code_hashes",
        "refresh_token_hash",
        "token_hash",
        "verification_hash",
        "organization_id",
    }
)


def _columns(table: Table) -> list[Any]:
    return [c for c in table.columns if c.name not in _WITHHELD]


class PgPatientDossier(Repository):
    """Reads every row about one patient, table by table (each in a stable order)."""

    def __init__(self, connection: AsyncConnection) -> None:
        super().__init__(connection)

    async def _rows(self, statement: Select[Any]) -> list[JsonRecord]:
        result = await self._execute(statement)
        return [{k: json_value(v) for k, v in row.items()} for row in result.mappings()]

    async def collect(self, organization_id: UUID, patient_id: UUID) -> Mapping[str, Sequence[JsonRecord]]:
        org = organization_id

        def own(table: Table) -> Select[Any]:
            return (
                select(*_columns(table))
                .where(table.c.organization_id == org, table.c.patient_id == patient_id)
                .order_by(table.c.created_at, table.c.id)
            )

        def child(table: Table, parent: Table, key: str, *order: Any) -> Select[Any]:
            return (
                select(*_columns(table))
                .join(parent, parent.c.id == table.c[key])
                .where(parent.c.organization_id == org, parent.c.patient_id == patient_id)
                .order_by(*order)
            )

        patient_rows = await self._rows(
            select(*_columns(patients)).where(patients.c.organization_id == org, patients.c.id == patient_id)
        )
        user_id = patient_rows[0].get("user_id") if patient_rows else None
        account: list[JsonRecord] = []
        account_sessions: list[JsonRecord] = []
        if isinstance(user_id, str):
            account = await self._rows(
                select(*_columns(users)).where(users.c.organization_id == org, users.c.id == UUID(user_id))
            )
            account_sessions = await self._rows(
                select(*_columns(sessions))
                .where(sessions.c.organization_id == org, sessions.c.user_id == UUID(user_id))
                .order_by(sessions.c.created_at, sessions.c.id)
            )
        return {
            "patient": patient_rows,
            "medical_history_versions": await self._rows(
                select(*_columns(patient_versions))
                .where(patient_versions.c.organization_id == org, patient_versions.c.patient_id == patient_id)
                .order_by(patient_versions.c.sequence)
            ),
            "allergies": await self._rows(own(patient_allergies)),
            "conditions": await self._rows(own(patient_conditions)),
            "medications": await self._rows(own(patient_medications)),
            "measurements": await self._rows(own(patient_measurements)),
            "appointments": await self._rows(own(appointments)),
            "appointment_reminders": await self._rows(
                child(appointment_reminders, appointments, "appointment_id", appointment_reminders.c.due_at)
            ),
            "waitlist_entries": await self._rows(own(waitlist_entries)),
            "consultations": await self._rows(own(consultations)),
            "consultation_addenda": await self._rows(
                child(consultation_addenda, consultations, "consultation_id", consultation_addenda.c.created_at)
            ),
            "prescriptions": await self._rows(own(prescriptions)),
            "prescription_items": await self._rows(
                child(
                    prescription_items,
                    prescriptions,
                    "prescription_id",
                    prescription_items.c.prescription_id,
                    prescription_items.c.position,
                )
            ),
            "prescription_acknowledgements": await self._rows(
                child(
                    prescription_acknowledgements,
                    prescriptions,
                    "prescription_id",
                    prescription_acknowledgements.c.prescription_id,
                    prescription_acknowledgements.c.position,
                )
            ),
            "health_reminders": await self._rows(own(health_reminders)),
            "health_reminder_deliveries": await self._rows(
                child(
                    health_reminder_deliveries,
                    health_reminders,
                    "reminder_id",
                    health_reminder_deliveries.c.occurrence_at,
                )
            ),
            "portal_account": account,
            "portal_sessions": account_sessions,
        }


_ERASED_NAME = "Erased"


class PgPersonalDataEraser(Repository):
    def __init__(self, connection: AsyncConnection) -> None:
        super().__init__(connection)

    async def subject(self, organization_id: UUID, patient_id: UUID, *, lock: bool = False) -> ErasureSubject | None:
        statement = select(patients.c.id, patients.c.user_id, patients.c.deleted_at).where(
            patients.c.organization_id == organization_id, patients.c.id == patient_id
        )
        if lock:
            statement = statement.with_for_update()
        row = (await self._execute(statement)).mappings().one_or_none()
        if row is None:
            return None
        return ErasureSubject(row["id"], row["user_id"], row["deleted_at"] is not None)

    async def _ids(self, statement: Select[Any]) -> tuple[UUID, ...]:
        return tuple(r[0] for r in (await self._execute(statement)).all())

    async def find(self, organization_id: UUID, patient_id: UUID, now: dt.datetime) -> Sequence[PersonalDataFinding]:
        org = organization_id
        row = (
            (
                await self._execute(
                    select(patients.c.email, patients.c.phone, patients.c.preferred_channel, patients.c.user_id).where(
                        patients.c.organization_id == org, patients.c.id == patient_id
                    )
                )
            )
            .mappings()
            .one_or_none()
        )
        if row is None:
            return [PersonalDataFinding(category=c) for c in PersonalData]
        contact = tuple(name for name in ("email", "phone") if row[name] is not None)
        if row["preferred_channel"] != ContactChannel.NONE.value:
            contact += ("preferred_channel",)
        user_id: UUID | None = row["user_id"]
        account = (user_id,) if user_id is not None else ()
        session_ids: tuple[UUID, ...] = ()
        addressed: tuple[UUID, ...] = ()
        if user_id is not None:
            session_ids = await self._ids(
                select(sessions.c.id).where(sessions.c.organization_id == org, sessions.c.user_id == user_id)
            ) + await self._ids(
                select(action_tokens.c.id).where(
                    action_tokens.c.organization_id == org, action_tokens.c.user_id == user_id
                )
            )
            addressed = await self._ids(
                select(audit_events.c.id)
                .where(
                    audit_events.c.organization_id == org,
                    audit_events.c.actor_id == user_id,
                    or_(audit_events.c.ip.is_not(None), audit_events.c.user_agent.is_not(None)),
                )
                .order_by(audit_events.c.sequence)
            )
        reminders = await self._ids(
            select(appointment_reminders.c.id)
            .join(appointments, appointments.c.id == appointment_reminders.c.appointment_id)
            .where(
                appointments.c.organization_id == org,
                appointments.c.patient_id == patient_id,
                appointment_reminders.c.status == "pending",
            )
            .order_by(appointment_reminders.c.id)
        ) + await self._ids(
            select(health_reminders.c.id)
            .where(
                health_reminders.c.organization_id == org,
                health_reminders.c.patient_id == patient_id,
                health_reminders.c.status == "active",
            )
            .order_by(health_reminders.c.id)
        )
        waiting = await self._ids(
            select(waitlist_entries.c.id)
            .where(waitlist_entries.c.organization_id == org, waitlist_entries.c.patient_id == patient_id)
            .order_by(waitlist_entries.c.id)
        )
        future = await self._ids(
            select(appointments.c.id)
            .where(
                appointments.c.organization_id == org,
                appointments.c.patient_id == patient_id,
                appointments.c.starts_at > now,
                or_(
                    appointments.c.status != "cancelled",
                    appointments.c.reason.is_not(None),
                    appointments.c.cancellation_note.is_not(None),
                    appointments.c.override_reason.is_not(None),
                ),
            )
            .order_by(appointments.c.starts_at, appointments.c.id)
        )
        return [
            PersonalDataFinding(
                category=PersonalData.CONTACT_DETAILS, record_ids=(patient_id,) if contact else (), fields=contact
            ),
            PersonalDataFinding(category=PersonalData.PORTAL_ACCOUNT, record_ids=account),
            PersonalDataFinding(category=PersonalData.SESSIONS, record_ids=session_ids),
            PersonalDataFinding(category=PersonalData.PENDING_REMINDERS, record_ids=reminders),
            PersonalDataFinding(category=PersonalData.WAITLIST_ENTRIES, record_ids=waiting),
            PersonalDataFinding(category=PersonalData.FUTURE_APPOINTMENTS, record_ids=future),
            PersonalDataFinding(category=PersonalData.AUDIT_ADDRESSES, record_ids=addressed),
        ]

    async def audit_events_about(self, organization_id: UUID, patient_id: UUID) -> int:
        count = await self._execute(
            select(func.count())
            .select_from(audit_events)
            .where(audit_events.c.organization_id == organization_id, audit_events.c.patient_id == patient_id)
        )
        return int(count.scalar_one())

    async def erase(
        self, organization_id: UUID, patient_id: UUID, finding: PersonalDataFinding, now: dt.datetime
    ) -> int:
        if finding.empty:
            return 0
        org = organization_id
        ids = list(finding.record_ids)
        category = finding.category
        if category is PersonalData.CONTACT_DETAILS:
            return await self._erase_contact(org, patient_id, now)
        if category is PersonalData.PORTAL_ACCOUNT:
            await self._execute(
                update(patients)
                .where(patients.c.organization_id == org, patients.c.user_id.in_(ids))
                .values(user_id=None)
            )
            result = await self._execute(
                update(users)
                .where(users.c.organization_id == org, users.c.id.in_(ids))
                .values(
                    email=func.concat("erased-", users.c.id, "@erased.invalid"),
                    given_name=_ERASED_NAME,
                    family_name=_ERASED_NAME,
                    status="deactivated",
                    password_hash=None,
                    totp_secret=None,
                    totp_confirmed_at=None,
                    totp_last_step=None,
                    recovery_code_hashes=[],
                    email_verified_at=None,
                    updated_at=now,
                    version=users.c.version + 1,
                )
            )
            return int(result.rowcount)
        if category is PersonalData.SESSIONS:
            await self._execute(delete(refresh_tokens).where(refresh_tokens.c.session_id.in_(ids)))
            deleted = await self._execute(
                delete(sessions).where(sessions.c.organization_id == org, sessions.c.id.in_(ids))
            )
            tokens = await self._execute(
                delete(action_tokens).where(action_tokens.c.organization_id == org, action_tokens.c.id.in_(ids))
            )
            return int(deleted.rowcount) + int(tokens.rowcount)
        if category is PersonalData.PENDING_REMINDERS:
            deleted = await self._execute(
                delete(appointment_reminders).where(
                    appointment_reminders.c.organization_id == org, appointment_reminders.c.id.in_(ids)
                )
            )
            # Health reminders stop (no further message); what was sent is a notification
            # record, left to its retention class.
            stopped = await self._execute(
                update(health_reminders)
                .where(health_reminders.c.organization_id == org, health_reminders.c.id.in_(ids))
                .values(
                    status="cancelled",
                    cancelled_at=now,
                    next_due_at=None,
                    updated_at=now,
                    version=health_reminders.c.version + 1,
                )
            )
            return int(deleted.rowcount) + int(stopped.rowcount)
        if category is PersonalData.WAITLIST_ENTRIES:
            result = await self._execute(
                delete(waitlist_entries).where(
                    waitlist_entries.c.organization_id == org, waitlist_entries.c.id.in_(ids)
                )
            )
            return int(result.rowcount)
        if category is PersonalData.FUTURE_APPOINTMENTS:
            await self._execute(
                delete(appointment_reminders).where(
                    appointment_reminders.c.organization_id == org, appointment_reminders.c.appointment_id.in_(ids)
                )
            )
            cancelled = appointments.c.status == "cancelled"
            result = await self._execute(
                update(appointments)
                .where(appointments.c.organization_id == org, appointments.c.id.in_(ids))
                .values(
                    status="cancelled",
                    cancellation_reason=func.coalesce(
                        appointments.c.cancellation_reason, literal_column("'patient_request'")
                    ),
                    cancelled_at=func.coalesce(appointments.c.cancelled_at, now),
                    status_changed_at=case((cancelled, appointments.c.status_changed_at), else_=now),
                    reason=None,
                    cancellation_note=None,
                    override_reason=None,
                    updated_at=now,
                    version=appointments.c.version + 1,
                )
            )
            return int(result.rowcount)
        return await self._redact_audit(org, ids)

    async def _erase_contact(self, organization_id: UUID, patient_id: UUID, now: dt.datetime) -> int:
        row = (
            (
                await self._execute(
                    select(patients).where(patients.c.organization_id == organization_id, patients.c.id == patient_id)
                )
            )
            .mappings()
            .one()
        )
        patient = _patient(row)
        patient.email = None
        patient.phone = None
        patient.preferred_channel = ContactChannel.NONE
        patient.updated_at = now
        await self._execute(
            update(patients)
            .where(patients.c.organization_id == organization_id, patients.c.id == patient_id)
            .values(**_patient_values(patient), version=patients.c.version + 1)
        )
        # Earlier versions of the record held the contact details too.
        scrubbed = text(
            "UPDATE patient_versions SET snapshot = snapshot || "
            '\'{"email": null, "phone": null, "preferred_channel": "none"}\'::jsonb '
            "WHERE organization_id = :org AND patient_id = :patient AND resource_type = 'patient'"
        )
        await self._execute(scrubbed, {"org": organization_id, "patient": patient_id})
        return 1

    async def _redact_audit(self, organization_id: UUID, ids: list[UUID]) -> int:
        """Raw IPs and user agents go; their keyed digests stay chained, so the trail still
        verifies. The trigger allows exactly this under ``medcore.audit_redaction``."""
        try:
            async with self._connection.begin_nested():
                await self._connection.execute(text("SET LOCAL medcore.audit_redaction = 'on'"))
                result = await self._connection.execute(
                    update(audit_events)
                    .where(and_(audit_events.c.organization_id == organization_id, audit_events.c.id.in_(ids)))
                    .values(ip=None, user_agent=None)
                )
                await self._connection.execute(text("SET LOCAL medcore.audit_redaction = 'off'"))
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) == "42501":  # insufficient_privilege
                raise AuditRedactionRefused(str(organization_id)) from exc
            raise
        return int(result.rowcount)
