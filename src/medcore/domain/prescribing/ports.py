"""Ports of the prescribing context: prescriptions and templates, the renderer of printed
prescriptions and the verification codes printed on them. (The formulary's port lives in
``formulary.py``.) Repository methods are scoped by organization, except the two that a
caller from outside any organization needs: verification by code and the expiry batch."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

from returns.result import Result

from medcore.domain.prescribing.prescription import Prescription
from medcore.domain.prescribing.printable import PrintablePrescription
from medcore.domain.prescribing.template import PrescriptionTemplate
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.listing import ListQuery, Page


class PrescriptionRepository(Protocol):
    async def add(self, prescription: Prescription) -> None: ...

    async def get(self, organization_id: UUID, prescription_id: UUID, *, lock: bool = False) -> Prescription | None:
        """``lock`` holds the prescription until the transaction ends (read-modify-write)."""

    async def save(self, prescription: Prescription) -> bool:
        """Persist changes (items and acknowledgements included) if nobody changed the
        prescription meanwhile; False on a version clash."""

    async def list_for_patient(
        self, organization_id: UUID, patient_id: UUID, query: ListQuery, *, signed_only: bool = False
    ) -> Result[Page[Prescription], DomainError]:
        """Filters: ``status``, ``prescriber_id``. ``signed_only`` keeps those that were
        signed (what a patient sees). Fails only on a cursor of another query."""

    async def by_verification_digest(self, code_digest: str) -> Prescription | None:
        """The prescription whose printed code has this digest, in any organization."""

    async def count_due_for_expiry(self, now: datetime) -> int:
        """Signed prescriptions whose validity ended before today in their prescriber's
        time zone, in every organization."""

    async def claim_due_for_expiry(self, now: datetime, limit: int) -> list[Prescription]:
        """Up to ``limit`` of them, locked for this transaction; rows another run holds
        are skipped (``FOR UPDATE SKIP LOCKED``), so concurrent runs share the work."""


class PrescriptionTemplateRepository(Protocol):
    async def add(self, template: PrescriptionTemplate) -> None:
        """Raises ``DomainRefusal(prescription_template.name_taken)`` when the practitioner
        has a template of that name (regardless of case)."""

    async def get(self, organization_id: UUID, template_id: UUID) -> PrescriptionTemplate | None: ...

    async def list(self, organization_id: UUID, query: ListQuery) -> Result[Page[PrescriptionTemplate], DomainError]:
        """Filters: ``practitioner_id``. Fails only on a cursor of another query."""

    async def delete(self, organization_id: UUID, template_id: UUID) -> bool:
        """False when there was no such template."""


class PrescriptionRenderer(Protocol):
    """Turns a signed prescription into a printable document."""

    def render(self, prescription: PrintablePrescription) -> bytes:
        """A PDF. Blocking and CPU-bound: call it from a worker thread."""


class VerificationCodes(Protocol):
    """The verification code printed on a prescription: secret (keyed by the server's
    key), stable for the prescription, and never stored, only its digest."""

    def code_for(self, prescription_id: UUID) -> str:
        """The formatted code (``K7QM-2XWD-P9RT-HB4C``)."""
