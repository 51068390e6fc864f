"""Fraud rules for feedback, as pure functions of the new session and the recent ones around it.

Each rule has an id, a title and a function ``(session, history, config) -> list[Finding]``; a finding names its
rule, says what it saw in words and carries the evidence (the other sessions, counts, similarity). The service
gathers ``history`` (recent sessions sharing the customer, device, network, card or text) from every business on
the platform, because farming crosses shops; a business or the operator can override a finding.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

NUM_PERM = 128
_SHINGLE = 3


@dataclass(frozen=True)
class Signals:
    """What the rules know about one session (the new one, or one from history)."""

    id: str
    organization_id: str
    store_id: str
    customer_id: str
    created_at: datetime
    text: str = ""
    minhash: tuple[int, ...] = ()
    device_hash: str = ""
    ip_hash: str = ""
    card_fingerprint: str | None = None
    audio_fingerprint: str | None = None
    #: What the customer page measured while the text was typed: characters pasted, and seconds spent typing.
    pasted_chars: int = 0
    typing_seconds: float | None = None


@dataclass(frozen=True)
class FraudConfig:
    """The thresholds; the defaults are the platform's."""

    #: Sessions from one device, or one network address, within ``burst_window`` before it is farming.
    device_limit: int = 3
    ip_limit: int = 5
    burst_window: timedelta = timedelta(hours=24)
    #: Distinct customers on one device or one payment card before it is farming.
    accounts_per_device: int = 2
    accounts_per_card: int = 2
    #: Sessions by one customer in ``burst_window``.
    customer_limit: int = 4
    #: Jaccard similarity of word shingles at which two texts are near-duplicates.
    near_duplicate: float = 0.7
    #: Distinct stores one customer (or device) reaches within ``velocity_window``.
    velocity_stores: int = 3
    velocity_window: timedelta = timedelta(minutes=15)
    #: Typing faster than this (characters a second) is not typing.
    max_typing_cps: float = 15.0
    #: Share of the text pasted at which it counts as copy-pasted.
    pasted_share: float = 0.6


@dataclass(frozen=True)
class Finding:
    rule: str
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)


Rule = Callable[[Signals, Sequence[Signals], FraudConfig], list[Finding]]
RULES: dict[str, tuple[str, Rule]] = {}


def rule(rule_id: str, title: str) -> Callable[[Rule], Rule]:
    def register(function: Rule) -> Rule:
        RULES[rule_id] = (title, function)
        return function
    return register


def _recent(session: Signals, history: Sequence[Signals], window: timedelta) -> list[Signals]:
    return [other for other in history
            if other.id != session.id and abs(session.created_at - other.created_at) <= window]


@rule("FB-DEVICE", "One device farming rewards")
def device_farming(session: Signals, history: Sequence[Signals], config: FraudConfig) -> list[Finding]:
    if not session.device_hash:
        return []
    same = [other for other in _recent(session, history, config.burst_window)
            if other.device_hash == session.device_hash]
    customers = {other.customer_id for other in same} | {session.customer_id}
    if len(same) + 1 > config.device_limit or len(customers) >= config.accounts_per_device:
        return [Finding("FB-DEVICE", f"this device left {len(same) + 1} feedbacks for {len(customers)} customer(s) "
                        f"within {config.burst_window}", {"sessions": [other.id for other in same][:20],
                                                          "customers": len(customers)})]
    return []


@rule("FB-IP", "One network address farming rewards")
def ip_farming(session: Signals, history: Sequence[Signals], config: FraudConfig) -> list[Finding]:
    if not session.ip_hash:
        return []
    same = [other for other in _recent(session, history, config.burst_window) if other.ip_hash == session.ip_hash]
    customers = {other.customer_id for other in same} | {session.customer_id}
    if len(same) + 1 > config.ip_limit and len(customers) > 1:
        return [Finding("FB-IP", f"{len(same) + 1} feedbacks from one network address by {len(customers)} customers",
                        {"sessions": [other.id for other in same][:20], "customers": len(customers)})]
    return []


@rule("FB-PHONE", "One customer (phone) farming rewards")
def customer_farming(session: Signals, history: Sequence[Signals], config: FraudConfig) -> list[Finding]:
    same = [other for other in _recent(session, history, config.burst_window)
            if other.customer_id == session.customer_id]
    if len(same) + 1 > config.customer_limit:
        return [Finding("FB-PHONE", f"this customer left {len(same) + 1} feedbacks within {config.burst_window}",
                        {"sessions": [other.id for other in same][:20]})]
    return []


@rule("FB-CARD", "One payment card behind several customers")
def card_farming(session: Signals, history: Sequence[Signals], config: FraudConfig) -> list[Finding]:
    if not session.card_fingerprint:
        return []
    same = [other for other in history
            if other.id != session.id and other.card_fingerprint == session.card_fingerprint]
    customers = {other.customer_id for other in same} | {session.customer_id}
    if len(customers) >= config.accounts_per_card:
        return [Finding("FB-CARD", f"purchases paid with one card were claimed by {len(customers)} customers",
                        {"sessions": [other.id for other in same][:20], "customers": len(customers)})]
    return []


@rule("FB-DUPLICATE", "Near-duplicate text")
def near_duplicate(session: Signals, history: Sequence[Signals], config: FraudConfig) -> list[Finding]:
    if not session.minhash:
        return []
    matches: list[dict[str, Any]] = []
    for other in history:
        if other.id == session.id or not other.minhash:
            continue
        similarity = jaccard(session.minhash, other.minhash)
        if similarity >= config.near_duplicate:
            matches.append({"session": other.id, "similarity": round(similarity, 2),
                            "same_customer": other.customer_id == session.customer_id})
    if matches:
        best = max(float(match["similarity"]) for match in matches)
        return [Finding("FB-DUPLICATE", f"the text is {best:.0%} the same as {len(matches)} earlier feedback(s)",
                        {"matches": matches[:20]})]
    return []


_GENERATED_MARKERS = re.compile(
    r"\bas an ai\b|\blanguage model\b|\bi hope this (?:helps|feedback)\b|\bin conclusion\b|\boverall, my experience\b"
    r"|\bsom en ai\b|\bsom språkmodell\b|\bsammanfattningsvis\b|\[(?:store|business|product) name\]", re.IGNORECASE)


@rule("FB-GENERATED", "Generated or copy-pasted text")
def generated_text(session: Signals, history: Sequence[Signals], config: FraudConfig) -> list[Finding]:
    text = session.text.strip()
    if not text:
        return []
    evidence: dict[str, Any] = {}
    markers = sorted({match.group(0).lower() for match in _GENERATED_MARKERS.finditer(text)})
    if markers:
        evidence["markers"] = markers
    if session.pasted_chars and session.pasted_chars >= config.pasted_share * len(text):
        evidence["pasted_chars"] = session.pasted_chars
    if session.typing_seconds is not None and len(text) > 40:
        speed = len(text) / max(session.typing_seconds, 0.1)
        if speed > config.max_typing_cps:
            evidence["characters_per_second"] = round(speed, 1)
    if evidence:
        return [Finding("FB-GENERATED", "the text looks generated or pasted rather than written here", evidence)]
    return []


@rule("FB-REPLAY", "Replayed recording")
def voice_replay(session: Signals, history: Sequence[Signals], config: FraudConfig) -> list[Finding]:
    if not session.audio_fingerprint:
        return []
    same = [other.id for other in history
            if other.id != session.id and other.audio_fingerprint
            and fingerprint_similarity(session.audio_fingerprint, other.audio_fingerprint) >= 0.9]
    if same:
        return [Finding("FB-REPLAY", f"the recording matches {len(same)} earlier recording(s)",
                        {"sessions": same[:20]})]
    return []


@rule("FB-VELOCITY", "Impossible velocity")
def impossible_velocity(session: Signals, history: Sequence[Signals], config: FraudConfig) -> list[Finding]:
    near = [other for other in _recent(session, history, config.velocity_window)
            if other.customer_id == session.customer_id
            or (session.device_hash and other.device_hash == session.device_hash)]
    stores = {other.store_id for other in near} | {session.store_id}
    if len(stores) >= config.velocity_stores:
        return [Finding("FB-VELOCITY", f"feedback from {len(stores)} stores within {config.velocity_window}",
                        {"stores": sorted(stores), "sessions": [other.id for other in near][:20]})]
    return []


def evaluate(session: Signals, history: Sequence[Signals], config: FraudConfig | None = None) -> list[Finding]:
    """Every rule's findings on the session, in rule order."""
    config = config or FraudConfig()
    findings: list[Finding] = []
    for _rule_id, (_title, function) in RULES.items():
        findings.extend(function(session, history, config))
    return findings


def shingles(text: str) -> set[bytes]:
    tokens = re.findall(r"[^\W_]+", text.lower())
    if len(tokens) < _SHINGLE:
        return {" ".join(tokens).encode()} if tokens else set()
    return {" ".join(tokens[index:index + _SHINGLE]).encode() for index in range(len(tokens) - _SHINGLE + 1)}


def minhash(text: str) -> tuple[int, ...]:
    """The text's MinHash signature over word 3-shingles (datasketch, fixed seed: signatures compare across
    processes and releases)."""
    from datasketch import MinHash

    pieces = shingles(text)
    if not pieces:
        return ()
    signature = MinHash(num_perm=NUM_PERM, seed=1)
    signature.update_batch(list(pieces))
    return tuple(int(value) for value in signature.hashvalues)


def jaccard(first: Sequence[int], second: Sequence[int]) -> float:
    if not first or len(first) != len(second):
        return 0.0
    return sum(1 for a, b in zip(first, second, strict=True) if a == b) / len(first)


def fingerprint_similarity(first: str, second: str) -> float:
    """Share of equal bits of two audio fingerprints (hex strings of one length; 0 when they differ in length)."""
    if len(first) != len(second) or not first:
        return 0.0
    bits = len(first) * 4
    different = bin(int(first, 16) ^ int(second, 16)).count("1")
    return 1 - different / bits


def hash_identifier(value: str, salt: str) -> str:
    """A device id, address, phone number or card stored only as a keyed hash."""
    return hashlib.sha256(f"{salt}:{value.strip().lower()}".encode()).hexdigest()
