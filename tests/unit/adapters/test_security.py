"""The security adapters: JWT signer, AES-GCM secret box, TOTP, argon2id, random secrets."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from cryptography.exceptions import InvalidTag
from hypothesis import given, settings
from hypothesis import strategies as st

from medcore.adapters.security.passwords import MEMORY_KIB, Argon2PasswordHasher, CommonPasswordList
from medcore.adapters.security.secrets import AesGcmSecretBox, PyOtpTotp, RandomSecrets, derive_key
from medcore.adapters.security.tokens import JwtTokenSigner
from medcore.domain.identity.password import PasswordPolicy
from medcore.domain.identity.ports import AccessClaims, MfaChallenge
from medcore.domain.identity.secrets import digest

SECRET = b"s" * 32
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


# --- JwtTokenSigner -----------------------------------------------------------------------


def claims(issued_at: datetime = NOW, ttl: timedelta = timedelta(minutes=15)) -> AccessClaims:
    return AccessClaims(
        organization_id=UUID(int=1), user_id=UUID(int=2), session_id=UUID(int=3), expires_at=issued_at + ttl
    )


def test_the_signing_secret_must_be_at_least_32_bytes() -> None:
    with pytest.raises(ValueError):
        JwtTokenSigner(b"s" * 31)


def test_an_access_token_reads_back_its_claims() -> None:
    signer = JwtTokenSigner(SECRET)

    token = signer.issue_access(claims(), NOW)

    assert signer.read_access(token, NOW) == claims()


def test_expiry_is_judged_by_the_injected_clock_not_the_machines() -> None:
    signer = JwtTokenSigner(SECRET)
    long_ago = datetime(2001, 1, 1, tzinfo=UTC)
    far_ahead = datetime(2090, 1, 1, tzinfo=UTC)

    old = signer.issue_access(claims(long_ago), long_ago)
    future = signer.issue_access(claims(far_ahead), far_ahead)

    assert signer.read_access(old, long_ago + timedelta(minutes=14)) == claims(long_ago)
    assert signer.read_access(future, far_ahead + timedelta(minutes=14)) == claims(far_ahead)


def test_an_access_token_expires_after_its_lifetime_and_a_few_seconds_of_leeway() -> None:
    signer = JwtTokenSigner(SECRET)
    token = signer.issue_access(claims(), NOW)
    expiry = NOW + timedelta(minutes=15)

    assert signer.read_access(token, expiry + timedelta(seconds=4)) is not None
    assert signer.read_access(token, expiry + timedelta(seconds=5)) is None
    assert signer.read_access(token, expiry + timedelta(days=1)) is None


def test_a_token_from_the_future_of_the_injected_clock_is_refused() -> None:
    signer = JwtTokenSigner(SECRET)
    token = signer.issue_access(claims(NOW + timedelta(minutes=1)), NOW + timedelta(minutes=1))

    assert signer.read_access(token, NOW) is None


def test_an_mfa_challenge_is_not_an_access_token_and_vice_versa() -> None:
    signer = JwtTokenSigner(SECRET)
    challenge = MfaChallenge(organization_id=UUID(int=1), user_id=UUID(int=2), expires_at=NOW + timedelta(minutes=5))

    mfa_token = signer.issue_mfa_challenge(challenge, NOW)
    access_token = signer.issue_access(claims(), NOW)

    assert signer.read_mfa_challenge(mfa_token, NOW) == challenge
    assert signer.read_access(mfa_token, NOW) is None
    assert signer.read_mfa_challenge(access_token, NOW) is None


def _segments(token: str) -> list[str]:
    return token.split(".")


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def test_a_tampered_signature_is_refused() -> None:
    signer = JwtTokenSigner(SECRET)
    header, payload, signature = _segments(signer.issue_access(claims(), NOW))
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]

    assert signer.read_access(f"{header}.{payload}.{flipped}", NOW) is None


def test_changed_claims_under_the_old_signature_are_refused() -> None:
    signer = JwtTokenSigner(SECRET)
    header, payload, signature = _segments(signer.issue_access(claims(), NOW))
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data["sub"] = str(UUID(int=99))

    assert signer.read_access(f"{header}.{_b64(data)}.{signature}", NOW) is None


def test_a_token_signed_with_another_key_or_for_another_audience_is_refused() -> None:
    signer = JwtTokenSigner(SECRET)

    assert signer.read_access(JwtTokenSigner(b"t" * 32).issue_access(claims(), NOW), NOW) is None
    assert signer.read_access(JwtTokenSigner(SECRET, audience="other").issue_access(claims(), NOW), NOW) is None
    assert signer.read_access(JwtTokenSigner(SECRET, issuer="other").issue_access(claims(), NOW), NOW) is None


def test_an_unsigned_token_is_refused() -> None:
    signer = JwtTokenSigner(SECRET)
    _, payload, _ = _segments(signer.issue_access(claims(), NOW))
    none_header = _b64({"alg": "none", "typ": "JWT"})

    assert signer.read_access(f"{none_header}.{payload}.", NOW) is None
    assert signer.read_access("garbage", NOW) is None


# --- AesGcmSecretBox -----------------------------------------------------------------------


@given(st.text(max_size=200))
def test_what_the_box_seals_it_opens(plaintext: str) -> None:
    box = AesGcmSecretBox(SECRET)

    sealed = box.seal(plaintext)

    assert sealed.startswith("v1:")
    assert box.open(sealed) == plaintext


def test_sealing_twice_gives_different_ciphertexts_without_the_plaintext() -> None:
    box = AesGcmSecretBox(SECRET)

    first, second = box.seal("JBSWY3DPEHPK3PXP"), box.seal("JBSWY3DPEHPK3PXP")

    assert first != second
    assert "JBSWY3DPEHPK3PXP" not in first


def test_a_box_with_another_key_cannot_open_it() -> None:
    sealed = AesGcmSecretBox(SECRET).seal("JBSWY3DPEHPK3PXP")

    with pytest.raises(InvalidTag):
        AesGcmSecretBox(b"t" * 32).open(sealed)


def test_a_tampered_or_unknown_version_seal_does_not_open() -> None:
    box = AesGcmSecretBox(SECRET)
    sealed = box.seal("JBSWY3DPEHPK3PXP")
    raw = bytearray(base64.urlsafe_b64decode(sealed[3:]))
    raw[-1] ^= 1

    with pytest.raises(InvalidTag):
        box.open("v1:" + base64.urlsafe_b64encode(bytes(raw)).decode())
    with pytest.raises(ValueError):
        box.open("v2:" + sealed[3:])


def test_derived_keys_differ_by_purpose_and_are_stable() -> None:
    assert derive_key(SECRET, "jwt") != derive_key(SECRET, "secret-box")
    assert derive_key(SECRET, "jwt") == derive_key(SECRET, "jwt")
    assert len(derive_key(SECRET, "jwt")) == 32


# --- PyOtpTotp ------------------------------------------------------------------------------

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # 160 bits, like new_secret()
instants = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2060, 1, 1), timezones=st.just(UTC))


def _step(now: datetime) -> int:
    return int(now.timestamp()) // 30


@settings(max_examples=50)
@given(instants)
def test_the_code_shown_now_matches_the_current_step(now: datetime) -> None:
    totp = PyOtpTotp()

    code = totp.code_at(TOTP_SECRET, now)

    assert re.fullmatch(r"\d{6}", code)
    assert totp.matching_step(TOTP_SECRET, code, now) == _step(now)


@settings(max_examples=50)
@given(instants, st.sampled_from([-1, 1]))
def test_a_code_from_an_adjacent_step_is_accepted_for_clock_drift(now: datetime, drift: int) -> None:
    totp = PyOtpTotp()
    code = totp.code_at(TOTP_SECRET, now + timedelta(seconds=30 * drift))

    step = totp.matching_step(TOTP_SECRET, code, now)

    # Two steps can show the same six digits; then the earlier-checked one answers.
    assert step in {_step(now) + drift, _step(now), _step(now) - drift}
    if code not in {totp.code_at(TOTP_SECRET, now), totp.code_at(TOTP_SECRET, now - timedelta(seconds=30 * drift))}:
        assert step == _step(now) + drift


def test_a_code_two_or_more_steps_away_is_refused() -> None:
    totp = PyOtpTotp()
    near = {totp.code_at(TOTP_SECRET, NOW + timedelta(seconds=30 * d)) for d in (-1, 0, 1)}

    for distance in (-10, -3, -2, 2, 3, 10):
        far = totp.code_at(TOTP_SECRET, NOW + timedelta(seconds=30 * distance))
        if far not in near:  # six digits collide now and then; a collision proves nothing
            assert totp.matching_step(TOTP_SECRET, far, NOW) is None


def test_a_code_for_another_secret_or_of_the_wrong_shape_is_refused() -> None:
    totp = PyOtpTotp()
    other = totp.new_secret()
    assert other != TOTP_SECRET

    assert totp.matching_step(TOTP_SECRET, "12345", NOW) is None
    assert totp.matching_step(TOTP_SECRET, "abcdef", NOW) is None
    other_code = totp.code_at(other, NOW)
    if other_code not in {totp.code_at(TOTP_SECRET, NOW + timedelta(seconds=30 * d)) for d in (-1, 0, 1)}:
        assert totp.matching_step(TOTP_SECRET, other_code, NOW) is None


def test_the_provisioning_uri_names_the_issuer_and_account() -> None:
    uri = PyOtpTotp().provisioning_uri(TOTP_SECRET, "ada@example.test (clinic)", "medcore")

    assert uri.startswith("otpauth://totp/medcore:")
    assert f"secret={TOTP_SECRET}" in uri
    assert "issuer=medcore" in uri


# --- Argon2PasswordHasher ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def hasher() -> Argon2PasswordHasher:
    return Argon2PasswordHasher()


@pytest.mark.parametrize(("memory_kib", "iterations"), [(MEMORY_KIB - 1, 2), (MEMORY_KIB, 1), (1024, 1)])
def test_parameters_below_owasps_minimum_are_refused(memory_kib: int, iterations: int) -> None:
    with pytest.raises(ValueError):
        Argon2PasswordHasher(memory_kib=memory_kib, iterations=iterations)


def test_hashes_are_argon2id_with_at_least_19_mib_and_two_iterations(hasher: Argon2PasswordHasher) -> None:
    encoded = hasher.hash("correct horse battery staple")

    assert encoded.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert "correct horse" not in encoded
    assert hasher.hash("correct horse battery staple") != encoded  # salted


def test_verify_accepts_the_password_and_refuses_others_and_garbage(hasher: Argon2PasswordHasher) -> None:
    encoded = hasher.hash("correct horse battery staple")

    assert hasher.verify(encoded, "correct horse battery staple") is True
    assert hasher.verify(encoded, "correct horse battery stapler") is False
    assert hasher.verify("not a hash", "correct horse battery staple") is False
    hasher.burn()  # spends a verification on the decoy without raising


def test_needs_rehash_only_for_hashes_made_with_other_parameters(hasher: Argon2PasswordHasher) -> None:
    stronger = Argon2PasswordHasher(memory_kib=MEMORY_KIB + 1024, iterations=3)

    assert hasher.needs_rehash(hasher.hash("some password")) is False
    assert hasher.needs_rehash(stronger.hash("some password")) is True
    assert hasher.needs_rehash("not a hash") is True
    assert stronger.verify(hasher.hash("some password"), "some password") is True  # old hashes still verify


# --- CommonPasswordList and RandomSecrets -------------------------------------------------------


def test_the_shipped_list_makes_the_policy_refuse_well_known_passwords() -> None:
    common = CommonPasswordList(extra=frozenset({"MedCoreClinic"}))
    policy = PasswordPolicy(is_common=common.__contains__)

    assert "password" in common
    assert "PassWord" in common
    assert "medcoreclinic" in common
    assert 12345 not in common
    for weak in ("Password1234!", "qwertyuiop12", "iloveyou2024!!", "MedCoreClinic2026"):
        assert policy.check(weak).failure().code == "password.too_weak"
    assert policy.check("violet-harbour-lantern-42").unwrap() == "violet-harbour-lantern-42"


def test_random_secrets_have_the_promised_shapes() -> None:
    secrets = RandomSecrets()

    tokens = {secrets.token() for _ in range(20)}
    codes = secrets.recovery_codes(10)

    assert len(tokens) == 20
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{43}", t) for t in tokens)  # 32 random bytes
    assert re.fullmatch(r"[0-9a-f]{16}", secrets.key_id())
    assert len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", c) for c in codes)
    assert not any(ch in "".join(codes) for ch in "01ilo")
    assert len({digest(t) for t in tokens}) == 20
