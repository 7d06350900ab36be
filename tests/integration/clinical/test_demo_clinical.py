"""The demo organization: a "General consultation" template and Jean Dupont's signed
consultation of last week with Dr Martin, with vitals; seeding again adds nothing."""

from __future__ import annotations

from medcore.adapters.postgres.database import SavepointDatabase
from medcore.container import Container
from tests.integration.conftest import ControlledClock
from tests.integration.helpers import Client, bearer, login
from tests.integration.scheduling.support import NOW, pin, utc


async def test_jean_reads_his_signed_consultation_and_dr_martin_the_template(
    client: Client, container: Container, clock: ControlledClock, db: SavepointDatabase
) -> None:
    pin(clock, NOW)
    assert (await container.use_cases.seed_demo().execute()).unwrap().created
    assert not (await container.use_cases.seed_demo().execute()).unwrap().created

    jean = await login(client, "demo", "jean.dupont@demo.medcore.dev", "silver-orchard-5167")
    doctor = await login(client, "demo", "dr.martin@demo.medcore.dev", "quiet-meadow-3856")
    mine = await client.get("/api/v1/consultations", headers=bearer(jean["access_token"]))
    templates = await client.get("/api/v1/consultation-templates", headers=bearer(doctor["access_token"]))
    everything = await client.get("/api/v1/consultations", headers=bearer(doctor["access_token"]))

    [consultation] = mine.json()["items"]
    assert consultation["status"] == "signed"
    me = await client.get("/api/v1/auth/me", headers=bearer(doctor["access_token"]))
    assert consultation["signed_by"] == me.json()["user"]["id"]  # written and signed by Dr Martin herself
    assert (NOW - utc(consultation["started_at"])).days in (6, 7)
    assert consultation["vitals"]["systolic_mmhg"] == 142
    assert consultation["diagnoses"] == [{"code": "I10", "text": "Essential hypertension"}]
    assert all(s["text"] for s in consultation["sections"] if s["required"])
    [template] = templates.json()["items"]
    assert template["name"] == "General consultation"
    assert [s["key"] for s in template["sections"]] == ["subjective", "objective", "assessment", "plan", "follow_up"]
    assert consultation["template_id"] == template["id"]
    assert len(everything.json()["items"]) == 1  # seeding twice wrote it once
    weights = await client.get(
        f"/api/v1/patients/{consultation['patient_id']}/metrics",
        params={"kind": "weight"},
        headers=bearer(jean["access_token"]),
    )
    assert weights.status_code == 200
    assert 84 in [p["value"] for p in weights.json()["points"]]
