"""Verification codes of printed prescriptions, derived from the server's key.

A code is an HMAC of the prescription's id under a key derived from the secret key: it
cannot be guessed or forged without that key, it is the same every time the prescription
is printed, and it is never stored (the database keeps its digest only, for lookups).
"""

from __future__ import annotations

import hashlib
import hmac
from uuid import UUID

from medcore.domain.prescribing.verification import ALPHABET, LENGTH, formatted


class HmacVerificationCodes:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def code_for(self, prescription_id: UUID) -> str:
        mac = hmac.new(self._key, b"prescription-verification:" + prescription_id.bytes, hashlib.sha256).digest()
        number = int.from_bytes(mac, "big")  # 256 bits, far more than the 79 a code holds
        symbols = []
        for _ in range(LENGTH):
            number, index = divmod(number, len(ALPHABET))
            symbols.append(ALPHABET[index])
        return formatted("".join(symbols))
