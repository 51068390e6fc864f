"""The judgment assistant: a case file in, a draft judgment out (precedent-based offline, or by a language model),
with human review."""
