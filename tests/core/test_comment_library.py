"""The comment library (per owner, searchable, most used first) and the comparison of a
submission's attempts."""

from __future__ import annotations

import pytest

from assessor.domain.attempts import DiffKind, EvidenceChangeKind, compare_attempts, diff_text
from assessor.errors import NotFoundError, ValidationError
from assessor.store.comment_library import CommentLibrary
from tests.core.attempts_data import (
    FIRST_ID,
    FIRST_NARRATIVE,
    SECOND_ID,
    SECOND_NARRATIVE,
    two_attempts,
)
from tests.core.helpers import ASSESSOR, OTHER_ASSESSOR, open_store, seeded_store


@pytest.fixture
def store(home, clock):
    store = seeded_store(home, count=2, clock=clock)
    yield store
    store.close()


@pytest.fixture
def library(store):
    return CommentLibrary(store, ASSESSOR.user_id)


def test_snippets_are_added_searched_and_listed_most_used_first(library) -> None:
    walk = library.add("Walk the whole area", "Walk the WHOLE work area before you start.",
                       "hazard-id")
    check = library.add("Check controls", "Show that each control was checked and works.",
                        "controls")
    general = library.add("Well evidenced", "Clear, well-chosen evidence.")
    assert [s.title for s in library.search()] == [
        "Check controls", "Walk the whole area", "Well evidenced"]  # by title while unused

    assert library.use(general.id).uses == 1
    library.use(general.id)
    library.use(walk.id)
    assert [s.title for s in library.search()] == [
        "Well evidenced", "Walk the whole area", "Check controls"]
    assert library.get(general.id).uses == 2

    assert [s.id for s in library.search("whole")] == [walk.id]  # the title
    assert [s.id for s in library.search("WORK area")] == [walk.id]  # body, any case, all words
    assert [s.id for s in library.search("checked works")] == [check.id]
    assert library.search("forklift") == []
    # tied to a criterion: listed for it, with the general ones; not for another criterion
    assert {s.id for s in library.search(criterion_key="hazard-id")} == {walk.id, general.id}


def test_snippets_are_edited_and_deleted(library) -> None:
    snippet = library.add("Typo titel", "Body")
    edited = library.edit(snippet.id, "  Good title ", " New body ", "controls")
    assert (edited.title, edited.body, edited.criterion_key) == (
        "Good title", "New body", "controls")
    assert library.get(snippet.id) == edited
    library.delete(snippet.id)
    assert library.search() == []
    with pytest.raises(NotFoundError, match="not in your comment library"):
        library.get(snippet.id)


def test_each_owner_has_their_own_library_and_it_lasts(home, store, library) -> None:
    mine = library.add("Mine", "Only mine.")
    theirs = CommentLibrary(store, OTHER_ASSESSOR.user_id)
    assert theirs.search() == []
    with pytest.raises(NotFoundError):
        theirs.delete(mine.id)
    with pytest.raises(NotFoundError):
        theirs.use(mine.id)
    store.close()
    again = open_store(home)
    try:
        assert [s.title for s in CommentLibrary(again, ASSESSOR.user_id).search()] == ["Mine"]
    finally:
        again.close()


def test_the_library_does_not_sync_or_touch_the_audit_log(store, library) -> None:
    waiting, events = store.outbox_count(), len(list(store.audit_events()))
    library.use(library.add("Note", "Text").id)
    assert store.outbox_count() == waiting
    assert len(list(store.audit_events())) == events


@pytest.mark.parametrize(("title", "body", "message"), [
    ("", "text", "needs a title"),
    ("   ", "text", "needs a title"),
    ("Title", "  \n ", "needs some text"),
    ("x" * 201, "text", "at most 200 characters"),
    ("Title", "x" * 20_001, "at most 20,000 characters"),
])
def test_bad_snippets_are_refused_with_a_clear_message(library, title, body, message) -> None:
    with pytest.raises(ValidationError, match=message):
        library.add(title, body)


def test_a_library_needs_an_owner(store) -> None:
    with pytest.raises(ValidationError, match="signed-in user"):
        CommentLibrary(store, " ")


# -- earlier attempts -------------------------------------------------------------------


def test_two_attempts_compare_evidence_narrative_and_levels(store) -> None:
    two_attempts(store)
    current = store.review(SECOND_ID)
    assert current.submission.previous_attempt_id == FIRST_ID
    comparison = compare_attempts(store.review(FIRST_ID), current)

    kinds = {c.name: c.kind for c in comparison.evidence}
    assert kinds == {
        "hazard-register.pdf": EvidenceChangeKind.CHANGED,  # same name, new bytes
        "dock-barrier.jpg": EvidenceChangeKind.RENAMED,  # same bytes as barrier.jpg
        "signage.jpg": EvidenceChangeKind.ADDED,
        "toolbox-talk.mp4": EvidenceChangeKind.REMOVED,
    }
    renamed = next(c for c in comparison.evidence if c.kind is EvidenceChangeKind.RENAMED)
    assert renamed.earlier is not None and renamed.earlier.file_name == "barrier.jpg"

    assert comparison.narrative_changed
    inserted = "".join(r.text for r in comparison.narrative if r.kind is DiffKind.INSERT)
    assert "whole" in inserted and "checked them at noon" in inserted

    levels = {c.key: (c.earlier.name, c.current.name, c.direction) for c in comparison.criteria}
    assert levels == {"hazard-id": ("Developing", "Proficient", 1),
                      "controls": ("Developing", "Not judged", 0),
                      "reporting": ("Proficient", "Proficient", 0)}
    assert [c.key for c in comparison.levels_changed] == ["hazard-id", "controls"]
    hazard = comparison.criteria[0]
    assert hazard.earlier_comment.startswith("Obvious hazards only")
    assert [n.body for n in hazard.earlier_feedback] == [
        "Walk the whole bay and record every hazard with its location."]
    # the learner saw two notes; the internal one is not "feedback the learner got"
    assert len(comparison.learner_feedback) == 2
    assert [d.outcome.value for d in comparison.decisions] == ["resubmit"]
    assert comparison.summary() == (
        "1 evidence file added; 1 evidence file changed; 1 evidence file renamed; "
        "1 evidence file removed; narrative revised; 1 criterion at a different level; "
        "1 judged before, not yet now")


def test_the_narrative_diff_rebuilds_both_texts() -> None:
    runs = diff_text(FIRST_NARRATIVE, SECOND_NARRATIVE)
    assert "".join(r.text for r in runs if r.kind is not DiffKind.DELETE) == SECOND_NARRATIVE
    assert "".join(r.text for r in runs if r.kind is not DiffKind.INSERT) == FIRST_NARRATIVE
    assert [(r.kind, r.text) for r in diff_text("same words", "same words")] == [
        (DiffKind.EQUAL, "same words")]
    assert diff_text("", "") == ()
