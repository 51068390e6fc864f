"""The signing key: production refuses missing or default keys, keys from files, a kept development key."""

from __future__ import annotations

import secrets
import stat
from pathlib import Path

import pytest

from paperclerk.auth import settings as auth_settings
from paperclerk.auth.errors import InsecureConfiguration
from paperclerk.auth.settings import check_production_secrets, signing_key
from paperclerk.config import Settings

STRONG = "k" * 20 + "Q7-strong-random-key-material"


@pytest.mark.parametrize(("value", "problem"), [("", "is not set"), ("changeme", "well-known default"),
                                                ("secret", "well-known default"), ("short-but-random-91", "shorter"),
                                                ("x" * 48, "not random enough"), ("password" * 5, "not random enough"),
                                                ("Tr0ub4dor-" * 4, "not random enough"),
                                                ("a" * 30 + "bcdefghijkl", "not random enough")])
def test_production_refuses_weak_keys(monkeypatch: pytest.MonkeyPatch, value: str, problem: str) -> None:
    monkeypatch.setenv("PAPERCLERK_ENV", "production")
    monkeypatch.setenv("PAPERCLERK_SECRET_KEY", value)
    auth_settings.reset()
    with pytest.raises(InsecureConfiguration) as caught:
        check_production_secrets(Settings())
    assert problem in caught.value.message and "PAPERCLERK_SECRET_KEY" in caught.value.message
    assert caught.value.code == "SECRET_KEY_MISSING"
    if len(value) >= 8:  # the key itself is never echoed
        assert value not in caught.value.message and value not in str(caught.value.details)
    with pytest.raises(InsecureConfiguration):
        signing_key()


def test_random_keys_measure_as_random() -> None:
    from paperclerk.auth.settings import MIN_SECRET_BITS, estimated_bits

    for _ in range(200):
        assert estimated_bits(secrets.token_hex(16)) >= MIN_SECRET_BITS
        assert estimated_bits(secrets.token_urlsafe(24)) >= MIN_SECRET_BITS


def test_production_accepts_a_strong_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERCLERK_ENV", "Production")
    monkeypatch.setenv("PAPERCLERK_SECRET_KEY", STRONG)
    auth_settings.reset()
    check_production_secrets(Settings())
    assert signing_key() == STRONG


def test_key_is_read_from_a_file_and_wins_over_the_variable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret_file = tmp_path / "secret_key"
    secret_file.write_text(STRONG + "-from-file\n")
    monkeypatch.setenv("PAPERCLERK_ENV", "production")
    monkeypatch.setenv("PAPERCLERK_SECRET_KEY_FILE", str(secret_file))
    auth_settings.reset()
    assert signing_key() == STRONG + "-from-file"
    secret_file.write_text("changeme")
    auth_settings.reset()
    with pytest.raises(InsecureConfiguration, match="PAPERCLERK_SECRET_KEY_FILE"):
        signing_key()
    monkeypatch.setenv("PAPERCLERK_SECRET_KEY_FILE", str(tmp_path / "missing"))
    auth_settings.reset()
    with pytest.raises(InsecureConfiguration) as caught:
        signing_key()
    assert caught.value.code == "SECRET_KEY_FILE_UNREADABLE"


def test_development_generates_a_key_once_and_keeps_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("PAPERCLERK_SECRET_KEY")
    monkeypatch.setenv("PAPERCLERK_DATA_DIR", str(tmp_path / "data"))
    auth_settings.reset()
    first = signing_key()
    path = tmp_path / "data" / "secret_key"
    assert len(first) >= 48 and path.read_text() == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    auth_settings.reset()
    assert signing_key() == first


def test_lists_from_comma_separated_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERCLERK_CORS_ORIGINS", "https://a.example, https://b.example,")
    monkeypatch.setenv("PAPERCLERK_TRUSTED_PROXIES", "10.0.0.0/8,127.0.0.1")
    settings = Settings()
    assert settings.cors_origins == ["https://a.example", "https://b.example"]
    assert [str(network) for network in settings.trusted_networks] == ["10.0.0.0/8", "127.0.0.1/32"]
    monkeypatch.setenv("PAPERCLERK_TRUSTED_PROXIES", "not-an-address")
    with pytest.raises(ValueError, match="not-an-address"):
        Settings()
