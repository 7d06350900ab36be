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

_STAFF = frozenset({Permission.ORGANIZATION_READ})

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OWNER: frozenset(Permission),
    Role.ADMIN: _ADMINISTRATION,
    Role.PRACTITIONER: _STAFF,
    Role.NURSE: _STAFF,
    Role.RECEPTIONIST: _STAFF,
    Role.PATIENT: frozenset(),
    Role.AUDITOR: frozenset({Permission.ORGANIZATION_READ, Permission.AUDIT_READ}),
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
