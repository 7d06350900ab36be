"""``ETag`` and ``If-Match``: conditional updates make lost updates impossible."""

from __future__ import annotations

import re
from typing import Any

from litestar import Request

from medcore.entrypoints.http.problems import ProblemError

_STRONG = re.compile(r'^"(\d{1,18})"$')


def etag(version: int) -> str:
    return f'"{version}"'


def expected_version(request: Request[Any, Any, Any]) -> int | None:
    """The version named by ``If-Match``; None without the header. A weak or malformed tag
    cannot match a strong one (RFC 9110 section 13.1.1), so it fails the precondition."""
    header = request.headers.get("if-match")
    if header is None:
        return None
    header = header.strip()
    if header == "*":
        return None
    match = _STRONG.match(header)
    if not match:
        raise ProblemError(
            412,
            "precondition_failed",
            'If-Match must be the ETag of the current version, such as "3".',
        )
    return int(match.group(1))
