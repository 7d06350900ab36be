"""Verification codes: what a pharmacist types to check a printed prescription.

A code is 16 symbols from an alphabet without look-alikes (no 0/O, 1/I/L), shown in four
groups (``K7QM-2XWD-P9RT-HB4C``): about 79 bits, unguessable even without the rate limit
on the verification endpoint. Only a digest of the code is stored, so the database alone
cannot produce one; the code on the paper is re-derived by the ``VerificationCodes`` port.
"""

from __future__ import annotations

import hashlib

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 16
_GROUP = 4
_SEPARATORS = str.maketrans("", "", " -_.")


def normalise(raw: str) -> str | None:
    """The code's 16 symbols, whatever the case and grouping it was typed with; None when
    it cannot be a code at all."""
    symbols = raw.translate(_SEPARATORS).upper()
    if len(symbols) != LENGTH or any(c not in ALPHABET for c in symbols):
        return None
    return symbols


def formatted(symbols: str) -> str:
    """``K7QM2XWDP9RTHB4C`` -> ``K7QM-2XWD-P9RT-HB4C``."""
    return "-".join(symbols[i : i + _GROUP] for i in range(0, len(symbols), _GROUP))


def code_digest(code: str) -> str:
    """What is stored and looked up: the SHA-256 of the normalised code."""
    symbols = normalise(code)
    if symbols is None:
        raise ValueError("not a verification code")
    return hashlib.sha256(f"prescription-verification:{symbols}".encode()).hexdigest()
