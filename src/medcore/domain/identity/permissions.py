"""Roles and the permissions they grant.

Checks are always on permissions; role names appear only in this table. Later contexts
add their permissions here and grant them to roles in one place.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable


class Permission(enum.StrEnum):
    ORGANIZATION_READ = "organization:read"
    ORGANIZATION_WRITE = "organization:write"
    USERS_READ = "users:read"
    USERS_WRITE = "users:write"
    API_KEYS_READ = "api_keys:read"
    API_KEYS_WRITE = "api_keys:write"
    AUDIT_READ = "audit:read"
    PATIENTS_READ = "patients:read"  # demographics of any patient of the organization
    PATIENTS_WRITE = "patients:write"
    MEDICAL_HISTORY_READ = "medical_history:read"  # allergies, conditions, medications, measurements
    MEDICAL_HISTORY_WRITE = "medical_history:write"
    OWN_PATIENT_RECORD = "patient_record:own"  # a patient's own record (what the organization lets them see/edit)
    PRACTITIONERS_READ = "practitioners:read"
    PRACTITIONERS_WRITE = "practitioners:write"
    RESOURCES_READ = "resources:read"  # rooms, appointment types, holidays
    RESOURCES_WRITE = "resources:write"
    APPOINTMENTS_READ = "appointments:read"
    APPOINTMENTS_WRITE = "appointments:write"
    APPOINTMENTS_OVERRIDE = "appointments:override"  # book outside availability, with a reason
    OWN_APPOINTMENTS = "appointments:own"  # a patient's own appointments and waitlist entries
    CONSULTATIONS_READ = "consultations:read"
    CONSULTATIONS_WRITE = "consultations:write"
    CONSULTATIONS_SIGN = "consultations:sign"
    HEALTH_METRICS_READ = "health_metrics:read"  # measurements over time, reminders for patients
    HEALTH_METRICS_WRITE = "health_metrics:write"
    PRESCRIPTIONS_READ = "prescriptions:read"
    PRESCRIPTIONS_WRITE = "prescriptions:write"  # drafts
    PRESCRIPTIONS_SIGN = "prescriptions:sign"
    PRESCRIPTIONS_DISPENSE = "prescriptions:dispense"  # pharmacies, through API keys
    OWN_CLINICAL_RECORD = "clinical_record:own"  # a patient's own consultations (signed), prescriptions, metrics
    LEGAL_HOLDS_READ = "legal_holds:read"
    LEGAL_HOLDS_WRITE = "legal_holds:write"  # place and release legal holds
    RETENTION_READ = "retention:read"  # the retention policy and what is due
    RETENTION_MANAGE = "retention:manage"  # change the retention policy (never below the preset)
    PATIENTS_EXPORT = "patients:export"  # a patient's whole dossier, as a GDPR export archive
    PATIENTS_ERASE = "patients:erase"  # GDPR erasure of what no retention rule or hold keeps


class Role(enum.StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    PRACTITIONER = "practitioner"
    NURSE = "nurse"
    RECEPTIONIST = "receptionist"
    PATIENT = "patient"
    AUDITOR = "auditor"


_ADMINISTRATION = frozenset(
    {
        Permission.ORGANIZATION_READ,
        Permission.ORGANIZATION_WRITE,
        Permission.USERS_READ,
        Permission.USERS_WRITE,
        Permission.API_KEYS_READ,
        Permission.API_KEYS_WRITE,
    }
)

_DIRECTORY = frozenset({Permission.PRACTITIONERS_READ, Permission.RESOURCES_READ})

_FRONT_DESK = _DIRECTORY | {
    Permission.ORGANIZATION_READ,
    Permission.PATIENTS_READ,
    Permission.PATIENTS_WRITE,
    Permission.APPOINTMENTS_READ,
    Permission.APPOINTMENTS_WRITE,
    Permission.APPOINTMENTS_OVERRIDE,
}

_CLINICAL = _FRONT_DESK | {
    Permission.MEDICAL_HISTORY_READ,
    Permission.MEDICAL_HISTORY_WRITE,
    Permission.CONSULTATIONS_READ,
    Permission.CONSULTATIONS_WRITE,
    Permission.HEALTH_METRICS_READ,
    Permission.HEALTH_METRICS_WRITE,
    Permission.PRESCRIPTIONS_READ,
    Permission.PRESCRIPTIONS_WRITE,
    Permission.PATIENTS_EXPORT,
}

# A patient's view of their own record and appointments. Other roles holding them changes
# nothing: "own" resolves through the patient record linked to the account.
_PATIENT_SELF = frozenset({Permission.OWN_PATIENT_RECORD, Permission.OWN_APPOINTMENTS, Permission.OWN_CLINICAL_RECORD})

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OWNER: frozenset(Permission),
    Role.ADMIN: _ADMINISTRATION
    | _FRONT_DESK
    | {Permission.PRACTITIONERS_WRITE, Permission.RESOURCES_WRITE, Permission.PATIENTS_ERASE},
    Role.PRACTITIONER: _CLINICAL | {Permission.CONSULTATIONS_SIGN, Permission.PRESCRIPTIONS_SIGN},
    Role.NURSE: _CLINICAL - {Permission.APPOINTMENTS_OVERRIDE},
    Role.RECEPTIONIST: _FRONT_DESK,
    Role.PATIENT: _DIRECTORY | _PATIENT_SELF,
    Role.AUDITOR: frozenset(
        {
            Permission.ORGANIZATION_READ,
            Permission.AUDIT_READ,
            Permission.LEGAL_HOLDS_READ,
            Permission.LEGAL_HOLDS_WRITE,
            Permission.RETENTION_READ,
        }
    ),
}

STAFF_ROLES = frozenset(
    {
        Role.OWNER,
        Role.ADMIN,
        Role.PRACTITIONER,
        Role.NURSE,
        Role.RECEPTIONIST,
        Role.AUDITOR,
    }
)


def permissions_of(role: Role) -> frozenset[Permission]:
    return ROLE_PERMISSIONS[role]


def grantable_roles(granter: Role) -> frozenset[Role]:
    """Roles that a member may give to others: nobody but an owner creates owners."""
    if granter is Role.OWNER:
        return frozenset(Role)
    if granter is Role.ADMIN:
        return frozenset(Role) - {Role.OWNER}
    return frozenset()


def parse_permissions(
    values: Iterable[str],
) -> tuple[frozenset[Permission], tuple[str, ...]]:
    """Split strings into known permissions and the unknown ones (for error messages)."""
    known: set[Permission] = set()
    unknown: list[str] = []
    for value in values:
        try:
            known.add(Permission(value))
        except ValueError:
            unknown.append(value)
    return frozenset(known), tuple(unknown)
