"""The unit of work: one transaction per use case, with repositories bound to it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Protocol, Self

from medcore.domain.audit.ports import AuditLog, AuditTrail, CheckpointRepository
from medcore.domain.clinical.ports import (
    ConsultationRepository,
    ConsultationTemplateRepository,
    HealthMetricsReader,
    HealthReminderRepository,
    PrescriptionLinks,
)
from medcore.domain.compliance.ports import LegalHoldRepository, RecordSource, RetentionLedger
from medcore.domain.gdpr.ports import ErasureLog, GdprExportRepository, PatientDossier, PersonalDataEraser
from medcore.domain.identity.ports import (
    ActionTokenRepository,
    ApiKeyRepository,
    OrganizationRepository,
    SessionRepository,
    UserRepository,
)
from medcore.domain.patients.ports import MedicalHistoryRepository, PatientRepository
from medcore.domain.practitioners.ports import (
    AppointmentTypeRepository,
    HolidayRepository,
    PractitionerRepository,
    RoomRepository,
    TimeOffRepository,
)
from medcore.domain.prescribing.ports import PrescriptionRepository, PrescriptionTemplateRepository
from medcore.domain.scheduling.ports import (
    AppointmentRepository,
    CalendarFeedRepository,
    ReminderRepository,
    WaitlistRepository,
)


class UnitOfWork(Protocol):
    """Rolls back on exit unless ``commit()`` was called. Audit entries recorded through
    ``audit`` are written by ``commit()``, inside the same transaction as the change."""

    organizations: OrganizationRepository
    users: UserRepository
    sessions: SessionRepository
    api_keys: ApiKeyRepository
    action_tokens: ActionTokenRepository
    practitioners: PractitionerRepository
    time_off: TimeOffRepository
    holidays: HolidayRepository
    rooms: RoomRepository
    appointment_types: AppointmentTypeRepository
    patients: PatientRepository
    medical_history: MedicalHistoryRepository
    appointments: AppointmentRepository
    reminders: ReminderRepository
    waitlist: WaitlistRepository
    calendar_feeds: CalendarFeedRepository
    consultations: ConsultationRepository
    consultation_templates: ConsultationTemplateRepository
    health_reminders: HealthReminderRepository
    health_metrics: HealthMetricsReader
    prescription_links: PrescriptionLinks
    prescriptions: PrescriptionRepository
    prescription_templates: PrescriptionTemplateRepository
    audit: AuditTrail
    audit_log: AuditLog
    audit_checkpoints: CheckpointRepository
    legal_holds: LegalHoldRepository
    retention_ledger: RetentionLedger
    record_sources: Sequence[RecordSource]  # every context's records, for retention and erasure
    gdpr_exports: GdprExportRepository
    gdpr_erasures: ErasureLog
    patient_dossier: PatientDossier
    personal_data: PersonalDataEraser

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
