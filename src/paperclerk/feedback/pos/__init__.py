"""Purchases from the businesses' point-of-sale systems, for matching a customer's receipt: one
:class:`~paperclerk.feedback.pos.transaction.PosSource` interface, with Square, Zettle, Shopify and CSV behind it."""
