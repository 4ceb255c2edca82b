"""A render service shared by the evidence tests: its workers start once per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assessor.evidence.render import RenderService


@pytest.fixture(scope="package")
def render_service() -> Iterator[RenderService]:
    service = RenderService(workers=2, timeout=20.0)
    service.start()
    yield service
    service.close()
