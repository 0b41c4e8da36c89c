"""Read-mostly admin for co-design (active once ``django.contrib.admin`` is installed).

Plans are versioned and meetings, attendance and comment moderation are audited by
``planning.services``; the admin only lists and shows rows. Attendance names people and is
shown only inside its meeting.
"""

from __future__ import annotations

from django.contrib import admin

from siaga.commissioning.admin import ReadOnlyAdmin

from .models import Activity, Comment, Meeting, MeetingDecision, Plan, PlanVersion


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ("title", "territory", "status", "budget", "version", "proposal")
    list_filter = ("status",)
    search_fields = ("title", "territory__code")
    list_select_related = ("territory", "proposal")


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ("title", "plan", "status", "percent", "budget", "spent", "is_milestone")
    list_filter = ("status", "is_milestone")
    search_fields = ("title", "plan__title")
    list_select_related = ("plan",)


@admin.register(PlanVersion)
class PlanVersionAdmin(ReadOnlyAdmin):
    list_display = ("plan", "number", "at", "actor_name", "action", "object_type", "summary")
    list_filter = ("action", "object_type")
    list_select_related = ("plan",)


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ("title", "territory", "kind", "starts_at", "status")
    list_filter = ("kind", "status")
    search_fields = ("title", "territory__code")
    list_select_related = ("territory",)
    date_hierarchy = "starts_at"


@admin.register(MeetingDecision)
class MeetingDecisionAdmin(ReadOnlyAdmin):
    list_display = ("meeting", "effect", "plan", "activity", "need", "decided_at")
    list_filter = ("effect",)
    list_select_related = ("meeting", "plan", "activity", "need")


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ("territory", "author", "created_at", "hidden", "hidden_reason", "hidden_by")
    list_filter = ("hidden",)
    list_select_related = ("territory", "author", "hidden_by")
