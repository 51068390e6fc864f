"""Short legal documents of each type, written for the tests (names and facts are invented)."""

from __future__ import annotations

SUPPLY_AGREEMENT = """MASTER SUPPLY AGREEMENT

This Master Supply Agreement (the "Agreement") is entered into as of March 1, 2021 (the "Effective Date"), by and
between Northwind Components, Inc., a Delaware corporation ("Supplier"), and Harbor Tools LLC, a Texas limited
liability company ("Buyer").

1. Supply of Products. Supplier shall manufacture and sell to Buyer the products listed in Exhibit A (the
"Products") at the prices set out in Exhibit B. Buyer shall purchase a minimum of 10,000 units of Products in
each calendar year during the Term.

2. Payment. Buyer shall pay each invoice within thirty (30) days of its receipt. The annual fee of $125,000.00 is
due no later than April 15, 2021.

3. Term and Renewal. This Agreement commences on the Effective Date and continues for an initial term of three
(3) years. Thereafter this Agreement shall automatically renew for successive one (1) year renewal terms.

4. Limitation of Liability. IN NO EVENT SHALL EITHER PARTY'S AGGREGATE LIABILITY ARISING OUT OF THIS AGREEMENT
EXCEED THE AMOUNTS PAID BY BUYER TO SUPPLIER IN THE TWELVE (12) MONTHS PRECEDING THE CLAIM. IN NO EVENT SHALL
EITHER PARTY BE LIABLE FOR ANY INDIRECT, INCIDENTAL OR CONSEQUENTIAL DAMAGES.

5. Assignment. Neither party may assign this Agreement or any rights hereunder without the prior written consent
of the other party, which consent shall not be unreasonably withheld.

6. Governing Law. This Agreement shall be governed by and construed in accordance with the laws of the State of
New York, without regard to its conflict of laws principles. Each party submits to the exclusive jurisdiction of
the state and federal courts located in New York County.

7. Audit. Supplier shall keep complete and accurate records and Buyer may audit such records upon reasonable
notice once in each calendar year.

IN WITNESS WHEREOF, the parties have executed this Agreement as of the Effective Date.
"""

NDA = """MUTUAL NON-DISCLOSURE AGREEMENT

This Mutual Non-Disclosure Agreement is made on 5 January 2022 between Blue Ridge Analytics Ltd ("Discloser")
and Coastal Data GmbH ("Recipient"). The receiving party shall hold the Confidential Information of the disclosing
party in strict confidence and shall not disclose it to any third party. The receiving party shall return or
destroy all Confidential Information within ten (10) days of a written request. This Agreement shall be governed
by the laws of England and Wales.
"""

LEASE = """COMMERCIAL LEASE AGREEMENT

This Lease is made between Elm Street Properties LLC ("Landlord") and Juniper Bakery Inc. ("Tenant"). Landlord
leases to Tenant the premises at 14 Elm Street. Tenant shall pay monthly rent of $4,500 on the first day of each
month. Tenant shall pay a security deposit of $9,000. The lease term ends on June 30, 2026.
"""

EMPLOYMENT = """EMPLOYMENT AGREEMENT

This Employment Agreement is entered into by Vector Robotics Corp. (the "Employer") and Dana Whitfield (the
"Employee"). The Employer shall pay the Employee a base salary of $150,000 per year. The Employee's employment is
at-will. On termination without cause the Employee shall receive severance equal to three months of base salary.
"""

LOAN = """TERM LOAN AGREEMENT

This Loan Agreement is made between First Prairie Bank (the "Lender") and Copperline Mining Inc. (the
"Borrower"). The Lender agrees to lend the Borrower the principal amount of USD 2,000,000. The loan bears interest
at an interest rate of 6.5% per annum. The Borrower shall repay the loan in full on or before December 31, 2027.
"""

LICENCE = """SOFTWARE LICENSE AGREEMENT

This Software License Agreement is made between Orbit Software Inc. ("Licensor") and Pinecrest Media LLC
("Licensee"). Licensor grants Licensee a non-exclusive, non-transferable license to use the Software. Licensee shall
pay Licensor a royalty of five percent of net sales each quarter.
"""

SERVICES = """CONSULTING SERVICES AGREEMENT

This Consulting Agreement is made between Meridian Health Inc. (the "Company") and Stone Advisory LLC (the
"Consultant"). The Consultant shall provide the services described in each statement of work. The Company shall
pay the Consultant's invoices within 45 days.
"""

COMPLAINT = """UNITED STATES DISTRICT COURT FOR THE SOUTHERN DISTRICT OF NEW YORK

JANE ROE, Plaintiff, v. GLOBEX CORPORATION, Defendant.

Case No. 1:24-cv-01234

COMPLAINT AND DEMAND FOR JURY TRIAL

Plaintiff Jane Roe, by her attorneys, alleges as follows against Defendant Globex Corporation.

FIRST CAUSE OF ACTION (Breach of Contract)

1. Defendant failed to pay the amounts due under the agreement, in violation of 42 U.S.C. § 1983 and as held in
Smith v. Jones, 123 F.3d 45 (2d Cir. 1999).

PRAYER FOR RELIEF

WHEREFORE, Plaintiff demands judgment against Defendant for damages of $250,000, costs and fees.

JURY TRIAL DEMANDED
"""

MOTION = """UNITED STATES DISTRICT COURT FOR THE DISTRICT OF DELAWARE

ACME CORP., Plaintiff, v. INITECH LLC, Defendant.

DEFENDANT'S MOTION TO DISMISS FOR FAILURE TO STATE A CLAIM

Defendant Initech LLC respectfully moves this Court for an order dismissing the Complaint under Rule 12(b)(6).
This motion is supported by the accompanying memorandum of points and authorities. Hearing date: May 4, 2024.
"""

ORDER = """IN THE UNITED STATES DISTRICT COURT FOR THE NORTHERN DISTRICT OF CALIFORNIA

ORDER GRANTING MOTION FOR EXTENSION OF TIME

Upon consideration of the parties' stipulation, IT IS HEREBY ORDERED that the Defendant shall file its answer no
later than July 15, 2024. IT IS FURTHER ORDERED that the case management conference is continued.

SO ORDERED.
"""

JUDGMENT = """IN THE SUPREME COURT OF INDIA
CIVIL APPELLATE JURISDICTION

CIVIL APPEAL NO. 1234 OF 2019

Coram: Hon'ble Justice A. Sharma and Hon'ble Justice B. Rao

JUDGMENT

1. The appellant challenges the order of the High Court of Delhi. Learned counsel for the appellant relied on
(2017) 10 SCC 1 and AIR 1973 SC 1461, and on Section 34 of the Arbitration and Conciliation Act, 1996. Learned
counsel for the respondent relied on [2020] UKSC 5 and on Case C-131/12 of the Court of Justice of the European
Union.

2. For the reasons above, the appeal is allowed and the judgment of the High Court is set aside.
"""

LETTER = """Hartley & Stone LLP
12 King Street, London

10 February 2023

Dear Mr Patel,

Re: Outstanding invoices of Fenwick Trading Ltd

We write on behalf of our client regarding the unpaid invoices. Please find enclosed copies. Unless payment is
received within fourteen (14) days, our client will commence proceedings without further notice.

Yours sincerely,

Hartley & Stone LLP
"""

STATUTE = """DATA PROTECTION (AMENDMENT) ACT, 2023

An Act to amend the Data Protection Act.

BE IT ENACTED by the Legislature as follows:

1. Short title and commencement. (1) This Act may be cited as the Data Protection (Amendment) Act, 2023.

2. Definitions. In this Act, unless the context otherwise requires, "controller" means a person who determines
the purposes of processing.

3. Amendment of section 5. In subsection (2) of section 5 of the principal Act, the words "thirty days" are
replaced by "fifteen days".
"""

LEGAL_INVOICE = """Hartley & Stone LLP
INVOICE No. 2023-0417

Client: Fenwick Trading Ltd          Matter No: FT-2023-09
Billing period: 1 March 2023 to 31 March 2023

Professional services rendered
Date        Timekeeper     Hours   Rate     Amount
03/02/2023  J. Hartley     2.50    450.00   1,125.00
03/09/2023  A. Singh       4.00    300.00   1,200.00

Total fees: $2,325.00
Disbursements: $75.00
Amount due: $2,400.00
"""

BY_TYPE = {
    "supply": SUPPLY_AGREEMENT, "nda": NDA, "lease": LEASE, "employment": EMPLOYMENT, "loan": LOAN,
    "licence": LICENCE, "services": SERVICES, "pleading": COMPLAINT, "motion": MOTION, "court_order": ORDER,
    "judgment": JUDGMENT, "correspondence": LETTER, "statute": STATUTE, "legal_invoice": LEGAL_INVOICE,
}
