"""Till receipts generated in code, with the values they must yield (company, date, address, total).

Thermal receipts the way shops in Malaysia, Singapore, India, the UK and Germany print them: the merchant at the top
(often in capitals, with SDN BHD / PTE LTD / PVT LTD / LTD / GmbH), a company number and the address under it, a tax
registration, a date with a time, item lines, then TOTAL / ROUNDING / CASH / CHANGE blocks; the payable total is the
one after rounding. ``text(receipt)`` is the receipt as a plain-text file, ``image(receipt)`` a scanned, noisy JPEG
of it (for the OCR path). ``SEEN`` styles were in view while the reader's receipt rules were written; ``UNSEEN``
styles were written afterwards and only ever measured.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")
_MONO = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
_MONO_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
WIDTH = 42  # characters on an 80 mm thermal roll


@dataclass
class Receipt:
    name: str
    style: str
    lines: list[str]
    expected: dict[str, Any]  # company, address, date (date), total (Decimal)


_MY_COMPANIES = ["KEDAI MAKAN SRI BAYU SDN BHD", "PASARAYA MEGA JAYA SDN. BHD.", "UNIHAKKA INTERNATIONAL SDN BHD",
                 "SYARIKAT PERNIAGAAN GIN KEE", "MR. D.I.Y. (M) SDN BHD", "LIGHTROOM GALLERY SDN BHD",
                 "99 SPEED MART S/B", "RESTORAN WAN SHENG", "GARDENIA BAKERIES (KL) SDN BHD",
                 "TEO HENG STATIONERY & BOOKS", "AEON CO. (M) BHD.", "SANYU STATIONERY SHOP"]
_MY_STREETS = ["NO 12, JALAN MERANTI 3", "LOT 1851-A & 1851-B, JALAN KPB 6", "NO.53 55,57 & 59, JALAN SAGU 18",
               "12, JALAN TAMAN MELATI 1", "NO. 2 & 4, JALAN BAYU TINGGI 2A/KS6", "G-23, JALAN PJU 1/3"]
_MY_AREAS = ["TAMAN DAYA", "KAWASAN PERINDUSTRIAN BALAKONG", "TAMAN MELATI", "BANDAR BARU SRI PETALING",
             "SETIA ALAM", "TAMAN SRI MUDA"]
_MY_CITIES = ["81100 JOHOR BAHRU, JOHOR", "43300 SERI KEMBANGAN, SELANGOR", "53100 KUALA LUMPUR",
              "40170 SHAH ALAM, SELANGOR", "47301 PETALING JAYA", "41200 KLANG, SELANGOR"]
_ITEMS = ["NASI LEMAK AYAM", "TEH TARIK", "KOPI O ICE", "ROTI CANAI", "MEE GORENG MAMAK", "A4 PAPER 80GSM",
          "KF MODELLING CLAY", "BATTERY AA 4S", "CHOCOLATE WAFER", "MINERAL WATER 1.5L", "PLASTIC CONTAINER",
          "SCISSORS 8 INCH", "BREAD WHITE JUMBO", "MILO 3IN1", "BLACK PEN 0.5"]


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _round_5(value: Decimal) -> Decimal:
    """Malaysian cash rounding to the nearest 5 sen."""
    return ((value * 20).quantize(Decimal(1), rounding=ROUND_HALF_UP) / 20).quantize(CENT)


def _pad(left: str, right: str) -> str:
    return f"{left}{' ' * max(1, WIDTH - len(left) - len(right))}{right}"


def _centre(text: str) -> str:
    return text.center(WIDTH).rstrip()


def _items(rng: random.Random) -> list[tuple[str, int, Decimal]]:
    return [(rng.choice(_ITEMS), rng.randint(1, 3), Decimal(rng.randint(150, 4500)) / 100)
            for _ in range(rng.randint(2, 6))]


def _when(rng: random.Random) -> tuple[date, time]:
    return date(rng.randint(2016, 2019), rng.randint(1, 12), rng.randint(1, 28)), \
        time(rng.randint(8, 22), rng.randint(0, 59), rng.randint(0, 59))


# Styles the reader's rules were written against --------------------------------------------------------------


def my_gst(variant: int) -> Receipt:
    """A Malaysian GST-era tax invoice receipt: company number, GST ID, GST summary, rounding."""
    rng = random.Random(f"my_gst-{variant}")
    company, street = rng.choice(_MY_COMPANIES), rng.choice(_MY_STREETS)
    area, city = rng.choice(_MY_AREAS), rng.choice(_MY_CITIES)
    day, clock = _when(rng)
    items = _items(rng)
    gross = sum((price * qty for _, qty, price in items), Decimal(0))
    net = (gross / Decimal("1.06")).quantize(CENT, rounding=ROUND_HALF_UP)
    gst = gross - net
    payable = _round_5(gross)
    cash = (payable / 10).to_integral_value(rounding="ROUND_CEILING") * 10
    lines = [_centre(company), _centre(f"(Co. Reg. No. {rng.randint(100000, 999999)}-{rng.choice('ADHKPTUVWX')})"),
             _centre(f"{street},"), _centre(f"{area},"), _centre(f"{city}."),
             _centre(f"TEL: 03-{rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"),
             _centre(f"GST ID: {rng.randint(10**11, 10**12 - 1):012d}"), _centre("TAX INVOICE"), "",
             _pad(f"Doc No.: CS{rng.randint(10**7, 10**8):08d}", f"Date: {day:%d/%m/%Y}"),
             _pad(f"Cashier: {rng.choice(['USER', 'ANIS', 'MEI LING', 'RAJ'])}", f"Time: {clock:%H:%M:%S}"),
             "-" * WIDTH, _pad("Item", "Qty   Price  Amount")]
    lines += [_pad(name[:20], f"{qty}  {_money(price):>6} {_money(price * qty):>7} SR") for name, qty, price in items]
    lines += ["-" * WIDTH, _pad("Total Sales (Excluding GST):", _money(net)), _pad("GST @6%:", _money(gst)),
              _pad("Total Sales (Inclusive GST):", _money(gross)), _pad("Rounding:", _money(payable - gross)),
              _pad("Total:", _money(payable)), _pad("CASH", _money(cash)), _pad("CHANGE", _money(cash - payable)),
              "", _centre("GST Summary   Amount(RM)   Tax(RM)"), _centre(f"SR @ 6%   {_money(net)}   {_money(gst)}"),
              "", _centre("GOODS SOLD ARE NOT RETURNABLE"), _centre("THANK YOU, PLEASE COME AGAIN")]
    return Receipt(f"my_gst-{variant}", "my_gst", lines,
                   {"company": company, "address": f"{street}, {area}, {city}.", "date": day, "total": payable})


def uk_till(variant: int) -> Receipt:
    """A British till receipt: shop name with LTD, VAT number, items in GBP, card payment, no rounding."""
    rng = random.Random(f"uk_till-{variant}")
    company = rng.choice(["HARROW CORNER STORES LTD", "THE OLD BAKEHOUSE LTD", "PENNYWISE HARDWARE LTD",
                          "BRIGHTON NEWS & FOOD LTD"])
    street = rng.choice(["14 HIGH STREET", "2 STATION ROAD", "77 MARKET PLACE", "5 CHURCH LANE"])
    city = rng.choice(["HARROW HA1 1AA", "LEWES BN7 2AA", "YORK YO1 8RS", "BATH BA1 1SU"])
    day, clock = _when(rng)
    items = _items(rng)
    total = sum((price * qty for _, qty, price in items), Decimal(0))
    lines = [_centre(company), _centre(street), _centre(city), _centre("VAT No. GB 980 7806 84"), "",
             *[_pad(f"{qty} x {name[:22]}", f"£{_money(price * qty)}") for name, qty, price in items],
             "", _pad("BALANCE DUE", f"£{_money(total)}"), _pad("CARD", f"£{_money(total)}"),
             _pad("CHANGE", "£0.00"), "", f"{day:%d/%m/%Y} {clock:%H:%M}  TILL 2  TRANS {rng.randint(1000, 9999)}",
             _centre("THANK YOU FOR SHOPPING WITH US")]
    return Receipt(f"uk_till-{variant}", "uk_till", lines,
                   {"company": company, "address": f"{street}, {city}", "date": day, "total": total})


# Styles written after the rules, only ever measured -------------------------------------------------------------


def my_restaurant(variant: int) -> Receipt:
    """A Malaysian restaurant bill under SST: table and pax, service charge, SST 6 %, rounding adjustment, the date
    written with a month name."""
    rng = random.Random(f"my_restaurant-{variant}")
    company = rng.choice(["RESTORAN NASI KANDAR PELITA SDN BHD", "DOME CAFE (MALAYSIA) SDN BHD",
                          "MEDAN SELERA KAK NAH ENTERPRISE", "OLDTOWN WHITE COFFEE (SS2) SDN BHD"])
    street, area, city = rng.choice(_MY_STREETS), rng.choice(_MY_AREAS), rng.choice(_MY_CITIES)
    day, clock = _when(rng)
    items = _items(rng)
    food = sum((price * qty for _, qty, price in items), Decimal(0))
    service = (food * Decimal("0.10")).quantize(CENT, rounding=ROUND_HALF_UP)
    sst = ((food + service) * Decimal("0.06")).quantize(CENT, rounding=ROUND_HALF_UP)
    gross = food + service + sst
    payable = _round_5(gross)
    lines = [_centre(company), _centre(f"{street}, {area}"), _centre(city),
             _centre(f"SST Reg No: W10-{rng.randint(1000, 9999)}-{rng.randint(10000000, 99999999)}"), "",
             _pad(f"Table: {rng.randint(1, 40)}  Pax: {rng.randint(1, 6)}", f"Bill: {rng.randint(10000, 99999)}"),
             _pad(f"{day.day:02d} {day:%b} {day.year}", f"{clock:%I:%M %p}"), "-" * WIDTH]
    lines += [_pad(f"{name[:24]} x{qty}", _money(price * qty)) for name, qty, price in items]
    lines += ["-" * WIDTH, _pad("Sub Total", _money(food)), _pad("Service Charge 10%", _money(service)),
              _pad("SST 6%", _money(sst)), _pad("Rounding Adj", _money(payable - gross)),
              _pad("Nett Total (RM)", _money(payable)), _pad("Paid: VISA", _money(payable)), "",
              _centre("Thank you! Please come again")]
    return Receipt(f"my_restaurant-{variant}", "my_restaurant", lines,
                   {"company": company, "address": f"{street}, {area}, {city}", "date": day, "total": payable})


def de_kassenbon(variant: int) -> Receipt:
    """A German Kassenbon: GmbH, address, "Summe EUR", Bar / Rückgeld, the VAT split after the payment."""
    rng = random.Random(f"de_kassenbon-{variant}")
    company = rng.choice(["Bäckerei Sonnenschein GmbH", "Getränkemarkt Kühl GmbH", "Drogerie am Markt GmbH"])
    street = rng.choice(["Hauptstraße 12", "Marktplatz 3", "Bahnhofstr. 45"])
    city = rng.choice(["70173 Stuttgart", "04109 Leipzig", "50667 Köln"])
    day, clock = _when(rng)
    items = _items(rng)
    total = sum((price * qty for _, qty, price in items), Decimal(0))
    cash = (total / 10).to_integral_value(rounding="ROUND_CEILING") * 10
    net = (total / Decimal("1.19")).quantize(CENT, rounding=ROUND_HALF_UP)

    def euro(value: Decimal) -> str:
        return f"{value:.2f}".replace(".", ",")

    lines = [_centre(company), _centre(street), _centre(city), _centre(f"USt-IdNr.: DE{rng.randint(10**8, 10**9 - 1)}"),
             "", *[_pad(f"{name[:24]} {qty}x", f"{euro(price * qty)} A") for name, qty, price in items],
             "-" * WIDTH, _pad("Summe EUR", euro(total)), _pad("Bar", euro(cash)), _pad("Rückgeld", euro(cash - total)),
             "", _pad("MwSt 19% Netto", euro(net)), _pad("MwSt-Betrag", euro(total - net)),
             f"{day:%d.%m.%Y} {clock:%H:%M}  Bon-Nr. {rng.randint(1000, 9999)}",
             _centre("Vielen Dank für Ihren Einkauf")]
    return Receipt(f"de_kassenbon-{variant}", "de_kassenbon", lines,
                   {"company": company, "address": f"{street}, {city}", "date": day, "total": total})


SEEN: tuple[Callable[[int], Receipt], ...] = (my_gst, uk_till)
UNSEEN: tuple[Callable[[int], Receipt], ...] = (my_restaurant, de_kassenbon)


def receipts(styles: tuple[Callable[[int], Receipt], ...], per_style: int = 5) -> list[Receipt]:
    return [style(variant) for style in styles for variant in range(per_style)]


def text(receipt: Receipt) -> bytes:
    return ("\n".join(receipt.lines) + "\n").encode()


def image(receipt: Receipt, *, seed: int = 0) -> bytes:
    """The receipt printed on a thermal roll and scanned: monospace text at 203 dpi-like size, a slight rotation,
    blur, speckle and JPEG compression."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    rng = random.Random(f"{receipt.name}-{seed}")
    font = ImageFont.truetype(_MONO, 22)
    bold = ImageFont.truetype(_MONO_BOLD, 24)
    step = 30
    width, height = 40 + 14 * WIDTH, 60 + step * len(receipt.lines)
    canvas = Image.new("L", (width, height), 250)
    draw = ImageDraw.Draw(canvas)
    for index, line in enumerate(receipt.lines):
        draw.text((20, 30 + index * step), line, fill=rng.randint(10, 60), font=bold if index == 0 else font)
    canvas = canvas.rotate(rng.uniform(-1.0, 1.0), resample=Image.Resampling.BICUBIC, expand=True, fillcolor=250)
    canvas = canvas.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.7)))
    pixels = np.asarray(canvas, dtype=np.int16)
    noise = np.random.default_rng(seed).normal(0, 8, pixels.shape)
    canvas = Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8))
    out = io.BytesIO()
    canvas.save(out, "JPEG", quality=rng.randrange(60, 80))
    return out.getvalue()
