from __future__ import annotations

import pytest

from paperclerk.extraction.language import detect_language

TEXTS = {
    "en": "Payment is due within thirty days of the invoice date. Please contact our accounts department.",
    "fr": "Le paiement est dû dans les trente jours suivant la date de la facture. Veuillez nous contacter.",
    "de": "Die Zahlung ist innerhalb von dreißig Tagen nach Rechnungsdatum fällig. Bitte melden Sie sich.",
    "nl": "De betaling dient binnen dertig dagen na de factuurdatum te geschieden. Neem contact met ons op.",
    "es": "El pago vence dentro de los treinta días siguientes a la fecha de la factura. Contáctenos, por favor.",
}


@pytest.mark.parametrize(("code", "text"), TEXTS.items())
def test_detects_common_languages(code, text):
    assert detect_language(text) == code
    assert detect_language(text * 100) == code  # only the start is read


@pytest.mark.parametrize("text", ["", "   ", "12/03/2024 4711 €", "OK"])
def test_too_little_text(text):
    assert detect_language(text) is None
