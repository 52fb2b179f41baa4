"""Versions of a record, read from its django-simple-history rows: who changed it, when,
why, and what changed, with word-level differences in long text.

Pure functions: the caller fetches the historical rows and the names of related records
(in a fixed number of queries) and passes them in; nothing here touches the database.
`diff_against` compares two rows in memory as long as many-to-many fields are excluded,
so they are compared here from sets the caller has already fetched.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _

# Fields that change on every save and say nothing to the reader.
NOISE_FIELDS = frozenset({"id", "version", "created_at", "updated_at"})

CREATED, CHANGED, DELETED = "created", "changed", "deleted"
KINDS = {"+": CREATED, "~": CHANGED, "-": DELETED}

WORD = re.compile(r"(\S+)(\s*)")

# A historical row (a django-simple-history model instance); untyped upstream.
type Row = Any


@dataclass(frozen=True)
class Change:
    """One field's change. `diff` carries word-level markup for long text; otherwise
    `old` and `new` are display strings (escaped by the template)."""

    label: str
    old: str
    new: str
    diff: SafeString | None = None


@dataclass(frozen=True)
class Version:
    when: dt.datetime
    who: str
    kind: str
    reason: str
    number: int
    changes: list[Change]
    # Orders rows of several tables by date, then by the order they were written.
    sort_key: tuple[dt.datetime, int] = field(repr=False)
    subject: str = ""


@dataclass(frozen=True)
class ManyToMany:
    """A tracked many-to-many field: the related ids each historical row held (by
    history_id) and a display name for each related id."""

    label: str
    members: Mapping[int, frozenset[Any]]
    names: Mapping[Any, str]


def person(user: Any) -> str:
    """Who made a change; "System" for a change made outside a request."""
    if user is None:
        return _("System")
    return str(user.get_full_name() or user.get_username())


def _html(text: str) -> str:
    """User text escaped, its line breaks kept."""
    return str(escape(text)).replace("\n", "<br>")


def _marked(tag: str, hidden: str, text: str) -> SafeString:
    # The tag and the visually hidden cue are ours; the text is escaped by _html.
    return format_html(
        '<{tag} class="app-diff-{tag}"><span class="govuk-visually-hidden">{hidden} </span>'
        "{text}</{tag}>",
        tag=tag,
        hidden=hidden,
        text=mark_safe(_html(text)),
    )


def _run(words: Sequence[tuple[str, str]]) -> tuple[str, str]:
    """Words joined with their spacing: the text, and the whitespace that follows it."""
    text = "".join(word + space for word, space in words)
    body = text.rstrip()
    return body, text[len(body) :]


def word_diff(old: str, new: str) -> SafeString:
    """`new` with the words taken out of `old` in <del> and the words put in, in <ins>.
    Words are compared without their spacing; every piece of user text is escaped before
    any markup is added, and only the tags added here are marked safe."""
    old_words = WORD.findall(old)
    new_words = WORD.findall(new)
    matcher = SequenceMatcher(
        None, [w for w, _s in old_words], [w for w, _s in new_words], autojunk=False
    )
    parts: list[str] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            text, space = _run(new_words[j1:j2])
            if not space and i2 < len(old_words):
                space = old_words[i2 - 1][1]  # the old text went on after this run
            parts.append(_html(text + space))
            continue
        removed, removed_space = _run(old_words[i1:i2])
        added, added_space = _run(new_words[j1:j2])
        if removed:
            parts.append(_marked("del", _("removed:"), removed))
        if removed and added:
            parts.append(" ")
        if added:
            parts.append(_marked("ins", _("added:"), added))
        parts.append(_html(added_space if added else removed_space))
    return mark_safe("".join(parts).strip())  # escaped above; the tags are ours


def display(model_field: models.Field[Any, Any], value: Any, names: Mapping[Any, str]) -> str:
    """A stored value as the reader knows it: labels for choices, formatted dates, the
    name of a related record."""
    if value is None or value == "":
        return _("Not set")
    if model_field.is_relation:
        return names.get(value, _("A record no longer available"))
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return _("Yes") if value else _("No")
    if isinstance(model_field, models.DateTimeField):
        return date_format(timezone.localtime(value), "j F Y, H:i")
    if isinstance(model_field, models.DateField):
        return date_format(value, "j F Y")
    return str(value)


def _change(
    model_field: models.Field[Any, Any], old: Any, new: Any, names: Mapping[Any, str]
) -> Change:
    label = capfirst(str(model_field.verbose_name))
    if isinstance(model_field, models.TextField) and old and new:
        return Change(label, "", "", diff=word_diff(str(old), str(new)))
    return Change(label, display(model_field, old, names), display(model_field, new, names))


def _many_to_many_changes(
    specs: Mapping[str, ManyToMany], previous: Row | None, row: Row
) -> list[Change]:
    changes = []
    for spec in specs.values():
        before = spec.members.get(previous.history_id, frozenset()) if previous else frozenset()
        after = spec.members.get(row.history_id, frozenset())
        if before != after:
            changes.append(
                Change(capfirst(spec.label), _listed(spec, before), _listed(spec, after))
            )
    return changes


def _listed(spec: ManyToMany, ids: frozenset[Any]) -> str:
    shown = sorted(spec.names.get(pk, _("A record no longer available")) for pk in ids)
    return "; ".join(shown) or _("None")


def _opening(
    row: Row,
    fields: Sequence[models.Field[Any, Any]],
    related: Mapping[str, Mapping[Any, str]],
) -> list[Change]:
    """What a record was created with: every field set to something other than its
    default."""
    changes = []
    for model_field in fields:
        value = model_field.value_from_object(row)
        if value is None or value == "":
            continue
        if model_field.has_default() and value == model_field.get_default():
            continue
        changes.append(_change(model_field, None, value, related.get(model_field.name, {})))
    return changes


def versions(
    rows: Iterable[Row],
    model: type[models.Model],
    *,
    exclude: Iterable[str] = (),
    related: Mapping[str, Mapping[Any, str]] | None = None,
    many_to_many: Mapping[str, ManyToMany] | None = None,
    subject: Callable[[Row], str] | None = None,
) -> list[Version]:
    """One Version per historical row, each compared with the previous row of the same
    record. `rows` may hold several records (all the entries of a response); they are
    grouped by record id and ordered by date. `related` maps a foreign key's field name
    to display names by id."""
    related = related or {}
    many_to_many = many_to_many or {}
    skipped = NOISE_FIELDS | set(exclude) | set(many_to_many)
    fields = [
        f
        for f in model._meta.concrete_fields
        if f.editable and f.name not in skipped and not f.primary_key
    ]
    by_record: dict[Any, list[Row]] = {}
    for row in sorted(rows, key=lambda r: (r.history_date, r.history_id)):
        by_record.setdefault(row.id, []).append(row)

    position = {f.name: i for i, f in enumerate(fields)}
    result = []
    for record_rows in by_record.values():
        previous: Row | None = None
        for number, row in enumerate(record_rows, start=1):
            kind = KINDS.get(row.history_type, CHANGED)
            if kind == DELETED:
                changes = []
            elif kind == CREATED or previous is None:
                changes = _opening(row, fields, related)
            else:
                delta = row.diff_against(previous, excluded_fields=skipped)
                changes = [
                    _change(
                        model._meta.get_field(c.field),  # type: ignore[arg-type]
                        c.old,
                        c.new,
                        related.get(c.field, {}),
                    )
                    for c in sorted(delta.changes, key=lambda c: position.get(c.field, 0))
                ]
            if kind != DELETED:
                changes += _many_to_many_changes(many_to_many, previous, row)
            result.append(
                Version(
                    when=row.history_date,
                    who=person(row.history_user),
                    kind=kind,
                    reason=row.history_change_reason or "",
                    number=number,
                    changes=changes,
                    sort_key=(row.history_date, row.history_id),
                    subject=subject(row) if subject else "",
                )
            )
            previous = row
    return result


def newest_first(*groups: Iterable[Version]) -> list[Version]:
    """Versions of several records interleaved by date, the newest first."""
    merged = [version for group in groups for version in group]
    return sorted(merged, key=lambda v: v.sort_key, reverse=True)
