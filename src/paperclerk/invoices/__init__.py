"""Accounts-payable invoices: read (layout extractor, UBL/CII e-invoices), merge, validate, report.

Modules: ``numbers`` and ``dates`` (local forms of amounts and dates), ``identifiers`` (tax IDs, IBAN, BIC,
ISO 4217), ``model`` (results, ``Extractor`` protocol, ``merge``), ``layout_extractor``, ``einvoice``,
``rules`` (``RULES``, ``validate``) and ``analysis`` (``analyze_file``). Pure functions, no database.
"""
