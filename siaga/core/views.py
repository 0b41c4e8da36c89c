"""The read-only audit trail browser (the home page lives in siaga.home)."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from siaga.core import changes, policy
from siaga.core.context import INTERFACES
from siaga.core.models import AuditAction, AuditEntry
from siaga.core.roles import Perm


def _object_types() -> list[str]:
    return sorted(
        model._meta.label_lower
        for model in apps.get_models()
        if model.__module__.startswith("siaga.")
    )


@require_safe
@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    policy.require_somewhere(request.user, Perm.AUDIT_VIEW)
    entries = policy.scope(
        AuditEntry.objects.select_related("territory"), request.user, Perm.AUDIT_VIEW
    )
    action = request.GET.get("action", "")
    interface = request.GET.get("interface", "")
    object_type = request.GET.get("object_type", "").strip()
    if action in AuditAction.values:
        entries = entries.filter(action=action)
    if interface in INTERFACES:
        entries = entries.filter(interface=interface)
    if object_type:
        entries = entries.filter(object_type=object_type)
    page = Paginator(entries.order_by("-at", "-id"), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    shown = list(page.object_list)
    described = changes.describe_all([(e.object_type, e.changes) for e in shown])
    rows = [
        {
            "entry": entry,
            "object": changes.object_label(entry.object_type),
            "summary": ""
            if changes.is_default_str(entry.summary, entry.object_type)
            else entry.summary,
            "changes": lines,
        }
        for entry, lines in zip(shown, described, strict=True)
    ]
    return render(
        request,
        "core/audit_list.html",
        {
            "page": page,
            "rows": rows,
            "actions": AuditAction.choices,
            "action_labels": dict(AuditAction.choices),
            "interfaces": INTERFACES,
            "object_types": _object_types(),
            "selected": {"action": action, "interface": interface, "object_type": object_type},
        },
    )
