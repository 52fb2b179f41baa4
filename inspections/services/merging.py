"""Saving an edit that started from an older version, without losing anyone's work.

Every edited record (report, finding, response, entry, action) carries a `version`,
moved on by each save. A form posts the version the user opened. When the record has
moved on since, the user's values are merged field by field against that version, read
back from the record's django-simple-history rows (never from values the browser sent):

- a field the user left as it was takes the saved value (the colleague's change stays);
- a field only the user changed takes the user's value;
- a field both changed, to different values, is a conflict, for the user to settle.

Many-to-many fields (partner inspectorates, forces, addressees) merge as whole sets: one
person's new set wins over an unchanged one, and two different new sets conflict.

If the version the user opened is not in the history (a forged or unknown number), every
field whose value differs from the saved one is a conflict: nothing is overwritten
without the user seeing it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models

__all__ = ["EditConflict", "MergeResult", "kept_changes", "merge", "note_kept"]


@dataclass(frozen=True)
class MergeResult[M: models.Model]:
    current: M  # the row as saved now, locked until the transaction ends
    merged: dict[str, Any]  # what to save: the user's values merged with the saved ones
    conflicts: tuple[str, ...] = ()  # fields both changed to different values
    theirs: dict[str, Any] = field(default_factory=dict)  # saved values of the conflicts
    kept: tuple[str, ...] = ()  # fields where a colleague's change was kept
    changed: tuple[str, ...] = ()  # fields whose merged value differs from the saved one


class EditConflict(Exception):
    """Someone else saved the record after the user opened it, and changed a field the
    user changed too. `result` carries the merge (None where a step refuses outright)."""

    def __init__(self, result: MergeResult[Any] | None = None) -> None:
        super().__init__("The record changed since the user opened it.")
        self.result = result


def _key(model_field: Any, value: Any) -> Any:
    """A value in a form that compares across the form, the row and its history: related
    rows by primary key, many-to-many sets as frozen sets of keys."""
    if model_field.many_to_many:
        return frozenset(v.pk if isinstance(v, models.Model) else v for v in value or ())
    if model_field.many_to_one or model_field.one_to_one:
        return value.pk if isinstance(value, models.Model) else value
    return value


def _keys_now(current: models.Model, names: Iterable[str]) -> dict[str, Any]:
    """The comparable values of a row as saved now."""
    keys: dict[str, Any] = {}
    for name in names:
        model_field: Any = current._meta.get_field(name)
        if model_field.many_to_many:
            keys[name] = frozenset(getattr(current, name).values_list("pk", flat=True))
        else:
            keys[name] = getattr(current, model_field.attname)
    return keys


def _keys_then(model: type[models.Model], row: Any, names: Iterable[str]) -> dict[str, Any]:
    """The comparable values of a historical row: its columns, and the sets its
    many-to-many history table holds for it."""
    keys: dict[str, Any] = {}
    for name in names:
        model_field: Any = model._meta.get_field(name)
        if model_field.many_to_many:
            through = getattr(model.history.model, name).model  # type: ignore[attr-defined]
            target = model_field.m2m_reverse_field_name()
            members = through.objects.filter(history_id=row.history_id)
            keys[name] = frozenset(members.values_list(target, flat=True))
        else:
            keys[name] = getattr(row, model_field.attname)
    return keys


def _saved_value(current: models.Model, name: str) -> Any:
    """A saved value as the services take it: related rows, lists for sets."""
    if current._meta.get_field(name).many_to_many:
        return list(getattr(current, name).all())
    return getattr(current, name)


def merge[M: models.Model](
    model: type[M],
    pk: Any,
    base_version: int | None,
    submitted: Mapping[str, Any],
    *,
    check: Callable[[Mapping[str, Any]], Iterable[str]] | None = None,
) -> MergeResult[M]:
    """Merge `submitted` (field name to the user's value, as a form cleans it) made on
    `base_version` into the row as saved now, which it locks: call it inside the
    transaction that saves. `base_version` None means the user started from no row at
    all. `check`, given the merged values, names the fields of any rule the merge itself
    broke (a status from one person and a percentage from another that disagree); those
    become conflicts too."""
    current = model._default_manager.select_for_update().get(pk=pk)
    merged = dict(submitted)
    names = list(submitted)
    theirs = _keys_now(current, names)
    mine = {name: _key(model._meta.get_field(name), value) for name, value in submitted.items()}
    if base_version is not None and getattr(current, "version", None) == base_version:
        changed = tuple(name for name in names if mine[name] != theirs[name])
        return MergeResult(current=current, merged=merged, changed=changed)

    base_row = None
    if base_version is not None:
        base_row = (
            model.history.filter(id=pk, version=base_version)  # type: ignore[attr-defined]
            .order_by("-history_id")
            .first()
        )
    base = _keys_then(model, base_row, names) if base_row is not None else None

    conflicts: list[str] = []
    kept: list[str] = []
    for name in names:
        if mine[name] == theirs[name]:
            continue
        if base is not None and mine[name] == base[name]:
            merged[name] = _saved_value(current, name)  # only they changed it
            kept.append(name)
        elif base is not None and theirs[name] == base[name]:
            continue  # only the user changed it
        else:
            conflicts.append(name)

    if check is not None and not conflicts:
        broken = set(check(merged))
        if broken and not set(check({name: _saved_value(current, name) for name in names})):
            # The merge, not either version, broke a rule: let the user decide.
            conflicts = [
                name for name in names if name in broken and mine[name] != theirs[name]
            ] or [name for name in names if name in broken]
            for name in conflicts:
                merged[name] = submitted[name]
    merged_keys = {name: _key(model._meta.get_field(name), merged[name]) for name in names}
    return MergeResult(
        current=current,
        merged=merged,
        changed=tuple(name for name in names if merged_keys[name] != theirs[name]),
        conflicts=tuple(conflicts),
        theirs={name: _saved_value(current, name) for name in conflicts},
        kept=tuple(name for name in kept if name not in conflicts),
    )


# The fields of a save where a colleague's change was kept, for the message the user sees
# ("their change to the percentage was kept"). Set by the services on the row they return.
_KEPT = "_merge_kept"


def note_kept(instance: models.Model, result: MergeResult[Any]) -> None:
    setattr(instance, _KEPT, result.kept)


def kept_changes(instance: models.Model) -> tuple[str, ...]:
    return tuple(getattr(instance, _KEPT, ()))
