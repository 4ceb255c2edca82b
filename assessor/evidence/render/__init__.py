"""Showing evidence: documents (PyMuPDF) and pictures (Pillow) drawn in worker processes.

    service = RenderService(); service.start()
    handle = service.open_document(data, name="report.pdf")
    image = handle.render_page(0, scale=150 / 72)

``evidence_kind`` says which viewer an item needs. Nothing here imports Qt, and PyMuPDF
and Pillow are imported only in the worker processes.
"""

from assessor.evidence.render.errors import (
    BrokenEvidence,
    EvidenceTooLarge,
    PasswordRequired,
    RenderError,
    RenderTimeout,
    UnsupportedEvidence,
    WrongPassword,
)
from assessor.evidence.render.kinds import EvidenceKind, document_type, evidence_kind
from assessor.evidence.render.models import (
    DocumentInfo,
    ImageInfo,
    PageImage,
    SearchHit,
    Word,
)
from assessor.evidence.render.service import DocumentHandle, ImageHandle, RenderService

__all__ = [
    "BrokenEvidence",
    "DocumentHandle",
    "DocumentInfo",
    "EvidenceKind",
    "EvidenceTooLarge",
    "ImageHandle",
    "ImageInfo",
    "PageImage",
    "PasswordRequired",
    "RenderError",
    "RenderService",
    "RenderTimeout",
    "SearchHit",
    "UnsupportedEvidence",
    "Word",
    "WrongPassword",
    "document_type",
    "evidence_kind",
]
