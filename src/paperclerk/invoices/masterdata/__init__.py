"""The organisation's master data (vendors, purchase orders, goods receipts): ``checks`` (what invoices are
checked against), ``service`` (create, read, update), ``imports`` (CSV)."""
