"""CommentLibrary: one person's reusable comments (snippets), kept on this computer.

The library lives in the ``comment_snippets`` table of the local store, one set per owner
(the signed-in user's id). It is personal working material, not part of any submission's
record: it is neither audited nor queued for the hub, and it does not sync.

Snippets are listed most used first, then by title. ``search`` matches every word of the
query, case-insensitively, in the title or the body. A snippet may be tied to a criterion:
a search for that criterion lists it together with the snippets tied to none.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from assessor.errors import NotFoundError, ValidationError
from assessor.store.records import CommentSnippetRecord
from assessor.store.store import Store

TITLE_LIMIT = 200
BODY_LIMIT = 20_000


@dataclass(frozen=True)
class CommentSnippet:
    id: str
    owner: str
    title: str
    body: str
    criterion_key: str | None
    uses: int
    created_at: datetime
    updated_at: datetime

    def matches(self, words: list[str]) -> bool:
        """Every word (already case-folded) occurs in the title or the body."""
        text = f"{self.title}\n{self.body}".casefold()
        return all(word in text for word in words)


class CommentLibrary:
    """The snippets of ``owner`` in ``store``'s database. Call off the GUI thread."""

    def __init__(self, store: Store, owner: str) -> None:
        if not owner.strip():
            raise ValidationError("A comment library belongs to a signed-in user.")
        self._owner = owner
        self._writing = store._writing
        self._reading = store._reading
        self._clock = store._clock

    @property
    def owner(self) -> str:
        return self._owner

    def add(self, title: str, body: str, criterion_key: str | None = None) -> CommentSnippet:
        title, body = _checked(title, body)
        now = self._clock()
        record = CommentSnippetRecord(
            id=str(uuid.uuid4()), owner=self._owner, title=title, body=body,
            criterion_key=criterion_key or None, uses=0, created_at=now, updated_at=now)
        with self._writing() as s:
            s.add(record)
        return _value(record)

    def edit(self, snippet_id: str, title: str, body: str,
             criterion_key: str | None = None) -> CommentSnippet:
        title, body = _checked(title, body)
        with self._writing() as s:
            record = self._load(s, snippet_id)
            record.title, record.body = title, body
            record.criterion_key = criterion_key or None
            record.updated_at = self._clock()
            return _value(record)

    def delete(self, snippet_id: str) -> None:
        with self._writing() as s:
            s.delete(self._load(s, snippet_id))

    def get(self, snippet_id: str) -> CommentSnippet:
        with self._reading() as s:
            return _value(self._load(s, snippet_id))

    def use(self, snippet_id: str) -> CommentSnippet:
        """Count one more use (the snippet was inserted into a comment); returns it."""
        with self._writing() as s:
            s.execute(update(CommentSnippetRecord)
                      .where(CommentSnippetRecord.id == snippet_id,
                             CommentSnippetRecord.owner == self._owner)
                      .values(uses=CommentSnippetRecord.uses + 1))
            return _value(self._load(s, snippet_id))

    def search(self, query: str = "", criterion_key: str | None = None) -> list[CommentSnippet]:
        """The owner's snippets matching ``query`` (all of its words, in the title or the
        body, any case); with ``criterion_key``, those tied to it or to no criterion.
        Most used first, then by title."""
        words = query.casefold().split()
        with self._reading() as s:
            stmt = select(CommentSnippetRecord).where(CommentSnippetRecord.owner == self._owner)
            if criterion_key is not None:
                stmt = stmt.where((CommentSnippetRecord.criterion_key == criterion_key)
                                  | CommentSnippetRecord.criterion_key.is_(None))
            found = [_value(r) for r in s.scalars(stmt)]
        found = [snippet for snippet in found if snippet.matches(words)]
        found.sort(key=lambda snippet: (-snippet.uses, snippet.title.casefold(), snippet.id))
        return found

    def count(self) -> int:
        return len(self.search())

    def _load(self, s: Session, snippet_id: str) -> CommentSnippetRecord:
        record = s.get(CommentSnippetRecord, snippet_id)
        if record is None or record.owner != self._owner:
            raise NotFoundError("That snippet is not in your comment library (it may have "
                                "been deleted).")
        return record


def _checked(title: str, body: str) -> tuple[str, str]:
    title, body = title.strip(), body.strip()
    if not title:
        raise ValidationError("A snippet needs a title, so you can find it again.")
    if not body:
        raise ValidationError("A snippet needs some text to insert.")
    if len(title) > TITLE_LIMIT:
        raise ValidationError(f"A snippet's title can be at most {TITLE_LIMIT} characters.")
    if len(body) > BODY_LIMIT:
        raise ValidationError(f"A snippet can be at most {BODY_LIMIT:,} characters long.")
    return title, body


def _value(record: CommentSnippetRecord) -> CommentSnippet:
    return CommentSnippet(
        id=record.id, owner=record.owner, title=record.title, body=record.body,
        criterion_key=record.criterion_key, uses=record.uses,
        created_at=record.created_at, updated_at=record.updated_at)
