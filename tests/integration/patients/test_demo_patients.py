"""The demo organization's patient records: Jean Dupont's is linked to the demo patient
login and holds the history the walkthrough shows; seeding twice changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from medcore.adapters.postgres.database import SavepointDatabase
from medcore.adapters.postgres.patient_tables import patient_versions, patients
from medcore.application.demo.demo_patients import DEMO_PATIENTS
from medcore.application.demo.seed_demo import DEMO_LOGINS
from medcore.container import Container
from medcore.domain.identity.permissions import Role
from medcore.domain.patients.measurements import MeasurementKind
from tests.integration.helpers import Client, bearer, login


async def test_the_demo_patient_logs_in_to_a_record_with_its_history(
    client: Client, container: Container, db: SavepointDatabase
) -> None:
    assert (await container.use_cases.seed_demo().execute()).unwrap().created
    counts = [
        (await db.connection.execute(select(func.count()).select_from(table))).scalar_one()
        for table in (patients, patient_versions)
    ]

    again = (await container.use_cases.seed_demo().execute()).unwrap()

    assert not again.created
    assert [
        (await db.connection.execute(select(func.count()).select_from(table))).scalar_one()
        for table in (patients, patient_versions)
    ] == counts
    assert counts[0] == len(DEMO_PATIENTS)
    jean = next(login for login in DEMO_LOGINS if login.role is Role.PATIENT)
    token = (await login(client, "demo", jean.email, jean.password))["access_token"]
    me = (await client.get("/api/v1/patients/me", headers=bearer(token))).json()
    base = f"/api/v1/patients/{me['id']}"
    allergies = (await client.get(f"{base}/allergies", headers=bearer(token))).json()["items"]
    conditions = (await client.get(f"{base}/conditions", headers=bearer(token))).json()["items"]
    medications = (await client.get(f"{base}/medications", headers=bearer(token))).json()["items"]
    measurements = (await client.get(f"{base}/measurements", headers=bearer(token))).json()["items"]

    assert (me["given_name"], me["family_name"]) == ("Jean", "Dupont")
    assert [(a["substance"], a["code"]) for a in allergies] == [("Penicillin", "J01C")]
    assert [c["code"] for c in conditions] == ["I10"]
    assert [(m["code"], m["status"]) for m in medications] == [("C09AA05", "active")]
    kinds = {m["kind"] for m in measurements}
    assert {MeasurementKind.WEIGHT.value, MeasurementKind.HEIGHT.value} <= kinds
