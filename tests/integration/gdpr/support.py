"""The demo organization as GDPR tests use it: Jean Dupont's record (linked to the demo
patient login, with history, appointments and consultations) and the staff logins."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

from medcore.application.demo.seed_demo import DEMO_LOGINS
from medcore.container import Container
from medcore.domain.identity.permissions import Role
from tests.integration.helpers import Client, bearer, login


@dataclass
class Demo:
    patient_token: str
    owner_token: str
    patient_id: str
    organization_id: str


async def seeded_demo(client: Client, container: Container) -> Demo:
    assert (await container.use_cases.seed_demo().execute()).unwrap().created
    jean = next(d for d in DEMO_LOGINS if d.role is Role.PATIENT)
    owner = next(d for d in DEMO_LOGINS if d.role is Role.OWNER)
    patient_token = str((await login(client, "demo", jean.email, jean.password))["access_token"])
    owner_token = str((await login(client, "demo", owner.email, owner.password))["access_token"])
    me = (await client.get("/api/v1/patients/me", headers=bearer(patient_token))).json()
    organization = (await client.get("/api/v1/organizations/current", headers=bearer(owner_token))).json()
    return Demo(patient_token, owner_token, me["id"], organization["id"])


def members(archive: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        return {name: opened.read(name) for name in opened.namelist() if not name.endswith("/")}


def document(archive: dict[str, bytes], name: str) -> Any:
    return json.loads(archive[name])


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
