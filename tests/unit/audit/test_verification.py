"""Verification names what was done to a trail, and where: each tampering act a database
superuser could commit is caught, and the first broken link is the tampered event."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from medcore.domain.audit.chain import GENESIS_HASH, StoredEvent, keyed_digest, stored_event
from medcore.domain.audit.checkpoint import ChainHead, Checkpoint
from medcore.domain.audit.verification import (
    DISPOSAL_ACTION,
    Anchor,
    ChainWalk,
    FindingKind,
    VerificationReport,
    reconcile_checkpoints,
)
from tests.unit.audit.chains import ORG, chain, fields, head_of, rehashed, relink, renumbered, tampered


def walk(
    events: list[StoredEvent],
    head: ChainHead | None,
    checkpoints: list[Checkpoint] = (),  # type: ignore[assignment]
    anchor: Anchor | None = None,
    digest_keys: tuple[bytes, ...] = (),
) -> VerificationReport:
    verifier = ChainWalk(
        ORG, checkpoints=checkpoints, digest_keys=digest_keys, **({"anchor": anchor} if anchor else {})
    )
    verifier.feed_all(events)
    return verifier.finish(head, head)


def checkpoint_at(events: list[StoredEvent], sequence: int) -> Checkpoint:
    return Checkpoint(
        organization_id=ORG,
        sequence=sequence,
        hash=events[sequence - 1].hash,
        created_at=datetime(2026, 3, 3, tzinfo=UTC),
        key_id="k",
        signature="s",
    )


def first(report: VerificationReport) -> tuple[FindingKind, int | None]:
    found = report.first_broken
    assert found is not None, "tampering went unnoticed"
    return found.kind, found.sequence


lengths = st.integers(min_value=3, max_value=60)


@given(lengths)
def test_an_untouched_chain_is_intact(length: int) -> None:
    events = chain(length)
    report = walk(events, head_of(events))
    assert report.intact, report.findings
    assert report.events_checked == length
    assert report.last_sequence == length


@given(lengths, st.data())
def test_a_changed_event_is_the_first_broken_link(length: int, data: st.DataObject) -> None:
    events = chain(length)
    k = data.draw(st.integers(1, length))
    field = data.draw(st.sampled_from(["action", "outcome", "patient_id", "details", "occurred_at", "actor_id"]))
    value: object = {"details": {"tampered": True}, "actor_id": None}.get(field, "tampered")
    events[k - 1] = tampered(events[k - 1], **{field: value})
    assert first(walk(events, head_of(chain(length)))) == (FindingKind.CHANGED, k)


@given(lengths, st.data())
def test_a_changed_event_rehashed_is_named_by_its_successor(length: int, data: st.DataObject) -> None:
    events = chain(length)
    k = data.draw(st.integers(1, length - 1))
    events[k - 1] = rehashed(events[k - 1], action="patient.nothing_to_see")
    assert first(walk(events, head_of(chain(length)))) == (FindingKind.CHANGED, k)


def test_the_last_event_rehashed_disagrees_with_the_head() -> None:
    events = chain(5)
    events[4] = rehashed(events[4], action="patient.nothing_to_see")
    assert first(walk(events, head_of(chain(5)))) == (FindingKind.CHANGED, 5)


@given(lengths, st.data())
def test_a_deleted_event_is_missing(length: int, data: st.DataObject) -> None:
    events = chain(length)
    k = data.draw(st.integers(1, length - 1))
    del events[k - 1]
    assert first(walk(events, head_of(chain(length)))) == (FindingKind.MISSING, k)


@given(lengths, st.data())
def test_a_deletion_closed_by_renumbering_is_still_missing(length: int, data: st.DataObject) -> None:
    events = chain(length)
    k = data.draw(st.integers(1, length - 1))
    del events[k - 1]
    events = renumbered(events, -1, k - 1)
    report = walk(events, ChainHead(length - 1, events[-1].hash))
    assert first(report) == (FindingKind.MISSING, k)
    assert len(report.findings) == 1, report.findings  # the renumbered events are consequences


@given(lengths, st.data())
def test_two_events_exchanged_are_reordered(length: int, data: st.DataObject) -> None:
    events = chain(length)
    k = data.draw(st.integers(1, length - 1))
    a, b = events[k - 1], events[k]
    events[k - 1] = tampered(b, sequence=k)
    events[k] = tampered(a, sequence=k + 1)
    report = walk(events, head_of(chain(length)))
    assert first(report) == (FindingKind.REORDERED, k)
    assert len(report.findings) == 1, report.findings


@given(lengths, st.data())
def test_a_forged_event_made_room_for_is_inserted(length: int, data: st.DataObject) -> None:
    events = chain(length)
    k = data.draw(st.integers(1, length))
    prev = events[k - 2].hash if k > 1 else GENESIS_HASH
    forged = stored_event(fields(k, action="patient.alibi"), prev)
    events = renumbered(events, +1, k - 1)
    events.insert(k - 1, forged)
    report = walk(events, ChainHead(length + 1, events[-1].hash))
    assert first(report) == (FindingKind.INSERTED, k)


def test_a_forged_event_replacing_a_real_one_without_its_hash_is_changed() -> None:
    events = chain(6)
    events[2] = stored_event(fields(3, action="patient.alibi"), events[1].hash, "0" * 64)
    assert first(walk(events, head_of(chain(6)))) == (FindingKind.CHANGED, 3)


def test_events_beyond_the_head_were_inserted() -> None:
    events = chain(6)
    assert first(walk(events, head_of(events[:4]))) == (FindingKind.INSERTED, 5)


@given(lengths, st.data())
def test_a_cut_tail_is_caught_by_the_head_row(length: int, data: st.DataObject) -> None:
    events = chain(length)
    cut = data.draw(st.integers(1, length - 1))
    report = walk(events[:-cut], head_of(events))
    assert first(report) == (FindingKind.TAIL_CUT, length - cut + 1)


def test_a_cut_tail_with_the_head_moved_back_is_caught_by_a_checkpoint() -> None:
    events = chain(10)
    report = walk(events[:6], head_of(events[:6]), [checkpoint_at(events, 8)])
    assert first(report) == (FindingKind.TAIL_CUT, 7)


def test_a_chain_rewritten_after_a_change_only_a_checkpoint_can_tell() -> None:
    events = chain(10)
    checkpoint = checkpoint_at(events, 7)
    events[3] = tampered(events[3], action="patient.alibi")
    rewritten = relink(events, 3)
    assert walk(rewritten, head_of(rewritten)).intact  # the chain alone cannot tell
    report = walk(rewritten, head_of(rewritten), [checkpoint])
    assert first(report) == (FindingKind.CHECKPOINT_MISMATCH, 7)


def test_a_walk_from_a_checkpoint_checks_what_follows_it() -> None:
    events = chain(10)
    checkpoint = checkpoint_at(events, 6)
    anchor = Anchor(6, checkpoint.hash, "checkpoint")
    assert walk(events[6:], head_of(events), [checkpoint], anchor).intact
    events[8] = tampered(events[8], outcome="failure")
    assert first(walk(events[6:], head_of(events), [checkpoint], anchor)) == (FindingKind.CHANGED, 9)


def test_raw_values_must_match_their_chained_digests() -> None:
    key = b"digest-key"
    f = fields(1, ip_digest=keyed_digest(key, "192.0.2.1"), user_agent_digest=keyed_digest(key, "curl/8"))
    event = stored_event(f, GENESIS_HASH, ip="192.0.2.1", user_agent="curl/8")
    head = ChainHead(1, event.hash)
    assert walk([event], head, digest_keys=(key,)).intact
    assert walk([event._replace(ip=None, user_agent=None)], head, digest_keys=(key,)).intact  # erased: fine
    assert first(walk([event._replace(ip="198.51.100.7")], head, digest_keys=(key,))) == (FindingKind.CHANGED, 1)
    assert walk([event._replace(ip="198.51.100.7")], head).intact  # without the key, raw values are not checked


def disposal_chain() -> tuple[list[StoredEvent], Anchor]:
    """Events 1-10, a checkpoint at 6, then events 1-5 disposed and the disposal recorded as 11."""
    events = chain(10)
    through = events[4]
    f = fields(11, action=DISPOSAL_ACTION, details={"through_sequence": 5, "through_hash": through.hash})
    events.append(stored_event(f, events[9].hash))
    return events[5:], Anchor(5, through.hash, "disposal")


def test_a_recorded_disposal_after_a_checkpoint_leaves_the_rest_verifiable() -> None:
    remaining, anchor = disposal_chain()
    full = chain(10)
    report = walk(remaining, ChainHead(11, remaining[-1].hash, 5, anchor.hash), [checkpoint_at(full, 6)], anchor)
    assert report.intact, report.findings


def test_a_disposal_without_its_record_or_checkpoint_is_missing_events() -> None:
    remaining, anchor = disposal_chain()
    full = chain(10)
    head = ChainHead(11, remaining[-1].hash, 5, anchor.hash)
    assert first(walk(remaining, head, [], anchor)) == (FindingKind.MISSING, 1)  # no checkpoint
    # Events 1-5 deleted and the head's start moved, but no disposal recorded in the chain:
    unrecorded = Anchor(5, full[4].hash, "disposal")
    report = walk(full[5:], ChainHead(10, full[9].hash, 5, unrecorded.hash), [checkpoint_at(full, 6)], unrecorded)
    assert first(report) == (FindingKind.MISSING, 1)


def test_a_prefix_deleted_without_any_disposal_is_missing() -> None:
    events = chain(10)
    assert first(walk(events[4:], head_of(events))) == (FindingKind.MISSING, 1)


# --- checkpoints: the database copy against the blob-store copy ------------------------


def signed(sequence: int, digest: str = "h", signature: str = "good") -> Checkpoint:
    return Checkpoint(
        organization_id=ORG,
        sequence=sequence,
        hash=digest,
        created_at=datetime(2026, 3, 3, tzinfo=UTC),
        key_id="k",
        signature=signature,
    )


def valid(checkpoint: Checkpoint) -> bool:
    return checkpoint.signature == "good"


def test_checkpoints_in_both_places_and_well_signed_are_trusted() -> None:
    trusted, findings = reconcile_checkpoints(ORG, [signed(3), signed(9)], [signed(9), signed(3)], valid)
    assert findings == []
    assert [c.sequence for c in trusted] == [3, 9]


def test_a_checkpoint_removed_from_the_database_is_a_finding_and_still_used() -> None:
    trusted, findings = reconcile_checkpoints(ORG, [signed(3)], [signed(3), signed(9)], valid)
    assert [(f.kind, f.sequence) for f in findings] == [(FindingKind.CHECKPOINT_MISSING, 9)]
    assert [c.sequence for c in trusted] == [3, 9]


def test_an_altered_database_copy_is_a_finding_and_the_blob_copy_is_used() -> None:
    trusted, findings = reconcile_checkpoints(ORG, [signed(3, "forged", "bad")], [signed(3)], valid)
    assert {(f.kind, f.sequence) for f in findings} == {
        (FindingKind.CHECKPOINT_ALTERED, 3),
        (FindingKind.BAD_SIGNATURE, 3),
    }
    assert [c.hash for c in trusted] == ["h"]


def test_a_checkpoint_missing_from_the_blob_store_or_badly_signed_is_a_finding() -> None:
    trusted, findings = reconcile_checkpoints(ORG, [signed(3), signed(5, signature="bad")], [], valid)
    assert [(f.kind, f.sequence) for f in findings] == [
        (FindingKind.CHECKPOINT_MISSING, 3),
        (FindingKind.CHECKPOINT_MISSING, 5),
        (FindingKind.BAD_SIGNATURE, 5),
    ]
    assert [c.sequence for c in trusted] == [3]


# --- encodings formatted by the reader --------------------------------------------------


def test_an_encoding_formatted_otherwise_is_rehashed_from_its_fields_and_accepted() -> None:
    events = chain(3)
    spaced = events[1].encoded.replace('","', '", "')  # the same fields, another formatting
    events[1] = events[1]._replace(encoded=spaced)
    report = walk(events, head_of(events))
    assert report.intact, report.findings
    assert report.recomputed == 1


def test_an_unreadable_encoding_is_a_change() -> None:
    events = chain(3)
    events[1] = events[1]._replace(encoded="not json")
    assert first(walk(events, head_of(events))) == (FindingKind.CHANGED, 2)


def test_an_encoding_naming_another_link_is_a_change() -> None:
    events = chain(3)
    events[1] = events[1]._replace(prev_hash="e" * 64)  # the column, not the encoding, was changed
    assert first(walk(events, head_of(events))) == (FindingKind.CHANGED, 2)
