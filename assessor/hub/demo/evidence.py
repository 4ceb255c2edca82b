# mypy: disable-error-code="no-untyped-call"
"""The demo's evidence files, made at first start: multi-page PDF reports with charts,
photos, a post mock-up, voice notes (WAV), short videos (Motion-JPEG AVI), reflections and
meeting notes (Markdown). Deterministic for a seed and a moment, so tests are stable."""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape

import pymupdf

from assessor.hub.demo import pictures
from assessor.hub.demo.media import mjpeg_avi, synthesise_wav


@dataclass(frozen=True)
class EvidenceFile:
    file_name: str
    media_type: str
    data: bytes
    description: str


@dataclass(frozen=True)
class Context:
    """What a piece of evidence is about."""

    seed: int
    learner: str
    """The learner's display name."""
    template_id: str
    submitted_at: datetime
    attempt: int = 1

    @property
    def first_name(self) -> str:
        return self.learner.split()[0]

    def rng(self, salt: str) -> random.Random:
        return random.Random(f"{self.seed}:{salt}")

    def day(self, days_before: int) -> str:
        return (self.submitted_at - timedelta(days=days_before)).strftime("%d %B %Y")


PDF_CSS = """
body { font-family: sans-serif; font-size: 10.5pt; line-height: 1.35; color: #222; }
h1 { font-size: 20pt; color: #1d4ed8; margin-bottom: 2pt; }
h2 { font-size: 13.5pt; color: #1e3a8a; margin-top: 14pt; }
p.meta { color: #666; font-size: 9pt; }
p.caption { color: #555; font-size: 8.5pt; font-style: italic; }
td, th { border: 0.5pt solid #999; padding: 3pt; font-size: 9pt; }
th { background-color: #e8eefc; }
"""


def pdf_document(title: str, meta: str, body: str, images: dict[str, bytes]) -> bytes:
    """A flowing A4 document from simple HTML (headings, paragraphs, tables, pictures),
    compressed."""
    archive = pymupdf.Archive()
    for name, data in images.items():
        archive.add(data, name)
    html = f"<h1>{escape(title)}</h1><p class='meta'>{escape(meta)}</p>{body}"
    story = pymupdf.Story(html=html, archive=archive, user_css=PDF_CSS)
    raw = io.BytesIO()
    writer = pymupdf.DocumentWriter(raw, "compress")
    page_box = pymupdf.paper_rect("a4")
    more = True
    while more:
        device = writer.begin_page(page_box)
        more, _ = story.place(page_box + (60, 60, -60, -60))
        story.draw(device)
        writer.end_page()
    writer.close()
    return raw.getvalue()


def _figure(name: str, caption: str, width: int = 400) -> str:
    return (f"<p><img src='{name}' width='{width}'/></p>"
            f"<p class='caption'>{escape(caption)}</p>")


def _paragraphs(*texts: str) -> str:
    return "".join(f"<p>{escape(text)}</p>" for text in texts)


CAMPAIGNS = (
    ("Harbour Street Café", "the spring single-origin coffee launch", "coffee drinkers aged "
     "25-40 who work within two kilometres of the café"),
    ("Greenway Cycles", "the winter bike-service offer", "commuters who cycle all year"),
    ("Tidewater Community Gym", "the open-day weekend", "residents new to the area"),
    ("Kōwhai Bookshop", "the local authors' evening series", "book club members and "
     "teachers"),
    ("Lakeside Dental", "the family check-up reminder campaign", "parents of school-age "
     "children"),
    ("Copperleaf Bakery", "the lunchtime pre-order app", "office workers near the "
     "station"),
)


def campaign_report(ctx: Context) -> EvidenceFile:
    rng = ctx.rng("campaign")
    client, campaign, audience = CAMPAIGNS[rng.randrange(len(CAMPAIGNS))]
    weeks = ["Week 1", "Week 2", "Week 3", "Week 4"]
    reach = [rng.randint(1500, 3000)]
    for _ in range(3):
        reach.append(int(reach[-1] * rng.uniform(1.05, 1.45)))
    engaged = [int(r * rng.uniform(0.04, 0.09)) for r in reach]
    daily = [max(50.0, reach[d // 7] / 7 * rng.uniform(0.6, 1.4)) for d in range(28)]
    target_rate, rate = 4.0, round(100 * sum(engaged) / sum(reach), 1)
    clicks, orders = sum(engaged) // 3, sum(engaged) // 14
    images = {
        "reach.png": pictures.bar_chart_png("Reach and engagement by week", weeks,
                                            [reach, engaged], ["Reach", "Engagements"]),
        "daily.png": pictures.line_chart_png("Daily reach, all platforms", daily),
        "platforms.png": pictures.bar_chart_png(
            "Posts per platform", ["Instagram", "Facebook", "LinkedIn", "TikTok"],
            [[rng.randint(8, 14), rng.randint(5, 10), rng.randint(2, 6), rng.randint(4, 9)]],
            ["Posts published"]),
    }
    table = "".join(
        f"<tr><td>{w}</td><td>{r:,}</td><td>{e:,}</td><td>{100 * e / r:.1f}%</td></tr>"
        for w, r, e in zip(weeks, reach, engaged, strict=True))
    body = (
        "<h2>1. Objectives and audience</h2>" + _paragraphs(
            f"{client} asked for a four-week campaign for {campaign}. The business goal was "
            f"to grow repeat visits; I set three SMART objectives with the owner: reach "
            f"{reach[0] * 4:,} people in the area, hold an engagement rate of at least "
            f"{target_rate:.0f}%, and bring {orders + 10} orders through tracked links.",
            f"The audience is {audience}. I built two personas from the last quarter's "
            "customer survey and the page insights, and used them to choose platforms, "
            "posting times and tone of voice.")
        + "<h2>2. Content plan</h2>" + _paragraphs(
            "I planned the posts in a shared content calendar, three weeks ahead, and "
            "adapted each idea per platform: short vertical video for TikTok and Reels, a "
            "carousel for Instagram, an event post for Facebook and a behind-the-scenes "
            "story for LinkedIn. Every image has alt text and every video has captions.")
        + _figure("platforms.png", "Figure 1. Posts published per platform.", 330)
        + "<h2>3. Community management</h2>" + _paragraphs(
            f"I answered {rng.randint(40, 120)} comments and messages, with a median first "
            f"response of {rng.randint(20, 95)} minutes during opening hours. Two complaints "
            "about opening times were escalated to the owner under the escalation policy and "
            "answered publicly the same day.")
        + "<h2>4. Results</h2>" + _paragraphs(
            f"Across the four weeks the campaign reached {sum(reach):,} people with "
            f"{sum(engaged):,} engagements: an engagement rate of {rate}% against the "
            f"{target_rate:.0f}% target. UTM-tagged links brought {clicks:,} visits to the "
            f"order page and {orders} orders.")
        + _figure("reach.png", "Figure 2. Weekly reach and engagements.")
        + "<table><tr><th>Week</th><th>Reach</th><th>Engagements</th><th>Rate</th></tr>"
        + table + "</table>"
        + _figure("daily.png", "Figure 3. Daily reach across all platforms.")
        + "<h2>5. Compliance</h2>" + _paragraphs(
            "Paid posts carried the platform's paid-partnership label, and the one "
            "influencer post was marked #ad. I recorded written consent for every customer "
            "photo and used only licensed music from the platforms' libraries.")
        + "<h2>6. What I would change</h2>" + _paragraphs(
            "Week 2 underperformed because two posts went out at the wrong local time. "
            "Next time I would schedule from the calendar directly and compare organic and "
            "paid reach separately, so the owner can see what the budget bought.")
    )
    data = pdf_document(f"Campaign report: {client}",
                        f"{ctx.learner} · {ctx.day(1)}", body, images)
    return EvidenceFile("campaign-report.pdf", "application/pdf", data,
                        f"Campaign plan and results for {client}, with analytics")


def post_mockup(ctx: Context) -> EvidenceFile:
    rng = ctx.rng("post")
    client, campaign, _ = CAMPAIGNS[ctx.rng("campaign").randrange(len(CAMPAIGNS))]
    lines = (f"Something new at {client}: {campaign} starts this week. Tag a friend!",
             f"Behind the scenes of {campaign}. Which one is your favourite?",
             f"Last chance: {campaign} ends Sunday. Link in bio.")
    metric = rng.choice(("+38% engagement", "1,240 saves", "Top post of May", "4.9% CTR"))
    data = pictures.post_mockup_png(ctx.seed, client, rng.choice(lines), metric)
    return EvidenceFile("post-mockup.png", "image/png", data,
                        "Screenshot of the best-performing post as it appeared in the feed")


def _photo(kind: str, scene: str, title: str, description: str) -> Callable[[Context],
                                                                            EvidenceFile]:
    def make(ctx: Context) -> EvidenceFile:
        data = pictures.photo_jpeg(ctx.seed, scene, title, ctx.day(3))
        return EvidenceFile(f"{kind}.jpg", "image/jpeg", data, description)
    return make


def campaign_reel(ctx: Context) -> EvidenceFile:
    return _video(ctx, "campaign-reel.avi", "Campaign reel: first cut",
                  ["Hook in the first 2 seconds", "Product close-up", "Customer quote",
                   "Offer and call to action"],
                  "Draft of the 15-second reel (first 2 seconds shown), captions on")


def briefing_video(ctx: Context) -> EvidenceFile:
    return _video(ctx, "briefing-video.avi", "Site team briefing",
                  ["What changes on Monday", "Who is affected", "What we heard from you",
                   "Questions and next steps"],
                  "Opening of the briefing I led for the site teams")


def _video(ctx: Context, name: str, title: str, lines: list[str],
           description: str) -> EvidenceFile:
    fps, count = 5, 10
    frames = pictures.video_frames(ctx.seed, title, lines, count)
    width, height = pictures.VIDEO_SIZE
    return EvidenceFile(name, "video/x-msvideo", mjpeg_avi(frames, width, height, fps),
                        description)


def voice_note(ctx: Context) -> EvidenceFile:
    return EvidenceFile("voice-note.wav", "audio/wav", synthesise_wav(ctx.seed, 3.0),
                        "Voice note recorded straight after the session")


GIBBS = {
    "cultural-proficiency": (
        "Description", "In our team meeting on {day}, a new colleague who joined from our "
        "Auckland office was quiet while decisions were made quickly around the table. "
        "Afterwards she told me that in her previous team it was not respectful to "
        "disagree with a senior colleague in public.",
        "Feelings", "I was uncomfortable that I had not noticed. I had assumed silence meant "
        "agreement, which is an assumption from my own upbringing.",
        "Evaluation", "The meeting worked for the people who are comfortable speaking first. "
        "It did not work for anyone who needs time, or who waits to be invited.",
        "Analysis", "Our meeting format is a cultural norm, not a neutral one. I read about "
        "the cultural proficiency continuum and recognised our team as 'culturally blind': "
        "we treated everyone the same and called that fair.",
        "Conclusion", "Treating people the same is not the same as including them. I need to "
        "ask how people prefer to contribute rather than assume.",
        "Action plan", "I proposed sending the agenda two days ahead, a round where everyone "
        "is invited to speak, and a written channel for comments after the meeting. We "
        "tried this for three meetings; {first} asked the team afterwards what worked."),
    "social-media-marketing": (
        "What happened", "I ran a four-week campaign on four platforms for a local client.",
        "What went well", "The content calendar kept posts consistent, and the carousel "
        "format outperformed single images by a wide margin.",
        "What did not", "Two posts went out at the wrong local time in week 2 and engagement "
        "dropped that week.",
        "What I learned", "Measure against the objectives from day one, not at the end.",
        "Next time", "Schedule from the calendar, and separate paid from organic results."),
    "stakeholder-communication": (
        "Feedback I received", "My assessor said the first plan missed the tenants' "
        "association, used one message for everyone and did not show that I confirmed the "
        "concerns people raised.",
        "What I changed", "I met the tenants' association on {day}, added them to the map as "
        "'manage closely', and wrote a separate one-page update for the site teams about "
        "the schedule only.",
        "Checking understanding", "At the next briefing I summarised the three concerns from "
        "the previous meeting and asked the teams to correct me. I sent the summary by email "
        "the same afternoon (attached to the plan as an appendix).",
        "What I learned", "A message is not delivered until the other person confirms what "
        "they understood."),
}


def reflection(ctx: Context) -> EvidenceFile:
    parts = GIBBS[ctx.template_id]
    lines = [f"# Reflection: {ctx.learner}", "",
             f"*Written {ctx.day(0)}. Structured with Gibbs' reflective cycle.*", ""]
    for heading, text in zip(parts[::2], parts[1::2], strict=True):
        lines += [f"## {heading}", "", text.format(day=ctx.day(12), first=ctx.first_name), ""]
    return EvidenceFile("reflection.md", "text/markdown", "\n".join(lines).encode("utf-8"),
                        "Written reflection on the situation and what changed afterwards")


def meeting_notes(ctx: Context) -> EvidenceFile:
    rng = ctx.rng("notes")
    attendees = rng.sample(["Project board chair", "Site team lead (north)",
                            "Site team lead (south)", "Facilities manager",
                            "Tenants' association secretary", "Communications officer"], 4)
    text = "\n".join([
        "# Meeting notes: depot refurbishment, stakeholder check-in", "",
        f"- **Date:** {ctx.day(6)}", f"- **Chair and notes:** {ctx.learner}",
        f"- **Attendees:** {', '.join(attendees)}", "",
        "## Agenda", "", "1. Schedule for the next four weeks",
        "2. Parking during the works", "3. How updates will reach each group", "",
        "## Discussion", "",
        "- The site teams asked for the schedule a week ahead, not the day before.",
        "- Parking: the board prefers the north car park; the site teams are concerned about "
        "the walk at night.",
        "- Agreed that updates go by email to the board and by the notice board and team "
        "huddle to the site teams.", "",
        "## Actions", "", "| Action | Owner | Due |", "| --- | --- | --- |",
        f"| Publish the four-week schedule | {ctx.first_name} | {ctx.day(3)} |",
        f"| Lighting survey of the north car park | Facilities manager | {ctx.day(1)} |",
        f"| Confirm the concerns raised today in writing | {ctx.first_name} | {ctx.day(5)} |",
        "",
    ])
    return EvidenceFile("meeting-notes.md", "text/markdown", text.encode("utf-8"),
                        "Notes and actions from a stakeholder check-in I chaired")


def stakeholder_plan(ctx: Context) -> EvidenceFile:
    revised = ctx.attempt > 1
    rng = ctx.rng("stakeholders")
    people = [("Project board", 0.35, 0.92), ("Site team (north)", 0.82, 0.35),
              ("Site team (south)", 0.74, 0.28), ("Facilities", 0.55, 0.62),
              ("Local council", 0.2, 0.75)]
    if revised or rng.random() < 0.5:
        people.append(("Tenants' association", 0.9, 0.68))
    images = {"map.png": pictures.stakeholder_map_png(people),
              "board.jpg": pictures.photo_jpeg(ctx.seed, "whiteboard", "", ctx.day(9))}
    rows = "".join(
        f"<tr><td>{escape(name)}</td><td>{purpose}</td><td>{channel}</td><td>{when}</td></tr>"
        for name, purpose, channel, when in (
            ("Project board", "Decide on budget and scope changes", "Monthly report",
             "First Monday"),
            ("Site teams", "Know what changes on their shift", "Huddle and notice board",
             "Weekly, Friday"),
            ("Facilities", "Plan access and parking", "Email and call", "Fortnightly"),
            ("Tenants' association", "Raise concerns early; hear what changed",
             "Meeting and letter", "Monthly") if revised or len(people) > 5 else
            ("Local council", "Stay informed of road closures", "Email", "As needed"),
        ))
    body = (
        "<h2>Background</h2>" + _paragraphs(
            "The depot refurbishment runs for eighteen weeks and changes shift start times, "
            "parking and deliveries for about 140 people. I was asked to lead communication "
            "with everyone affected.")
        + "<h2>Stakeholder map</h2>" + _paragraphs(
            "I built the map from one-to-one conversations in the first two weeks and "
            "placed each group by its influence over the project and its interest in it.")
        + _figure("map.png", "Figure 1. Power/interest map.", 380)
        + _figure("board.jpg", "Figure 2. The map as first drafted with the site leads.", 300)
        + "<h2>Communication plan</h2>"
        + "<table><tr><th>Group</th><th>Purpose</th><th>Channel</th><th>When</th></tr>"
        + rows + "</table>"
        + "<h2>Listening and feedback</h2>" + _paragraphs(
            "Each briefing ends with questions, and I keep a log of concerns with who raised "
            "them and what happened. After the first month I asked each group by a short "
            "survey whether the updates reached them in time.")
    )
    if revised:
        body += "<h2>Changes since the first attempt</h2>" + _paragraphs(
            "Added the tenants' association to the map and plan after meeting them. Wrote "
            "a separate schedule-only update for the site teams. Added an appendix with the "
            "written confirmation of the concerns raised at the second briefing.")
    title = "Stakeholder engagement plan" + (" (revised)" if revised else "")
    data = pdf_document(title, f"{ctx.learner} · {ctx.day(2)}", body, images)
    return EvidenceFile("stakeholder-plan.pdf", "application/pdf", data,
                        "Stakeholder map and communication plan for the depot refurbishment"
                        + (", revised after feedback" if revised else ""))


EVIDENCE_KINDS: dict[str, Callable[[Context], EvidenceFile]] = {
    "campaign-report": campaign_report,
    "post-mockup": post_mockup,
    "team-photo": _photo("team-photo", "team", "",
                         "Photo of the campaign planning session with the client's team"),
    "campaign-reel": campaign_reel,
    "reflection": reflection,
    "workshop-photo": _photo("workshop-photo", "workshop", "Inclusive meetings: what we tried",
                             "Photo of the team session where I presented the changes"),
    "voice-note": voice_note,
    "stakeholder-plan": stakeholder_plan,
    "briefing-video": briefing_video,
    "meeting-notes": meeting_notes,
    "whiteboard-photo": _photo("whiteboard-photo", "whiteboard", "",
                               "Photo of the stakeholder mapping whiteboard"),
}


def make_evidence(kind: str, ctx: Context) -> EvidenceFile:
    return EVIDENCE_KINDS[kind](ctx)
