"""How the volunteers' tasks name an aid request: the household it is for, with the package as
the task's detail (registered in ``apps.ready``: the volunteers app may not import logistics)."""

from __future__ import annotations

from django.urls import reverse

from siaga.core.roles import Perm
from siaga.logistics.models import AidRequest
from siaga.volunteers.selectors import Subject, household_name, register_subject


def register() -> None:
    register_subject(
        AidRequest,
        queryset=lambda: AidRequest.objects.select_related(
            "household__head", "household__rt", "template"
        ),
        perm=Perm.LOGISTICS_VIEW,
        describe=lambda a: Subject(
            household_name(a.household), reverse("logistics:aid"), detail=a.template.name
        ),
    )
