"""Successful (and the documented refused) answers of the prescribing endpoints match the
OpenAPI schema: the fuzzer of test_schemathesis rarely gets past validation to reach them."""

from __future__ import annotations

import io
import re

import pypdf
import schemathesis

from tests.integration.test_schemathesis import PASSWORD, Owner, Script, api, owner

__all__ = ["api", "owner"]  # fixtures

AMOXICILLIN = {
    "medication_code": "J01CA04",
    "dose_amount": 500,
    "dose_unit": "mg",
    "route": "oral",
    "frequency_per_day": 3,
    "duration_days": 7,
    "quantity": 21,
}
IBUPROFEN = {
    "medication_code": "M01AE01",
    "dose_amount": 400,
    "dose_unit": "mg",
    "route": "oral",
    "interval_hours": 8,
    "duration_days": 5,
    "quantity": 15,
    "instructions": "Take with food.",
}


def test_prescribing_answers_match_the_schema(api: schemathesis.BaseSchema, owner: Owner) -> None:
    call = Script(api, owner.access_token)
    account = call(
        "POST",
        "/api/v1/users",
        201,
        body={
            "email": "dr@fuzzed.test",
            "role": "practitioner",
            "given_name": "C",
            "family_name": "M",
            "password": PASSWORD,
        },
    )
    doctor = call(
        "POST",
        "/api/v1/auth/login",
        200,
        body={"organization": "fuzzed", "email": "dr@fuzzed.test", "password": PASSWORD},
        public=True,
    )["access_token"]
    practitioner = call(
        "POST",
        "/api/v1/practitioners",
        201,
        body={
            "given_name": "Claire",
            "family_name": "Martin",
            "time_zone": "Europe/Paris",
            "user_id": account["id"],
            "licence_number": "RPPS 1",
            "can_prescribe": True,
        },
    )
    patient = call(
        "POST",
        "/api/v1/patients",
        201,
        body={"given_name": "Jean", "family_name": "Dupont", "birth_date": "1968-04-12"},
    )
    call(
        "POST",
        "/api/v1/patients/{patient_id}/medications",
        201,
        path_parameters={"patient_id": patient["id"]},
        body={"code": "B01AA03"},
    )

    draft = call(
        "POST",
        "/api/v1/prescriptions",
        201,
        body={"patient_id": patient["id"], "prescriber_id": practitioner["id"], "items": [AMOXICILLIN, IBUPROFEN]},
        token=doctor,
    )
    assert [f["code"] for f in draft["findings"]] == ["prescription.interaction"]
    by_id = {"prescription_id": draft["id"]}
    call("POST", "/api/v1/prescriptions/{prescription_id}/validate", 200, path_parameters=by_id)
    call("GET", "/api/v1/prescriptions/{prescription_id}", 200, path_parameters=by_id)
    call(
        "PATCH",
        "/api/v1/prescriptions/{prescription_id}",
        200,
        path_parameters=by_id,
        body={"notes": "Otitis."},
        token=doctor,
    )
    refused = call(
        "POST", "/api/v1/prescriptions/{prescription_id}/sign", 409, path_parameters=by_id, body={}, token=doctor
    )
    assert refused["findings"][0]["severity"] == "warning"
    acknowledged = {
        "acknowledgements": [{"code": "prescription.interaction", "item_index": 1, "reason": "INR checked."}]
    }
    signed = call(
        "POST",
        "/api/v1/prescriptions/{prescription_id}/sign",
        200,
        path_parameters=by_id,
        body=acknowledged,
        token=doctor,
    )
    assert signed["status"] == "signed"
    call(
        "PATCH",
        "/api/v1/prescriptions/{prescription_id}",
        409,
        path_parameters=by_id,
        body={"notes": "x"},
        token=doctor,
    )
    call(
        "GET",
        "/api/v1/patients/{patient_id}/prescriptions",
        200,
        path_parameters={"patient_id": patient["id"]},
        query={"status": "signed"},
    )

    pdf = api["/api/v1/prescriptions/{prescription_id}/pdf"]["GET"].Case(
        path_parameters=by_id, headers={"Authorization": f"Bearer {doctor}"}
    )
    response = pdf.call_and_validate()
    assert response.status_code == 200
    text = " ".join((pypdf.PdfReader(io.BytesIO(response.content)).pages[0].extract_text() or "").split())
    [code] = set(re.findall(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b", text))
    verified = call("GET", "/api/v1/prescriptions/verify/{code}", 200, path_parameters={"code": code}, public=True)
    assert verified["valid"] is True
    call(
        "GET", "/api/v1/prescriptions/verify/{code}", 404, path_parameters={"code": "AAAA-BBBB-CCCC-DDDD"}, public=True
    )

    renewal = call("POST", "/api/v1/prescriptions/{prescription_id}/renew", 201, path_parameters=by_id, token=doctor)
    call(
        "POST",
        "/api/v1/prescriptions/{prescription_id}/cancel",
        200,
        path_parameters={"prescription_id": renewal["id"]},
        body={"reason": "Not needed."},
    )
    call("POST", "/api/v1/prescriptions/{prescription_id}/dispense", 200, path_parameters=by_id, body={"partial": True})

    template = call(
        "POST",
        "/api/v1/prescription-templates",
        201,
        body={"name": "Otitis", "items": [AMOXICILLIN], "practitioner_id": practitioner["id"]},
    )
    by_template = {"template_id": template["id"]}
    call(
        "GET",
        "/api/v1/prescription-templates",
        200,
        query={"practitioner_id": practitioner["id"], "sort": "-created_at"},
    )
    call("GET", "/api/v1/prescription-templates/{template_id}", 200, path_parameters=by_template)
    call(
        "POST",
        "/api/v1/prescription-templates/{template_id}/prescribe",
        201,
        path_parameters=by_template,
        body={"patient_id": patient["id"]},
    )
    call("DELETE", "/api/v1/prescription-templates/{template_id}", 204, path_parameters=by_template)

    call("GET", "/api/v1/formulary", 200, query={"q": "J01C", "limit": 5})
    call("GET", "/api/v1/formulary/{code}", 200, path_parameters={"code": "J01CA04"})
    call("GET", "/api/v1/formulary/{code}", 404, path_parameters={"code": "J01CA99"})
