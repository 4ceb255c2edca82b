"""A learner's two attempts at Site Safety, made through the store's own operations:
attempt 1 judged, given feedback and sent back; attempt 2 resubmitted with changed
evidence and a revised narrative, partly judged."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from assessor.demo import SAFETY_TEMPLATE
from assessor.domain.feedback import Outcome, Visibility
from assessor.domain.judgment import JudgmentDraft
from assessor.domain.people import Learner
from assessor.domain.submission import EvidenceItem, Submission
from assessor.store.store import Store
from tests.core.helpers import ASSESSOR, NOW

FIRST_ID = "att-safety-1"
SECOND_ID = "att-safety-2"
LEARNER = Learner("learner-att", "Aroha Walker", "aroha@learners.example.org")

FIRST_NARRATIVE = ("I walked the east loading bay before the shift and wrote down the hazards "
                   "I saw. I put up a barrier near the dock.")
SECOND_NARRATIVE = ("I walked the whole east loading bay before the shift and recorded every "
                    "hazard with its location. I put up a barrier and signage near the dock "
                    "and checked them at noon.")


def _item(item_id: str, name: str, media: str, content: str, description: str) -> EvidenceItem:
    return EvidenceItem(item_id, name, media, len(content) * 100,
                        hashlib.sha256(content.encode()).hexdigest(), description)


FIRST_EVIDENCE = (
    _item("att1-reg", "hazard-register.pdf", "application/pdf", "register v1",
          "Hazard register for the east loading bay"),
    _item("att1-photo", "barrier.jpg", "image/jpeg", "barrier photo", "Barrier at the dock"),
    _item("att1-talk", "toolbox-talk.mp4", "video/mp4", "talk", "Morning toolbox talk"),
)
SECOND_EVIDENCE = (
    _item("att2-reg", "hazard-register.pdf", "application/pdf", "register v2",
          "Hazard register, every hazard with its location"),
    _item("att2-photo", "dock-barrier.jpg", "image/jpeg", "barrier photo",
          "Barrier at the dock"),
    _item("att2-sign", "signage.jpg", "image/jpeg", "signage photo", "Signage in place"),
)


def two_attempts(store: Store) -> None:
    """Receive, judge and send back attempt 1; receive attempt 2 and judge part of it.
    The store must already hold the demo rubrics and templates."""
    first = Submission(
        id=FIRST_ID, learner=LEARNER, template_id=SAFETY_TEMPLATE.id,
        rubric_key="site-safety", rubric_version=1, attempt=1,
        submitted_at=NOW - timedelta(days=20), narrative=FIRST_NARRATIVE,
        evidence=FIRST_EVIDENCE, due_at=NOW - timedelta(days=6), assigned_to=ASSESSOR.user_id)
    store.receive([first])
    for key, level, comment in (
            ("hazard-id", "developing", "Obvious hazards only; the dock edge is missing."),
            ("controls", "developing", "Barrier placed but never checked."),
            ("reporting", "proficient", "")):
        store.record_judgment(FIRST_ID, JudgmentDraft(key, level, comment), ASSESSOR)
    store.add_feedback(FIRST_ID, ASSESSOR, "Walk the whole bay and record every hazard with "
                       "its location.", Visibility.LEARNER, criterion_key="hazard-id")
    store.add_feedback(FIRST_ID, ASSESSOR, "Show that you checked the barrier works.",
                       Visibility.LEARNER, criterion_key="controls")
    store.add_feedback(FIRST_ID, ASSESSOR, "Close, but not yet there.", Visibility.INTERNAL)
    store.decide(FIRST_ID, ASSESSOR, Outcome.RESUBMIT, note="Two criteria below pass.")
    second = Submission(
        id=SECOND_ID, learner=LEARNER, template_id=SAFETY_TEMPLATE.id,
        rubric_key="site-safety", rubric_version=1, attempt=2,
        submitted_at=NOW - timedelta(days=3), narrative=SECOND_NARRATIVE,
        evidence=SECOND_EVIDENCE, due_at=NOW + timedelta(days=11),
        assigned_to=ASSESSOR.user_id, previous_attempt_id=FIRST_ID)
    store.receive([second])
    store.record_judgment(SECOND_ID, JudgmentDraft("hazard-id", "proficient",
                                                   "Every hazard, with locations."), ASSESSOR)
    store.record_judgment(SECOND_ID, JudgmentDraft("reporting", "proficient"), ASSESSOR)
