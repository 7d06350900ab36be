"""VerifyAuditTrail: recompute each organization's chain and check it against the signed
checkpoints (both copies)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from uuid import UUID

from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.audit.checkpoint import ChainHead, Checkpoint
from medcore.domain.audit.ports import CheckpointArchive, CheckpointSigner
from medcore.domain.audit.verification import (
    GENESIS,
    Anchor,
    ChainWalk,
    VerificationReport,
    reconcile_checkpoints,
)

PROGRESS_EVERY = 10_000

Progress = Callable[[UUID, int], None]  # (organization, events checked since the last call)


@dataclass(frozen=True, slots=True)
class VerifyCommand:
    organization_ids: Sequence[UUID] | None = None  # None: every organization with a trail
    from_checkpoint: bool = False  # start at the newest valid checkpoint (a quick, recent check)


class VerifyAuditTrail:
    """For each organization: compare the checkpoints' database and blob copies and check
    their signatures; walk the chain from its start (or from the newest valid checkpoint)
    recomputing every hash; report every finding, the first broken link first. A report
    with no finding means the trail is intact as far as the checkpoints can tell."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        signer: CheckpointSigner,
        archive: CheckpointArchive,
        digest_keys: Sequence[bytes] = (),
    ) -> None:
        self._uow = uow
        self._signer = signer
        self._archive = archive
        self._digest_keys = tuple(digest_keys)

    @property
    def checks_raw_values(self) -> bool:
        """Whether raw IPs and user agents are checked against their chained digests (this
        needs the key they were digested under)."""
        return bool(self._digest_keys)

    async def organizations(self) -> list[UUID]:
        async with self._uow() as uow:
            return list(await uow.audit_log.organizations())

    async def event_count(self, organization_id: UUID, from_checkpoint: bool = False) -> int:
        """How many events a verification will walk (for progress bars)."""
        async with self._uow() as uow:
            head = await uow.audit_log.head(organization_id)
            start = 0
            if from_checkpoint:
                latest = await uow.audit_checkpoints.latest(organization_id)
                start = latest.sequence if latest is not None else 0
        if head is None:
            return 0
        return max(0, head.sequence - max(start, head.disposed_through))

    async def execute(self, command: VerifyCommand, on_progress: Progress | None = None) -> list[VerificationReport]:
        organization_ids = command.organization_ids
        if organization_ids is None:
            organization_ids = await self.organizations()
        return [await self.verify(o, command.from_checkpoint, on_progress) for o in organization_ids]

    async def verify(
        self, organization_id: UUID, from_checkpoint: bool = False, on_progress: Progress | None = None
    ) -> VerificationReport:
        archived = await self._archive.list(organization_id)
        async with self._uow() as uow:
            stored = await uow.audit_checkpoints.list(organization_id)
            trusted, checkpoint_findings = reconcile_checkpoints(
                organization_id,
                stored,
                archived,
                lambda c: self._signer.verify(c.signed_payload(), c.signature, c.key_id),
            )
            head_before = await uow.audit_log.head(organization_id)
            anchor = _anchor(head_before, trusted, from_checkpoint)
            walk = ChainWalk(organization_id, anchor=anchor, checkpoints=trusted, digest_keys=self._digest_keys)
            pending = 0
            async for event in uow.audit_log.chain(organization_id, anchor.sequence):
                walk.feed(event)
                pending += 1
                if pending == PROGRESS_EVERY:
                    if on_progress is not None:
                        on_progress(organization_id, pending)
                    pending = 0
            head_after = await uow.audit_log.head(organization_id)
        if on_progress is not None and pending:
            on_progress(organization_id, pending)
        report = walk.finish(head_before, head_after)
        if not checkpoint_findings:
            return report
        return replace(report, findings=(*checkpoint_findings, *report.findings))


def _anchor(head: ChainHead | None, trusted: Sequence[Checkpoint], from_checkpoint: bool) -> Anchor:
    disposed = head.disposed_through if head is not None else 0
    if from_checkpoint:
        usable = [c for c in trusted if c.sequence > disposed]
        if usable:
            newest = max(usable, key=lambda c: c.sequence)
            return Anchor(newest.sequence, newest.hash, "checkpoint")
    if head is not None and disposed > 0 and head.disposed_hash is not None:
        return Anchor(disposed, head.disposed_hash, "disposal")
    return GENESIS
