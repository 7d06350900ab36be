"""Merge semantics for updates: a field left ``UNCHANGED`` keeps its value, ``None`` clears
a field that may be empty. (``None`` alone cannot say both.)"""

from __future__ import annotations

import enum
from typing import Final, Literal, TypeAlias, TypeVar

T = TypeVar("T")


class Unchanged(enum.Enum):
    UNCHANGED = "unchanged"

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Final = Unchanged.UNCHANGED

# ``Change[int | None]``: a new value, ``None`` to clear, or ``UNCHANGED``.
Change: TypeAlias = T | Literal[Unchanged.UNCHANGED]
