"""Paying customers their rewards: one :class:`~paperclerk.feedback.payments.provider.PayoutProvider` interface,
with Stripe Connect (and its signed webhooks) and a manual CSV payout behind it."""
