"""The queue's read path: filters, orders, counts, and reading while the store writes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from assessor.domain.judgment import JudgmentDraft
from assessor.domain.states import State
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


def rows(reader, flt=None, sort=QueueSort.DUE, **kwargs):
    view = reader.view(flt or QueueFilter(), sort, **kwargs)
    found = view.rows(0, view.total + 10)
    assert len(found) == view.total
    return found


def test_default_order_is_by_due_date(reader) -> None:
    due = [r.due_at for r in rows(reader)]
    assert len(due) == 40 and due == sorted(due)
    descending = [r.due_at for r in rows(reader, descending=True)]
    assert descending == sorted(due, reverse=True)


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("sort", list(QueueSort))
def test_every_order_returns_every_row_once_in_any_window(reader, sort, descending) -> None:
    view = reader.view(QueueFilter(), sort, descending=descending)
    whole = [r.pk for r in view.rows(0, 100)]
    assert len(whole) == len(set(whole)) == 40
    windows = [r.pk for start in range(0, 40, 7) for r in view.rows(start, 7)]
    assert windows == whole


def test_sorts_put_rows_in_the_order_a_person_expects(reader) -> None:
    names = [r.learner_name for r in rows(reader, sort=QueueSort.LEARNER)]
    assert names == sorted(names, key=str.casefold)
    credentials = [r.credential_name for r in rows(reader, sort=QueueSort.CREDENTIAL)]
    assert credentials == sorted(credentials)
    states = [r.state for r in rows(reader, sort=QueueSort.STATE)]
    assert states[0] is State.PENDING and states[-1] is State.IN_REVIEW


def test_undated_submissions_come_last_either_way(home) -> None:
    from dataclasses import replace

    from assessor.demo import generate_submissions

    store = seeded_store(home, count=4)
    undated = replace(next(generate_submissions(1, assessor_id="x", seed=99)), due_at=None)
    store.receive([undated])
    store.close()
    reader = QueueReader(home.store)
    assert rows(reader)[-1].id == undated.id
    assert rows(reader, descending=True)[-1].id == undated.id
    reader.close()


def test_filter_by_state_credential_and_text(reader) -> None:
    in_review = rows(reader, QueueFilter(states=frozenset({State.IN_REVIEW})))
    assert [r.id for r in in_review] == [care_id(0)]
    care = rows(reader, QueueFilter(template_id="customer-communication"))
    assert len(care) == 20 and {r.credential_name for r in care} == {"Customer Communication"}
    someone = rows(reader)[5]
    family = someone.learner_name.split()[-1]
    hits = rows(reader, QueueFilter(text=family.upper()))
    assert someone.id in {r.id for r in hits}
    assert all(family.lower() in r.learner_name.lower() for r in hits)
    assert len(rows(reader, QueueFilter(text="Site Safety"))) == 20
    assert len(rows(reader, QueueFilter(text="site saf"))) == 20
    assert [r.id for r in rows(reader, QueueFilter(text=care_id(3)))] == [care_id(3)]
    short = rows(reader, QueueFilter(text=family[:2]))  # below the trigram index's reach
    assert someone.id in {r.id for r in short}
    email = rows(reader, QueueFilter(text="@learners.example"))
    assert len(email) == 40


def test_search_text_is_not_sql(reader) -> None:
    for hostile in ("%", "_", "' OR 1=1 --", "\\", '"; DROP TABLE submissions; --', 'a"b',
                    "NEAR(a b)", "x* OR y"):
        assert reader.view(QueueFilter(text=hostile)).total == 0, hostile
    assert reader.view(QueueFilter()).total == 40


def test_overdue_and_due_this_week(reader) -> None:
    now = NOW + timedelta(days=3)
    overdue = rows(reader, QueueFilter(due=DueFilter.OVERDUE), now=now)
    assert overdue and all(r.overdue(now) for r in overdue)
    assert len(overdue) == reader.overdue_count(now)
    soon = rows(reader, QueueFilter(due=DueFilter.DUE_THIS_WEEK), now=now)
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
    name = store.submission(care_id(1)).learner.name
    assert care_id(1) in [r.id for r in rows(reader, QueueFilter(text=name))]
    reader.close()
    store.close()
