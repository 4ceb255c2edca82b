"""Hub routes: sync."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
