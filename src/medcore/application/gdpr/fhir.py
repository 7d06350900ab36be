"""A FHIR R4 view of a patient's dossier: a ``collection`` Bundle, for another system to
import. Pragmatic, not a profile: what medcore stores maps onto the base resources as
follows (docs/adr/0021-gdpr-export-and-erasure.md keeps the table).

- Patient: MRN identifier, name, gender, birth date, telecom, address, language.
- Encounter: one per consultation (``finished`` once signed, ``in-progress`` as a draft).
- Observation: body measurements (LOINC-coded where the kind has a code) and the vital
  signs recorded on consultations.
- MedicationRequest: one per prescription item (medication code of the shipped formulary).
- AllergyIntolerance, Condition, MedicationStatement: the medical history entries.

Resources reference each other by ``urn:uuid:`` (the Bundle's ``fullUrl``); practitioners,
outside the Bundle, by identifier.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, uuid5

from medcore.domain.gdpr.ports import JsonRecord, JsonValue

Resource = dict[str, Any]

_LOINC = "http://loinc.org"
_UCUM = "http://unitsofmeasure.org"
_MRN = "urn:medcore:mrn"
_PRACTITIONER = "urn:medcore:practitioner"
_FORMULARY = "urn:medcore:formulary"

# measurement kind / vital sign -> (LOINC code, display, UCUM unit when fixed)
_OBSERVATION_CODES: dict[str, tuple[str, str]] = {
    "weight": ("29463-7", "Body weight"),
    "height": ("8302-2", "Body height"),
    "blood_pressure_systolic": ("8480-6", "Systolic blood pressure"),
    "blood_pressure_diastolic": ("8462-4", "Diastolic blood pressure"),
    "heart_rate": ("8867-4", "Heart rate"),
    "respiratory_rate": ("9279-1", "Respiratory rate"),
    "temperature": ("8310-5", "Body temperature"),
    "glucose": ("2339-0", "Glucose [Mass/volume] in Blood"),
    "spo2": ("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry"),
    "egfr": ("33914-3", "Glomerular filtration rate/1.73 sq M.predicted"),
}
_VITALS: dict[str, tuple[str, str]] = {
    "systolic_mmhg": ("blood_pressure_systolic", "mm[Hg]"),
    "diastolic_mmhg": ("blood_pressure_diastolic", "mm[Hg]"),
    "pulse_per_min": ("heart_rate", "/min"),
    "respiratory_rate_per_min": ("respiratory_rate", "/min"),
    "temperature_c": ("temperature", "Cel"),
    "weight_kg": ("weight", "kg"),
    "height_cm": ("height", "cm"),
    "spo2_percent": ("spo2", "%"),
}
_HISTORY_STATUS = {
    "active": "active",
    "resolved": "resolved",
    "inactive": "inactive",
    "stopped": "inactive",
    "entered_in_error": "inactive",
}
_REQUEST_STATUS = {
    "draft": "draft",
    "signed": "active",
    "partially_dispensed": "active",
    "dispensed": "completed",
    "cancelled": "cancelled",
    "expired": "stopped",
}


def derived_id(*parts: object) -> str:
    """A stable UUID for a resource medcore stores inside another row (a vital sign of a
    consultation, an item of a prescription): the same export gives the same ids."""
    return str(uuid5(NAMESPACE_URL, "urn:medcore:" + "/".join(str(p) for p in parts)))


def _ref(record_id: JsonValue) -> dict[str, str]:
    return {"reference": f"urn:uuid:{record_id}"}


def _practitioner(record_id: JsonValue) -> dict[str, Any] | None:
    if record_id is None:
        return None
    return {"type": "Practitioner", "identifier": {"system": _PRACTITIONER, "value": str(record_id)}}


def _clean(resource: Resource) -> Resource:
    """FHIR has no nulls and no empty arrays: leave them out."""
    return {k: v for k, v in resource.items() if v is not None and v != [] and v != {}}


def _text_concept(text: JsonValue, code: JsonValue = None, system: str | None = None) -> dict[str, Any]:
    concept: dict[str, Any] = {"text": text} if text else {}
    if code:
        concept["coding"] = [_clean({"system": system, "code": code})]
    return concept


def _patient(row: JsonRecord) -> Resource:
    telecom = [
        {"system": system, "value": row[name], "use": "home"}
        for system, name in (("email", "email"), ("phone", "phone"))
        if row.get(name)
    ]
    address = None
    if row.get("address_line1"):
        address = [
            _clean(
                {
                    "line": [line for line in (row.get("address_line1"), row.get("address_line2")) if line],
                    "postalCode": row.get("address_postal_code"),
                    "city": row.get("address_city"),
                    "country": row.get("address_country"),
                }
            )
        ]
    language = row.get("preferred_language")
    return _clean(
        {
            "resourceType": "Patient",
            "id": row["id"],
            "identifier": [{"system": _MRN, "value": row["mrn"]}],
            "active": row.get("deleted_at") is None,
            "name": [{"use": "official", "family": row["family_name"], "given": [row["given_name"]]}],
            "gender": row.get("sex") if row.get("sex") in ("female", "male", "other", "unknown") else "unknown",
            "birthDate": row.get("birth_date"),
            "telecom": telecom,
            "address": address,
            "communication": [{"language": {"coding": [{"code": language}]}}] if language else None,
        }
    )


def _observation(
    observation_id: str, kind: str, value: JsonValue, unit: JsonValue, when: JsonValue, patient: str, *, status: str
) -> Resource:
    code, display = _OBSERVATION_CODES.get(kind, (None, kind))
    return _clean(
        {
            "resourceType": "Observation",
            "id": observation_id,
            "status": status,
            "category": [
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                            "code": "vital-signs" if kind in _OBSERVATION_CODES else "laboratory",
                        }
                    ]
                }
            ],
            "code": _clean(
                {"coding": [{"system": _LOINC, "code": code, "display": display}] if code else None, "text": kind}
            ),
            "subject": _ref(patient),
            "effectiveDateTime": when,
            "valueQuantity": _clean({"value": value, "unit": unit, "system": _UCUM, "code": unit}),
        }
    )


def _encounter(row: JsonRecord, patient: str) -> Resource:
    return _clean(
        {
            "resourceType": "Encounter",
            "id": row["id"],
            "status": "finished" if row.get("status") == "signed" else "in-progress",
            "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
            "subject": _ref(patient),
            "participant": [{"individual": _practitioner(row.get("practitioner_id"))}],
            "period": {"start": row.get("started_at")},
            "reasonCode": [{"text": row["reason"]}] if row.get("reason") else None,
            "appointment": [_ref(row["appointment_id"])] if row.get("appointment_id") else None,
        }
    )


def _medication_requests(prescription: JsonRecord, items: Sequence[JsonRecord], patient: str) -> list[Resource]:
    resources = []
    for item in items:
        dose = _clean({"value": item.get("dose_amount"), "unit": item.get("dose_unit"), "system": _UCUM})
        resources.append(
            _clean(
                {
                    "resourceType": "MedicationRequest",
                    "id": derived_id("prescription", prescription["id"], item.get("position")),
                    "groupIdentifier": {"system": "urn:medcore:prescription", "value": prescription["id"]},
                    "status": _REQUEST_STATUS.get(str(prescription.get("status")), "unknown"),
                    "intent": "order",
                    "medicationCodeableConcept": _text_concept(
                        item.get("medication_code"), item.get("medication_code"), _FORMULARY
                    ),
                    "subject": _ref(patient),
                    "encounter": _ref(prescription["consultation_id"]) if prescription.get("consultation_id") else None,
                    "authoredOn": prescription.get("signed_at") or prescription.get("created_at"),
                    "requester": _practitioner(prescription.get("prescriber_id")),
                    "note": [{"text": prescription["notes"]}] if prescription.get("notes") else None,
                    "dosageInstruction": [
                        _clean(
                            {
                                "text": item.get("instructions"),
                                "route": {"text": item.get("route")} if item.get("route") else None,
                                "doseAndRate": [{"doseQuantity": dose}] if dose else None,
                            }
                        )
                    ],
                    "dispenseRequest": _clean(
                        {
                            "quantity": {"value": item.get("quantity")} if item.get("quantity") is not None else None,
                            "numberOfRepeatsAllowed": item.get("refills"),
                            "expectedSupplyDuration": {"value": item.get("duration_days"), "unit": "d"}
                            if item.get("duration_days") is not None
                            else None,
                            "validityPeriod": {"end": prescription.get("valid_until")}
                            if prescription.get("valid_until")
                            else None,
                        }
                    ),
                }
            )
        )
    return resources


def _clinical_status(system: str, status: JsonValue) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": _HISTORY_STATUS.get(str(status), "inactive")}]}


def _allergy(row: JsonRecord, patient: str) -> Resource:
    severity = row.get("severity")
    return _clean(
        {
            "resourceType": "AllergyIntolerance",
            "id": row["id"],
            "clinicalStatus": None
            if row.get("status") == "entered_in_error"
            else _clinical_status(
                "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
                row.get("status"),
            ),
            "verificationStatus": {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification",
                        "code": "entered-in-error" if row.get("status") == "entered_in_error" else "confirmed",
                    }
                ]
            },
            "code": _text_concept(row.get("substance"), row.get("code")),
            "patient": _ref(patient),
            "recordedDate": row.get("created_at"),
            "criticality": "high" if severity == "severe" else "low" if severity in ("mild", "moderate") else None,
            "reaction": [{"manifestation": [{"text": row["reaction"]}]}] if row.get("reaction") else None,
        }
    )


def _condition(row: JsonRecord, patient: str) -> Resource:
    return _clean(
        {
            "resourceType": "Condition",
            "id": row["id"],
            "clinicalStatus": None
            if row.get("status") == "entered_in_error"
            else _clinical_status("http://terminology.hl7.org/CodeSystem/condition-clinical", row.get("status")),
            "verificationStatus": {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                        "code": "entered-in-error" if row.get("status") == "entered_in_error" else "confirmed",
                    }
                ]
            },
            "code": _text_concept(row.get("text"), row.get("code"), "http://hl7.org/fhir/sid/icd-10"),
            "subject": _ref(patient),
            "onsetDateTime": row.get("onset"),
            "recordedDate": row.get("created_at"),
        }
    )


def _medication_statement(row: JsonRecord, patient: str) -> Resource:
    status = {"active": "active", "stopped": "stopped", "entered_in_error": "entered-in-error"}
    return _clean(
        {
            "resourceType": "MedicationStatement",
            "id": row["id"],
            "status": status.get(str(row.get("status")), "completed"),
            "medicationCodeableConcept": _text_concept(row.get("name"), row.get("code")),
            "subject": _ref(patient),
            "effectiveDateTime": row.get("since"),
            "dosage": [{"text": row["dose"]}] if row.get("dose") else None,
        }
    )


def fhir_bundle(dossier: Mapping[str, Sequence[JsonRecord]], generated_at: datetime) -> Resource:
    """The Bundle of one patient's dossier (``PatientDossier.collect``)."""
    resources: list[Resource] = []
    patients = dossier.get("patient", ())
    if patients:
        patient_id = str(patients[0]["id"])
        resources.append(_patient(patients[0]))
        resources.extend(_encounter(c, patient_id) for c in dossier.get("consultations", ()))
        for consultation in dossier.get("consultations", ()):
            for column, (kind, unit) in _VITALS.items():
                if consultation.get(column) is not None:
                    resources.append(
                        _observation(
                            derived_id("consultation", consultation["id"], kind),
                            kind,
                            consultation[column],
                            unit,
                            consultation.get("vitals_measured_at") or consultation.get("started_at"),
                            patient_id,
                            status="final" if consultation.get("status") == "signed" else "preliminary",
                        )
                        | {"encounter": _ref(consultation["id"])}
                    )
        for measurement in dossier.get("measurements", ()):
            resources.append(
                _observation(
                    str(measurement["id"]),
                    str(measurement.get("kind")),
                    measurement.get("value"),
                    measurement.get("unit"),
                    measurement.get("measured_at"),
                    patient_id,
                    status="entered-in-error" if measurement.get("status") == "entered_in_error" else "final",
                )
            )
        items: dict[str, list[JsonRecord]] = {}
        for item in dossier.get("prescription_items", ()):
            items.setdefault(str(item["prescription_id"]), []).append(item)
        for prescription in dossier.get("prescriptions", ()):
            resources.extend(_medication_requests(prescription, items.get(str(prescription["id"]), []), patient_id))
        resources.extend(_allergy(a, patient_id) for a in dossier.get("allergies", ()))
        resources.extend(_condition(c, patient_id) for c in dossier.get("conditions", ()))
        resources.extend(_medication_statement(m, patient_id) for m in dossier.get("medications", ()))
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": generated_at.isoformat().replace("+00:00", "Z"),
        "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources],
    }
