"""Sync with the organisation's hub: sign-in, incremental pull, evidence downloads into the
encrypted cache, the outbox push, and conflicts kept side by side."""
