"""Shapes shared by every resource."""

from __future__ import annotations

from typing import Annotated

import msgspec

from medcore.entrypoints.http.listing import PageInfo

# Generous bounds at the edge; the domain gives the precise, friendly rules. PostgreSQL
# text cannot hold NUL characters, so stored text refuses them here (422) rather than
# there (500); secrets are only ever hashed.
_NO_NUL = r"^[^\x00]*$"
ShortText = Annotated[str, msgspec.Meta(max_length=500, pattern=_NO_NUL)]
Secret = Annotated[str, msgspec.Meta(max_length=1024)]
Email = Annotated[str, msgspec.Meta(max_length=320, pattern=_NO_NUL)]
Slug = Annotated[str, msgspec.Meta(max_length=100, pattern=_NO_NUL)]


class Page(msgspec.Struct, frozen=True):
    page: PageInfo
