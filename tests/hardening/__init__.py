"""Hardening: faults, hostile input and security, each proven by tests."""
