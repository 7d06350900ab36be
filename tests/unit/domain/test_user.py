"""User accounts: lockout after consecutive failures, sign-in gates, TOTP replay and
recovery codes, invitations."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st
from returns.result import Failure, Success

from medcore.domain.identity.email import EmailAddress
from medcore.domain.identity.permissions import Role
from medcore.domain.identity.user import INVALID_CREDENTIALS, LockoutPolicy, User, UserStatus
from medcore.domain.shared.errors import ErrorKind
from tests.unit.fakes import START

thresholds = st.integers(min_value=3, max_value=20)
durations = st.integers(min_value=1, max_value=24 * 60).map(lambda m: timedelta(minutes=m))


def make_user(status: UserStatus = UserStatus.ACTIVE, password_hash: str | None = "hash") -> User:
    return User(
        id=UUID(int=1),
        organization_id=UUID(int=2),
        email=EmailAddress("ada@example.test"),
        given_name="Ada",
        family_name="Lovelace",
        role=Role.PRACTITIONER,
        status=status,
        password_hash=password_hash,
        created_at=START,
        updated_at=START,
    )


# --- lockout ----------------------------------------------------------------------------


@given(threshold=thresholds, duration=durations, gaps=st.lists(st.integers(0, 600), min_size=25, max_size=25))
def test_the_account_locks_exactly_on_the_threshold_th_consecutive_failure(
    threshold: int, duration: timedelta, gaps: list[int]
) -> None:
    policy = LockoutPolicy(threshold=threshold, duration=duration)
    user = make_user()
    now = START
    for attempt in range(1, threshold + 1):
        now += timedelta(seconds=gaps[attempt])  # failures need not be quick to count
        assert not user.is_locked(now)
        locked = user.record_failed_login(now, policy)
        assert locked is (attempt == threshold)
        assert user.is_locked(now) is (attempt == threshold)
    assert user.locked_until == now + duration


@given(threshold=thresholds, duration=durations, elapsed=st.integers(min_value=0))
def test_a_locked_account_stays_locked_until_the_window_ends(threshold: int, duration: timedelta, elapsed: int) -> None:
    policy = LockoutPolicy(threshold=threshold, duration=duration)
    user = make_user()
    for _ in range(threshold):
        user.record_failed_login(START, policy)

    during = START + timedelta(microseconds=elapsed % (duration // timedelta(microseconds=1)))
    gate = user.check_can_sign_in(during)

    assert user.is_locked(during)
    assert isinstance(gate, Failure)
    assert gate.failure().kind is ErrorKind.LOCKED
    assert gate.failure().code == "auth.account_locked"
    assert gate.failure().extra["locked_until"] == START + duration
    assert not user.is_locked(START + duration)
    assert user.check_can_sign_in(START + duration) == Success(None)


@given(threshold=thresholds, before=st.integers(0, 19), after=st.integers(0, 19))
def test_a_successful_login_resets_the_count(threshold: int, before: int, after: int) -> None:
    policy = LockoutPolicy(threshold=threshold)
    user = make_user()
    for _ in range(min(before, threshold - 1)):
        user.record_failed_login(START, policy)

    user.record_successful_login(START)
    assert user.failed_logins == 0
    assert user.last_login_at == START

    locks = [user.record_failed_login(START, policy) for _ in range(min(after, threshold - 1))]
    assert not any(locks)
    assert not user.is_locked(START)


@given(threshold=thresholds, duration=durations, later=st.integers(0, 10_000).map(lambda s: timedelta(seconds=s)))
def test_a_failure_after_an_expired_lock_starts_a_new_count(
    threshold: int, duration: timedelta, later: timedelta
) -> None:
    policy = LockoutPolicy(threshold=threshold, duration=duration)
    user = make_user()
    for _ in range(threshold):
        user.record_failed_login(START, policy)

    after_lock = START + duration + later
    locked_again = user.record_failed_login(after_lock, policy)

    assert locked_again is False
    assert user.failed_logins == 1
    assert not user.is_locked(after_lock)


def test_unlock_clears_the_lock_and_the_count() -> None:
    user = make_user()
    for _ in range(5):
        user.record_failed_login(START, LockoutPolicy())

    user.unlock(START)

    assert not user.is_locked(START)
    assert user.failed_logins == 0


def test_setting_a_password_clears_a_lock() -> None:
    user = make_user()
    for _ in range(5):
        user.record_failed_login(START, LockoutPolicy())

    user.set_password("new-hash", START)

    assert not user.is_locked(START)
    assert user.password_hash == "new-hash"
    assert user.password_changed_at == START


# --- sign-in gate ------------------------------------------------------------------------


def test_accounts_that_cannot_sign_in_answer_like_a_wrong_password() -> None:
    for user in (
        make_user(UserStatus.DEACTIVATED),
        make_user(UserStatus.PENDING_VERIFICATION),
        make_user(UserStatus.INVITED, password_hash=None),
        make_user(UserStatus.ACTIVE, password_hash=None),
    ):
        assert user.check_can_sign_in(START) == Failure(INVALID_CREDENTIALS)


# --- invitation and verification -------------------------------------------------------------


def test_accepting_an_invitation_sets_the_password_and_activates_once() -> None:
    user = make_user(UserStatus.INVITED, password_hash=None)

    assert user.accept_invitation("hash", START) == Success(None)
    assert user.status is UserStatus.ACTIVE
    assert user.email_verified_at == START

    again = user.accept_invitation("other", START)
    assert isinstance(again, Failure)
    assert again.failure().code == "user.not_invited"
    assert user.password_hash == "hash"


def test_verifying_the_email_activates_a_pending_account_but_not_a_deactivated_one() -> None:
    pending = make_user(UserStatus.PENDING_VERIFICATION)
    pending.verify_email(START)
    assert pending.status is UserStatus.ACTIVE
    assert pending.email_verified_at == START

    closed = make_user(UserStatus.DEACTIVATED)
    closed.verify_email(START)
    assert closed.status is UserStatus.DEACTIVATED


def test_deactivating_twice_is_a_conflict() -> None:
    user = make_user()

    assert user.deactivate(START) == Success(None)
    second = user.deactivate(START)

    assert isinstance(second, Failure)
    assert second.failure().code == "user.already_deactivated"


# --- MFA -------------------------------------------------------------------------------------


def _with_totp(confirmed_step: int) -> User:
    user = make_user()
    assert user.start_totp_enrolment("sealed", START) == Success(None)
    user.confirm_totp(confirmed_step, ("h1", "h2"), START)
    return user


@given(first=st.integers(0, 10**8), steps=st.lists(st.integers(-3, 3), min_size=1, max_size=20))
def test_a_totp_step_is_accepted_only_when_newer_than_every_step_used_before(first: int, steps: list[int]) -> None:
    user = _with_totp(first)
    newest = first
    step = first
    for delta in steps:
        step += delta
        accepted = user.accept_totp_step(step, START)
        assert accepted is (step > newest)
        newest = max(newest, step)


def test_a_recovery_code_works_once() -> None:
    user = _with_totp(100)

    assert user.use_recovery_code("h1", START) is True
    assert user.use_recovery_code("h1", START) is False
    assert user.recovery_code_hashes == ("h2",)
    assert user.use_recovery_code("unknown", START) is False


def test_enrolling_again_once_mfa_is_on_is_a_conflict() -> None:
    user = _with_totp(100)

    again = user.start_totp_enrolment("another", START)

    assert isinstance(again, Failure)
    assert again.failure().code == "mfa.already_enabled"
    assert user.totp is not None
    assert user.totp.sealed_secret == "sealed"


def test_name_check_collapses_whitespace_and_bounds_length() -> None:
    assert User.check_name("  Ada \t  Lovelace ", "given_name") == Success("Ada Lovelace")
    assert isinstance(User.check_name("   ", "given_name"), Failure)
    assert isinstance(User.check_name("x" * 101, "given_name"), Failure)
