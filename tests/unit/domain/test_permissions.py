"""Roles, their permissions, and who may grant which role."""

from __future__ import annotations

from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st

from medcore.domain.identity.permissions import (
    ROLE_PERMISSIONS,
    Permission,
    Role,
    grantable_roles,
    parse_permissions,
    permissions_of,
)
from medcore.domain.identity.user import Membership

roles = st.sampled_from(Role)

ADMIN_PERMISSIONS = frozenset(
    {
        Permission.ORGANIZATION_WRITE,
        Permission.USERS_READ,
        Permission.USERS_WRITE,
        Permission.API_KEYS_READ,
        Permission.API_KEYS_WRITE,
        Permission.AUDIT_READ,
    }
)


def test_every_role_has_an_entry_in_the_permission_table() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role)


@given(roles)
def test_nobody_but_an_owner_can_grant_the_owner_role(granter: Role) -> None:
    assert (Role.OWNER in grantable_roles(granter)) is (granter is Role.OWNER)


@given(roles)
def test_only_members_who_may_write_users_can_grant_any_role(granter: Role) -> None:
    assert bool(grantable_roles(granter)) is (Permission.USERS_WRITE in permissions_of(granter))


def test_an_owner_grants_every_role_and_an_admin_every_role_but_owner() -> None:
    assert grantable_roles(Role.OWNER) == frozenset(Role)
    assert grantable_roles(Role.ADMIN) == frozenset(Role) - {Role.OWNER}


@given(roles)
def test_every_roles_permissions_are_a_subset_of_the_owners(role: Role) -> None:
    assert permissions_of(role) <= permissions_of(Role.OWNER)
    assert permissions_of(Role.OWNER) == frozenset(Permission)


def test_patients_hold_none_of_the_administrative_permissions() -> None:
    assert permissions_of(Role.PATIENT).isdisjoint(ADMIN_PERMISSIONS | {Permission.ORGANIZATION_READ})


def test_an_auditor_reads_the_audit_trail_but_cannot_change_users() -> None:
    auditor = permissions_of(Role.AUDITOR)

    assert Permission.AUDIT_READ in auditor
    assert Permission.USERS_WRITE not in auditor
    assert auditor.isdisjoint(
        {Permission.ORGANIZATION_WRITE, Permission.API_KEYS_WRITE, Permission.USERS_READ, Permission.API_KEYS_READ}
    )


@given(roles)
def test_only_owners_and_auditors_read_the_audit_trail(role: Role) -> None:
    assert (Permission.AUDIT_READ in permissions_of(role)) is (role in {Role.OWNER, Role.AUDITOR})


@given(roles)
def test_a_membership_carries_exactly_its_roles_permissions(role: Role) -> None:
    assert Membership(UUID(int=1), role).permissions == ROLE_PERMISSIONS[role]


@given(st.lists(st.one_of(st.sampled_from([p.value for p in Permission]), st.text(max_size=20))))
def test_parse_permissions_splits_values_into_known_and_unknown(values: list[str]) -> None:
    known, unknown = parse_permissions(values)

    valid = {p.value for p in Permission}
    assert {p.value for p in known} == {v for v in values if v in valid}
    assert list(unknown) == [v for v in values if v not in valid]
