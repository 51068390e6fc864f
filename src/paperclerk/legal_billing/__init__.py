"""Legal e-billing review: law-firm invoices (LEDES and PDF) checked against each organisation's billing
guidelines, with proposed adjustments, a review workflow, attorney verification and a spend dashboard."""
