"""The page a browser gets for a published credential: what it says, and whether it holds.

Everything shown comes from the credential (or the hub's revocation record) and every value
is HTML-escaped; links and images are used only with http(s) (or inline image) addresses.
The page carries no script, and the route serves it with a Content-Security-Policy that
allows none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any

from assessor.credentials.verify import VerificationReport

CONTENT_SECURITY_POLICY = ("default-src 'none'; img-src http: https: data:; "
                           "style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
                           "frame-ancestors 'none'")
_IMAGE_DATA = ("data:image/png", "data:image/jpeg", "data:image/gif", "data:image/webp",
               "data:image/svg+xml")

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;
background:#f4f5f7;color:#1d2330;line-height:1.5}
main{max-width:52rem;margin:2rem auto;padding:0 1rem}
.card{background:#fff;border-radius:12px;box-shadow:0 1px 4px rgba(0,0,0,.08);
padding:1.5rem 2rem;margin-bottom:1.25rem}
header.card{display:flex;gap:1.5rem;align-items:center}
header img{width:120px;height:120px;object-fit:contain}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.1rem;margin:0 0 .75rem}
.muted{color:#5b6475;font-size:.92rem}.mono{font-family:ui-monospace,monospace;
font-size:.85rem;word-break:break-all}
.verdict{border-left:6px solid;padding-left:1rem}
.good{border-color:#1f8a4c}.bad{border-color:#c62828}
.verdict strong{font-size:1.15rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.45rem .5rem;
border-bottom:1px solid #e3e6eb;vertical-align:top}th{font-weight:600;color:#3a4254}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1.25rem;margin:0}
dt{color:#5b6475}dd{margin:0}ul{margin:.25rem 0;padding-left:1.25rem}
"""


@dataclass(frozen=True)
class Revocation:
    """The hub's record of a revocation (None on the page when the credential stands)."""

    at: datetime
    reason: str


def _s(value: Any) -> str:
    """A JSON value as display text (strings and numbers only; anything else is blank)."""
    if isinstance(value, bool):
        return ""
    if isinstance(value, (str, int, float)):
        return str(value)
    return ""


def _e(value: Any) -> str:
    return escape(_s(value), quote=True)


def _id_of(value: Any) -> str:
    if isinstance(value, dict):
        return _s(value.get("id"))
    return _s(value)


def _first(value: Any) -> dict[str, Any]:
    if isinstance(value, list):
        value = value[0] if value else {}
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else ([value] if value is not None else [])


def _safe_url(url: str, *, image: bool = False) -> str:
    lowered = url.strip().lower()
    if lowered.startswith(("https://", "http://")):
        return url.strip()
    if image and lowered.startswith(_IMAGE_DATA):
        return url.strip()
    return ""


def _link(url: Any, text: Any = None) -> str:
    target = _safe_url(_s(url))
    label = _e(text if _s(text) else url)
    if not target:
        return label
    return f'<a href="{escape(target, quote=True)}" rel="nofollow noopener">{label}</a>'


def _date(value: Any) -> str:
    text = _s(value)
    try:
        return escape(datetime.fromisoformat(text.replace("Z", "+00:00"))
                      .strftime("%d %B %Y, %H:%M UTC"))
    except ValueError:
        return _e(text)


def _results(subject: dict[str, Any], achievement: dict[str, Any]) -> str:
    descriptions: dict[str, dict[str, Any]] = {}
    for item in _list(achievement.get("resultDescription")):
        if isinstance(item, dict) and _s(item.get("id")):
            descriptions[_s(item["id"])] = item
    rows = []
    for result in _list(subject.get("result")):
        if not isinstance(result, dict):
            continue
        described = descriptions.get(_s(result.get("resultDescription")), {})
        levels = {_s(level.get("id")): level
                  for level in _list(described.get("rubricCriterionLevel"))
                  if isinstance(level, dict)}
        achieved = levels.get(_s(result.get("achievedLevel")), {})
        required = levels.get(_s(described.get("requiredLevel")), {})
        achieved_text = _s(achieved.get("name")) or _s(result.get("value")) \
            or _s(result.get("achievedLevel"))
        rows.append(
            "<tr>"
            f"<td>{_e(described.get('name')) or _e(result.get('resultDescription'))}</td>"
            f"<td><strong>{escape(achieved_text)}</strong>"
            + (f"<div class=muted>{_e(achieved.get('description'))}</div>"
               if _s(achieved.get("description")) else "")
            + f"</td><td>{_e(required.get('name'))}</td></tr>")
    if not rows:
        return ""
    return ("<section class=card><h2>Results by criterion</h2><table><thead><tr>"
            "<th>Criterion</th><th>Achieved</th><th>Level required</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table></section>")


def _learner(subject: dict[str, Any]) -> str:
    parts = []
    if _s(subject.get("name")):
        parts.append(f"<dd>{_e(subject['name'])}</dd>")
    for identifier in _list(subject.get("identifier")):
        if not isinstance(identifier, dict):
            continue
        kind = _s(identifier.get("identityType")) or "identifier"
        kind = {"emailAddress": "E-mail address"}.get(kind, kind)
        value = _s(identifier.get("identityHash"))
        if identifier.get("hashed") is True:
            shown = value if len(value) <= 24 else value[:24] + "…"
            parts.append(f"<dd>{escape(kind)}, shown only as a salted hash "
                         f"<span class=mono>{escape(shown)}</span></dd>")
        else:
            parts.append(f"<dd>{escape(kind)}: {escape(value)}</dd>")
    if _s(subject.get("id")):
        parts.append(f"<dd class=mono>{_e(subject['id'])}</dd>")
    return "".join(parts) or "<dd class=muted>not named in the credential</dd>"


def _outcome(ok: bool, skipped: bool) -> str:
    return "skipped" if skipped else "passed" if ok else "FAILED"


def _verdict(report: VerificationReport | None, revocation: Revocation | None) -> str:
    if revocation is not None:
        reason = f": {escape(revocation.reason)}" if revocation.reason else ""
        head = (f"<strong>Revoked</strong><div>The organisation revoked this credential on "
                f"{escape(revocation.at.strftime('%d %B %Y'))}{reason}.</div>")
        good = False
    elif report is None:
        head = ("<strong>Not checked</strong><div>The hub cannot check this credential right "
                "now; download it and verify it yourself.</div>")
        good = False
    elif report.ok:
        head = ("<strong>Verified</strong><div>The signature is valid, the key speaks for "
                "the issuer, and the credential is current and not revoked.</div>")
        good = True
    else:
        head = ("<strong>Not verified</strong><div>This credential does not hold up; see "
                "the checks below.</div>")
        good = False
    checks = ""
    if report is not None:
        checks = "<ul class=muted>" + "".join(
            f"<li>{escape(c.name)}: {_outcome(c.ok, c.skipped)} ({escape(c.detail)})</li>"
            for c in report.checks) + "</ul>"
    kind = "good" if good else "bad"
    return f"<section class='card verdict {kind}'>{head}{checks}</section>"


def _evidence(credential: dict[str, Any]) -> str:
    items = [e for e in _list(credential.get("evidence")) if isinstance(e, dict)]
    if not items:
        return ""
    lines = "".join(
        f"<li>{_e(item.get('name')) or 'Evidence'}"
        + (f" <span class=muted>({_e(item.get('genre'))})</span>"
           if _s(item.get("genre")) else "")
        + (f"<div class=muted>{_e(item.get('description'))}</div>"
           if _s(item.get("description")) and item.get("description") != item.get("name")
           else "")
        + "</li>" for item in items)
    return f"<section class=card><h2>Evidence</h2><ul>{lines}</ul></section>"


def render_verification_page(credential: dict[str, Any], *,
                             report: VerificationReport | None,
                             revocation: Revocation | None,
                             json_url: str) -> str:
    """The whole HTML page for ``credential``."""
    subject = _first(credential.get("credentialSubject"))
    achievement = subject.get("achievement") if isinstance(subject.get("achievement"),
                                                           dict) else {}
    assert isinstance(achievement, dict)
    issuer = credential.get("issuer")
    issuer_obj = issuer if isinstance(issuer, dict) else {"id": issuer}
    name = _s(achievement.get("name")) or _s(credential.get("name")) or "Credential"
    image_url = _safe_url(_id_of(achievement.get("image") or credential.get("image")),
                          image=True)
    image = (f'<img src="{escape(image_url, quote=True)}" alt="Badge image">'
             if image_url else "")
    criteria = achievement.get("criteria")
    narrative = _s(criteria.get("narrative")) if isinstance(criteria, dict) else ""
    until = credential.get("validUntil")
    body = (
        f"<header class=card>{image}<div><div class=muted>Open Badge credential</div>"
        f"<h1>{escape(name)}</h1><div>issued by {_e(issuer_obj.get('name')) or 'the issuer'}"
        f"</div></div></header>"
        + _verdict(report, revocation)
        + "<section class=card><h2>Achievement</h2>"
        + (f"<p>{_e(achievement.get('description'))}</p>"
           if _s(achievement.get("description")) else "")
        + (f"<h2>Criteria</h2><p>{escape(narrative)}</p>" if narrative else "")
        + "</section>"
        + _results(subject, achievement)
        + "<section class=card><h2>Details</h2><dl>"
        + f"<dt>Issuer</dt><dd>{_e(issuer_obj.get('name'))}"
        + (f"<div>{_link(issuer_obj.get('url'))}</div>" if _s(issuer_obj.get("url")) else "")
        + f"<div class=mono>{_e(issuer_obj.get('id'))}</div></dd>"
        + f"<dt>Learner</dt>{_learner(subject)}"
        + f"<dt>Issued</dt><dd>{_date(credential.get('validFrom'))}</dd>"
        + f"<dt>Valid until</dt><dd>{_date(until) if until is not None else 'no expiry'}</dd>"
        + f"<dt>Credential id</dt><dd class=mono>{_e(credential.get('id'))}</dd>"
        + "</dl></section>"
        + _evidence(credential)
        + f"<p class=muted>Machine-readable: <a href=\"{escape(json_url, quote=True)}\">"
          "the signed credential (JSON)</a>.</p>"
    )
    return ("<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
            "<meta name=viewport content='width=device-width, initial-scale=1'>"
            f"<title>{escape(name)} — credential verification</title>"
            f"<style>{_STYLE}</style></head><body><main>{body}</main></body></html>")
