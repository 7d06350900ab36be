"""Verifying a chain: walk the events in sequence order, recompute every hash, check every
link and every signed checkpoint, and name what was done to the trail.

The walk streams: it keeps a small window of the events ahead (to tell a reordering from a
deletion) and of the hashes behind (to tell a consequence from a new break), never the
whole trail. Findings are kept in order; the first is the first broken link.

What each kind means (``sequence`` is where the walk found it):

- ``changed``: an event's content no longer matches its hash, or an event was rewritten
  with a fresh hash that its successor does not know (the finding names that event), or
  its raw IP or user agent no longer matches the digest in the chain.
- ``missing``: events were deleted (a gap in the numbering, or later events renumbered
  down to close it), or the oldest events are gone without a recorded disposal.
- ``inserted``: an event that the chain never had (later events renumbered up to make
  room, or events beyond the head of the trail).
- ``reordered``: two events exchanged their places.
- ``tail_cut``: the newest events are gone (the head row, or a signed checkpoint, names
  events that no longer exist).
- ``checkpoint_mismatch``: the chain no longer reaches a signed checkpoint's hash: it was
  rewritten, hashes and all, before that checkpoint.
- ``checkpoint_missing``, ``checkpoint_altered``, ``bad_signature``: the checkpoints
  themselves were tampered with (see ``reconcile_checkpoints``).
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from uuid import UUID

from medcore.domain.audit.chain import (
    CHAIN_VERSION,
    GENESIS_HASH,
    StoredEvent,
    decode_v1,
    hash_of_encoding,
    keyed_digest,
    link_hash,
    with_sequence,
)
from medcore.domain.audit.checkpoint import ChainHead, Checkpoint

DISPOSAL_ACTION = "audit.dispose"
_WINDOW = 16


class FindingKind(enum.StrEnum):
    CHANGED = "changed"
    MISSING = "missing"
    INSERTED = "inserted"
    REORDERED = "reordered"
    TAIL_CUT = "tail_cut"
    CHECKPOINT_MISMATCH = "checkpoint_mismatch"
    CHECKPOINT_MISSING = "checkpoint_missing"
    CHECKPOINT_ALTERED = "checkpoint_altered"
    BAD_SIGNATURE = "bad_signature"


@dataclass(frozen=True, slots=True)
class Finding:
    kind: FindingKind
    sequence: int | None
    message: str


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where a walk starts: after event ``sequence`` whose hash is ``hash`` (0 and the
    genesis hash for the whole chain)."""

    sequence: int
    hash: str
    reason: str = "genesis"  # genesis | disposal | checkpoint


GENESIS = Anchor(0, GENESIS_HASH)


@dataclass(frozen=True, slots=True)
class VerificationReport:
    organization_id: UUID
    anchor: Anchor
    events_checked: int
    last_sequence: int | None
    checkpoints_checked: int
    findings: tuple[Finding, ...]
    findings_not_listed: int = 0
    recomputed: int = 0  # events the reader's encoding could not vouch for, rehashed in Python

    @property
    def intact(self) -> bool:
        return not self.findings

    @property
    def first_broken(self) -> Finding | None:
        located = [f for f in self.findings if f.sequence is not None]
        if located:
            return min(located, key=lambda f: f.sequence or 0)
        return self.findings[0] if self.findings else None


def reconcile_checkpoints(
    organization_id: UUID,
    stored: Iterable[Checkpoint],
    archived: Iterable[Checkpoint],
    signature_valid: Callable[[Checkpoint], bool],
) -> tuple[list[Checkpoint], list[Finding]]:
    """Compare the database copies with the blob-store copies: a checkpoint present in one
    place only, or different in the two, is a finding; so is a bad signature. Returns the
    checkpoints whose signature holds (the blob copy when the two differ), in order."""
    ours = [c for c in stored if c.organization_id == organization_id]
    kept = [c for c in archived if c.organization_id == organization_id]
    by_db = {c.sequence: c for c in ours}
    by_blob = {c.sequence: c for c in kept}
    trusted: list[Checkpoint] = []
    findings: list[Finding] = []
    for sequence in sorted(by_db.keys() | by_blob.keys()):
        db, blob = by_db.get(sequence), by_blob.get(sequence)
        if db is None:
            findings.append(
                Finding(
                    FindingKind.CHECKPOINT_MISSING,
                    sequence,
                    f"The checkpoint at event {sequence} is in the blob store but missing from the database.",
                )
            )
        elif blob is None:
            findings.append(
                Finding(
                    FindingKind.CHECKPOINT_MISSING,
                    sequence,
                    f"The checkpoint at event {sequence} is in the database but missing from the blob store.",
                )
            )
        elif not db.same_as(blob):
            findings.append(
                Finding(
                    FindingKind.CHECKPOINT_ALTERED,
                    sequence,
                    f"The database copy of the checkpoint at event {sequence} differs from the blob-store copy.",
                )
            )
        chosen: Checkpoint | None = None
        for copy, place in ((blob, "blob store"), (db, "database")):
            if copy is None:
                continue
            if signature_valid(copy):
                chosen = chosen or copy
            else:
                findings.append(
                    Finding(
                        FindingKind.BAD_SIGNATURE,
                        sequence,
                        f"The {place} copy of the checkpoint at event {sequence} is not signed by a trusted key.",
                    )
                )
        if chosen is not None:
            trusted.append(chosen)
    return trusted, findings


class ChainWalk:
    """Feed events in sequence order (``feed``), then ``finish``.

    ``digest_keys``: keys under which raw IPs and user agents may have been digested;
    when given, a raw value that matches its digest under none of them is a change."""

    def __init__(
        self,
        organization_id: UUID,
        *,
        anchor: Anchor = GENESIS,
        checkpoints: Sequence[Checkpoint] = (),
        digest_keys: Sequence[bytes] = (),
        max_findings: int = 50,
    ) -> None:
        self._organization_id = organization_id
        self._anchor = anchor
        self._expected = anchor.sequence + 1
        self._prev = anchor.hash
        self._checkpoints = {c.sequence: c for c in checkpoints if c.sequence > anchor.sequence}
        self._last_checkpoint = max(self._checkpoints, default=0)
        self._digest_keys = tuple(digest_keys)
        self._max_findings = max_findings
        self._findings: list[Finding] = []
        self._not_listed = 0
        self._ahead: deque[StoredEvent] = deque()
        self._behind: deque[str] = deque(maxlen=_WINDOW)
        self._explained: set[str] = set()  # hashes of events whose break was already reported
        self._shift = 0  # how far renumbering moved the events since the last reported gap
        self._checked = 0
        self._checkpoints_checked = 0
        self._disposals: list[tuple[int, str, int | None]] = []
        self._raw_checked: dict[tuple[str, str | None], bool] = {}
        self._recomputed = 0  # events whose encoding as read differed from encode_v1 (hash held)
        if anchor.reason == "disposal" and not any(c.sequence >= anchor.sequence for c in checkpoints):
            self._report(
                FindingKind.MISSING,
                1,
                f"Events 1-{anchor.sequence} were disposed of without a signed checkpoint covering them.",
            )
        for checkpoint in checkpoints:
            if checkpoint.sequence == anchor.sequence and anchor.sequence > 0:
                self._checkpoints_checked += 1
                if checkpoint.hash != anchor.hash:
                    self._report(
                        FindingKind.CHECKPOINT_MISMATCH,
                        anchor.sequence,
                        f"The signed checkpoint at event {anchor.sequence} names another hash than the "
                        "chain's starting point.",
                    )

    # -- feeding -------------------------------------------------------------------------

    def feed(self, event: StoredEvent) -> None:
        self._ahead.append(event)
        if len(self._ahead) > _WINDOW:
            self._step(self._ahead.popleft())

    def feed_all(self, events: Iterable[StoredEvent]) -> None:
        for event in events:
            self.feed(event)

    @property
    def events_checked(self) -> int:
        return self._checked + len(self._ahead)

    def finish(self, head_before: ChainHead | None, head_after: ChainHead | None = None) -> VerificationReport:
        """``head_before`` was read before the events were, ``head_after`` after them (the
        same row read twice): events appended meanwhile are neither cut nor inserted."""
        while self._ahead:
            self._step(self._ahead.popleft())
        last = self._expected - 1
        after = head_after or head_before
        if head_before is not None and last < head_before.sequence:
            self._report(
                FindingKind.TAIL_CUT,
                last + 1,
                f"The trail ends at event {last} but its head records event {head_before.sequence}: "
                "the newest events were removed.",
            )
        elif self._last_checkpoint > last:
            self._report(
                FindingKind.TAIL_CUT,
                last + 1,
                f"The trail ends at event {last} but a signed checkpoint names event {self._last_checkpoint}: "
                "the newest events were removed.",
            )
        elif after is not None and last > after.sequence:
            self._report(
                FindingKind.INSERTED,
                after.sequence + 1,
                f"Events {after.sequence + 1}-{last} lie beyond the head of the trail: they were inserted.",
            )
        elif after is None and last > self._anchor.sequence:
            self._report(FindingKind.INSERTED, self._anchor.sequence + 1, "Events exist but the trail has no head.")
        elif (
            head_before is not None
            and last == head_before.sequence
            and last > 0
            and self._prev != head_before.hash
            and head_before.hash not in self._behind  # else: events exchanged at the end, reported
        ):
            self._report(
                FindingKind.CHANGED,
                last,
                f"The head of the trail records another hash for event {last}.",
            )
        if self._anchor.reason == "disposal":
            recorded = [d for d in self._disposals if d[0] == self._anchor.sequence and d[1] == self._anchor.hash]
            if not recorded:
                self._report(
                    FindingKind.MISSING,
                    1,
                    f"Events 1-{self._anchor.sequence} are gone and no disposal of them is recorded in the chain.",
                )
        return VerificationReport(
            organization_id=self._organization_id,
            anchor=self._anchor,
            events_checked=self._checked,
            last_sequence=last if last > self._anchor.sequence else None,
            checkpoints_checked=self._checkpoints_checked,
            findings=tuple(self._findings),
            findings_not_listed=self._not_listed,
            recomputed=self._recomputed,
        )

    # -- one event -----------------------------------------------------------------------

    def _step(self, event: StoredEvent) -> None:
        self._checked += 1
        sequence = event.sequence
        own = self._own_hash(event)
        self_ok = own == event.hash
        link_ok = event.prev_hash == self._prev
        if sequence < self._expected:
            self._report(FindingKind.REORDERED, sequence, f"Event {sequence} appears after event {self._expected - 1}.")
            return
        if sequence > self._expected:
            first, last = self._expected, sequence - 1
            span = f"Event {first} is" if first == last else f"Events {first}-{last} are"
            self._report(FindingKind.MISSING, first, f"{span} missing: deleted from the trail.")
            if not self_ok:
                self._report(FindingKind.CHANGED, sequence, f"Event {sequence} no longer matches its hash.")
        elif not self_ok:
            self._unexplained_content(event, sequence, link_ok)
        elif not link_ok and event.prev_hash not in self._behind and event.prev_hash not in self._explained:
            if sequence - 1 == self._anchor.sequence:
                message = (
                    f"Event {sequence} does not follow the chain's starting point "
                    f"({self._anchor.reason} at event {self._anchor.sequence})."
                )
                self._report(FindingKind.CHANGED, sequence, message)
            else:
                self._report(
                    FindingKind.CHANGED,
                    sequence - 1,
                    f"Event {sequence - 1} was rewritten: its hash is not the one event {sequence} recorded.",
                )
        self._check_raw_values(event, sequence)
        checkpoint = self._checkpoints.get(sequence)
        if checkpoint is not None:
            self._checkpoints_checked += 1
            if checkpoint.hash != event.hash:
                self._report(
                    FindingKind.CHECKPOINT_MISMATCH,
                    sequence,
                    f"The chain no longer reaches the signed checkpoint at event {sequence}: "
                    "the trail was rewritten at or before it.",
                )
        if event.action == DISPOSAL_ACTION:
            self._note_disposal(event)
        self._behind.append(event.hash)
        self._prev = event.hash
        self._expected = sequence + 1

    def _unexplained_content(self, event: StoredEvent, sequence: int, link_ok: bool) -> None:
        moved_from = self._original_position(event)
        if moved_from is not None:
            shift = moved_from - sequence
            if event.hash in self._explained or (link_ok and shift == self._shift):
                return  # a consequence of a break already reported
            self._shift = shift
            if shift > 0:
                counterpart = next((e for e in self._ahead if e.hash == event.prev_hash), None)
                if counterpart is not None:
                    self._explained.add(counterpart.hash)
                    self._shift = 0  # an exchange moves no later event
                    self._report(
                        FindingKind.REORDERED,
                        sequence,
                        f"Event {sequence} was event {moved_from}: events exchanged their places.",
                    )
                else:
                    self._report(
                        FindingKind.MISSING,
                        sequence,
                        f"An event before event {sequence} was deleted and the later ones renumbered "
                        f"(this one was event {moved_from}).",
                    )
            else:
                self._report(
                    FindingKind.INSERTED,
                    moved_from,
                    f"Events were inserted from event {moved_from} on and the later ones renumbered "
                    f"(event {sequence} was event {moved_from}).",
                )
            return
        following = self._ahead[0] if self._ahead else None
        if (
            following is not None
            and following.prev_hash == self._prev
            and self._hash_at(following, sequence) == following.hash
        ):
            self._shift = -1
            self._report(
                FindingKind.INSERTED,
                sequence,
                f"Event {sequence} was inserted: the next event was numbered {sequence} and follows event "
                f"{sequence - 1}.",
            )
            return
        self._report(FindingKind.CHANGED, sequence, f"Event {sequence} no longer matches its hash.")

    def _original_position(self, event: StoredEvent) -> int | None:
        sequence = event.sequence
        if self._shift and self._hash_at(event, sequence + self._shift) == event.hash:
            return sequence + self._shift  # the usual case after a renumbering: no search
        for distance in range(1, _WINDOW + 1):
            for candidate in (sequence + distance, sequence - distance):
                if candidate > 0 and self._hash_at(event, candidate) == event.hash:
                    return candidate
        return None

    @staticmethod
    def _hash_at(event: StoredEvent, sequence: int) -> str | None:
        try:
            return link_hash(with_sequence(decode_v1(event.encoded)[0], sequence), event.prev_hash, event.hash_version)
        except ValueError:
            return None

    def _own_hash(self, event: StoredEvent) -> str | None:
        if event.hash_version == CHAIN_VERSION:
            read = hash_of_encoding(event.encoded)
            if read == event.hash and event.encoded.endswith(f'"{event.prev_hash}"]'):
                return read  # the usual case: the encoding as read is the one hashed
        try:
            # The encoding as read may differ from ``encode_v1`` (another formatter): the
            # hash from the decoded fields, by the domain's own encoding, decides.
            fields, prev_hash = decode_v1(event.encoded)
            if prev_hash != event.prev_hash or fields.sequence != event.sequence:
                return None
            own = link_hash(fields, event.prev_hash, event.hash_version)
        except ValueError:  # unreadable, or an encoding version this medcore does not know
            return None
        if own == event.hash:
            self._recomputed += 1
        return own

    def _check_raw_values(self, event: StoredEvent, sequence: int) -> None:
        if not self._digest_keys:
            return
        for name, raw, digest in (
            ("IP address", event.ip, event.ip_digest),
            ("user agent", event.user_agent, event.user_agent_digest),
        ):
            if raw is not None and not self._matches(raw, digest):
                self._report(
                    FindingKind.CHANGED, sequence, f"The {name} of event {sequence} differs from its chained digest."
                )

    def _matches(self, raw: str, digest: str | None) -> bool:
        # Most events share a few addresses and user agents: remember the answers.
        known = self._raw_checked.get((raw, digest))
        if known is None:
            known = any(keyed_digest(key, raw) == digest for key in self._digest_keys)
            if len(self._raw_checked) > 100_000:
                self._raw_checked.clear()
            self._raw_checked[(raw, digest)] = known
        return known

    def _note_disposal(self, event: StoredEvent) -> None:
        try:
            details = decode_v1(event.encoded)[0].details
        except ValueError:
            return
        through, through_hash = details.get("through_sequence"), details.get("through_hash")
        checkpoint = details.get("checkpoint_sequence")
        if isinstance(through, int) and isinstance(through_hash, str):
            self._disposals.append((through, through_hash, checkpoint if isinstance(checkpoint, int) else None))

    def _report(self, kind: FindingKind, sequence: int | None, message: str) -> None:
        if len(self._findings) < self._max_findings:
            self._findings.append(Finding(kind, sequence, message))
        else:
            self._not_listed += 1
