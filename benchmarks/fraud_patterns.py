"""A labelled set of fraud patterns for the feedback line's rules, generated from a seed (``dev`` and ``test`` are
two seeds: the rules' thresholds were set looking at ``dev`` only).

Honest customers: their own phone, device and network, one or two visits a week at one or two stores, texts made of
a few of many sentences in their own order, typed at a human pace. Fraud, one pattern per scenario: one device or
one network farming for several accounts, one customer farming, one card behind several accounts, near-duplicate
texts (copied with a few words changed), generated or pasted text, a replayed recording, impossible velocity
across stores. Each session is labelled with the pattern it belongs to (``""`` for an honest one).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from paperclerk.feedback.fraud import Signals, minhash

SENTENCES = [
    "The latte was too hot to drink for ten minutes", "Our waiter Erik was quick and friendly",
    "The queue at the till moved slowly around noon", "I loved the cardamom bun, fresh out of the oven",
    "The toilet had run out of paper", "Music was a bit loud for a conversation", "Prices went up since last month",
    "The sandwich had far too much mayonnaise", "Staff helped me find gluten-free bread", "Parking was full again",
    "The self-checkout rejected my card twice", "The shelves with milk were empty on Sunday evening",
    "Great selection of local cheese", "The tables outside were sticky", "Kids menu could have more vegetables",
    "Delivery arrived twenty minutes late but warm", "The app showed the wrong opening hours",
    "Kaffet var kallt när vi fick det", "Personalen i kassan var trevlig och snabb", "Det saknades havremjölk igen",
    "Bullarna var torra på eftermiddagen", "Ni borde ha fler bord inomhus", "Lokalen var ren och mysig",
    "I waited at the counter while two staff chatted", "Portions were smaller than in the photos",
    "You should open the second till on Saturdays", "The new oat flat white is excellent",
    "The door is hard to open with a pram", "Wifi did not work at all", "The soup of the day was bland",
    "Please label allergens more clearly", "The barista remembered my order", "Too few seats near the window",
    "Bread was sold out by ten in the morning", "The receipt printer was broken", "Friendly greeting at the door",
    "Cups were chipped", "The playlist was lovely", "Fruit looked a bit old", "The salad bar was well stocked",
]
STORES = [f"store-{index}" for index in range(12)]
BUSINESSES = ["cafe-north", "grocer-south", "bakery-east"]
START = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Labelled:
    signals: Signals
    pattern: str


def _text(rng: random.Random) -> str:
    return ". ".join(rng.sample(SENTENCES, rng.randint(3, 5))) + f". Visit {rng.randint(1, 99)}."


def _fingerprint(rng: random.Random) -> str:
    return f"{rng.getrandbits(256):064x}"


def _noisy(fingerprint: str, rng: random.Random, flips: int = 8) -> str:
    value = int(fingerprint, 16)
    for _ in range(flips):
        value ^= 1 << rng.randrange(256)
    return f"{value:064x}"


def _session(rng: random.Random, counter: list[int], *, customer: str, when: datetime, text: str | None = None,
             device: str | None = None, ip: str | None = None, store: str | None = None, card: str | None = None,
             audio: str | None = None, typing: float | None = None, pasted: int = 0) -> Signals:
    counter[0] += 1
    store = store or rng.choice(STORES)
    body = text if text is not None else _text(rng)
    return Signals(id=f"s{counter[0]}", organization_id=BUSINESSES[STORES.index(store) % len(BUSINESSES)],
                   store_id=store, customer_id=customer, created_at=when, text=body, minhash=minhash(body),
                   device_hash=device or f"dev-{customer}", ip_hash=ip or f"ip-{customer}", card_fingerprint=card,
                   audio_fingerprint=audio, pasted_chars=pasted,
                   typing_seconds=typing if typing is not None else len(body) / rng.uniform(2.5, 6.0))


def _honest(rng: random.Random, counter: list[int], customers: int) -> list[Labelled]:
    found = []
    for index in range(customers):
        name = f"honest-{index}"
        card = f"card-{name}" if rng.random() < 0.7 else None
        home = rng.sample(STORES, 2)
        moment = START + timedelta(hours=rng.uniform(0, 72))
        for _visit in range(rng.randint(1, 4)):
            voice = _fingerprint(rng) if rng.random() < 0.3 else None
            found.append(Labelled(_session(rng, counter, customer=name, when=moment, store=rng.choice(home),
                                           card=card, audio=voice), ""))
            moment += timedelta(days=rng.uniform(2, 8))
    return found


def _device(rng: random.Random, counter: list[int], tag: str, when: datetime, honest: list[Labelled]) -> list[Signals]:
    return [_session(rng, counter, customer=f"{tag}-acct{index}", device=f"dev-{tag}",
                     when=when + timedelta(minutes=40 * index)) for index in range(rng.randint(3, 6))]


def _ip(rng: random.Random, counter: list[int], tag: str, when: datetime, honest: list[Labelled]) -> list[Signals]:
    return [_session(rng, counter, customer=f"{tag}-acct{index}", ip=f"ip-{tag}",
                     when=when + timedelta(minutes=30 * index)) for index in range(rng.randint(6, 10))]


def _phone(rng: random.Random, counter: list[int], tag: str, when: datetime, honest: list[Labelled]) -> list[Signals]:
    return [_session(rng, counter, customer=tag, when=when + timedelta(hours=2 * index), device=f"dev-{tag}-{index}",
                     ip=f"ip-{tag}-{index}") for index in range(rng.randint(5, 8))]


def _card(rng: random.Random, counter: list[int], tag: str, when: datetime, honest: list[Labelled]) -> list[Signals]:
    return [_session(rng, counter, customer=f"{tag}-acct{index}", card=f"card-{tag}", when=when + timedelta(days=index))
            for index in range(rng.randint(2, 4))]


def _duplicate(rng: random.Random, counter: list[int], tag: str, when: datetime,
               honest: list[Labelled]) -> list[Signals]:
    original = rng.choice(honest).signals
    when = original.created_at + timedelta(hours=rng.uniform(1, 96))
    words = original.text.split()
    copies = []
    for index in range(rng.randint(1, 3)):
        edited = list(words)
        edited[rng.randrange(len(edited))] = rng.choice(["really", "very", "so"])
        copies.append(_session(rng, counter, customer=f"{tag}-acct{index}", text=" ".join(edited),
                               when=when + timedelta(days=index)))
    return copies


def _generated(rng: random.Random, counter: list[int], tag: str, when: datetime,
               honest: list[Labelled]) -> list[Signals]:
    kind = rng.choice(["paste", "speed", "marker"])
    text = _text(rng)
    if kind == "marker":
        text = "As an AI language model, I found " + text[0].lower() + text[1:]
    return [_session(rng, counter, customer=tag, when=when, text=text, pasted=len(text) if kind == "paste" else 0,
                     typing=2.0 if kind == "speed" else None)]


def _replay(rng: random.Random, counter: list[int], tag: str, when: datetime, honest: list[Labelled]) -> list[Signals]:
    source = rng.choice([item for item in honest if item.signals.audio_fingerprint]).signals
    return [_session(rng, counter, customer=tag, when=source.created_at + timedelta(hours=rng.uniform(1, 96)),
                     audio=_noisy(source.audio_fingerprint or "", rng))]


def _velocity(rng: random.Random, counter: list[int], tag: str, when: datetime,
              honest: list[Labelled]) -> list[Signals]:
    return [_session(rng, counter, customer=tag, store=store, when=when + timedelta(minutes=3 * index))
            for index, store in enumerate(rng.sample(STORES, rng.randint(3, 4)))]


PATTERNS = {"FB-DEVICE": _device, "FB-IP": _ip, "FB-PHONE": _phone, "FB-CARD": _card, "FB-DUPLICATE": _duplicate,
            "FB-GENERATED": _generated, "FB-REPLAY": _replay, "FB-VELOCITY": _velocity}


def _fraud(rng: random.Random, counter: list[int], honest: list[Labelled]) -> list[Labelled]:
    when = START + timedelta(days=rng.uniform(0, 20))
    pattern = rng.choice(sorted(PATTERNS))
    tag = f"{pattern}-{counter[0]}"
    return [Labelled(signals, pattern) for signals in PATTERNS[pattern](rng, counter, tag, when, honest)]


def build(seed: str, *, customers: int = 300, frauds: int = 60) -> list[Labelled]:
    """The labelled sessions of one split, in time order (each is checked against those before it)."""
    rng = random.Random(seed)
    counter = [0]
    honest = _honest(rng, counter, customers)
    fraud: list[Labelled] = []
    for _ in range(frauds):
        fraud.extend(_fraud(rng, counter, honest))
    every = sorted(honest + fraud, key=lambda item: item.signals.created_at)
    return [replace(item) for item in every]
