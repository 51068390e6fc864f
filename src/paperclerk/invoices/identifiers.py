"""Identifiers on invoices: tax IDs (EU and UK VAT, GSTIN, SIREN/SIRET, ABN, EIN, Spanish NIF), IBAN, BIC (currency
codes are ``core.money.ISO_4217``).

Finding them in text is shape-based; validating them uses python-stdnum's checksums.
"""

from __future__ import annotations

import re

from stdnum import bic as std_bic
from stdnum import iban as std_iban
from stdnum.au import abn
from stdnum.es import nif as es_nif
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError
from stdnum.fr import siren, siret
from stdnum.gb import vat as gb_vat
from stdnum.in_ import gstin
from stdnum.us import ein

EU_VAT_PREFIXES = ("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE", "IT",
                   "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI", "GB")
#: Before an identifier: not a letter or digit, unless its label is glued to it (OCR: "IBANNL91...", "VATIE63...").
_ID_START = r"(?:(?<![A-Z0-9])|(?<=IBAN)|(?<=VAT)|(?<=TVA)|(?<=BTW)|(?<=IVA))"
_VAT_RE = re.compile(rf"{_ID_START}(?:{'|'.join(EU_VAT_PREFIXES)})[ ]?[0-9A-Z]{{0,2}}[0-9][0-9 .\-]{{5,16}}[0-9A-Z]"
                     r"(?:[ ]?B[0-9]{2})?(?![0-9A-Za-z])")
_GSTIN_RE = re.compile(r"(?<![0-9A-Z])\d{2}[A-Z]{5}\d{4}[A-Z][0-9A-Z]Z[0-9A-Z](?![0-9A-Z])")
_SIRET_RE = re.compile(r"(?<!\d)\d{3} ?\d{3} ?\d{3} ?\d{5}(?!\d)")
_SIREN_RE = re.compile(r"(?<!\d)\d{3} ?\d{3} ?\d{3}(?![\d ]*\d)")
_ABN_RE = re.compile(r"(?<!\d)\d{2} ?\d{3} ?\d{3} ?\d{3}(?!\d)")
_EIN_RE = re.compile(r"(?<!\d)\d{2}-\d{7}(?!\d)")
#: Spain's NIF: a company's CIF (letter, 7 digits, check), a person's DNI (8 digits, letter) or NIE (X/Y/Z).
_NIF_SHAPE = r"[A-HJNP-SUVW]\d{7}[0-9A-J]|\d{8}[A-Z]|[XYZ]\d{7}[A-Z]"
_NIF_RE = re.compile(rf"(?<![A-Z0-9])(?:{_NIF_SHAPE})(?![A-Z0-9])")
_IBAN_RE = re.compile(rf"{_ID_START}[A-Z]{{2}}\d{{2}}(?: ?[A-Z0-9]{{4}}){{2,7}}(?: ?[A-Z0-9]{{1,3}})?(?![A-Z0-9])")
_BIC_RE = re.compile(r"(?<![A-Z0-9])[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?(?![A-Z0-9])")

#: Label words that announce each national scheme; the EU VAT and GSTIN shapes need no label.
SCHEME_LABELS = {"siret": _SIRET_RE, "siren": _SIREN_RE, "abn": _ABN_RE, "ein": _EIN_RE, "nif": _NIF_RE, "cif": _NIF_RE}


def compact(value: str | None) -> str:
    """Tax IDs, IBANs and BICs as stored and compared: no spaces or punctuation, upper case ("" for None)."""
    return re.sub(r"[\s.\-/]", "", value or "").upper()


def find_tax_ids(text: str, *, labels: set[str]) -> list[tuple[int, int, str]]:
    """(start, end, value) of the tax IDs in ``text``: EU VAT and GSTIN by shape, SIREN/SIRET/ABN/EIN when
    ``labels`` (lower-case label words found on the line) names the scheme. EINs keep their dash."""
    found: list[tuple[int, int, str]] = []

    def add(start: int, end: int, value: str) -> None:
        if not any(start < e and s < end for s, e, _ in found):
            found.append((start, end, value))

    for match in _VAT_RE.finditer(text):
        add(match.start(), match.end(), compact(match.group()))
    for match in _GSTIN_RE.finditer(text):
        add(match.start(), match.end(), match.group())
    for scheme in SCHEME_LABELS:
        if scheme in labels:
            for match in SCHEME_LABELS[scheme].finditer(text):
                value = match.group() if scheme == "ein" else compact(match.group())
                add(match.start(), match.end(), value)
    return sorted(found)


def tax_id_scheme(value: str) -> str | None:
    """``eu_vat``, ``gb_vat``, ``gstin``, ``siret``, ``siren``, ``abn``, ``ein`` or ``es_nif`` from the value's shape,
    else None."""
    if re.fullmatch(r"\d{2}-\d{7}", value):
        return "ein"
    value = compact(value)
    if _GSTIN_RE.fullmatch(value):
        return "gstin"
    if value.startswith("GB"):
        return "gb_vat"  # outside the EU VAT scheme since 2021 (XI numbers stay in it)
    if value[:2] in EU_VAT_PREFIXES and not value[:2].isdigit():
        return "eu_vat"
    if re.fullmatch(_NIF_SHAPE, value):
        return "es_nif"
    if re.fullmatch(r"\d{14}", value):
        return "siret"
    if re.fullmatch(r"\d{11}", value):
        return "abn"
    if re.fullmatch(r"\d{9}", value):
        return "siren"
    return None


#: VAT prefixes that are not the ISO 3166 code of the country: Greece's EL, Northern Ireland's XI (UK rates).
_PREFIX_COUNTRY = {"EL": "GR", "XI": "GB"}
#: Schemes that name no country in the number itself: they count only when their check digits hold.
_SCHEME_COUNTRY = {"gstin": "IN", "abn": "AU", "siren": "FR", "siret": "FR", "ein": "US"}


def tax_id_country(value: str) -> str | None:
    """The ISO 3166 country a tax ID belongs to: from the VAT prefix (EU, GB and XI, Swiss ``CHE…``, Norwegian
    ``NO…MVA``), else from a valid GSTIN, ABN, SIREN/SIRET or EIN; None when the ID names no country."""
    compacted = compact(value)
    if re.fullmatch(r"CHE\d{9}(?:MWST|TVA|IVA)?", compacted):
        return "CH"
    if re.fullmatch(r"NO\d{9}(?:MVA)?", compacted):
        return "NO"
    scheme, problem = check_tax_id(value)
    if scheme in ("eu_vat", "gb_vat"):
        return _PREFIX_COUNTRY.get(compacted[:2], compacted[:2])
    return _SCHEME_COUNTRY.get(scheme or "") if problem is None else None


_VALIDATORS = {"eu_vat": eu_vat, "gb_vat": gb_vat, "gstin": gstin, "siret": siret, "siren": siren, "abn": abn,
               "ein": ein, "es_nif": es_nif}


def check_tax_id(value: str) -> tuple[str | None, str | None]:
    """(scheme, problem): problem is None when the ID is valid, else a short explanation."""
    scheme = tax_id_scheme(value)
    if scheme is None:
        return None, "it does not look like any supported tax ID (EU VAT, GSTIN, SIREN/SIRET, ABN, EIN)"
    try:
        _VALIDATORS[scheme].validate(value)
    except ValidationError as exc:
        return scheme, str(exc).rstrip(".").lower()
    return scheme, None


def find_ibans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, compact IBAN) of IBAN-shaped runs, trimmed to the country's length when known."""
    found = []
    for match in _IBAN_RE.finditer(text):
        raw = match.group()
        value = compact(raw)
        length = _iban_length(value[:2])
        if length and len(value) > length:
            value = value[:length]
            # Shorten the span to the characters kept.
            kept, end = 0, match.start()
            while kept < length and end < match.end():
                if raw[end - match.start()] != " ":
                    kept += 1
                end += 1
            found.append((match.start(), end, value))
        else:
            found.append((match.start(), match.end(), value))
    return found


def _iban_length(country: str) -> int | None:
    try:
        info = std_iban._ibandb.info(country)  # the registry's per-country BBAN structure
    except AttributeError:  # a python-stdnum without that registry: keep the whole run
        return None
    for _prefix, properties in info:
        bban = properties.get("bban")
        if bban:
            return 4 + sum(int(n) for n in re.findall(r"(\d+)", bban))
    return None


def check_iban(value: str) -> str | None:
    """None when the IBAN is valid, else what is wrong with it."""
    try:
        std_iban.validate(value)
    except ValidationError as exc:
        return str(exc).rstrip(".").lower()
    return None


def find_bics(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in _BIC_RE.finditer(text)]


def check_bic(value: str) -> str | None:
    try:
        std_bic.validate(value)
    except ValidationError as exc:
        return str(exc).rstrip(".").lower()
    return None
