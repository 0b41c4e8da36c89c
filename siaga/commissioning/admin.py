"""Read-mostly admin for co-commissioning (active once ``django.contrib.admin`` is installed).

Every change goes through ``commissioning.services`` (access policy, audit, contribution
ledger), so the admin only lists and shows rows: it adds, changes and deletes nothing. Votes are
secret ballots and are deliberately not registered.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Assessment, Decision, Need, Proposal, ProposalItem, Round, RoundResult


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists and shows rows; writes belong to the services."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ProposalItemInline(admin.TabularInline):
    model = ProposalItem
    extra = 0
    can_delete = False
    readonly_fields = ("description", "quantity", "unit_cost", "funded_by", "kind", "stock_item")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Need)
class NeedAdmin(ReadOnlyAdmin):
    list_display = ("title", "territory", "category", "urgency", "status", "households_affected")
    list_filter = ("status", "category", "urgency")
    search_fields = ("title", "territory__code")
    list_select_related = ("territory",)
    date_hierarchy = "created_at"


@admin.register(Round)
class RoundAdmin(ReadOnlyAdmin):
    list_display = (
        "title",
        "territory",
        "envelope_source",
        "envelope_amount",
        "voting_from",
        "voting_until",
        "closed_at",
    )
    list_filter = ("envelope_source",)
    search_fields = ("title", "territory__code")
    list_select_related = ("territory",)


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    list_display = ("title", "territory", "round", "requested_amount", "community_amount")
    list_filter = ("withdrawn",)
    search_fields = ("title", "territory__code")
    list_select_related = ("territory", "round")
    inlines = (ProposalItemInline,)


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ("proposal", "feasible", "corrected_amount", "assessed_by", "assessed_at")
    list_filter = ("feasible",)
    list_select_related = ("proposal", "assessed_by")


@admin.register(RoundResult)
class RoundResultAdmin(ReadOnlyAdmin):
    list_display = ("round", "rank", "proposal", "votes", "amount", "outcome", "remaining_after")
    list_filter = ("outcome",)
    list_select_related = ("round", "proposal")


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ("proposal", "territory", "outcome", "approved_amount", "decided_by")
    list_filter = ("outcome",)
    list_select_related = ("proposal", "territory", "decided_by")
