"""The right of access (AVG art. 15, *inzage*): the shape of an export, and the parts apps add.

An export is what the product holds about one person, gathered once into an
:class:`AccessExport` and shown two ways from that one structure: a printable page (each
:class:`Item` through :attr:`Item.display`) and a JSON download (:func:`as_json`). The page and
the file walk the same parts and items, so they cannot say different things.

Whose file, for whom, and what of other people stays out is the business of the app that keeps
the file (``placements.inzage`` for a child's file). Other apps add the parts they hold about the
person without that app importing them — the shape of :mod:`pleegzorg.panels`::

    access_request.register_part("child", key="stays", source=child_stays_part)

A source is called with the person the file is about, the person the export is for and the
:class:`Audience`, and returns a :class:`Part` (None: nothing to add). It runs a fixed number of
queries, whatever the amount of data, and leaves out other people's data as its docstring says.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db.models import Model
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from pleegzorg.db import field_at


class Audience(StrEnum):
    """Who receives the export: the person themselves, or someone entitled to act for them (a
    parent with custody, for a child's file)."""

    SELF = "self"
    REPRESENTATIVE = "representative"


@dataclass(frozen=True)
class Item:
    """One fact: ``key`` for the JSON, ``label`` for the page, the ``value`` as held (a text, a
    number, a date, a moment, yes/no, a list of texts, or None)."""

    key: str
    label: str
    value: Any

    @property
    def display(self) -> str:
        return display(self.value)


Record = tuple[Item, ...]


@dataclass(frozen=True)
class Part:
    """A part of the export: the facts of one record (``items``) and/or a list of records.
    ``empty`` says what an empty list means; ``as_table`` shows the records as a table (short
    facts, many rows: the access log)."""

    key: str
    title: str
    items: Record = ()
    records: tuple[Record, ...] = ()
    empty: str = ""
    as_table: bool = False

    @property
    def columns(self) -> Record:
        """The items of the first record: the table's head."""
        return self.records[0] if self.records else ()


@dataclass(frozen=True)
class AccessExport:
    about: str  # whose file: "Sanne Visser"
    recipient: str  # for whom: "Sanne Visser", "Jan Visser"
    recipient_role: str  # "foster child", "mother, with custody"
    audience: Audience
    made_at: dt.datetime
    made_by: str
    parts: list[Part]
    left_out: list[str] = field(default_factory=list)


def display(value) -> str:
    """A value as the page shows it: dates as 23-11-2026, yes/no in words, a list one a line."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.datetime):
        return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, list | tuple):
        return "\n".join(display(v) for v in value) if value else "—"
    return str(value)


def field_label(model: type[Model], path: str) -> str:
    """The label of the model field at ``path`` (``"caseworker__first_name"``), capitalised."""
    return capfirst(str(field_at(model, path).verbose_name))


def field_value(model: type[Model], path: str, value):
    """A choice as its label (in the language of the export); anything else as held."""
    field = field_at(model, path)
    if field.choices and value not in (None, ""):
        return str(dict(field.flatchoices).get(value, value))
    return value


def facts(
    model: type[Model], row: Mapping[str, Any], paths, labels: Mapping | None = None
) -> Record:
    """An item per path of ``row`` (a dict of values read from ``model``), labelled by the
    model's field unless ``labels`` says otherwise."""
    labels = labels or {}
    return tuple(
        Item(
            key=path.replace("__", "_"),
            label=str(labels.get(path) or field_label(model, path)),
            value=field_value(model, path, row[path]),
        )
        for path in paths
    )


def values_of(obj: Model, paths) -> dict[str, Any]:
    """The ``row`` of :func:`facts` for a record in hand (simple field names only)."""
    return {path: getattr(obj, path) for path in paths}


def json_value(value):
    """A value as the JSON holds it: dates and moments in ISO 8601 (moments in Dutch time)."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if isinstance(value, Promise):
        return str(value)
    return value


def _items_json(items: Record) -> list[dict]:
    return [
        {"key": item.key, "label": str(item.label), "value": json_value(item.value)}
        for item in items
    ]


def as_json(export: AccessExport) -> dict:
    """The export as the JSON download holds it: every part with its items and records, each
    item with its key, its label and its value."""
    return {
        "format": "pleegzorg-inzage/1",
        "about": export.about,
        "recipient": {"name": export.recipient, "role": str(export.recipient_role)},
        "made_at": json_value(export.made_at),
        "made_by": export.made_by,
        "parts": [
            {
                "key": part.key,
                "title": str(part.title),
                "items": _items_json(part.items),
                "records": [_items_json(record) for record in part.records],
            }
            for part in export.parts
        ],
        "left_out": [str(reason) for reason in export.left_out],
    }


# -- the registry of parts ---------------------------------------------------------------------

PartSource = Callable[[Any, Any, Audience], Part | None]

_sources: dict[str, dict[str, PartSource]] = {}


def register_part(slot: str, *, key: str, source: PartSource) -> None:
    """Add a part to the exports of ``slot``; registering a key again replaces it (ready() may
    run twice)."""
    _sources.setdefault(slot, {})[key] = source


def parts_for(slot: str, about, recipient, audience: Audience) -> list[Part]:
    """The parts other apps add to an export of ``slot``, in the order they were registered."""
    parts = []
    for source in _sources.get(slot, {}).values():
        part = source(about, recipient, audience)
        if part is not None:
            parts.append(part)
    return parts
