"""A small store with known results, for the insights tests (core and UI).

Site Safety Practitioner (hazard-id and controls required at proficient, controls weighted
1.5; reporting optional, passes at developing):

| submission    | learner | by     | hazard-id   | controls    | reporting   | state        |
| ------------- | ------- | ------ | ----------- | ----------- | ----------- | ------------ |
| ins-safety-a1 | Aroha   | Dana   | developing  | proficient  | not-yet     | resubmission |
| ins-safety-a2 | Aroha   | Dana   | proficient  | exemplary   | developing  | approved     |
| ins-safety-b1 | Ben     | Dana   | proficient  | developing  | proficient  | in review    |
| ins-safety-c1 | Chiara  | Dana   | exemplary   | proficient  | not-yet     | in review    |
| ins-safety-d1 | Dmitri  | Omar   | not-yet     | not-yet     | not-yet     | in review    |
| ins-safety-e1 | Efua    | Dana   | -           | -           | -           | pending      |

Customer Communication: ins-care-a1 (Aroha): listening exemplary, resolution proficient.

``SECOND_MARKS`` is a moderator's blind second marking of a2, b1, c1 and d1.
"""

from __future__ import annotations

from datetime import timedelta

from assessor.demo import CARE_TEMPLATE, RUBRICS, SAFETY_TEMPLATE, TEMPLATES
from assessor.domain.agreement import CriterionMark
from assessor.domain.feedback import Outcome, Visibility
from assessor.domain.judgment import JudgmentDraft
from assessor.domain.people import Actor, Learner
from assessor.domain.submission import Submission
from assessor.domain.template import CredentialTemplate
from assessor.paths import AppPaths
from assessor.store.store import Clock, Store, utc_now
from tests.core.helpers import ASSESSOR, NOW, OTHER_ASSESSOR, open_store

AROHA = Learner("learner-aroha", "Aroha Abara", "aroha@learners.example.org")
BEN = Learner("learner-ben", "Ben Brennan")
CHIARA = Learner("learner-chiara", "Chiara Castillo")
DMITRI = Learner("learner-dmitri", "Dmitri Dubois")
EFUA = Learner("learner-efua", "Efua Eriksen")

SAFETY_LEVELS = {
    "ins-safety-a1": ("developing", "proficient", "not-yet"),
    "ins-safety-a2": ("proficient", "exemplary", "developing"),
    "ins-safety-b1": ("proficient", "developing", "proficient"),
    "ins-safety-c1": ("exemplary", "proficient", "not-yet"),
    "ins-safety-d1": ("not-yet", "not-yet", "not-yet"),
}
SAFETY_KEYS = ("hazard-id", "controls", "reporting")

SECOND_MARKS = tuple(
    CriterionMark(sid, key, level)
    for sid, levels in {
        "ins-safety-a2": ("proficient", "exemplary", "proficient"),
        "ins-safety-b1": ("developing", "developing", "developing"),
        "ins-safety-c1": ("exemplary", "proficient", "developing"),
        "ins-safety-d1": ("not-yet", "not-yet", "developing"),
    }.items()
    for key, level in zip(SAFETY_KEYS, levels, strict=True)
)
"""hazard-id: 3 of 4 agree, kappa 2/3; controls: 4 of 4, kappa 1; reporting: 0 of 4,
kappa -1/3; pooled: 7 of 12, kappa 50/110."""


def submission(sid: str, learner: Learner, template: CredentialTemplate, *, attempt: int = 1,
               previous: str | None = None, assessor: Actor = ASSESSOR,
               days_ago: int = 10) -> Submission:
    return Submission(
        id=sid, learner=learner, template_id=template.id, rubric_key=template.rubric_key,
        rubric_version=template.rubric_version, attempt=attempt,
        submitted_at=NOW - timedelta(days=days_ago), previous_attempt_id=previous,
        assigned_to=assessor.user_id, narrative=f"{learner.name}'s evidence.")


def judge(store: Store, sid: str, levels: dict[str, str], actor: Actor = ASSESSOR) -> None:
    for key, level in levels.items():
        store.record_judgment(sid, JudgmentDraft(key, level), actor)


def insights_store(paths: AppPaths, clock: Clock = utc_now) -> Store:
    """The store described in the module docstring, filled through the store's own
    operations (receive, judge, feedback, decide)."""
    store = open_store(paths, clock)
    for rubric in RUBRICS:
        store.put_rubric(rubric)
    for template in TEMPLATES:
        store.put_template(template)
    store.receive([
        submission("ins-safety-a1", AROHA, SAFETY_TEMPLATE, days_ago=30),
        submission("ins-safety-b1", BEN, SAFETY_TEMPLATE),
        submission("ins-safety-c1", CHIARA, SAFETY_TEMPLATE),
        submission("ins-safety-d1", DMITRI, SAFETY_TEMPLATE, assessor=OTHER_ASSESSOR),
        submission("ins-safety-e1", EFUA, SAFETY_TEMPLATE),
        submission("ins-care-a1", AROHA, CARE_TEMPLATE, days_ago=5),
    ])
    for sid, levels in SAFETY_LEVELS.items():
        if sid == "ins-safety-a2":
            continue
        actor = OTHER_ASSESSOR if sid == "ins-safety-d1" else ASSESSOR
        judge(store, sid, dict(zip(SAFETY_KEYS, levels, strict=True)), actor)
    store.add_feedback("ins-safety-a1", ASSESSOR, "Walk the whole bay and record every hazard.",
                       Visibility.LEARNER, criterion_key="hazard-id")
    store.decide("ins-safety-a1", ASSESSOR, Outcome.RESUBMIT)
    store.receive([submission("ins-safety-a2", AROHA, SAFETY_TEMPLATE, attempt=2,
                              previous="ins-safety-a1", days_ago=12)])
    judge(store, "ins-safety-a2",
          dict(zip(SAFETY_KEYS, SAFETY_LEVELS["ins-safety-a2"], strict=True)))
    store.decide("ins-safety-a2", ASSESSOR, Outcome.APPROVE)
    judge(store, "ins-care-a1", {"listening": "exemplary", "resolution": "proficient"})
    return store
