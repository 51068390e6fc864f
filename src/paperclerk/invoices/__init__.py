"""Accounts-payable invoices: read (layout extractor, UBL/CII e-invoices), merge, validate, report.

Modules: ``numbers`` and ``dates`` (local forms of amounts and dates), ``identifiers`` (tax IDs, IBAN, BIC,
ISO 4217), ``reading`` (results, ``Extractor`` protocol, ``merge``), ``layout`` (template-free), ``einvoice``,
``rules`` (``RULES``, ``validate``) and ``file_report`` (``analyze_file``) are pure functions; ``models``,
``service``, ``workflow``, ``masterdata``, ``exports``, ``analyzer`` (the pipeline plug-in) and ``api`` store
invoices, check them against master data and carry them through review, approval and export.
"""
