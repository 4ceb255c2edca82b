"""Who and what the demo organisation holds: its credential templates and rubrics, its
people, and the plan of the submissions it starts with (evidence is made in
``evidence.py``)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

from assessor.domain.rubric import Criterion, PerformanceLevel, Rubric
from assessor.domain.template import Achievement, Alignment, CredentialTemplate

DEMO_ORGANISATION = "Northwind Skills Institute"
DEMO_ORGANISATION_URL = "https://northwind-skills.example.org"
DEMO_PASSWORD = "demo"
"""The published password of the demo accounts (and only of those)."""

BADGES = Path(__file__).resolve().parents[3] / "resources" / "demo"

ONET = "O*NET-SOC 2019"
DIGCOMP = "DigComp 2.2"
DIGCOMP_URL = "https://publications.jrc.ec.europa.eu/repository/handle/JRC128415"


def _onet(code: str, name: str) -> Alignment:
    return Alignment(name, f"https://www.onetonline.org/link/summary/{code}", ONET, code)


def _levels(names: tuple[str, ...], descriptors: tuple[str, ...],
            points: tuple[float, ...]) -> tuple[PerformanceLevel, ...]:
    return tuple(PerformanceLevel(name.lower().replace(" ", "-"), name, text, value)
                 for name, text, value in zip(names, descriptors, points, strict=True))


FOUR = ("Not yet", "Developing", "Proficient", "Exemplary")
FOUR_POINTS = (0.0, 1.0, 2.0, 3.0)
CONTINUUM = ("Pre-competent", "Competent", "Proficient")
"""The top of the cultural proficiency continuum (Cross et al., 1989; Lindsey et al.)."""
CONTINUUM_POINTS = (1.0, 2.0, 3.0)


def _four(*descriptors: str) -> tuple[PerformanceLevel, ...]:
    return _levels(FOUR, descriptors, FOUR_POINTS)


def _continuum(*descriptors: str) -> tuple[PerformanceLevel, ...]:
    return _levels(CONTINUUM, descriptors, CONTINUUM_POINTS)


SOCIAL_RUBRIC = Rubric(
    key="social-media-marketing", version=1, title="Social Media Marketing Practice",
    cut_score=11.0,
    criteria=(
        Criterion(
            "objectives", "Sets campaign objectives and audience",
            "States measurable objectives tied to a business goal and describes the audience "
            "the campaign is for.",
            _four("No objectives, or objectives that cannot be measured.",
                  "Objectives stated, but not tied to a business goal or an audience.",
                  "SMART objectives tied to a business goal, with a defined audience.",
                  "SMART objectives with audience personas drawn from the organisation's "
                  "own data, and a baseline to measure against."),
            pass_level="proficient", weight=1.0, required=True),
        Criterion(
            "content", "Creates platform-appropriate content",
            "Plans and produces content suited to each platform's format, audience and "
            "accessibility needs.",
            _four("Content is reused unchanged across platforms, or is missing.",
                  "Some adaptation per platform; no content calendar.",
                  "A content calendar with posts adapted per platform, with alt text and "
                  "captions.",
                  "Adapted, accessible content whose formats are chosen from evidence of "
                  "what the audience engages with."),
            pass_level="proficient", weight=1.5, required=True),
        Criterion(
            "community", "Engages and moderates the community",
            "Responds to comments and messages in the brand's voice and follows the "
            "escalation policy.",
            _four("Comments left unanswered or answered off-brand.",
                  "Responds, but slowly or without following the escalation policy.",
                  "Responds within the agreed time, in voice, and escalates complaints "
                  "correctly.",
                  "Turns conversations into community: recognises advocates and de-escalates "
                  "criticism in public."),
            pass_level="developing", weight=1.0, required=False),
        Criterion(
            "analytics", "Measures and reports performance",
            "Tracks reach, engagement rate, click-through and conversions, and turns the "
            "numbers into decisions.",
            _four("No measurement.",
                  "Reports platform numbers without comparing them to the objectives.",
                  "Reports KPIs against the objectives with UTM-tagged links.",
                  "Reports KPIs against a baseline, explains the causes and changes the plan "
                  "accordingly."),
            pass_level="proficient", weight=1.5, required=True),
        Criterion(
            "compliance", "Follows platform, privacy and disclosure rules",
            "Applies platform policies, advertising disclosure, copyright and data "
            "protection in every post.",
            _four("A post breaches a policy, copyright or disclosure rule.",
                  "Rules followed with reminders; gaps in records.",
                  "Rules followed without prompting; permissions and consent recorded.",
                  "Rules followed and explained to others; the team checklist was improved."),
            pass_level="proficient", weight=1.0, required=True),
    ),
)

CULTURAL_RUBRIC = Rubric(
    key="cultural-proficiency", version=1, title="Cultural Proficiency in the Workplace",
    cut_score=8.0,
    criteria=(
        Criterion(
            "self-awareness", "Reflects on own culture and assumptions",
            "Examines how their own cultural identity and assumptions shape their work with "
            "colleagues and clients.",
            _continuum("Describes culture as something other people have.",
                       "Names own cultural identity and one assumption it affects.",
                       "Traces specific workplace decisions to their assumptions and "
                       "describes what they now do differently."),
            pass_level="competent", weight=1.0, required=True),
        Criterion(
            "valuing-diversity", "Values difference and communicates respectfully",
            "Treats differences in language, belief and custom as assets and communicates "
            "with respect.",
            _continuum("Treats everyone the same regardless of need (cultural blindness).",
                       "Communicates respectfully and asks how people prefer to be addressed "
                       "and included.",
                       "Seeks out other perspectives and changes plans because of them."),
            pass_level="competent", weight=1.0, required=True),
        Criterion(
            "adapting", "Adapts practice to cultural context",
            "Adjusts services, meetings and materials to the cultural context of the people "
            "involved.",
            _continuum("Expects others to adapt to the usual way of working.",
                       "Makes adjustments when asked (interpreters, timing, materials).",
                       "Anticipates adjustments and builds them into the team's routines."),
            pass_level="competent", weight=1.0, required=False),
        Criterion(
            "inclusion", "Challenges exclusion and advocates for inclusion",
            "Notices exclusionary practice and acts on it through the right channels.",
            _continuum("Does not notice, or notices and stays silent.",
                       "Raises exclusionary practice with a manager or the right channel.",
                       "Leads a change that makes a practice more inclusive, and checks "
                       "its effect."),
            pass_level="competent", weight=1.0, required=False),
    ),
)

STAKEHOLDER_RUBRIC = Rubric(
    key="stakeholder-communication", version=1,
    title="Engaging Stakeholders in Effective Communication", cut_score=11.0,
    criteria=(
        Criterion(
            "mapping", "Identifies and maps stakeholders",
            "Identifies everyone affected by or able to affect the work, and their interest "
            "and influence.",
            _four("Stakeholders missing or listed without analysis.",
                  "Main stakeholders listed; influence and interest guessed.",
                  "A power/interest map based on conversations, kept up to date.",
                  "A map that also records relationships between stakeholders and how they "
                  "change."),
            pass_level="proficient", weight=1.0, required=True),
        Criterion(
            "planning", "Plans communication with a clear purpose",
            "Sets what each stakeholder group needs to know, decide or do, and when.",
            _four("No plan.", "A schedule of messages without a purpose for each.",
                  "A communication plan with purpose, owner, channel and timing per group.",
                  "A plan reviewed with stakeholders and adjusted as the work changed."),
            pass_level="developing", weight=1.0, required=False),
        Criterion(
            "tailoring", "Tailors the message and channel",
            "Adapts content, language and channel to the audience.",
            _four("One message for everyone.", "Some adaptation of tone or detail.",
                  "Message, detail and channel chosen for each audience.",
                  "Audience-tested messages, with plain-language and accessible versions."),
            pass_level="proficient", weight=1.0, required=True),
        Criterion(
            "listening", "Listens and checks understanding",
            "Listens actively, asks open questions and confirms what was understood.",
            _four("Interrupts or does not check understanding.",
                  "Asks questions but does not confirm what was understood.",
                  "Summarises and confirms understanding before moving on.",
                  "Surfaces unstated concerns and confirms them in writing afterwards."),
            pass_level="proficient", weight=1.5, required=True),
        Criterion(
            "feedback", "Seeks and acts on feedback",
            "Asks stakeholders how the communication worked and acts on the answers.",
            _four("Does not ask.", "Asks informally; no change follows.",
                  "Gathers feedback and makes at least one documented change.",
                  "Closes the loop: tells stakeholders what changed because of their "
                  "feedback."),
            pass_level="developing", weight=1.0, required=False),
        Criterion(
            "disagreement", "Handles disagreement constructively",
            "Keeps disagreement about the work, finds shared interests and agrees next steps.",
            _four("Avoids or escalates disagreement.", "Addresses disagreement; positions "
                  "harden.", "Finds shared interests and agrees next steps.",
                  "Turns disagreement into a better decision that the parties own."),
            pass_level="developing", weight=1.0, required=False),
    ),
)


def badge_data_uri(name: str) -> str:
    """The demo badge ``resources/demo/<name>.svg`` as a data URI, so an issued credential
    carries its own image."""
    svg = (BADGES / f"{name}.svg").read_bytes()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


SOCIAL_TEMPLATE = CredentialTemplate(
    id="social-media-marketing",
    achievement=Achievement(
        name="Social Media Marketing",
        description="Plans, runs and measures a social media campaign for a real product or "
        "service: objectives, platform-appropriate content, community management, analytics "
        "and compliance with platform, privacy and disclosure rules.",
        criteria_narrative="Learners submit a campaign they ran at work: a campaign plan and "
        "report (PDF) with the analytics behind it, examples of posts, and optionally a "
        "short video. An assessor judges it against the five criteria of the Social Media "
        "Marketing Practice rubric; mastery needs every required criterion at Proficient "
        "(community management at Developing) and at least 11 of 18 weighted points.",
        image=badge_data_uri("social-media-marketing"),
        tags=("marketing", "social media", "digital"),
        alignments=(
            _onet("13-1161.00", "Market Research Analysts and Marketing Specialists"),
            _onet("13-1161.01", "Search Marketing Strategists"),
            Alignment("Developing digital content", DIGCOMP_URL, DIGCOMP, "3.1"),
        ),
    ),
    rubric_key=SOCIAL_RUBRIC.key, rubric_version=1, validity_days=None,
)

CULTURAL_TEMPLATE = CredentialTemplate(
    id="cultural-proficiency",
    achievement=Achievement(
        name="Cultural Proficiency",
        description="Works effectively across cultures: reflects on their own culture and "
        "assumptions, values difference, adapts practice to context and acts against "
        "exclusion. Renewed every two years.",
        criteria_narrative="Learners submit a written reflection on a real workplace "
        "situation, a photo of a session or artefact they contributed, and optionally a "
        "recorded voice note. Judged on the cultural proficiency continuum (Pre-competent, "
        "Competent, Proficient); mastery needs self-awareness and valuing diversity at "
        "Competent or above and at least 8 of 12 points.",
        image=badge_data_uri("cultural-proficiency"),
        tags=("inclusion", "diversity", "communication"),
        alignments=(
            _onet("13-1071.00", "Human Resources Specialists"),
            Alignment("Netiquette", DIGCOMP_URL, DIGCOMP, "2.5"),
        ),
    ),
    rubric_key=CULTURAL_RUBRIC.key, rubric_version=1, validity_days=730,
)

STAKEHOLDER_TEMPLATE = CredentialTemplate(
    id="stakeholder-communication",
    achievement=Achievement(
        name="Engaging Stakeholders in Effective Communication",
        description="Identifies the stakeholders of a piece of work and communicates with "
        "them with purpose: tailored messages, active listening, feedback acted on and "
        "disagreement handled constructively.",
        criteria_narrative="Learners submit a stakeholder map and communication plan (PDF), "
        "a recording of a briefing or meeting they led, and meeting notes or a reflection. "
        "Mastery needs mapping, tailoring and listening at Proficient and at least 11 of 19.5 "
        "weighted points.",
        image=badge_data_uri("stakeholder-communication"),
        tags=("communication", "project management"),
        alignments=(
            _onet("13-1082.00", "Project Management Specialists"),
            _onet("27-3031.00", "Public Relations Specialists"),
            Alignment("Interacting through digital technologies", DIGCOMP_URL, DIGCOMP, "2.1"),
        ),
    ),
    rubric_key=STAKEHOLDER_RUBRIC.key, rubric_version=1, validity_days=None,
)

TEMPLATES: tuple[tuple[CredentialTemplate, Rubric], ...] = (
    (SOCIAL_TEMPLATE, SOCIAL_RUBRIC),
    (CULTURAL_TEMPLATE, CULTURAL_RUBRIC),
    (STAKEHOLDER_TEMPLATE, STAKEHOLDER_RUBRIC),
)


@dataclass(frozen=True)
class DemoPerson:
    username: str
    role: str
    display_name: str
    email: str


DEMO_ACCOUNTS: tuple[DemoPerson, ...] = (
    DemoPerson("assessor", "assessor", "Sam Okoro", "sam.okoro@northwind-skills.example.org"),
    DemoPerson("mentor", "mentor", "Maya Fontaine", "maya.fontaine@northwind-skills.example.org"),
    DemoPerson("moderator", "moderator", "Jonas Eriksen",
               "jonas.eriksen@northwind-skills.example.org"),
    DemoPerson("admin", "admin", "Ines Schmidt", "ines.schmidt@northwind-skills.example.org"),
)
"""The people who sign in, each with ``DEMO_PASSWORD``."""

LEARNERS: tuple[DemoPerson, ...] = tuple(
    DemoPerson(username, "learner", name, f"{username}@learners.example.org")
    for username, name in (
        ("aroha.ngata", "Aroha Ngata"), ("ben.castillo", "Ben Castillo"),
        ("chiara.rossi", "Chiara Rossi"), ("dmitri.petrovic", "Dmitri Petrović"),
        ("efua.mensah", "Efua Mensah"), ("hiro.tanaka", "Hiro Tanaka"),
        ("priya.rahman", "Priya Rahman"),
    )
)
"""Learners submit through intake; they have no password and cannot sign in here."""

MENTORED = ("aroha.ngata", "ben.castillo", "chiara.rossi", "efua.mensah")
"""The demo mentor's learners."""


@dataclass(frozen=True)
class PlannedSubmission:
    learner: str
    template_id: str
    submitted_days_ago: float
    due_in_days: float
    """Relative to now: negative is overdue."""
    state: str
    evidence: tuple[str, ...]
    """Kinds of evidence file (see ``evidence.EVIDENCE_KINDS``)."""
    attempt: int = 1
    previous: int | None = None
    """Index in ``SUBMISSIONS`` of the attempt this one follows."""


S, C, K = SOCIAL_TEMPLATE.id, CULTURAL_TEMPLATE.id, STAKEHOLDER_TEMPLATE.id
P, R, X = "pending", "in_review", "resubmission_requested"

SUBMISSIONS: tuple[PlannedSubmission, ...] = (
    PlannedSubmission("aroha.ngata", S, 16, -2, P, ("campaign-report", "post-mockup")),
    PlannedSubmission("ben.castillo", S, 12, 2, R, ("campaign-report", "post-mockup",
                                                    "campaign-reel")),
    PlannedSubmission("chiara.rossi", S, 9, 5, P, ("campaign-report", "team-photo")),
    PlannedSubmission("dmitri.petrovic", S, 3, 11, P, ("campaign-report", "post-mockup")),
    PlannedSubmission("efua.mensah", S, 1.2, 13, P, ("campaign-report", "campaign-reel",
                                                     "reflection")),
    PlannedSubmission("hiro.tanaka", S, 20, -6, P, ("campaign-report", "post-mockup",
                                                    "team-photo")),
    PlannedSubmission("priya.rahman", C, 15, -1, R, ("reflection", "workshop-photo",
                                                     "voice-note")),
    PlannedSubmission("aroha.ngata", C, 8, 6, P, ("reflection", "workshop-photo")),
    PlannedSubmission("ben.castillo", C, 6, 8, P, ("reflection", "voice-note")),
    PlannedSubmission("chiara.rossi", C, 4, 10, P, ("reflection", "workshop-photo")),
    PlannedSubmission("efua.mensah", C, 2, 12, P, ("reflection", "workshop-photo",
                                                   "voice-note")),
    PlannedSubmission("hiro.tanaka", C, 0.2, 14, P, ("reflection",)),
    PlannedSubmission("dmitri.petrovic", K, 18, -4, R, ("stakeholder-plan", "briefing-video",
                                                        "meeting-notes")),
    PlannedSubmission("priya.rahman", K, 10, 4, P, ("stakeholder-plan", "meeting-notes")),
    PlannedSubmission("ben.castillo", K, 7, 7, P, ("stakeholder-plan", "whiteboard-photo")),
    PlannedSubmission("aroha.ngata", K, 5, 9, R, ("stakeholder-plan", "voice-note",
                                                  "meeting-notes")),
    PlannedSubmission("efua.mensah", K, 3, 1, P, ("stakeholder-plan", "whiteboard-photo")),
    PlannedSubmission("chiara.rossi", K, 26, -12, X, ("stakeholder-plan", "meeting-notes")),
    PlannedSubmission("chiara.rossi", K, 2, 12, P, ("stakeholder-plan", "briefing-video",
                                                    "reflection"), attempt=2, previous=17),
    PlannedSubmission("hiro.tanaka", K, 11, 0.3, P, ("stakeholder-plan", "meeting-notes")),
)

RESUBMISSION_JUDGMENTS = {
    "mapping": ("developing", "The map lists the project board and the two site teams but "
                "leaves out the tenants' association, who are the most affected."),
    "planning": ("proficient", "Clear purpose, owner and timing for each group."),
    "tailoring": ("developing", "The same slide deck went to the board and to the site "
                  "teams; the site teams needed the schedule, not the budget."),
    "listening": ("not-yet", "In the notes the concerns raised at the second meeting are "
                  "recorded but not confirmed back to the people who raised them."),
    "feedback": ("developing", "Feedback was asked for informally."),
    "disagreement": ("developing", "The parking disagreement was addressed, but the "
                     "outcome was not agreed with the tenants."),
}
RESUBMISSION_FEEDBACK = (
    "Thank you, Chiara: the plan is well organised and the purpose of each message is clear. "
    "To meet the standard, please (1) add the tenants' association to your stakeholder map "
    "and plan, (2) show how you adapted the message for the site teams, and (3) include "
    "evidence that you confirmed the concerns raised at the second meeting, for example a "
    "follow-up email or a short recording of the next briefing."
)
RESUBMISSION_NOTE = "Listening is below the pass level; mapping and tailoring need another look."

MENTOR_NOTE = (
    "Aroha, this reflection is strong on what you noticed about the meeting format. Before "
    "your assessor reads it, consider adding what you changed in your own practice afterwards."
)
IN_REVIEW_JUDGMENTS = {
    "mapping": ("proficient", "Power/interest grid built from interviews with each group."),
    "planning": ("exemplary", "The plan was reviewed with the steering group and changed."),
}
"""Judgments the assessor already made (on another device) on the overdue in-review
stakeholder submission."""
