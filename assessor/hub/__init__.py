"""The organisation's hub: intake, assignment, the sync API, publication (FastAPI).

Server software an organisation deploys (``python main.py hub serve``), on SQLite for a
team or PostgreSQL for an organisation. DESIGN.md's "Sync protocol" is the contract; the
hub's OpenAPI document (``GET /openapi.json``) is its reference.
"""
