"""Ports of the clinical context: consultations and their templates, health reminders and
their deliveries, the health metrics read, and the prescriptions a consultation may link."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

from returns.result import Result

from medcore.domain.clinical.consultation import Addendum, Consultation
from medcore.domain.clinical.health_reminder import HealthReminder, HealthReminderDelivery
from medcore.domain.clinical.metrics import MetricSeries, MetricsQuery
from medcore.domain.clinical.template import ConsultationTemplate
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.listing import ListQuery, Page


class ConsultationRepository(Protocol):
    """Consultations of one organization, with their addenda."""

    async def add(self, consultation: Consultation) -> None:
        """Raises ``DomainRefusal(consultation.appointment_taken)`` when the appointment got
        its consultation meanwhile."""

    async def get(self, organization_id: UUID, consultation_id: UUID, *, lock: bool = False) -> Consultation | None:
        """``lock`` holds the row until the transaction ends (read-modify-write, addenda)."""

    async def by_appointment(self, organization_id: UUID, appointment_id: UUID) -> Consultation | None: ...

    async def save(self, consultation: Consultation) -> bool:
        """Persist a draft's changes or its signature if nobody changed it meanwhile; False
        on a version clash. The database refuses any change to a signed one's content."""

    async def add_addendum(self, organization_id: UUID, addendum: Addendum) -> None:
        """Append an addendum (append-only) and move the consultation's version on, so that
        its ETag changes."""

    async def list(self, organization_id: UUID, query: ListQuery) -> Result[Page[Consultation], DomainError]:
        """Filters: ``patient_id``, ``practitioner_id``, ``appointment_id``, ``status``,
        ``from`` and ``to`` (aware instants, on ``started_at``, ``[from, to)``). Sorts:
        ``started_at``, ``created_at``. Fails only on a cursor of another query."""


class ConsultationTemplateRepository(Protocol):
    async def add(self, template: ConsultationTemplate) -> None:
        """Raises ``DomainRefusal(consultation_template.name_taken)``."""

    async def get(
        self, organization_id: UUID, template_id: UUID, *, lock: bool = False
    ) -> ConsultationTemplate | None: ...

    async def save(self, template: ConsultationTemplate) -> bool:
        """False on a version clash; raises ``DomainRefusal`` on a name taken meanwhile."""

    async def by_name(self, organization_id: UUID, name: str) -> ConsultationTemplate | None:
        """The template of this name, case and spacing aside."""

    async def list(self, organization_id: UUID, query: ListQuery) -> Result[Page[ConsultationTemplate], DomainError]:
        """Filter ``active``; sorts ``name``, ``created_at``."""


class HealthReminderRepository(Protocol):
    async def add(self, reminder: HealthReminder) -> None: ...

    async def get(
        self, organization_id: UUID, patient_id: UUID, reminder_id: UUID, *, lock: bool = False
    ) -> HealthReminder | None: ...

    async def save(self, reminder: HealthReminder) -> bool:
        """False on a version clash."""

    async def list(
        self, organization_id: UUID, patient_id: UUID, query: ListQuery
    ) -> Result[Page[HealthReminder], DomainError]:
        """Filter ``status``; sort ``created_at``."""

    async def claim_due(self, now: datetime, limit: int) -> Sequence[HealthReminder]:
        """Active reminders of every organization whose next occurrence is due, locked until
        the transaction ends; reminders another run holds are skipped, not waited for."""

    async def count_due(self, now: datetime) -> int: ...

    async def record_delivery(self, delivery: HealthReminderDelivery) -> bool:
        """Record one occurrence as handled; False when it already was (by another run):
        the caller must then not deliver it."""

    async def deliveries(self, organization_id: UUID, reminder_id: UUID) -> Sequence[HealthReminderDelivery]:
        """Every occurrence handled, oldest first."""


class HealthMetricsReader(Protocol):
    async def series(self, organization_id: UUID, patient_id: UUID, query: MetricsQuery) -> MetricSeries:
        """The patient's standing measurements of ``query.kind`` in the window (entered in
        error ones left out), aggregated per local period of ``query.zone``."""


class PrescriptionLinks(Protocol):
    """The prescriptions a consultation may link (served by the prescribing records)."""

    async def of_patient(
        self, organization_id: UUID, patient_id: UUID, prescription_ids: Collection[UUID]
    ) -> frozenset[UUID]:
        """Which of ``prescription_ids`` are prescriptions of this patient in this organization."""
