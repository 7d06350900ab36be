"""CreateCheckpoints: sign the head of each organization's chain and keep it twice."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.audit.checkpoint import Checkpoint, checkpoint_payload
from medcore.domain.audit.entry import ActorType, AuditEntry, Outcome
from medcore.domain.audit.ports import CheckpointArchive, CheckpointSigner
from medcore.domain.shared.blobs import BlobExists
from medcore.domain.shared.errors import DomainRefusal
from medcore.domain.shared.ports import Clock


class CheckpointResult(enum.StrEnum):
    CREATED = "created"
    UNCHANGED = "unchanged"  # nothing new since the last checkpoint
    EMPTY = "empty"  # the organization has no trail yet
    CONCURRENT = "concurrent"  # another run signed the same head at the same moment


@dataclass(frozen=True, slots=True)
class CheckpointOutcome:
    organization_id: UUID
    result: CheckpointResult
    checkpoint: Checkpoint | None = None


class CreateCheckpoints:
    """For each organization (or those given): sign ``(organization, sequence, hash, time)``
    of the head of its chain with the audit signing key, store the signed checkpoint in the
    blob store first and then in the database, and record ``audit.checkpoint`` in the chain.
    An organization whose trail has not moved since its last checkpoint (but for that
    checkpoint's own event) is left alone unless ``force``. A system job (CLI, schedule)."""

    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, signer: CheckpointSigner, archive: CheckpointArchive
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._signer = signer
        self._archive = archive

    async def execute(
        self, organization_ids: Sequence[UUID] | None = None, *, force: bool = False
    ) -> list[CheckpointOutcome]:
        if organization_ids is None:
            async with self._uow() as uow:
                organization_ids = await uow.audit_log.organizations()
        return [await self._one(organization_id, force) for organization_id in organization_ids]

    async def _one(self, organization_id: UUID, force: bool) -> CheckpointOutcome:
        async with self._uow() as uow:
            head = await uow.audit_log.head(organization_id)
            if head is None or head.sequence == 0:
                return CheckpointOutcome(organization_id, CheckpointResult.EMPTY)
            latest = await uow.audit_checkpoints.latest(organization_id)
            if latest is not None and not force and head.sequence <= latest.sequence + 1:
                return CheckpointOutcome(organization_id, CheckpointResult.UNCHANGED, latest)
            if latest is not None and head.sequence == latest.sequence:
                return CheckpointOutcome(organization_id, CheckpointResult.UNCHANGED, latest)
            now = self._clock.now()
            checkpoint = Checkpoint(
                organization_id=organization_id,
                sequence=head.sequence,
                hash=head.hash,
                created_at=now,
                key_id=self._signer.key_id,
                signature=self._signer.sign(checkpoint_payload(organization_id, head.sequence, head.hash, now)),
            )
            try:
                # The blob copy first: a database copy without its blob twin never exists.
                await self._archive.put(checkpoint)
                await uow.audit_checkpoints.add(checkpoint)
            except (BlobExists, DomainRefusal):
                return CheckpointOutcome(organization_id, CheckpointResult.CONCURRENT)
            await uow.audit.record(
                AuditEntry(
                    organization_id=organization_id,
                    action="audit.checkpoint",
                    outcome=Outcome.SUCCESS,
                    actor_type=ActorType.SYSTEM,
                    resource_type="audit_checkpoint",
                    details={"sequence": head.sequence, "key_id": checkpoint.key_id},
                )
            )
            await uow.commit()
            return CheckpointOutcome(organization_id, CheckpointResult.CREATED, checkpoint)
