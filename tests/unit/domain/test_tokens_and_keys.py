"""Single-use action tokens (reset, verification, invitation) and API keys."""

from __future__ import annotations

import string
from datetime import timedelta
from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st
from returns.result import Failure, Success

from medcore.domain.identity.action_token import INVALID_TOKEN, LIFETIMES, ActionToken, TokenPurpose
from medcore.domain.identity.api_key import (
    INVALID_API_KEY,
    KEY_PREFIX,
    MAX_OVERLAP,
    ApiKey,
    format_key,
    split_key,
)
from medcore.domain.identity.permissions import Permission
from medcore.domain.identity.secrets import digest
from tests.unit.fakes import START

# --- ActionToken ---------------------------------------------------------------------------


def issue(purpose: TokenPurpose) -> ActionToken:
    return ActionToken.issue(
        id=UUID(int=1),
        organization_id=UUID(int=2),
        user_id=UUID(int=3),
        purpose=purpose,
        token_hash=digest("secret"),
        now=START,
    )


def test_token_lifetimes_are_thirty_minutes_for_reset_and_forty_eight_hours_for_verification() -> None:
    assert issue(TokenPurpose.PASSWORD_RESET).expires_at == START + timedelta(minutes=30)
    assert issue(TokenPurpose.EMAIL_VERIFICATION).expires_at == START + timedelta(hours=48)
    assert issue(TokenPurpose.INVITATION).expires_at == START + timedelta(days=7)


@given(purpose=st.sampled_from(TokenPurpose), elapsed=st.integers(min_value=0))
def test_an_action_token_works_once_before_it_expires_and_never_after(purpose: TokenPurpose, elapsed: int) -> None:
    token = issue(purpose)
    lifetime_us = LIFETIMES[purpose] // timedelta(microseconds=1)
    now = START + timedelta(microseconds=elapsed % (2 * lifetime_us))

    first = token.consume(now)

    if now < token.expires_at:
        assert first == Success(None)
        assert token.used_at == now
    else:
        assert first == Failure(INVALID_TOKEN)
        assert token.used_at is None
    assert token.consume(now) == Failure(INVALID_TOKEN)


def test_an_action_token_is_refused_exactly_at_its_expiry() -> None:
    token = issue(TokenPurpose.PASSWORD_RESET)

    assert token.consume(token.expires_at) == Failure(INVALID_TOKEN)
    assert token.consume(token.expires_at - timedelta(microseconds=1)) == Success(None)


# --- ApiKey ---------------------------------------------------------------------------------

CURRENT = digest("current-secret")
NEXT = digest("next-secret")


def make_key(expires_at: timedelta | None = None) -> ApiKey:
    return ApiKey(
        id=UUID(int=1),
        organization_id=UUID(int=2),
        name="lab integration",
        key_id="0123abcd",
        secret_hash=CURRENT,
        scopes=frozenset({Permission.USERS_READ}),
        created_by=UUID(int=3),
        expires_at=START + expires_at if expires_at is not None else None,
        created_at=START,
        updated_at=START,
    )


def test_a_key_accepts_its_current_secret_and_nothing_else() -> None:
    key = make_key()

    assert key.accepts(CURRENT, START) == Success(None)
    assert key.accepts(digest("guess"), START) == Failure(INVALID_API_KEY)


@given(
    overlap=st.integers(0, 30 * 24 * 60).map(lambda m: timedelta(minutes=m)),
    elapsed=st.integers(0, 40 * 24 * 3600).map(lambda s: timedelta(seconds=s)),
)
def test_after_rotation_the_previous_secret_works_only_during_the_overlap_capped_at_seven_days(
    overlap: timedelta, elapsed: timedelta
) -> None:
    key = make_key()

    assert key.rotate(NEXT, overlap, START) == Success(None)

    window = min(overlap, MAX_OVERLAP)
    assert key.previous_valid_until == START + window
    later = START + elapsed
    assert key.accepts(NEXT, later) == Success(None)
    assert (key.accepts(CURRENT, later) == Success(None)) is (elapsed < window)


def test_rotating_twice_leaves_only_the_last_two_secrets_usable() -> None:
    key = make_key()
    key.rotate(NEXT, timedelta(hours=1), START)
    newest = digest("newest-secret")

    key.rotate(newest, timedelta(hours=1), START)

    assert key.accepts(newest, START) == Success(None)
    assert key.accepts(NEXT, START) == Success(None)
    assert key.accepts(CURRENT, START) == Failure(INVALID_API_KEY)


def test_a_revoked_key_refuses_every_secret_and_cannot_be_rotated_or_revoked_again() -> None:
    key = make_key()
    key.rotate(NEXT, timedelta(hours=1), START)

    assert key.revoke(START) == Success(None)

    assert not key.is_active(START)
    assert key.accepts(NEXT, START) == Failure(INVALID_API_KEY)
    assert key.accepts(CURRENT, START) == Failure(INVALID_API_KEY)
    rotated = key.rotate(digest("x"), timedelta(0), START)
    assert isinstance(rotated, Failure)
    assert rotated.failure().code == "api_key.inactive"
    again = key.revoke(START)
    assert isinstance(again, Failure)
    assert again.failure().code == "api_key.already_revoked"


def test_an_expired_key_refuses_its_secret_from_the_expiry_instant() -> None:
    key = make_key(expires_at=timedelta(days=1))

    assert key.accepts(CURRENT, START + timedelta(days=1) - timedelta(microseconds=1)) == Success(None)
    assert key.accepts(CURRENT, START + timedelta(days=1)) == Failure(INVALID_API_KEY)
    assert isinstance(key.rotate(NEXT, timedelta(hours=1), START + timedelta(days=2)), Failure)


@given(st.lists(st.integers(0, 180), min_size=1, max_size=30))
def test_last_use_is_recorded_at_most_once_a_minute(gaps: list[int]) -> None:
    key = make_key()
    now = START
    recorded_at = None
    for gap in gaps:
        now += timedelta(seconds=gap)
        should_record = recorded_at is None or now - recorded_at >= timedelta(minutes=1)

        assert key.mark_used(now) is should_record

        if should_record:
            recorded_at = now
        assert key.last_used_at == recorded_at


@given(
    key_id=st.text(alphabet="0123456789abcdef", min_size=1, max_size=16),
    secret=st.text(alphabet=string.ascii_letters + string.digits + "-_", min_size=1, max_size=64),
)
def test_a_formatted_key_splits_back_into_its_id_and_secret(key_id: str, secret: str) -> None:
    presented = format_key(key_id, secret)

    assert presented.startswith(KEY_PREFIX)
    assert split_key(presented) == (key_id, secret)


def test_malformed_keys_do_not_split() -> None:
    for presented in ("", "mc_live_", "mc_live_abc", "mc_live__secret", "mc_live_abc_", "mc_test_abc_secret"):
        assert split_key(presented) is None
