"""The Postgres unit of work: one transaction, repositories bound to it, audit on commit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncConnection

from medcore.adapters.postgres.audit import PgAuditTrail
from medcore.adapters.postgres.audit_checkpoints import PgAuditCheckpoints
from medcore.adapters.postgres.audit_log import PgAuditLog
from medcore.adapters.postgres.clinical import (
    PgConsultations,
    PgConsultationTemplates,
    PgHealthMetrics,
    PgHealthReminders,
    PgPrescriptionLinks,
)
from medcore.adapters.postgres.compliance import PgLegalHolds, PgRetentionLedger
from medcore.adapters.postgres.database import Database, Transaction
from medcore.adapters.postgres.gdpr import PgErasureLog, PgGdprExports, PgPatientDossier, PgPersonalDataEraser
from medcore.adapters.postgres.identity import (
    PgActionTokens,
    PgApiKeys,
    PgOrganizations,
    PgSessions,
    PgUsers,
)
from medcore.adapters.postgres.medical_history import PgMedicalHistory
from medcore.adapters.postgres.patients import PgPatients
from medcore.adapters.postgres.practitioner_resources import PgAppointmentTypes, PgRooms
from medcore.adapters.postgres.practitioners import PgHolidays, PgPractitioners, PgTimeOff
from medcore.adapters.postgres.prescribing import PgPrescriptions, PgPrescriptionTemplates
from medcore.adapters.postgres.scheduling import PgAppointments, PgCalendarFeeds, PgReminders, PgWaitlist
from medcore.adapters.security.audit_digests import development_digest_key
from medcore.domain.compliance.ports import RecordSource
from medcore.domain.shared.ports import Clock, IdGenerator

RecordSourceFactory = Callable[[AsyncConnection], RecordSource]


class SqlUnitOfWork:
    organizations: PgOrganizations
    users: PgUsers
    sessions: PgSessions
    api_keys: PgApiKeys
    action_tokens: PgActionTokens
    patients: PgPatients
    medical_history: PgMedicalHistory
    practitioners: PgPractitioners
    time_off: PgTimeOff
    holidays: PgHolidays
    rooms: PgRooms
    appointment_types: PgAppointmentTypes
    appointments: PgAppointments
    reminders: PgReminders
    waitlist: PgWaitlist
    calendar_feeds: PgCalendarFeeds
    consultations: PgConsultations
    consultation_templates: PgConsultationTemplates
    health_reminders: PgHealthReminders
    health_metrics: PgHealthMetrics
    prescription_links: PgPrescriptionLinks
    prescriptions: PgPrescriptions
    prescription_templates: PgPrescriptionTemplates
    audit: PgAuditTrail
    audit_log: PgAuditLog
    audit_checkpoints: PgAuditCheckpoints
    legal_holds: PgLegalHolds
    retention_ledger: PgRetentionLedger
    record_sources: Sequence[RecordSource]
    gdpr_exports: PgGdprExports
    gdpr_erasures: PgErasureLog
    patient_dossier: PgPatientDossier
    personal_data: PgPersonalDataEraser

    def __init__(
        self,
        database: Database,
        clock: Clock,
        ids: IdGenerator,
        digest_key: Callable[[], bytes] = development_digest_key,
        record_sources: Sequence[RecordSourceFactory] = (),
    ) -> None:
        self._database = database
        self._clock = clock
        self._ids = ids
        self._digest_key = digest_key  # for the IP and user-agent digests of the audit chain
        self._transaction: Transaction | None = None
        self._record_sources = tuple(record_sources)  # registered in container.py

    async def __aenter__(self) -> Self:
        self._transaction = await self._database.begin()
        connection = self._transaction.connection
        self.organizations = PgOrganizations(connection)
        self.users = PgUsers(connection)
        self.sessions = PgSessions(connection)
        self.api_keys = PgApiKeys(connection)
        self.action_tokens = PgActionTokens(connection)
        self.patients = PgPatients(connection)
        self.medical_history = PgMedicalHistory(connection)
        self.practitioners = PgPractitioners(connection)
        self.time_off = PgTimeOff(connection)
        self.holidays = PgHolidays(connection)
        self.rooms = PgRooms(connection)
        self.appointment_types = PgAppointmentTypes(connection)
        self.appointments = PgAppointments(connection)
        self.reminders = PgReminders(connection)
        self.waitlist = PgWaitlist(connection)
        self.calendar_feeds = PgCalendarFeeds(connection)
        self.consultations = PgConsultations(connection)
        self.consultation_templates = PgConsultationTemplates(connection)
        self.health_reminders = PgHealthReminders(connection)
        self.health_metrics = PgHealthMetrics(connection)
        self.prescription_links = PgPrescriptionLinks(connection)
        self.prescriptions = PgPrescriptions(connection)
        self.prescription_templates = PgPrescriptionTemplates(connection)
        self.audit = PgAuditTrail(connection, self._clock, self._ids, self._digest_key)
        self.audit_log = PgAuditLog(connection)
        self.audit_checkpoints = PgAuditCheckpoints(connection)
        self.legal_holds = PgLegalHolds(connection)
        self.retention_ledger = PgRetentionLedger(connection)
        self.record_sources = tuple(source(connection) for source in self._record_sources)
        self.gdpr_exports = PgGdprExports(connection)
        self.gdpr_erasures = PgErasureLog(connection)
        self.patient_dossier = PgPatientDossier(connection)
        self.personal_data = PgPersonalDataEraser(connection)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._transaction is not None:
            await self._transaction.close()
            self._transaction = None

    async def commit(self) -> None:
        assert self._transaction is not None, "commit outside the unit of work"
        await self.audit.flush()
        await self._transaction.commit()

    async def rollback(self) -> None:
        assert self._transaction is not None, "rollback outside the unit of work"
        await self._transaction.rollback()
