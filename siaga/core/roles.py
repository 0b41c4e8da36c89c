"""The one roles → permissions map. Every access decision reads it through core.policy."""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    WARGA = "warga", _("Resident (warga)")
    RELAWAN = "relawan", _("Volunteer (relawan)")
    PENGURUS = "pengurus", _("RT/RW head (pengurus)")
    FASILITATOR = "fasilitator", _("Facilitator (kelurahan, kecamatan, Dinkes)")
    # Held on each kelurahan of a puskesmas's working area; kept by health.services.puskesmas.
    PUSKESMAS = "puskesmas", _("Puskesmas staff")
    ADMIN = "admin", _("Administrator")


class Perm(StrEnum):
    TERRITORY_VIEW = "territory.view"
    TERRITORY_CREATE = "territory.create"
    REGISTRY_VIEW = "registry.view"
    REGISTRY_CHANGE = "registry.change"
    REGISTRY_EXPORT = "registry.export"
    AUDIT_VIEW = "audit.view"
    USER_MANAGE = "accounts.manage"
    # ---- health co-delivery (siaga.health) ----
    HEALTH_VIEW = "health.view"  # read health records (warga: own household only)
    HEALTH_RECORD = "health.record"  # record cases, monitoring, contacts, newcomers, doses
    HEALTH_SELF_REPORT = "health.self_report"  # warga: self-report monitoring for own household
    HEALTH_MANAGE = "health.manage"  # puskesmas/kelurahan: referrals, end of isolation, extensions
    HEALTH_PROTOCOL = "health.protocol"  # edit health protocols (admin)
    PUSKESMAS_MANAGE = "health.puskesmas"  # puskesmas (working area, staff) and destinations
    # ---- co-commissioning and co-design (siaga.commissioning, siaga.planning) ----
    COMMUNITY_VIEW = "community.view"  # read needs, proposals, rounds, plans, meetings
    NEEDS_RAISE = "commissioning.raise"  # record and support needs, comment
    PROPOSAL_MANAGE = "commissioning.propose"  # submit proposals, merge and close needs
    ROUND_MANAGE = "commissioning.round"  # budget rounds, feasibility assessment, closing
    DECISION_MAKE = "commissioning.decide"  # commissioning decisions on winning proposals
    VOTE_RECORD = "commissioning.record_vote"  # record a resident's vote at a meeting
    PLAN_EDIT = "planning.edit"  # plans and their activities
    PROGRESS_UPDATE = "planning.progress"  # progress of activities (relawan: their own)
    MEETING_MANAGE = "planning.meeting"  # meetings, attendance, minutes, decisions
    COMMENT_MODERATE = "planning.moderate"  # hide and restore comments
    # ---- volunteers and logistics co-delivery (siaga.volunteers, siaga.logistics) ----
    VOLUNTEER_VIEW = "volunteers.view"  # volunteers, teams, shifts, tasks of an area
    VOLUNTEER_JOIN = "volunteers.join"  # warga: offer to volunteer in their own RW
    VOLUNTEER_WORK = "volunteers.work"  # take and finish tasks, sign up for shifts, check in
    VOLUNTEER_MANAGE = "volunteers.manage"  # approve volunteers, teams, rosters, swaps, reassign
    LOGISTICS_VIEW = "logistics.view"  # stock, aid, donations, loans (warga: own household aid)
    LOGISTICS_REQUEST = "logistics.request"  # ask for an aid package (warga: own household)
    LOGISTICS_RECORD = "logistics.record"  # stock movements, deliveries, kitchen, donations, loans
    LOGISTICS_MANAGE = "logistics.manage"  # items, package templates, approving spending
    # ---- co-assessment (siaga.assessment, siaga.indicators) ----
    FEEDBACK_GIVE = "assessment.feedback"  # rate a service (warga: own household; others record)
    COMPLAINT_FILE = "assessment.complain"  # file a complaint and follow its answer
    COMPLAINT_HANDLE = "assessment.handle"  # answer, follow up and resolve complaints
    ASSESSMENT_VIEW = "assessment.view"  # feedback summaries, the Laporan Kinerja Relawan
    REPORT_NARRATE = "assessment.narrate"  # write the coordinator's narrative of a report
    INDICATOR_VIEW = "indicators.view"  # program indicators and the co-production matrix


_READ = {Perm.TERRITORY_VIEW, Perm.REGISTRY_VIEW}

ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    # A warga's registry permissions reach only their own household (see core.policy).
    Role.WARGA: frozenset({Perm.REGISTRY_VIEW}),
    Role.RELAWAN: frozenset(_READ),
    Role.PENGURUS: frozenset(
        _READ | {Perm.TERRITORY_CREATE, Perm.REGISTRY_CHANGE, Perm.REGISTRY_EXPORT}
    ),
    Role.FASILITATOR: frozenset(
        _READ | {Perm.TERRITORY_CREATE, Perm.REGISTRY_CHANGE, Perm.REGISTRY_EXPORT, Perm.AUDIT_VIEW}
    ),
    Role.ADMIN: frozenset(Perm),
}

# ---- health co-delivery permissions (siaga.health); admin already holds every Perm ----
_HEALTH_TEAM = {Perm.HEALTH_VIEW, Perm.HEALTH_RECORD}
ROLE_PERMISSIONS[Role.WARGA] |= {Perm.HEALTH_VIEW, Perm.HEALTH_SELF_REPORT}
ROLE_PERMISSIONS[Role.RELAWAN] |= _HEALTH_TEAM
ROLE_PERMISSIONS[Role.PENGURUS] |= _HEALTH_TEAM
ROLE_PERMISSIONS[Role.FASILITATOR] |= _HEALTH_TEAM | {Perm.HEALTH_MANAGE, Perm.PUSKESMAS_MANAGE}
# Puskesmas staff: the health records of their working area (read, record, referrals, end of
# isolation), and the registry and territory to find residents; none of the kelurahan's
# community, volunteer or logistics work (that is the fasilitator's).
ROLE_PERMISSIONS[Role.PUSKESMAS] = frozenset(_READ | _HEALTH_TEAM | {Perm.HEALTH_MANAGE})

# ---- co-commissioning and co-design permissions (siaga.commissioning, siaga.planning) ----
# Community data is read through core.policy.community_scope (warga: their kelurahan).
_COMMUNITY = {Perm.COMMUNITY_VIEW, Perm.NEEDS_RAISE}
ROLE_PERMISSIONS[Role.WARGA] |= _COMMUNITY
ROLE_PERMISSIONS[Role.RELAWAN] |= _COMMUNITY | {Perm.PROGRESS_UPDATE}
ROLE_PERMISSIONS[Role.PENGURUS] |= _COMMUNITY | {
    Perm.PROPOSAL_MANAGE,
    Perm.VOTE_RECORD,
    Perm.PLAN_EDIT,
    Perm.PROGRESS_UPDATE,
    Perm.MEETING_MANAGE,
    Perm.COMMENT_MODERATE,
}
ROLE_PERMISSIONS[Role.FASILITATOR] |= _COMMUNITY | {
    Perm.PROPOSAL_MANAGE,
    Perm.ROUND_MANAGE,
    Perm.DECISION_MAKE,
    Perm.PLAN_EDIT,
    Perm.PROGRESS_UPDATE,
    Perm.MEETING_MANAGE,
}

# ---- volunteers and logistics permissions (siaga.volunteers, siaga.logistics) ----
# A warga may offer to volunteer and request aid for their own household (household scope).
ROLE_PERMISSIONS[Role.WARGA] |= {
    Perm.VOLUNTEER_JOIN,
    Perm.LOGISTICS_VIEW,
    Perm.LOGISTICS_REQUEST,
}
_CO_DELIVERY_TEAM = {
    Perm.VOLUNTEER_VIEW,
    Perm.VOLUNTEER_WORK,
    Perm.LOGISTICS_VIEW,
    Perm.LOGISTICS_REQUEST,
    Perm.LOGISTICS_RECORD,
}
ROLE_PERMISSIONS[Role.RELAWAN] |= _CO_DELIVERY_TEAM
ROLE_PERMISSIONS[Role.PENGURUS] |= _CO_DELIVERY_TEAM | {
    Perm.VOLUNTEER_MANAGE,
    Perm.LOGISTICS_MANAGE,
}
ROLE_PERMISSIONS[Role.FASILITATOR] |= _CO_DELIVERY_TEAM | {
    Perm.VOLUNTEER_MANAGE,
    Perm.LOGISTICS_MANAGE,
}

# ---- co-assessment permissions (siaga.assessment, siaga.indicators) ----
# Residents judge the service: feedback and complaints (warga: about their own household).
ROLE_PERMISSIONS[Role.WARGA] |= {Perm.FEEDBACK_GIVE, Perm.COMPLAINT_FILE}
ROLE_PERMISSIONS[Role.RELAWAN] |= {Perm.FEEDBACK_GIVE, Perm.COMPLAINT_FILE}
_ASSESSORS = {
    Perm.FEEDBACK_GIVE,
    Perm.COMPLAINT_FILE,
    Perm.COMPLAINT_HANDLE,
    Perm.ASSESSMENT_VIEW,
    Perm.REPORT_NARRATE,
    Perm.INDICATOR_VIEW,
}
ROLE_PERMISSIONS[Role.PENGURUS] |= _ASSESSORS
ROLE_PERMISSIONS[Role.FASILITATOR] |= _ASSESSORS

# Roles whose registry scope is the member's own household, not a territory subtree.
HOUSEHOLD_SCOPED_ROLES = frozenset({Role.WARGA})


def role_has(role: str, perm: Perm) -> bool:
    return perm in ROLE_PERMISSIONS.get(role, frozenset())


# Which co-production actor group a role acts for (Bovaird & Loeffler; ../domain ksch.md §2).
ROLE_ACTOR_GROUP: dict[str, str] = {
    Role.ADMIN: "government",
    Role.FASILITATOR: "government",
    Role.PUSKESMAS: "government",
    Role.PENGURUS: "community_leader",
    Role.RELAWAN: "volunteer",
    Role.WARGA: "resident",
}
# When a user holds several roles, the act counts for the first that applies, in this order.
ROLE_PRECEDENCE = (
    Role.FASILITATOR,
    Role.ADMIN,
    Role.PUSKESMAS,
    Role.PENGURUS,
    Role.RELAWAN,
    Role.WARGA,
)
