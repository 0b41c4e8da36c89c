from __future__ import annotations

import pytest

from siaga.core import audit
from siaga.core.context import CLI, interface
from siaga.core.models import AppendOnlyError, AuditEntry


@pytest.mark.django_db
def test_audit_entries_are_append_only() -> None:
    entry = audit.record(actor=None, action="view", object_type="x", object_id="1")
    entry.summary = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.update(summary="x")
    assert AuditEntry.objects.get().summary == ""


@pytest.mark.django_db
def test_audit_records_the_interface() -> None:
    with interface(CLI):
        entry = audit.record(actor=None, action="create", object_type="x", object_id="1")
    assert entry.interface == "cli"
    assert audit.record(actor=None, action="create", object_type="x").interface == "system"


def test_diff_lists_changed_fields_only() -> None:
    assert audit.diff({"a": 1, "b": "x"}, {"a": 1, "b": "y", "c": None}) == {"b": ["x", "y"]}
