"""Change sets as sentences: verbose names, choice labels, dates, named foreign keys."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from siaga.core import audit
from siaga.core.changes import action_sentence, describe, describe_all, object_label
from siaga.core.models import AuditAction, AuditEntry


def test_fields_choices_dates_and_empties_read_as_sentences() -> None:
    lines = describe(
        "core.auditentry",
        {
            "action": ["view", "export"],
            "at": [None, "2026-12-04T07:30:00+00:00"],
            "summary": ["Old", None],
        },
    )
    assert lines == [
        "Action changed from view to export",
        "At set to 4 Dec 2026 14:30",  # Asia/Jakarta
        "Summary cleared (was Old)",
    ]


def test_an_entry_with_only_new_values_is_not_read_letter_by_letter() -> None:
    """The audit list showed "category: s → u" for {"category": "suspek"}."""
    assert describe("core.auditentry", {"action": "view"}) == ["Action set to view"]


def test_unknown_models_and_fields_are_humanised() -> None:
    assert describe("nope.nothing", {"closed_on": [None, True]}) == ["Closed on set to yes"]
    assert object_label("core.auditentry") == "audit entry"


@pytest.mark.django_db
def test_foreign_keys_are_named_in_one_query_per_model(world, django_assert_num_queries) -> None:
    rt = world.t["rt003"]
    with django_assert_num_queries(1):
        lines = describe_all([("core.auditentry", {"territory": [None, rt.pk]})] * 3)
    assert lines[0] == [f"Territory set to {rt}"]


def test_action_sentences_name_the_record_not_django_s_default() -> None:
    assert action_sentence("update", "core.auditentry", "X") == "Changed audit entry “X”"
    assert action_sentence("delete", "core.auditentry", "AuditEntry object (7)") == (
        "Deleted audit entry"
    )
    with translation.override("id"):
        assert "update" not in action_sentence("update", "core.auditentry", "X")


@pytest.mark.django_db
def test_audit_list_shows_changes_as_sentences_and_no_default_object_names(world) -> None:
    root = world.users["root"]
    audit.record(
        actor=root,
        action=AuditAction.UPDATE,
        object_type="core.auditentry",
        object_id="10209",
        summary="AuditEntry object (10209)",
        territory_id=world.t["rt003"].pk,
        changes={"action": "view"},
    )
    user = world.users["admin"]
    user.language = "en"
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    html = client.get(reverse("core:audit"), {"object_type": "core.auditentry"}).content.decode()
    assert "object (10209)" not in html and "Audit entry <span" in html
    assert "Action set to view" in html
    assert "→" not in html


@pytest.mark.django_db
def test_record_does_not_store_django_s_default_str(world) -> None:
    first = audit.record(actor=None, action="update", object_type="x", summary="first")
    entry = audit.record(actor=None, action="update", obj=first)  # AuditEntry has no __str__
    assert entry.summary == "" and entry.object_id == str(first.pk)
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
