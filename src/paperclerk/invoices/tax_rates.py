"""VAT / GST rates in force during 2026, per supplier country (ISO 3166 alpha-2: Greece is ``GR`` here, though
its VAT numbers start ``EL``), for the tax-rate plausibility rule INV-TAX-001.

Each country lists its standard rate, reduced and super-reduced rates, parking rate and the rates of its
regions with their own VAT (Greek islands, Corsica and the French overseas departments, Madeira and the
Azores). 0 % (exports, intra-EU supplies, reverse charge, zero-rated goods) is valid everywhere and is not
listed. A rate that was in force for part of 2026 counts (Austria's 4.9 % on basic food from July, Sweden's
6 % food rate from April); a rate abolished before 2026 does not (Finland's 14 %, Lithuania's 9 %, the Swiss
7.7 % and 2.5 %, Romania's 19 %, 9 % and 5 %).

Compiled in December 2026 from public summaries, not from the official databases themselves; check a rate in
the European Commission's Taxes in Europe Database (TEDB) or with the national administration before relying
on it. EU-27: the Commission's list "VAT rates applied in the Member States" as summarised for 2025-2026 by
vatcalc, VATupdate, Baker McKenzie and fiscal-requirements.com, with these changes: Estonia 24 % (July 2025)
and 13 % accommodation; Slovakia 23 / 19 / 5 (2025); Romania 21 / 11 (August 2025); Finland 13.5 % replacing
14 % (January 2026); Lithuania 12 % replacing 9 % (January 2026); Austria 4.9 % on basic food (July 2026);
Cyprus 3 % (2023).
Malta's 12 % (certain financial and custody services) is from memory, not from a 2026 source.
India: the GST 2.0 notifications 9/2025-17/2025-Central Tax (Rate), in force 22 September 2025 (slabs 5, 18
and 40 %); 12 and 28 % stay listed because 28 % still applies to tobacco until the compensation cess ends and
invoices of late 2025 carry 12 %; 3 % (gold) and 0.25 % (rough diamonds) are special rates. An intra-state
Indian invoice splits its rate into CGST and SGST halves, so the halves are valid rates too. UK: HMRC (20 / 5);
Switzerland: ESTV, 8.1 / 2.6 / 3.8 since 2024; Norway: Skatteetaten (25 / 15 / 12); Australia GST 10 %; New
Zealand GST 15 %; Singapore GST 9 % since 2024. Canada (GST / HST 5, 13, 14, 15) is left out: no Canadian
business number is recognised on invoices, so no invoice could be placed there.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class CountryRates:
    name: str
    standard: Decimal
    #: reduced, super-reduced, parking and regional rates, lowest first
    other: tuple[Decimal, ...] = ()

    @property
    def valid(self) -> tuple[Decimal, ...]:
        """Every valid rate, 0 first."""
        return tuple(sorted({Decimal(0), self.standard, *self.other}))


def _rates(name: str, standard: str, *other: str, halves: bool = False) -> CountryRates:
    values = {Decimal(rate) for rate in (standard, *other)}
    if halves:
        values |= {rate / 2 for rate in values}
    values.discard(Decimal(standard))
    return CountryRates(name, Decimal(standard), tuple(sorted(values)))


#: country -> rates. Comments name what the non-standard rates are.
RATES: dict[str, CountryRates] = {
    "AT": _rates("Austria", "20", "4.9", "10", "13"),  # 4.9 basic food from July 2026; 13 is also the parking rate
    "BE": _rates("Belgium", "21", "6", "12"),  # 12 is also the parking rate
    "BG": _rates("Bulgaria", "20", "9"),
    "CY": _rates("Cyprus", "19", "3", "5", "9"),  # 3 super-reduced
    "CZ": _rates("Czechia", "21", "12"),
    "DE": _rates("Germany", "19", "7"),
    "DK": _rates("Denmark", "25"),
    "EE": _rates("Estonia", "24", "9", "13"),
    "ES": _rates("Spain", "21", "4", "10"),  # 4 super-reduced
    "FI": _rates("Finland", "25.5", "10", "13.5"),
    "FR": _rates("France", "20", "0.9", "1.05", "1.75", "2.1", "5.5", "8.5", "10", "13"),
    # 2.1 super-reduced; Corsica 0.9, 13; overseas departments 1.05, 1.75, 8.5
    "GR": _rates("Greece", "24", "4", "6", "9", "13", "17"),  # 4, 9, 17: the islands' rates (30 % lower)
    "HR": _rates("Croatia", "25", "5", "13"),
    "HU": _rates("Hungary", "27", "5", "18"),
    "IE": _rates("Ireland", "23", "4.8", "9", "13.5"),  # 4.8 super-reduced (livestock); 13.5 also parking
    "IT": _rates("Italy", "22", "4", "5", "10"),  # 4 super-reduced
    "LT": _rates("Lithuania", "21", "5", "12"),
    "LU": _rates("Luxembourg", "17", "3", "8", "14"),  # 3 super-reduced; 14 parking
    "LV": _rates("Latvia", "21", "5", "12"),
    "MT": _rates("Malta", "18", "5", "7", "12"),
    "NL": _rates("Netherlands", "21", "9"),
    "PL": _rates("Poland", "23", "5", "8"),
    "PT": _rates("Portugal", "23", "4", "5", "6", "9", "12", "13", "16", "22"),
    # 13 is also the parking rate; Madeira 5, 12, 22; the Azores 4, 9, 16
    "RO": _rates("Romania", "21", "11"),
    "SE": _rates("Sweden", "25", "6", "12"),
    "SI": _rates("Slovenia", "22", "5", "9.5"),
    "SK": _rates("Slovakia", "23", "5", "19"),
    "GB": _rates("United Kingdom", "20", "5"),
    "CH": _rates("Switzerland", "8.1", "2.6", "3.8"),  # 3.8 accommodation
    "NO": _rates("Norway", "25", "12", "15"),  # 15 food, 12 transport and accommodation
    "AU": _rates("Australia", "10"),
    "NZ": _rates("New Zealand", "15"),
    "IN": _rates("India", "18", "0.25", "3", "5", "12", "28", "40", halves=True),
    "SG": _rates("Singapore", "9"),
}
