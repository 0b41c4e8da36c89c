"""Change sets ({field: [old, new]}, as the audit trail and the plan history store them) as
sentences in the reader's language.

Field names become their verbose names, choice codes their labels, dates and times are
formatted for the active language, foreign keys are named (one query per related model for a
whole page), booleans read yes/no. One formatter for every page that shows a change set.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from siaga.core.models import AuditAction

ModelRef = type[models.Model] | str | None


def model_for(ref: ModelRef) -> type[models.Model] | None:
    """A model class from a class or an ``app_label.model_name`` label (None when unknown)."""
    if ref is None or isinstance(ref, type):
        return ref
    try:
        return apps.get_model(ref)
    except (LookupError, ValueError):
        return None


def object_label(ref: ModelRef) -> str:
    """The model's verbose name ("kegiatan"); the raw label for an unknown model."""
    model = model_for(ref)
    if model is None:
        return str(ref or "")
    return str(model._meta.verbose_name)


def is_default_str(summary: str, ref: ModelRef) -> bool:
    """Whether ``summary`` is Django's "Delivery object (10209)", which says nothing to people."""
    model = model_for(ref)
    return model is not None and summary.startswith(f"{model.__name__} object (")


def _field(model: type[models.Model] | None, name: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    for candidate in (name, name.removesuffix("_id")):
        try:
            field = model._meta.get_field(candidate)
        except FieldDoesNotExist:
            continue
        return field if isinstance(field, models.Field) else None
    return None


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


class _Names:
    """Names of the related objects that a batch of change sets points at."""

    def __init__(self) -> None:
        self.wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
        self.found: dict[tuple[type[models.Model], str], str] = {}

    def want(self, field: models.Field[Any, Any], value: Any) -> None:
        if field.is_relation and field.related_model is not None and not _empty(value):
            self.wanted[field.related_model].add(value)  # type: ignore[index]

    def fetch(self) -> None:
        for model, keys in self.wanted.items():
            for obj in model._default_manager.filter(pk__in=keys):
                self.found[(model, str(obj.pk))] = str(obj)

    def name(self, field: models.Field[Any, Any], value: Any) -> str:
        model = field.related_model
        return self.found.get((model, str(value)), f"#{value}")  # type: ignore[arg-type]


def _format(field: models.Field[Any, Any] | None, value: Any, names: _Names) -> str:
    if _empty(value):
        return "—"
    if isinstance(value, list):
        return ", ".join(_format(field, v, names) for v in value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field is not None and field.choices:
        labels = {str(k): v for k, v in field.flatchoices}
        if str(value) in labels:
            return str(labels[str(value)])
    if field is not None and field.is_relation:
        return names.name(field, value)
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        moment = parse_datetime(value)
        if moment is not None:
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return formats.date_format(moment, "j M Y H:i")
    if isinstance(field, models.DateField) and isinstance(value, str):
        day = _parse_day(value)
        if day is not None:
            return formats.date_format(day, "j M Y")
    if isinstance(value, int | float):
        return str(formats.localize(value, use_l10n=True))
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_format(None, v, names)}" for k, v in value.items())
    return str(value)


def _parse_day(value: str) -> dt.date | None:
    try:
        return parse_date(value)
    except ValueError:
        return None


def _sentence(label: str, old: str, new: str, old_empty: bool, new_empty: bool) -> str:
    if old_empty:
        return _("%(field)s set to %(new)s") % {"field": label, "new": new}
    if new_empty:
        return _("%(field)s cleared (was %(old)s)") % {"field": label, "old": old}
    return _("%(field)s changed from %(old)s to %(new)s") % {
        "field": label,
        "old": old,
        "new": new,
    }


def _pair(field: models.Field[Any, Any] | None, values: Any) -> tuple[Any, Any]:
    """(old, new): diffs store [old, new]; some entries store only the new value."""
    if isinstance(values, list | tuple) and len(values) == 2:
        if not isinstance(field, models.JSONField):
            return values[0], values[1]
        if all(v is None or isinstance(v, list | dict) for v in values):
            return values[0], values[1]
    return None, values


def describe_all(items: Sequence[tuple[ModelRef, Mapping[str, Any]]]) -> list[list[str]]:
    """For each (model, changes): the changes as sentences, in order."""
    names = _Names()
    resolved = []
    for ref, changes in items:
        model = model_for(ref)
        rows = []
        for name, values in (changes or {}).items():
            field = _field(model, name)
            old, new = _pair(field, values)
            if field is not None:
                names.want(field, old)
                names.want(field, new)
            rows.append((name, field, old, new))
        resolved.append(rows)
    names.fetch()
    out = []
    for rows in resolved:
        sentences = []
        for name, field, old, new in rows:
            label = capfirst(
                str(field.verbose_name) if field is not None else name.replace("_", " ")
            )
            sentences.append(
                _sentence(
                    label,
                    _format(field, old, names),
                    _format(field, new, names),
                    _empty(old),
                    _empty(new),
                )
            )
        out.append(sentences)
    return out


def describe(ref: ModelRef, changes: Mapping[str, Any]) -> list[str]:
    """One change set as sentences (for a page of them use ``describe_all``: fewer queries)."""
    return describe_all([(ref, changes)])[0]


def action_sentence(action: str, ref: ModelRef, summary: str = "") -> str:
    """ "Changed activity “Posko check”": what was done to which record, as a sentence."""
    what = object_label(ref)
    if summary and not is_default_str(summary, ref):
        what = f"{what} “{summary}”"
    if action == AuditAction.CREATE:
        return _("Created %(object)s") % {"object": what}
    if action == AuditAction.UPDATE:
        return _("Changed %(object)s") % {"object": what}
    if action == AuditAction.DELETE:
        return _("Deleted %(object)s") % {"object": what}
    label = dict(AuditAction.choices).get(action, action)
    return f"{capfirst(str(label))}: {what}"
