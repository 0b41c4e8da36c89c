from __future__ import annotations

from typing import Any

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


def test_audited_update_saves_and_records_only_what_changed(world: Any) -> None:
    rw = world.t["rw006"]
    old_name = rw.name
    before = AuditEntry.objects.count()
    changes = audit.audited_update(
        actor=world.users["root"],
        obj=rw,
        changes={"name": "RW 006 Baru"},
        territory_id=rw.pk,
        summary="renamed",
    )
    assert changes == {"name": [old_name, "RW 006 Baru"]}
    rw.refresh_from_db()
    assert rw.name == "RW 006 Baru"
    entry = AuditEntry.objects.latest("id")
    assert (entry.action, entry.summary, entry.changes) == ("update", "renamed", changes)
    assert entry.territory_id == rw.pk
    # The same values again: nothing to save, nothing recorded.
    again = audit.audited_update(actor=world.users["root"], obj=rw, changes={"name": rw.name})
    assert again == {}
    assert AuditEntry.objects.count() == before + 1


def test_tracked_update_saves_worked_out_changes_and_nothing_on_error(world: Any) -> None:
    rw = world.t["rw006"]
    old_name = rw.name
    before = AuditEntry.objects.count()
    with audit.tracked_update(
        actor=world.users["root"], obj=rw, fields=["name"], territory_id=rw.pk
    ) as changed:
        rw.name = rw.name.upper() + " (baru)"
    assert changed == {"name": [old_name, old_name.upper() + " (baru)"]}
    rw.refresh_from_db()
    assert rw.name == old_name.upper() + " (baru)"
    assert AuditEntry.objects.count() == before + 1
    # An exception inside: the change is neither saved nor recorded.
    try:
        with audit.tracked_update(actor=world.users["root"], obj=rw, fields=["name"]):
            rw.name = "never saved"
            raise ValueError("refused")
    except ValueError:
        pass
    rw.refresh_from_db()
    assert rw.name == old_name.upper() + " (baru)"
    assert AuditEntry.objects.count() == before + 1


def test_snapshot_reads_foreign_keys_by_id(world: Any) -> None:
    rt = world.t["rt003"]
    assert audit.snapshot(rt, ["parent", "code"]) == {"parent": rt.parent_id, "code": rt.code}
