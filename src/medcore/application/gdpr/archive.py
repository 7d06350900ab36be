"""The export archive: a zip of JSON documents, one per record type, the FHIR Bundle, the
audit trail of the record, a README and a manifest with the SHA-256 of every member.

Member names carry no personal data (record types and ids only)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

FORMAT = "medcore.gdpr.export/1"
MANIFEST = "manifest.json"
README = "README.md"


@dataclass(frozen=True, slots=True)
class Member:
    name: str
    data: bytes
    records: int | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True, slots=True)
class Archive:
    data: bytes
    members: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def json_member(name: str, document: Any, records: int | None = None) -> Member:
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True, allow_nan=False)
    return Member(name, (text + "\n").encode("utf-8"), records)


def _readme(members: Sequence[Member], *, export_id: UUID, patient_id: UUID, generated_at: str) -> bytes:
    lines = [
        "# Your medical data",
        "",
        f"Export `{export_id}` of patient record `{patient_id}`, generated at {generated_at} (UTC).",
        "",
        "- `data/*.json`: every record about you, one file per kind of record, each field as stored.",
        "- `fhir/bundle.json`: the same data as a FHIR R4 Bundle (type `collection`), for another",
        "  health system to import.",
        "- `audit/access_log.json`: every access to your record: who (by role), when, what, and",
        "  whether it was allowed. `audit/account_activity.json`: what your portal account did.",
        "- `files/`: your documents (none are stored yet).",
        f"- `{MANIFEST}`: this list as JSON, with the SHA-256 of every member.",
        "",
        "| member | records | SHA-256 |",
        "|---|---|---|",
        *(f"| `{m.name}` | {'' if m.records is None else m.records} | `{m.sha256}` |" for m in members),
        "",
    ]
    return "\n".join(lines).encode("utf-8")


def build_archive(members: Sequence[Member], *, export_id: UUID, patient_id: UUID, generated_at: datetime) -> Archive:
    """The zip: the given members, then the README and the manifest (which lists every
    other member with its size and SHA-256)."""
    instant = generated_at.astimezone(UTC)
    stamp = instant.isoformat().replace("+00:00", "Z")
    readme = Member(README, _readme(members, export_id=export_id, patient_id=patient_id, generated_at=stamp))
    listed = [*members, readme]
    manifest = json_member(
        MANIFEST,
        {
            "format": FORMAT,
            "export_id": str(export_id),
            "patient_id": str(patient_id),
            "generated_at": stamp,
            "members": [
                {"name": m.name, "size": len(m.data), "sha256": m.sha256, "records": m.records} for m in listed
            ],
        },
    )
    buffer = io.BytesIO()
    date_time = (max(instant.year, 1980), instant.month, instant.day, instant.hour, instant.minute, instant.second)
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member in (*listed, manifest):
            info = zipfile.ZipInfo(member.name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, member.data)
        archive.writestr(zipfile.ZipInfo("files/", date_time=date_time), b"")
    return Archive(buffer.getvalue(), len(listed) + 1)


def record_members(dossier: Mapping[str, Sequence[Any]]) -> list[Member]:
    return [
        json_member(f"data/{record_type}.json", {"record_type": record_type, "records": list(records)}, len(records))
        for record_type, records in dossier.items()
    ]
