"""The queue's read path: filters, orders, counts, and reading while the store writes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from assessor.domain.judgment import JudgmentDraft
from assessor.domain.submission import State
from assessor.store.queue import DueFilter, QueueFilter, QueueReader, QueueSort
from tests.core.helpers import ASSESSOR, NOW, care_id, seeded_store


@pytest.fixture
def reader(home):
    store = seeded_store(home, count=40)
    store.record_judgment(care_id(0), JudgmentDraft("listening", "proficient"), ASSESSOR)
    store.close()
    reader = QueueReader(home.store)
    yield reader
    reader.close()


def rows(reader, keys):
    found = reader.rows(list(keys))
    return [found[k] for k in keys]


def test_default_order_is_by_due_date(reader) -> None:
    due = [r.due_at for r in rows(reader, reader.keys(QueueFilter()))]
    assert len(due) == 40 and due == sorted(due)
    descending = [r.due_at for r in rows(reader, reader.keys(QueueFilter(), descending=True))]
    assert descending == sorted(due, reverse=True)


@pytest.mark.parametrize("sort", list(QueueSort))
def test_every_order_returns_every_row_once(reader, sort) -> None:
    keys = reader.keys(QueueFilter(), sort)
    assert sorted(keys) == sorted(set(keys)) and len(keys) == 40


def test_sort_by_learner_is_alphabetical(reader) -> None:
    names = [r.learner_name for r in rows(reader, reader.keys(QueueFilter(), QueueSort.LEARNER))]
    assert names == sorted(names, key=str.casefold)


def test_filter_by_state_credential_and_text(reader) -> None:
    in_review = rows(reader, reader.keys(QueueFilter(states=frozenset({State.IN_REVIEW}))))
    assert [r.id for r in in_review] == [care_id(0)]
    care = rows(reader, reader.keys(QueueFilter(template_id="customer-communication")))
    assert len(care) == 20 and {r.credential_name for r in care} == {"Customer Communication"}
    someone = rows(reader, reader.keys(QueueFilter()))[5]
    family = someone.learner_name.split()[-1]
    hits = rows(reader, reader.keys(QueueFilter(text=family.upper())))
    assert someone.id in {r.id for r in hits}
    assert all(family.lower() in r.learner_name.lower() for r in hits)
    assert len(reader.keys(QueueFilter(text="Site Safety"))) == 20
    assert list(reader.keys(QueueFilter(text=care_id(3)))) == [reader.pk_of(care_id(3))]


def test_search_text_is_not_sql(reader) -> None:
    for hostile in ("%", "_", "' OR 1=1 --", "\\", '"; DROP TABLE submissions; --'):
        assert len(reader.keys(QueueFilter(text=hostile))) == 0
    assert len(reader.keys(QueueFilter())) == 40


def test_overdue_and_due_this_week(reader) -> None:
    now = NOW + timedelta(days=3)
    overdue = rows(reader, reader.keys(QueueFilter(due=DueFilter.OVERDUE), now=now))
    assert overdue and all(r.overdue(now) for r in overdue)
    assert len(overdue) == reader.overdue_count(now)
    soon = rows(reader, reader.keys(QueueFilter(due=DueFilter.DUE_THIS_WEEK), now=now))
    assert all(now <= r.due_at < now + timedelta(days=7) for r in soon)


def test_counts_per_state(reader) -> None:
    counts = reader.counts()
    assert counts[State.PENDING] == 39 and counts[State.IN_REVIEW] == 1
    assert sum(counts.values()) == 40
    assert reader.outbox_count() == 1


def test_the_reader_sees_writes_made_while_it_is_open(home) -> None:
    store = seeded_store(home, count=4)
    reader = QueueReader(home.store)
    assert reader.counts()[State.IN_REVIEW] == 0
    store.record_judgment(care_id(1), JudgmentDraft("listening", "developing"), ASSESSOR)
    assert reader.counts()[State.IN_REVIEW] == 1
    reader.close()
    store.close()
