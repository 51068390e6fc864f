"""Passwords: argon2id hashes, rehash when the cost parameters change, and the password policy."""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from paperclerk.auth.errors import WeakPassword
from paperclerk.config import get_settings

MIN_LENGTH = 12
#: argon2 hashes any length, but hashing megabytes on every login attempt is a denial of service.
MAX_LENGTH = 1024

#: The most used passwords of public breach corpora that are 12 characters or longer, plus the
#: classics (compared case-insensitively, so ``Password1234`` is refused as well).
COMMON_PASSWORDS = frozenset({
    "password", "password1", "password12", "password123", "password1234", "password12345", "password123!",
    "passw0rd1234", "p@ssw0rd1234", "p@ssword1234", "123456789012", "1234567890123", "12345678901234",
    "123456123456", "111111111111", "000000000000", "123123123123", "qwertyuiop12", "qwertyuiop123",
    "qwerty123456", "1qaz2wsx3edc", "1q2w3e4r5t6y", "q1w2e3r4t5y6", "zaq12wsxcde3", "qwertyuiopas",
    "asdfghjkl123", "iloveyou1234", "abc123456789", "abcdefghijkl", "abcd12345678", "welcome12345",
    "welcome123456", "letmein12345", "letmein123456", "administrator", "administrator1", "admin1234567",
    "admin12345678", "changeme1234", "changeme12345", "trustno11234", "football1234", "baseball1234",
    "superman1234", "sunshine1234", "princess1234", "starwars1234", "monkey123456", "dragon123456",
    "master123456", "michael12345", "shadow123456", "whatever1234", "computer1234", "internet1234",
    "paperclerk123", "paperclerk1234", "correcthorsebatterystaple", "passwordpassword", "1234qwerasdf",
    "qwer1234asdf", "aaaaaaaaaaaa", "secret123456", "summer2024!!", "winter2024!!", "spring2024!!",
    "autumn2024!!", "january2024!", "companyname1", "welcome2024!", "password2024", "password2025",
    "password2026", "p@ssw0rd2024", "p@ssw0rd2025", "p@ssw0rd2026", "letmeinplease", "iloveyou123!",
})

_CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits)


@dataclass(frozen=True)
class Verification:
    ok: bool
    #: A fresh hash when the stored one used older parameters (store it after a successful login).
    new_hash: str | None = None


@lru_cache
def _hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID)


def hasher() -> PasswordHasher:
    settings = get_settings()
    return _hasher(settings.password_time_cost, settings.password_memory_kib, settings.password_parallelism)


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> Verification:
    """Check ``password``; never raises for a wrong or malformed hash (both are simply not ok).

    An over-long password is verified in its first ``MAX_LENGTH`` characters (the same cost as any
    other attempt) and then refused.
    """
    ph = hasher()
    too_long = len(password) > MAX_LENGTH
    try:
        ph.verify(stored_hash, password[:MAX_LENGTH])
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return Verification(ok=False)
    if too_long:
        return Verification(ok=False)
    return Verification(ok=True, new_hash=ph.hash(password) if ph.check_needs_rehash(stored_hash) else None)


def burn_verification(password: str) -> None:
    """Spend the time of one verification (unknown user): the answer's timing says nothing."""
    verify_password(_dummy_hash(), password)


@lru_cache
def _dummy_hash_for(time_cost: int, memory_kib: int, parallelism: int) -> str:
    return _hasher(time_cost, memory_kib, parallelism).hash("paperclerk-dummy-password-for-unknown-users")


def _dummy_hash() -> str:
    settings = get_settings()
    return _dummy_hash_for(settings.password_time_cost, settings.password_memory_kib, settings.password_parallelism)


def password_problems(password: str, *, email: str | None = None) -> list[str]:
    """What is wrong with ``password`` as human-readable sentences (empty when it is acceptable)."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(f"it is shorter than {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        problems.append(f"it is longer than {MAX_LENGTH} characters")
    classes = {index for char in password for index, chars in enumerate(_CLASSES) if char in chars}
    if any(not any(char in chars for chars in _CLASSES) for char in password):
        classes.add(len(_CLASSES))
    if password and len(classes) < 2:
        problems.append("it uses only one kind of character (mix letters with digits, capitals or symbols)")
    if password and len(set(password)) <= 2:
        problems.append("it repeats one or two characters")
    lowered = password.strip().lower()
    if email:
        address = email.strip().lower()
        local = address.split("@", 1)[0]
        if lowered in (address, local) or (len(local) >= 4 and local in lowered):
            problems.append("it contains the e-mail address")
    if lowered in COMMON_PASSWORDS:
        problems.append("it is one of the most common passwords")
    return problems


def check_password_policy(password: str, *, email: str | None = None) -> None:
    problems = password_problems(password, email=email)
    if problems:
        raise WeakPassword("The password is too weak: " + "; ".join(problems) + ".",
                           details={"problems": problems, "min_length": MIN_LENGTH})
