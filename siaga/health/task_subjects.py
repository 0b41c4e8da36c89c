"""How the volunteers' tasks name health's subjects: the case, contact or referral a task is
about, as "Budi Santoso, RT 003 / RW 006" linked to its page (registered in ``apps.ready``:
the volunteers app may not import health)."""

from __future__ import annotations

from django.urls import reverse

from siaga.core.roles import Perm
from siaga.core.templatetags.siaga_ui import rt_label
from siaga.health.models import Case, Contact, Referral
from siaga.volunteers.selectors import Subject, register_subject


def register() -> None:
    register_subject(
        Case,
        queryset=lambda: Case.objects.select_related("resident", "rt"),
        perm=Perm.HEALTH_VIEW,
        describe=lambda c: Subject(
            f"{c.resident.name}, {rt_label(c.rt.code)}", reverse("health:case", args=[c.pk])
        ),
    )
    register_subject(
        Contact,
        queryset=lambda: Contact.objects.select_related("resident", "rt"),
        perm=Perm.HEALTH_VIEW,
        describe=lambda c: Subject(
            f"{c.resident.name}, {rt_label(c.rt.code)}",
            reverse("health:case", args=[c.case_id]) if c.case_id else reverse("health:contacts"),
        ),
    )
    register_subject(
        Referral,
        queryset=lambda: Referral.objects.select_related("resident", "rt"),
        perm=Perm.HEALTH_VIEW,
        describe=lambda r: Subject(
            f"{r.resident.name}, {rt_label(r.rt.code)}", reverse("health:referral", args=[r.pk])
        ),
    )
