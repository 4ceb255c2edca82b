"""Markup in people's words is shown as text, never run or rendered.

The hub: a published credential whose every field carries a script, an event handler, a
``javascript:`` address or a tag is served as a page where each shows as text, no element
has an event handler, no script runs (there is none, and the Content-Security-Policy
allows none), and every link and image is http(s) or an inline image.

The desktop: a learner name, feedback author and body, and a credential's names with markup
are shown as text by the labels that carry them (a ``QLabel`` left on ``Qt::AutoText``
would render them): the main window's queue and review header, a feedback note, and the
signing dialog's preview.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

import pytest

from assessor.paths import AppPaths
from tests.hardening.conftest_authz import Org, served_org
from tests.hardening.test_verification_rejects import signed_as

SCRIPT = '<script>alert("s")</script>'
IMG = '"><img src=x onerror=alert(1)>'
QUOTE_ATTR = "' onmouseover='alert(2)"
TITLE_BREAK = "</title><script>alert(3)</script>"
SVG = "<svg/onload=alert(4)>"
JS_URL = "javascript:alert(5)"
PAYLOADS = (SCRIPT, IMG, QUOTE_ATTR, TITLE_BREAK, SVG)


class PageScan(HTMLParser):
    """Every element and attribute of a page, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def scan(html: str) -> PageScan:
    parser = PageScan()
    parser.feed(html)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Org]:
    with served_org(tmp_path_factory.mktemp("xss")) as served:
        yield served


def hostile_credential(org: Org, name: str) -> dict[str, Any]:
    """ada's credential for ``name`` with markup in every field a page shows."""
    base = org.credential(org.signers["ada"], org.status_index(name),
                          text=f"Care {SCRIPT}", issuer_name=f"Org {IMG}")
    unsigned = {k: v for k, v in base.items() if k != "proof"}
    unsigned["name"] = f"Credential {TITLE_BREAK}"
    unsigned["issuer"] = {**unsigned["issuer"], "url": JS_URL}
    subject = unsigned["credentialSubject"]
    subject["name"] = f"Lena {SVG} {QUOTE_ATTR}"
    achievement = subject["achievement"]
    achievement["name"] = f"Achievement {TITLE_BREAK}"
    achievement["image"] = {"id": JS_URL, "type": "Image"}
    achievement["criteria"] = {"narrative": f"Narrative {IMG}"}
    for item in unsigned.get("evidence", []):
        item["name"] = f"Evidence {SVG}"
        item["description"] = f"About {QUOTE_ATTR}"
    method = base["proof"]["verificationMethod"]
    return signed_as(unsigned, org.signers["ada"], method)


def test_the_verification_page_shows_every_payload_as_text(org: Org) -> None:
    name = "ada-approved"
    credential = hostile_credential(org, name)
    with org.client(org.token("ada")) as client:
        pushed = client.post("/api/v1/credentials", json={
            "client_id": str(uuid.uuid4()), "submission_id": org.submissions[name],
            "base_revision": org.revision(name), "credential": credential})
        assert pushed.status_code == 201, pushed.text
    address = f"/credentials/{quote(credential['id'], safe=':')}"
    with org.client(org.token("admin")) as client:
        revoked = client.post(f"/api/v1/admin{address}/revoke",
                              json={"reason": f"Reason {SCRIPT} {IMG}"})
        assert revoked.status_code == 200, revoked.text
    with org.client() as client:
        answer = client.get(address, headers={"Accept": "text/html"})
    assert answer.status_code == 200
    html = answer.text
    page = scan(html)

    shown = "".join(page.text)
    for payload in PAYLOADS:
        assert payload in shown, payload  # shown as text, whole
    assert f"Lena {SVG} {QUOTE_ATTR}" in shown and f"Reason {SCRIPT} {IMG}" in shown
    assert "script" not in page.tags and "svg" not in page.tags
    assert page.tags.count("img") == 0  # the only image had a javascript: address
    assert not [a for a in page.attributes if a[1].startswith("on")]
    for tag, attribute, value in page.attributes:
        if attribute in ("href", "src", "action", "formaction", "xlink:href"):
            assert value.startswith(("http://", "https://", "data:image/")), (tag, value)
    assert not [a for a in page.attributes if "javascript:" in a[2].lower()]
    assert html.count("<title>") == 1 and html.count("</title>") == 1

    headers = answer.headers
    policy = {part.strip().split(" ", 1)[0]: part.strip()
              for part in headers["content-security-policy"].split(";")}
    assert policy["default-src"] == "default-src 'none'"
    assert "script-src" not in policy  # so default-src 'none' forbids every script
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"
    assert policy["base-uri"] == "base-uri 'none'" and policy["form-action"] == \
        "form-action 'none'"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["content-type"].startswith("text/html") and "charset" in \
        headers["content-type"]


def test_the_credential_as_json_is_served_as_json(org: Org) -> None:
    """The same hostile document asked for as JSON is JSON (a browser does not render
    it), byte-for-byte what was signed."""
    credential = org.published
    with org.client() as client:
        answer = client.get(f"/credentials/{quote(credential['id'], safe=':')}",
                            headers={"Accept": "*/*"})
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.json() == credential


# --- the desktop ---------------------------------------------------------------------------


def label_texts(widget: Any) -> list[str]:
    """What each label under ``widget`` shows, after Qt decides whether its text is rich
    (a rich text label shows its document's plain text)."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import Qt as GuiQt
    from PySide6.QtGui import QTextDocument
    from PySide6.QtWidgets import QLabel

    out = []
    for label in widget.findChildren(QLabel):
        text = label.text()
        form = label.textFormat()
        rich = form in (Qt.TextFormat.RichText, Qt.TextFormat.MarkdownText) or (
            form == Qt.TextFormat.AutoText and GuiQt.mightBeRichText(text))
        if rich:
            document = QTextDocument()
            if form == Qt.TextFormat.MarkdownText:
                document.setMarkdown(text)
            else:
                document.setHtml(text)
            text = document.toPlainText()
        out.append(text)
    return out


def assert_shown_as_text(widget: Any, payload: str, *, marker: str) -> None:
    """Some label shows ``payload`` whole, and no label shows ``marker`` (a word inside
    the payload's markup) without it: none rendered the markup."""
    shown = label_texts(widget)
    assert any(payload in text for text in shown), (payload, shown)
    rendered = [t for t in shown if marker in t and payload not in t]
    assert not rendered, rendered


HOSTILE_NAME = '<b>Bold</b> <img src="x" onerror="alert(1)"> Lena'
HOSTILE_BODY = '<a href="javascript:alert(1)">Click</a> <h1>Loud</h1>'


@pytest.fixture
def qt_home(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> AppPaths:
    from assessor.paths import HOME_ENV

    paths = AppPaths(tmp_path / "home").ensure()
    monkeypatch.setenv(HOME_ENV, str(paths.home))
    monkeypatch.setenv("ASSESSOR_DEMO", "0")
    return paths


def test_a_feedback_note_shows_author_and_body_as_text(qtbot: Any) -> None:
    from assessor.domain.feedback import FeedbackNote, Visibility
    from assessor.domain.people import Role
    from ui.review.feedback_card import NoteCard

    note = FeedbackNote("n1", "s1", "mia", Role.MENTOR, Visibility.LEARNER, HOSTILE_BODY,
                        datetime.now(UTC))
    card = NoteCard(note, HOSTILE_NAME)
    qtbot.add_widget(card)
    assert_shown_as_text(card, HOSTILE_NAME, marker="Bold")
    assert_shown_as_text(card, HOSTILE_BODY, marker="Loud")


def test_the_signing_preview_shows_names_as_text(qtbot: Any) -> None:
    from assessor.credentials.service import SigningPreview
    from tests.hub.test_publication import new_signer, signed_credential
    from ui.windows.signing_dialog import SigningDialog

    credential = signed_credential("https://hub.example.org", "did:web:hub.example.org",
                                   new_signer(), 3, text=HOSTILE_NAME, issuer_name=HOSTILE_BODY)
    credential.pop("proof")
    dialog = SigningDialog(SigningPreview("s1", credential, (HOSTILE_NAME,)), True)
    qtbot.add_widget(dialog)
    assert_shown_as_text(dialog, HOSTILE_NAME, marker="Bold")
    assert_shown_as_text(dialog, HOSTILE_BODY, marker="Loud")


@pytest.mark.gui
def test_the_queue_and_review_header_show_a_learner_name_as_text(
        qtbot: Any, qt_home: AppPaths) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QAbstractItemView

    from assessor.demo import RUBRICS, TEMPLATES, generate_submissions
    from tests.core.helpers import ASSESSOR, NOW, open_store
    from ui.app import build_main_window, make_application

    store = open_store(qt_home)
    for rubric in RUBRICS:
        store.put_rubric(rubric)
    for template in TEMPLATES:
        store.put_template(template)
    submissions = [replace(s, learner=replace(s.learner, name=HOSTILE_NAME))
                   for s in generate_submissions(3, assessor_id=ASSESSOR.user_id, now=NOW)]
    store.receive(submissions)
    store.close()

    make_application()
    window = build_main_window(qt_home)
    qtbot.add_widget(window)
    try:
        window.show()
        qtbot.wait_exposed(window)
        views = [v for v in window.findChildren(QAbstractItemView) if v.model() is not None
                 and v.model().rowCount() > 0]
        shown = [str(v.model().index(r, c).data(Qt.ItemDataRole.DisplayRole))
                 for v in views for r in range(v.model().rowCount())
                 for c in range(v.model().columnCount())]
        assert any(HOSTILE_NAME in text for text in shown)
        # Open one: its review header names the learner.
        qtbot.waitUntil(lambda: window.queue.select_id(submissions[0].id), timeout=10_000)
        qtbot.waitUntil(lambda: any(HOSTILE_NAME in t for t in label_texts(window)),
                        timeout=10_000)
        assert_shown_as_text(window, HOSTILE_NAME, marker="Bold")
    finally:
        window.close()
        window.runner.wait()
        window.ws.close()
