"""Refresh-token rotation with reuse detection, as a state machine over ``Session``.

Every token the session ever issued is remembered with its generation, as the session
repository does. Rules present the current token, an old one, log out, or let time pass
(including beyond the 30-day lifetime); the invariants say that at most the newest token is
ever accepted, that nothing is accepted after a reuse, and that generations only grow.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from uuid import UUID

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from returns.result import Failure, Success

from medcore.domain.identity.secrets import digest
from medcore.domain.identity.session import (
    INVALID_REFRESH_TOKEN,
    REFRESH_TOKEN_LIFETIME,
    REFRESH_TOKEN_REUSED,
    RevocationReason,
    Session,
)
from tests.unit.fakes import START


class SessionRotation(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = START
        self.issued = 0
        first = self._new_token()
        self.generation_of: dict[str, int] = {digest(first): 0}
        self.tokens: list[str] = [first]  # tokens[g] is the token of generation g
        self.session = Session.open(
            id=UUID(int=1),
            organization_id=UUID(int=2),
            user_id=UUID(int=3),
            refresh_token_hash=digest(first),
            now=START,
            mfa_verified=False,
            ip=None,
            user_agent=None,
        )
        # The model: what the session should be.
        self.expires_at = START + REFRESH_TOKEN_LIFETIME
        self.reused = False
        self.logged_out = False
        self.last_generation = 0

    def _new_token(self) -> str:
        self.issued += 1
        return f"refresh-token-{self.issued}"

    def _alive(self) -> bool:
        return not self.reused and not self.logged_out and self.now < self.expires_at

    def _present(self, token: str) -> tuple[int, object]:
        generation = self.generation_of[digest(token)]
        new = self._new_token()
        result = self.session.rotate(generation, digest(new), self.now)
        if isinstance(result, Success):
            self.tokens.append(new)
            self.generation_of[digest(new)] = result.unwrap()
        return generation, result

    @rule()
    def refresh_with_the_current_token(self) -> None:
        alive = self._alive()
        before = self.session.generation

        _, result = self._present(self.tokens[-1])

        if alive:
            assert result == Success(before + 1)
            assert self.session.refresh_token_hash == digest(self.tokens[-1])
            self.expires_at = self.now + REFRESH_TOKEN_LIFETIME
            assert self.session.expires_at == self.expires_at
        else:
            assert result == Failure(INVALID_REFRESH_TOKEN)

    @precondition(lambda self: len(self.tokens) > 1)
    @rule(data=st.data())
    def refresh_with_an_old_token(self, data: st.DataObject) -> None:
        old = data.draw(st.sampled_from(self.tokens[:-1]), label="old token")
        alive = self._alive()

        _, result = self._present(old)

        if alive:
            assert result == Failure(REFRESH_TOKEN_REUSED)
            assert self.session.revoked_reason is RevocationReason.REFRESH_TOKEN_REUSE
            assert self.session.revoked_at == self.now
            self.reused = True
        else:
            assert result == Failure(INVALID_REFRESH_TOKEN)

    @rule(reason=st.sampled_from([RevocationReason.LOGOUT, RevocationReason.REVOKED_BY_USER]))
    def log_out(self, reason: RevocationReason) -> None:
        first_time = not self.reused and not self.logged_out

        revoked = self.session.revoke(self.now, reason)

        assert revoked is first_time
        if first_time:
            assert self.session.revoked_reason is reason
        self.logged_out = True

    @rule(
        elapsed=st.one_of(
            st.integers(1, 3600).map(lambda s: timedelta(seconds=s)),
            st.integers(1, 40).map(lambda d: timedelta(days=d)),
            st.just(REFRESH_TOKEN_LIFETIME),
        )
    )
    def time_passes(self, elapsed: timedelta) -> None:
        self.now += elapsed

    # --- invariants -----------------------------------------------------------------------

    def _accepted_generations(self) -> list[int]:
        """Which known tokens a refresh would accept now, probed on copies of the session."""
        accepted = []
        for token in self.tokens:
            probe = replace(self.session)  # fields are immutable values: a shallow copy is a copy
            if isinstance(probe.rotate(self.generation_of[digest(token)], digest("probe"), self.now), Success):
                accepted.append(self.generation_of[digest(token)])
        return accepted

    @invariant()
    def at_most_the_newest_token_is_accepted(self) -> None:
        accepted = self._accepted_generations()
        assert accepted == ([self.session.generation] if self._alive() else [])

    @invariant()
    def after_reuse_nothing_is_accepted(self) -> None:
        if self.reused:
            assert self._accepted_generations() == []
            assert not self.session.is_active(self.now)

    @invariant()
    def the_generation_only_grows(self) -> None:
        assert self.session.generation >= self.last_generation
        assert self.session.generation == len(self.tokens) - 1
        self.last_generation = self.session.generation

    @invariant()
    def the_session_is_active_exactly_while_the_model_says_so(self) -> None:
        assert self.session.is_active(self.now) is self._alive()


SessionRotation.TestCase.settings = settings(max_examples=100, stateful_step_count=30, deadline=None)
test_refresh_token_rotation_and_reuse_detection = SessionRotation.TestCase
