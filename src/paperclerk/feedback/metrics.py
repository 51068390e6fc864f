"""The feedback line's Prometheus metrics (exported by ``/metrics`` with the rest)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

SESSIONS = Counter("feedback_sessions_total", "Feedback sessions submitted, by business, status and quality tier",
                   ["business", "status", "quality_tier"])
QUALITY = Histogram("feedback_quality_score", "Quality scores of submitted feedback (0-100)",
                    buckets=(10, 20, 30, 40, 50, 60, 70, 80, 90, 100))
VOICE_SECONDS = Histogram("voice_processing_duration_seconds", "Seconds from a recording received to its text",
                          buckets=(0.5, 1, 2, 5, 10, 20, 30, 60, 120))
REWARD_SEK = Histogram("reward_amount_sek", "Rewards earned, in SEK (rewards in other currencies are not counted)",
                       buckets=(0, 5, 10, 20, 30, 50, 75, 100, 200))
FRAUD_FINDINGS = Counter("feedback_fraud_findings_total", "Fraud findings raised, by rule (the fraud rate is this "
                         "over feedback_sessions_total)", ["rule"])
