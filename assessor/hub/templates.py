"""Publishing credential templates and their rubrics, version by version.

A template is published as JSON: ``{"id", "achievement": {...}, "rubric": {...},
"validity_days"}``. The rubric is checked with the domain's own rules (``Rubric``,
``Criterion``, ``PerformanceLevel``), so a broken rubric is refused with the reason. A
changed achievement, rubric or validity becomes a new version (the rubric's version follows
the template's); publishing the same content again changes nothing. Submissions keep the
version they were made under.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assessor.domain.rubric import Rubric
from assessor.errors import ValidationError
from assessor.hub.errors import HubError, bad_request, not_found
from assessor.hub.models import TemplateVersion
from assessor.store.convert import criteria_from_json, criteria_to_json

TEMPLATE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")
MAX_TEXT = 20_000


def invalid_template(message: str) -> HubError:
    return bad_request(message, "invalid_template")


def _string(data: dict[str, Any], key: str, where: str, *, required: bool = False,
            limit: int = MAX_TEXT) -> str:
    value = data.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise invalid_template(f"{where}.{key} must be text.")
    if required and not value.strip():
        raise invalid_template(f"{where}.{key} is required.")
    if len(value) > limit or "\0" in value:
        raise invalid_template(f"{where}.{key} is longer than {limit} characters or holds "
                               "a NUL character.")
    return value.strip()


def _alignment(item: Any, n: int) -> dict[str, str]:
    where = f"achievement.alignments[{n}]"
    if not isinstance(item, dict):
        raise invalid_template(f"{where} must be an object.")
    return {"target_name": _string(item, "target_name", where, required=True, limit=500),
            "target_url": _string(item, "target_url", where, required=True, limit=1000),
            "target_framework": _string(item, "target_framework", where, limit=500),
            "target_code": _string(item, "target_code", where, limit=200)}


def achievement_from_json(data: Any) -> dict[str, Any]:
    """The achievement as the hub keeps it (the fields ``assessor.domain.template`` has)."""
    if not isinstance(data, dict):
        raise invalid_template("achievement must be an object.")
    tags = data.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and 0 < len(t) <= 100
                                             for t in tags) or len(tags) > 50:
        raise invalid_template("achievement.tags must be a list of short texts.")
    alignments = data.get("alignments", [])
    if not isinstance(alignments, list) or len(alignments) > 100:
        raise invalid_template("achievement.alignments must be a list.")
    image = _string(data, "image", "achievement", limit=2000)
    if image and not image.startswith(("https://", "http://", "data:image/")):
        raise invalid_template("achievement.image must be an http(s) URL or a data:image "
                               "URL.")
    return {"name": _string(data, "name", "achievement", required=True, limit=300),
            "description": _string(data, "description", "achievement", required=True),
            "criteria_narrative": _string(data, "criteria_narrative", "achievement"),
            "image": image, "tags": [t.strip() for t in tags],
            "alignments": [_alignment(item, n) for n, item in enumerate(alignments)]}


def rubric_from_json(data: Any, version: int) -> Rubric:
    """The rubric checked by the domain's rules; ``version`` is the template's."""
    if not isinstance(data, dict):
        raise invalid_template("rubric must be an object.")
    criteria = data.get("criteria")
    if not isinstance(criteria, list) or not all(isinstance(c, dict) for c in criteria):
        raise invalid_template("rubric.criteria must be a list of criteria.")
    for n, criterion in enumerate(criteria):
        levels = criterion.get("levels")
        if not isinstance(levels, list) or not all(isinstance(lv, dict) for lv in levels):
            raise invalid_template(f"rubric.criteria[{n}].levels must be a list of levels.")
    cut_score = data.get("cut_score", 0)
    if isinstance(cut_score, bool) or not isinstance(cut_score, int | float) \
            or not math.isfinite(cut_score):
        raise invalid_template("rubric.cut_score must be a number.")
    try:
        parsed = criteria_from_json(criteria)
        rubric = Rubric(key=_string(data, "key", "rubric", required=True, limit=200),
                        version=version,
                        title=_string(data, "title", "rubric", required=True, limit=300),
                        criteria=parsed, cut_score=float(cut_score))
    except ValidationError as exc:
        raise invalid_template(f"The rubric is not valid: {exc}") from None
    except KeyError as exc:
        raise invalid_template(f"The rubric is not valid: a criterion or level lacks "
                               f"{exc.args[0]!r}.") from None
    except (TypeError, ValueError, AttributeError) as exc:
        raise invalid_template(f"The rubric is not valid: {type(exc).__name__}: "
                               f"{str(exc)[:200]}.") from None
    for criterion in rubric.criteria:
        for text in (criterion.key, criterion.title, criterion.pass_level,
                     *(lv.key for lv in criterion.levels), *(lv.name for lv in criterion.levels)):
            if not isinstance(text, str) or len(text) > 300 or "\0" in text:
                raise invalid_template("Rubric keys, titles and level names are texts of at "
                                       "most 300 characters.")
        if not all(math.isfinite(lv.points) for lv in criterion.levels) \
                or not math.isfinite(criterion.weight):
            raise invalid_template(f"Criterion {criterion.key!r}: points and weight must be "
                                   "finite numbers.")
    return rubric


def rubric_to_json(rubric: Rubric) -> dict[str, Any]:
    return {"key": rubric.key, "version": rubric.version, "title": rubric.title,
            "cut_score": rubric.cut_score, "criteria": criteria_to_json(rubric)}


@dataclass(frozen=True)
class Published:
    version: TemplateVersion
    created: bool
    """False when the same content was already the latest version."""


def latest_version(session: Session, template_id: str) -> TemplateVersion | None:
    return session.scalar(select(TemplateVersion)
                          .where(TemplateVersion.template_id == template_id)
                          .order_by(TemplateVersion.version.desc()).limit(1))


def _content(row: TemplateVersion) -> tuple[Any, ...]:
    rubric = {k: v for k, v in row.rubric.items() if k != "version"}
    return (row.achievement, rubric, row.validity_days)


def publish_template(session: Session, document: Any) -> Published:
    """Publish ``document`` (see the module docstring) as the template's next version."""
    if not isinstance(document, dict):
        raise invalid_template("A template is a JSON object with id, achievement and "
                               "rubric.")
    template_id = document.get("id")
    if not isinstance(template_id, str) or not TEMPLATE_ID.fullmatch(template_id):
        raise invalid_template("The template needs an id: letters, digits, '.', '_' or "
                               "'-', at most 200 characters.")
    validity = document.get("validity_days")
    if validity is not None and (isinstance(validity, bool) or not isinstance(validity, int)
                                 or not 0 < validity <= 36_500):
        raise invalid_template("validity_days must be a whole number of days (1 to 36500), "
                               "or null for credentials that never expire.")
    achievement = achievement_from_json(document.get("achievement"))
    current = latest_version(session, template_id)
    version = 1 if current is None else current.version + 1
    rubric = rubric_to_json(rubric_from_json(document.get("rubric"), version))
    candidate = TemplateVersion(template_id=template_id, version=version,
                                achievement=achievement, rubric=rubric, validity_days=validity)
    if current is not None and _content(current) == _content(candidate):
        return Published(current, created=False)
    session.add(candidate)
    session.flush()
    return Published(candidate, created=True)


def template_versions(session: Session, template_id: str | None = None) -> list[TemplateVersion]:
    """Every version of one template, or the latest version of each."""
    if template_id is not None:
        rows = list(session.scalars(select(TemplateVersion)
                                    .where(TemplateVersion.template_id == template_id)
                                    .order_by(TemplateVersion.version)))
        if not rows:
            raise not_found(f"There is no template {template_id[:200]!r}.")
        return rows
    newest = (select(TemplateVersion.template_id, func.max(TemplateVersion.version).label("v"))
              .group_by(TemplateVersion.template_id).subquery())
    return list(session.scalars(
        select(TemplateVersion).join(newest, (TemplateVersion.template_id
                                              == newest.c.template_id)
                                     & (TemplateVersion.version == newest.c.v))
        .order_by(TemplateVersion.template_id)))


def template_json(row: TemplateVersion) -> dict[str, Any]:
    return {"id": row.template_id, "version": row.version, "achievement": row.achievement,
            "rubric": row.rubric, "validity_days": row.validity_days,
            "published_at": row.published_at.isoformat()}
