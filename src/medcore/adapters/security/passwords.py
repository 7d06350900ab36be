"""argon2id password hashing, and the list of common passwords."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher as Argon2
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# OWASP's minimum for argon2id (19 MiB, 2 iterations, 1 lane): ~20 ms on this hardware
# class, where argon2-cffi's defaults (64 MiB, t=3, p=4) cost ~230 ms and cap logins near
# 8 per second on two cores. See docs/adr/0005-password-hashing.md.
MEMORY_KIB = 19 * 1024
ITERATIONS = 2
PARALLELISM = 1


class Argon2PasswordHasher:
    def __init__(
        self,
        memory_kib: int = MEMORY_KIB,
        iterations: int = ITERATIONS,
        parallelism: int = PARALLELISM,
    ) -> None:
        if memory_kib < MEMORY_KIB or iterations < ITERATIONS:
            raise ValueError("argon2id below OWASP's minimum (19 MiB, 2 iterations) is not allowed")
        self._argon2 = Argon2(
            time_cost=iterations,
            memory_cost=memory_kib,
            parallelism=parallelism,
            hash_len=32,
            salt_len=16,
            type=Type.ID,
        )
        self._decoy = self._argon2.hash("decoy password for unknown accounts")

    def hash(self, password: str) -> str:
        return self._argon2.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._argon2.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return self._argon2.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True

    def burn(self) -> None:
        self.verify(self._decoy, "not the decoy password")


class CommonPasswordList:
    """The 30,000 most common passwords of public breach corpora, as shipped with zxcvbn,
    compared case-insensitively."""

    def __init__(self, extra: frozenset[str] = frozenset()) -> None:
        self._words = _breached() | {w.lower() for w in extra}

    def __contains__(self, candidate: object) -> bool:
        return isinstance(candidate, str) and candidate.lower() in self._words


@lru_cache(maxsize=1)
def _breached() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(w.lower() for w in FREQUENCY_LISTS["passwords"])
