"""Reading the data files in inspections/data/. Each file has a small typed loader beside
this module (`demo`, `scale`); they read through `Table`, which checks every value as it
is read and names the file and key of a wrong, missing or unknown one, so a mistake in a
data file fails loudly on loading rather than somewhere later."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


class DataFileError(ValueError):
    pass


class _Missing:
    pass


MISSING: Any = _Missing()


class Table:
    """One TOML table. Getters take the key and, for optional keys, a default; `done()`
    refuses keys nobody read (a misspelt key would otherwise be silently ignored)."""

    def __init__(self, values: dict[str, Any], where: str, key: str | None = None) -> None:
        self.values = values
        self.where = where
        self.key = key
        self._read: set[str] = set()
        self._children: list[Table] = []

    def _get(self, key: str, kind: type | tuple[type, ...], default: Any) -> Any:
        self._read.add(key)
        if key not in self.values:
            if default is MISSING:
                raise DataFileError(f"{self.where}: {key} is missing.")
            return default
        value = self.values[key]
        # bool is an int in Python; in a data file it is not a number.
        if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _kinds(kind)):
            raise DataFileError(f"{self.where}: {key} = {value!r} is not {_name(kind)}.")
        return value

    def text(self, key: str, default: str | _Missing = MISSING) -> str:
        value: str = self._get(key, str, default)
        return value

    def integer(self, key: str, default: int | _Missing = MISSING) -> int:
        value: int = self._get(key, int, default)
        return value

    def optional_integer(self, key: str) -> int | None:
        value: int | None = self._get(key, int, None)
        return value

    def number(self, key: str, default: float | _Missing = MISSING) -> float:
        value: float = self._get(key, (int, float), default)
        return float(value)

    def flag(self, key: str, default: bool | _Missing = MISSING) -> bool:
        value: bool = self._get(key, bool, default)
        return value

    def optional_day(self, key: str) -> dt.date | None:
        """An optional date, written as a TOML date (2023-07-20)."""
        value: dt.date | None = self._get(key, dt.date, None)
        if isinstance(value, dt.datetime):
            raise DataFileError(f"{self.where}: {key} must be a date without a time.")
        return value

    def texts(self, key: str, default: list[str] | _Missing = MISSING) -> list[str]:
        values: list[Any] = self._get(key, list, default)
        for value in values:
            if not isinstance(value, str):
                raise DataFileError(f"{self.where}: {key} must list text only.")
        return list(values)

    def choice[E: Enum](self, key: str, enum: type[E], default: E | _Missing = MISSING) -> E:
        """A value of one of the app's choices (ReportType, ActionStatus, ...)."""
        raw = self._get(key, str, default)
        if isinstance(raw, enum):
            return raw
        try:
            return enum(raw)
        except ValueError:
            allowed = ", ".join(str(member.value) for member in enum)
            raise DataFileError(f"{self.where}: {key} = {raw!r} is not one of {allowed}.") from None

    def optional_choice[E: Enum](self, key: str, enum: type[E]) -> E | None:
        if key not in self.values:
            self._read.add(key)
            return None
        return self.choice(key, enum)

    def table(self, key: str, default: dict[str, Any] | _Missing = MISSING) -> Table:
        """The same Table each time for the same key, so what was read of it adds up."""
        for child in self._children:
            if child.key == key:
                return child
        values: dict[str, Any] = self._get(key, dict, default)
        child = Table(values, f"{self.where}: {key}", key=key)
        self._children.append(child)
        return child

    def optional_table(self, key: str) -> Table | None:
        if key not in self.values:
            self._read.add(key)
            return None
        return self.table(key)

    def tables(self, key: str, default: list[Any] | _Missing = MISSING) -> list[Table]:
        values: list[Any] = self._get(key, list, default)
        children = []
        for index, value in enumerate(values):
            if not isinstance(value, dict):
                raise DataFileError(f"{self.where}: {key}[{index}] is not a table.")
            children.append(Table(value, f"{self.where}: {key}[{index}]"))
        self._children += children
        return children

    def weights(self, key: str) -> dict[str, float]:
        """A table of option = weight; the weights are relative and need not add up to 1."""
        table = self.table(key)
        weights = {name: table.number(name) for name in table.names()}
        if not weights or any(w < 0 for w in weights.values()) or not sum(weights.values()):
            raise DataFileError(f"{table.where}: weights must be positive numbers.")
        return weights

    def names(self) -> Iterator[str]:
        return iter(list(self.values))

    def done(self) -> None:
        """Refuse keys that no getter read, here and in every table read from this one."""
        unread = sorted(set(self.values) - self._read)
        if unread:
            raise DataFileError(f"{self.where}: unknown key {', '.join(unread)}.")
        for child in self._children:
            child.done()


def _kinds(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _name(kind: type | tuple[type, ...]) -> str:
    names = {str: "text", int: "a whole number", float: "a number", bool: "true or false"}
    names |= {dt.date: "a date", list: "a list", dict: "a table"}
    return " or ".join(names.get(k, k.__name__) for k in _kinds(kind))


def read_toml(name: str) -> Table:
    path = DATA_DIR / name
    with path.open("rb") as handle:
        try:
            values = tomllib.load(handle)
        except tomllib.TOMLDecodeError as error:
            raise DataFileError(f"{name}: {error}") from None
    return Table(values, name)


def read_text(name: str) -> str:
    return (DATA_DIR / name).read_text(encoding="utf-8")
