from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from inspections.datafiles import DATA_DIR, DataFileError, Table
from inspections.datafiles.demo import DemoTargetChange, _check_target_changes, demo_set
from inspections.datafiles.scale import vocabulary
from inspections.models import InspectorateStatus, ReportType


def test_the_shipped_data_files_load():
    demo = demo_set()
    assert len(demo.reports) == 16
    assert len(demo.actions) == 40
    words = vocabulary()
    assert set(words.subjects) == set(ReportType)
    assert {status for status, _ in words.closed_statuses} == InspectorateStatus.done()


def test_the_july_2023_text_is_read_from_its_own_file_unchanged():
    published = next(
        r.response.published for r in demo_set().reports if r.response and r.response.published
    )
    text = (DATA_DIR / "hampshire-iow-terrorist-offenders-2023-07.txt").read_text(encoding="utf-8")
    blocks = [block.strip() for block in text.split("\n\n") if block.strip()]
    assert blocks[0] == published.title
    assert blocks[2:-2] == published.paragraphs
    assert blocks[-2].startswith(published.signatory_name)
    assert blocks[-1] == published.closing_line


def test_a_wrong_value_names_its_file_and_key():
    table = Table({"days": "ten", "status": "closed"}, "demo.toml: reports[2]")
    with pytest.raises(
        DataFileError, match=r"demo.toml: reports\[2\]: days = 'ten' is not a whole number"
    ):
        table.integer("days")
    with pytest.raises(DataFileError, match="status = 'closed' is not one of awaiting_review, "):
        table.choice("status", InspectorateStatus)


def test_a_missing_key_is_refused_unless_it_has_a_default():
    table = Table({}, "demo.toml")
    with pytest.raises(DataFileError, match=r"demo\.toml: title is missing"):
        table.text("title")
    assert table.text("reference", "") == ""
    assert table.optional_day("published_on") is None


def test_true_and_false_are_not_numbers_and_dates_have_no_time():
    table = Table({"percent": True, "on": dt.datetime(2026, 1, 1, 9)}, "t.toml")  # noqa: DTZ001
    with pytest.raises(DataFileError, match="is not a whole number"):
        table.integer("percent")
    with pytest.raises(DataFileError, match="a date without a time"):
        table.optional_day("on")


def test_an_unknown_key_is_refused_so_a_misspelling_is_not_ignored():
    root = Table({"title": "A report", "findings": [{"kind": "x", "refrence": "AFI 1"}]}, "t.toml")
    root.text("title")
    (finding,) = root.tables("findings")
    finding.text("kind")
    with pytest.raises(DataFileError, match=r"t.toml: findings\[0\]: unknown key refrence"):
        root.done()


def test_weights_must_be_positive():
    table = Table({"rag": {"green": 1, "red": -1}}, "t.toml")
    with pytest.raises(DataFileError, match="weights must be positive"):
        table.weights("rag")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"original_target_in_days": None}, "target_changes need original_target_in_days"),
        ({"original_target_in_days": -9999}, "original target cannot be before the start"),
        ({"to_in_days": 1}, "must end at target_in_days"),
        ({"by": "nobody"}, "no user 'nobody'"),
        ({"days_ago": 99999}, "in order, after the start"),
    ],
)
def test_a_demo_target_change_that_could_not_have_happened_is_refused(changes, message):
    demo = demo_set()
    moved = next(a for a in demo.actions if a.target_changes)
    change = moved.target_changes[-1]
    change = dataclasses.replace(
        change, **{k: v for k, v in changes.items() if k in {"to_in_days", "by", "days_ago"}}
    )
    assert isinstance(change, DemoTargetChange)
    original = changes.get("original_target_in_days", moved.original_target_in_days)
    broken = dataclasses.replace(
        moved,
        original_target_in_days=original,
        target_changes=(*moved.target_changes[:-1], change),
    )
    _check_target_changes(demo, moved)  # as shipped: fine
    with pytest.raises(DataFileError, match=message):
        _check_target_changes(demo, broken)
