"""Shapes shared by every resource."""

from __future__ import annotations

from typing import Annotated

import msgspec

from medcore.entrypoints.http.listing import PageInfo

# Generous bounds at the edge; the domain gives the precise, friendly rules.
ShortText = Annotated[str, msgspec.Meta(max_length=500)]
Secret = Annotated[str, msgspec.Meta(max_length=1024)]
Email = Annotated[str, msgspec.Meta(max_length=320)]
Slug = Annotated[str, msgspec.Meta(max_length=100)]


class Page(msgspec.Struct, frozen=True):
    page: PageInfo
