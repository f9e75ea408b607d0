"""The version check for stale forms (optimistic locking), shared by every app.

A record that two people may edit at once inherits ``Versioned``; its form (``VersionedModelForm``)
carries the version the user saw, and the service saves with ``save_versioned``, which writes only
if nobody saved the row since. Otherwise it raises ``StaleRecord``, a ``ValidationError``, so the
form shows the message and keeps what the user typed; nothing already saved is lost.
"""

from __future__ import annotations

import copy

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class Versioned(models.Model):
    """Optimistic locking: a form carries the version it showed; saving another version fails."""

    version = models.PositiveIntegerField(gettext_lazy("version"), default=1, editable=False)
    updated_at = models.DateTimeField(gettext_lazy("last changed"), auto_now=True)

    class Meta:
        abstract = True


class StaleRecord(ValidationError):
    def __init__(self):
        super().__init__(
            _(
                "Someone else changed this in the meantime. Your changes have not been saved: "
                "look at the current version below and make your change again."
            ),
            code="stale",
        )


def save_versioned(instance: Versioned, *, version: int, fields: list[str]) -> None:
    """Save ``fields`` only if nobody saved the row since ``version`` was shown, then bump it.

    Validates the saved fields the way ``full_clean()`` does (the others are not touched).
    Raises ``StaleRecord`` when the row has another version by now, or when no version came
    with the change (a form posted without it cannot show it saw the row as it is)."""
    if version is None:
        raise StaleRecord
    instance.full_clean(exclude=[f.name for f in instance._meta.fields if f.name not in fields])
    values = {name: getattr(instance, name) for name in fields}
    values["updated_at"] = timezone.now()
    updated = (
        type(instance)
        ._default_manager.filter(pk=instance.pk, version=version)
        .update(version=version + 1, **values)
    )
    if not updated:
        raise StaleRecord
    instance.version = version + 1


class VersionedModelForm(forms.ModelForm):
    """Carries the version the user saw, so a save over someone else's change is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = self.instance.version

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}

    def versioned_changes(self) -> dict:
        """The keyword arguments of a versioned update service: ``version`` and ``changes``."""
        return {"version": self.cleaned_data["version"], "changes": self.changes()}

    def over_current(self) -> VersionedModelForm:
        """After a ``StaleRecord``: the same form on the record as it is saved now, keeping what
        the user typed but carrying the current version, so that saving again is a choice made
        with the other person's change in sight. Validated, so that errors can be added;
        ``saved_now`` on it is the record as saved, untouched by what the user typed."""
        saved_now = type(self.instance)._default_manager.get(pk=self.instance.pk)
        data = self.data.copy()
        data[self.add_prefix("version")] = saved_now.version
        form = type(self)(data, instance=copy.copy(saved_now), prefix=self.prefix)
        form.is_valid()
        form.saved_now = saved_now
        return form
