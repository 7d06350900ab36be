"""Settings from MEDCORE_* variables: defaults, coercion, errors naming the variable, files."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcore.settings import Settings, SettingsError, load_settings

KEY = "k" * 40


def test_no_variables_give_the_documented_defaults() -> None:
    settings = load_settings({})

    assert settings == Settings()
    assert settings.database_url is None
    assert settings.secret_key is None
    assert settings.access_token_minutes == 15
    assert settings.data_dir == Path(".medcore")
    assert settings.email_outbox == Path(".medcore/outbox")
    assert settings.auto_migrate is False
    assert settings.rate_limits_enabled is True
    assert settings.cors_origins == ()
    assert settings.log_format == "json"


def test_values_are_coerced_to_their_types() -> None:
    settings = load_settings(
        {
            "MEDCORE_ACCESS_TOKEN_MINUTES": "30",
            "MEDCORE_DB_POOL_SIZE": "4",
            "MEDCORE_AUTO_MIGRATE": "true",
            "MEDCORE_RATE_LIMITS_ENABLED": "false",
            "MEDCORE_DATA_DIR": "/srv/medcore",
            "MEDCORE_CORS_ORIGINS": " https://a.example , https://b.example,",
            "MEDCORE_LOG_LEVEL": "DEBUG",
            "MEDCORE_RATE_LIMIT_AUTH": "5 per minute",
            "MEDCORE_DATABASE_URL": "postgresql+psycopg://u:p@db/medcore",
            "MEDCORE_SECRET_KEY": KEY,
        }
    )

    assert settings.access_token_minutes == 30
    assert settings.db_pool_size == 4
    assert settings.auto_migrate is True
    assert settings.rate_limits_enabled is False
    assert settings.data_dir == Path("/srv/medcore")
    assert settings.email_outbox == Path("/srv/medcore/outbox")
    assert settings.cors_origins == ("https://a.example", "https://b.example")
    assert settings.log_level == "DEBUG"
    assert settings.rate_limit_auth == "5 per minute"
    assert settings.database_url == "postgresql+psycopg://u:p@db/medcore"
    assert settings.secret_key == KEY


def test_variables_without_the_prefix_or_unknown_to_medcore_are_ignored() -> None:
    settings = load_settings({"ACCESS_TOKEN_MINUTES": "99", "MEDCORE_SOMETHING_ELSE": "x", "MEDCORE_TEST_DB": "y"})

    assert settings == Settings()


def test_empty_optional_values_count_as_unset() -> None:
    settings = load_settings({"MEDCORE_DATABASE_URL": "", "MEDCORE_SECRET_KEY": "", "MEDCORE_OUTBOX_DIR": ""})

    assert (settings.database_url, settings.secret_key, settings.outbox_dir) == (None, None, None)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("MEDCORE_ACCESS_TOKEN_MINUTES", "abc"),
        ("MEDCORE_ACCESS_TOKEN_MINUTES", "0"),
        ("MEDCORE_ACCESS_TOKEN_MINUTES", "1441"),
        ("MEDCORE_DB_POOL_SIZE", "-1"),
        ("MEDCORE_AUTO_MIGRATE", "perhaps"),
        ("MEDCORE_LOG_LEVEL", "LOUD"),
        ("MEDCORE_LOG_FORMAT", "xml"),
        ("MEDCORE_SECRET_KEY", "too-short"),
        ("MEDCORE_RATE_LIMIT_IP", "lots"),
        ("MEDCORE_MAX_BODY_BYTES", "12"),
        ("MEDCORE_DATABASE_URL", "mysql://db/medcore"),
    ],
)
def test_an_invalid_value_raises_an_error_naming_the_variable(variable: str, value: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings({variable: value})

    assert str(raised.value).startswith(f"{variable}:")


def test_secrets_can_be_read_from_files(tmp_path: Path) -> None:
    (tmp_path / "key").write_text(KEY + "\n")
    (tmp_path / "url").write_text("postgresql://u:p@db/medcore\n")

    settings = load_settings(
        {"MEDCORE_SECRET_KEY_FILE": str(tmp_path / "key"), "MEDCORE_DATABASE_URL_FILE": str(tmp_path / "url")}
    )

    assert settings.secret_key == KEY
    assert settings.database_url == "postgresql://u:p@db/medcore"


def test_a_value_read_from_a_file_is_validated_like_a_variable(tmp_path: Path) -> None:
    (tmp_path / "key").write_text("short")

    with pytest.raises(SettingsError, match=r"^MEDCORE_SECRET_KEY:"):
        load_settings({"MEDCORE_SECRET_KEY_FILE": str(tmp_path / "key")})


def test_setting_both_a_variable_and_its_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "key").write_text(KEY)

    with pytest.raises(SettingsError, match="MEDCORE_SECRET_KEY_FILE") as raised:
        load_settings({"MEDCORE_SECRET_KEY": KEY, "MEDCORE_SECRET_KEY_FILE": str(tmp_path / "key")})

    assert "MEDCORE_SECRET_KEY or" in str(raised.value)


def test_an_unreadable_secret_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "absent"

    with pytest.raises(SettingsError, match=r"^MEDCORE_SECRET_KEY_FILE: cannot read"):
        load_settings({"MEDCORE_SECRET_KEY_FILE": str(missing)})


def test_only_secret_like_settings_have_file_variants(tmp_path: Path) -> None:
    (tmp_path / "minutes").write_text("30")

    settings = load_settings({"MEDCORE_ACCESS_TOKEN_MINUTES_FILE": str(tmp_path / "minutes")})

    assert settings.access_token_minutes == 15
