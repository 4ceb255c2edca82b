"""The demo organisation's sample data: rubrics, templates and generated submissions.

Used by ``python main.py demo seed`` so a newcomer can see a populated workstation, and by
the benchmarks to fill a store with 100,000 submissions. Generation is deterministic for a
given seed.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from assessor.domain.people import Learner
from assessor.domain.rubric import Criterion, PerformanceLevel, Rubric
from assessor.domain.submission import EvidenceItem, Submission
from assessor.domain.template import Achievement, Alignment, CredentialTemplate


def _levels(*descriptors: str) -> tuple[PerformanceLevel, ...]:
    names = ("Not yet", "Developing", "Proficient", "Exemplary")
    keys = ("not-yet", "developing", "proficient", "exemplary")
    return tuple(
        PerformanceLevel(key, name, text, float(points))
        for points, (key, name, text) in enumerate(zip(keys, names, descriptors, strict=True))
    )


SAFETY_RUBRIC = Rubric(
    key="site-safety",
    version=1,
    title="Site Safety Practice",
    cut_score=7.0,
    criteria=(
        Criterion(
            "hazard-id", "Identifies hazards",
            "Finds and records the hazards of a real work area before work starts.",
            _levels("Hazards missed or not recorded.",
                    "Obvious hazards recorded; some missed.",
                    "All significant hazards recorded with their location.",
                    "All hazards recorded and ranked by risk, with evidence photos."),
            pass_level="proficient", weight=1.0, required=True),
        Criterion(
            "controls", "Applies controls",
            "Chooses controls from the hierarchy of controls and checks they work.",
            _levels("No controls, or only PPE.",
                    "Controls chosen but not checked.",
                    "Suitable controls chosen and checked.",
                    "Controls chosen by the hierarchy, checked and improved."),
            pass_level="proficient", weight=1.5, required=True),
        Criterion(
            "reporting", "Reports incidents",
            "Reports incidents and near misses clearly and on time.",
            _levels("No report.", "Late or incomplete report.",
                    "Complete report on time.", "Report leads to a lasting fix."),
            pass_level="developing", weight=1.0, required=False),
    ),
)

CARE_RUBRIC = Rubric(
    key="customer-care",
    version=1,
    title="Customer Communication",
    cut_score=5.0,
    criteria=(
        Criterion(
            "listening", "Listens actively",
            "Confirms the customer's need before acting.",
            _levels("Acts before understanding.", "Asks some questions.",
                    "Confirms the need in the customer's words.",
                    "Uncovers needs the customer had not stated."),
            pass_level="proficient", weight=1.0, required=True),
        Criterion(
            "resolution", "Resolves the request",
            "Resolves the request or hands it over with everything the next person needs.",
            _levels("Unresolved.", "Resolved with gaps.", "Resolved fully.",
                    "Resolved and prevented from recurring."),
            pass_level="proficient", weight=1.0, required=True),
    ),
)

SAFETY_TEMPLATE = CredentialTemplate(
    id="site-safety-practitioner",
    achievement=Achievement(
        name="Site Safety Practitioner",
        description="Works safely on site: finds hazards, controls them and reports incidents.",
        criteria_narrative="Judged against the Site Safety Practice rubric from workplace "
        "evidence: a hazard register, photos of controls in place and an incident report.",
        image="resources/demo/site-safety.svg",
        tags=("safety", "construction", "workplace"),
        alignments=(Alignment("Manage workplace hazards", "https://example.org/skills/whs-01",
                              "Demo Skills Framework", "WHS-01"),),
    ),
    rubric_key="site-safety", rubric_version=1, validity_days=730,
)

CARE_TEMPLATE = CredentialTemplate(
    id="customer-communication",
    achievement=Achievement(
        name="Customer Communication",
        description="Handles customer requests with care, from first contact to resolution.",
        criteria_narrative="Judged from call recordings, written replies and a reflection.",
        image="resources/demo/customer-care.svg",
        tags=("communication", "service"),
    ),
    rubric_key="customer-care", rubric_version=1, validity_days=None,
)

RUBRICS = (SAFETY_RUBRIC, CARE_RUBRIC)
TEMPLATES = (SAFETY_TEMPLATE, CARE_TEMPLATE)

_GIVEN = ("Aroha", "Ben", "Chiara", "Dmitri", "Efua", "Farid", "Grace", "Hiro", "Ines", "Jonas",
          "Kiri", "Lena", "Mateo", "Nadia", "Oskar", "Priya", "Quinn", "Rosa", "Sione", "Tamar",
          "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zoe")
_FAMILY = ("Abara", "Brennan", "Castillo", "Dubois", "Eriksen", "Fontaine", "García", "Haddad",
           "Ivanova", "Jensen", "Kowalski", "Lindqvist", "Mensah", "Nakamura", "O'Neill",
           "Petrović", "Quispe", "Rahman", "Schmidt", "Tanaka", "Uysal", "Varga", "Walker",
           "Xu", "Yilmaz", "Zhou")
_EVIDENCE = (
    ("hazard-register.pdf", "application/pdf", "Hazard register for the east loading bay"),
    ("controls-photo.jpg", "image/jpeg", "Photo of the barrier and signage in place"),
    ("toolbox-talk.mp4", "video/mp4", "Recording of the morning toolbox talk"),
    ("incident-report.docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     "Near-miss report, forklift and pedestrian"),
    ("call-recording.ogg", "audio/ogg", "Customer call about a delayed order"),
    ("reflection.md", "text/markdown", "Reflection on what went well and what to change"),
)


def generate_submissions(
    count: int,
    *,
    assessor_id: str,
    seed: int = 7,
    now: datetime | None = None,
) -> Iterator[Submission]:
    """``count`` plausible submissions assigned to ``assessor_id``, all pending."""
    rng = random.Random(seed)
    base = (now or datetime.now(UTC)).replace(microsecond=0)
    for n in range(count):
        given, family = rng.choice(_GIVEN), rng.choice(_FAMILY)
        template = TEMPLATES[n % len(TEMPLATES)]
        learner_id = f"learner-{n:06d}"
        submitted = base - timedelta(days=rng.randint(0, 40), minutes=rng.randint(0, 1440))
        evidence = []
        for i, (name, media, description) in enumerate(rng.sample(_EVIDENCE, rng.randint(1, 4))):
            digest = hashlib.sha256(f"{seed}:{n}:{name}".encode()).hexdigest()
            evidence.append(EvidenceItem(f"ev-{n:06d}-{i}", name, media,
                                         rng.randint(20_000, 40_000_000), digest, description))
        yield Submission(
            id=f"demo-{seed}-{n:06d}",
            learner=Learner(learner_id, f"{given} {family}",
                            f"{given.lower()}.{n}@learners.example.org"),
            template_id=template.id,
            rubric_key=template.rubric_key,
            rubric_version=template.rubric_version,
            attempt=1,
            submitted_at=submitted,
            narrative=(f"{given} describes the work behind this evidence: what the task was, "
                       "what they did, and what they would do differently next time."),
            evidence=tuple(evidence),
            due_at=submitted + timedelta(days=14),
            assigned_to=assessor_id,
        )
