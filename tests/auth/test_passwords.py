"""Password policy and argon2id hashing."""

from __future__ import annotations

import pytest

from paperclerk.auth import passwords
from paperclerk.auth import settings as auth_settings
from paperclerk.auth.errors import WeakPassword


@pytest.mark.parametrize(("password", "problem"), [
    ("Short1!", "shorter than 12"),
    ("alllowercaseletters", "only one kind"),
    ("123456789012345", "only one kind"),
    ("Password1234", "most common"),
    ("QWERTYUIOP123", "most common"),
    ("abababababab", "repeats one or two"),
    ("jane.doe@example.com", "e-mail"),
    ("Jane.Doe-2024x", "e-mail"),
])
def test_policy_refuses_weak_passwords_with_reasons(password: str, problem: str) -> None:
    with pytest.raises(WeakPassword) as caught:
        passwords.check_password_policy(password, email="jane.doe@example.com")
    assert caught.value.code == "WEAK_PASSWORD" and caught.value.http_status == 400
    assert any(problem in item for item in caught.value.details["problems"]), caught.value.details
    assert problem in caught.value.message


def test_policy_lists_every_problem_at_once() -> None:
    problems = passwords.password_problems("aaaa")
    assert len(problems) == 3  # too short, one class, repetitive


@pytest.mark.parametrize("password", ["Correct-Horse-42-battery", "tulip garden 4 ever", "ÜberSicheresPasswort"])
def test_policy_accepts_reasonable_passwords(password: str) -> None:
    passwords.check_password_policy(password, email="jane@example.com")


def test_too_long_password_is_refused() -> None:
    assert any("longer" in problem for problem in passwords.password_problems("Ab1" * 400))


def test_hash_is_argon2id_salted_and_verifies() -> None:
    first = passwords.hash_password("Correct-Horse-42-battery")
    second = passwords.hash_password("Correct-Horse-42-battery")
    assert first.startswith("$argon2id$") and first != second
    assert passwords.verify_password(first, "Correct-Horse-42-battery").ok
    assert not passwords.verify_password(first, "correct-horse-42-battery").ok
    assert not passwords.verify_password("not a hash", "Correct-Horse-42-battery").ok
    assert passwords.verify_password(first, "Correct-Horse-42-battery").new_hash is None


def test_over_long_password_never_verifies_even_with_a_matching_prefix() -> None:
    base = "Ab1-" * (passwords.MAX_LENGTH // 4)
    stored = passwords.hash_password(base)
    assert passwords.verify_password(stored, base).ok
    assert not passwords.verify_password(stored, base + "extra").ok


def test_changed_parameters_rehash_on_successful_verify(monkeypatch: pytest.MonkeyPatch) -> None:
    old = passwords.hash_password("Correct-Horse-42-battery")
    monkeypatch.setenv("PAPERCLERK_PASSWORD_TIME_COST", "2")
    auth_settings.reset()
    result = passwords.verify_password(old, "Correct-Horse-42-battery")
    assert result.ok and result.new_hash is not None
    assert "t=2" in result.new_hash and "t=1" in old
    assert passwords.verify_password(result.new_hash, "Correct-Horse-42-battery").new_hash is None
    assert passwords.verify_password(old, "wrong password 12").new_hash is None
