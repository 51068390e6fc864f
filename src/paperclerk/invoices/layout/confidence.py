"""How sure the layout reader is of each value, by how it found it: one scale, named in one place.

A value on its label's line beats one under its label; a value confirmed by another (subtotal + tax = total, a
valid checksum) beats one read alone; what was guessed from context (an unlabelled name at the top, a date with no
label) stays low so that any labelled reading, or another extractor, wins.
"""

from __future__ import annotations

#: A value on the same line as its label, and on the line under it.
LABELLED_SAME_LINE = 0.9
LABELLED_BELOW = 0.8
#: Taken off a date read under a bare "Date" label (it may be any date), and off payment terms read where a due
#: date was announced.
GENERIC_DATE_LABEL_PENALTY = 0.1
TERMS_UNDER_DUE_LABEL_PENALTY = 0.2
#: An invoice number read from the title ("Invoice FI15636047324") rather than from a label.
NUMBER_IN_TITLE = 0.7
#: A date with no label at all (a till receipt's): the first one on the page, beside a time of day if any.
UNLABELLED_DATE = 0.5

#: The currency: a printed ISO code, a sign only. (Never one the document does not print: a scan that lost its sign
#: has no currency, not its supplier's country's.)
CURRENCY_CODE = 0.9
CURRENCY_SYMBOL = 0.75

#: The supplier's address on its name's line, and in the lines under it.
ADDRESS_ON_NAME_LINE = 0.75
ADDRESS_UNDER_NAME = 0.7
#: An unlabelled supplier: a name-like line with a legal form, and the top-most name-like line.
VENDOR_COMPANY_LINE = 0.75
VENDOR_TOP_LINE = 0.6
#: The recipient of a letter's address window, under the sender's one-line address.
RECIPIENT_UNDER_SENDER_LINE = 0.6

#: Tax IDs with and without a label; taken off when the checksum fails.
TAX_ID_LABELLED = 0.9
TAX_ID_UNLABELLED = 0.75
TAX_ID_CHECKSUM_PENALTY = 0.15
#: An IBAN after its label, and a valid one without.
IBAN_LABELLED = 0.9
IBAN_UNLABELLED = 0.7
#: A BIC after its label, valid and not (kept, so that the rule tells the clerk).
BIC_VALID = 0.9
BIC_INVALID = 0.6

#: An amount on its label's line, and under it.
AMOUNT_SAME_LINE = 0.85
AMOUNT_BELOW = 0.75
#: Subtotal, tax and total that add up; the sum of several tax lines (one per rate).
AMOUNTS_CONSISTENT = 0.95
TAX_LINES_SUMMED = 0.85
#: A total without its label: the printed amount that is subtotal + tax.
TOTAL_AS_SUM = 0.7
#: A total without its line or label: the amount a card was charged.
TOTAL_CHARGED_TO_CARD = 0.6
#: Taken off an amount that nothing confirms, and off a total when different totals are printed.
UNCONFIRMED_PENALTY = 0.1
CONFLICTING_TOTALS_PENALTY = 0.25

#: The document type: from its title, from a negative total, from the word "invoice" somewhere at the top.
TITLE = 0.9
NEGATIVE_TOTAL = 0.7
INVOICE_WORD = 0.8
