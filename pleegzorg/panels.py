"""Panels that an app adds to another app's page, without that page importing the app.

A page names a slot (the child file's is ``"child_file"``, the start page's ``"start"``) and
shows, in its place, every panel registered for it: a template, and a callable that gives the
template its context for the user looking and the record shown. An app registers its panels
when it is ready::

    panels.register("child_file", name="stays", template="...", context=child_stays_panel)

The same shape as ``register_person_policy``, after Wagtail's hooks: the page knows the slot, the
app knows its panel, neither imports the other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Context = Callable[[Any, Any], dict | None]


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    context: Context
    order: int = 100


@dataclass(frozen=True)
class ShownPanel:
    """A panel ready to render: ``{% include panel.template with panel=panel.context %}``."""

    name: str
    template: str
    context: dict


_panels: dict[str, dict[str, Panel]] = {}


def register(slot: str, *, name: str, template: str, context: Context, order: int = 100) -> None:
    """Add a panel to ``slot``; registering a name again replaces it (ready() may run twice).
    Panels show by ``order``, then in the order they were registered."""
    _panels.setdefault(slot, {})[name] = Panel(
        name=name, template=template, context=context, order=order
    )


def for_page(slot: str, user, obj) -> list[ShownPanel]:
    """The panels of ``slot`` in their order (see :func:`register`), each with its context. A panel
    whose context is None has nothing for this user and is left out (the start page's slot
    ``"start"`` shows a caseworker's "Mijn werk", and nothing to the other roles)."""
    shown = []
    for panel in sorted(_panels.get(slot, {}).values(), key=lambda panel: panel.order):
        context = panel.context(user, obj)
        if context is not None:
            shown.append(ShownPanel(name=panel.name, template=panel.template, context=context))
    return shown
