"""Open Badges 3.0 credentials: keys' mathematics, proofs, building and verification.

This package is the only importer of ``cryptography``.
"""
