"""Writes of the health co-delivery: each call checks permission through the policy, validates,
runs in one transaction with its audit entry and contribution, and alerts through
``core.notifications``. Time is passed in (``now``/``today``) wherever a rule depends on it.

One submodule per sub-domain; the public names are re-exported here so that
``from siaga.health import services; services.record_monitoring(...)`` keeps working. Patch a
name where it is looked up: in its submodule (``siaga.health.services.monitoring.notify``).
"""

from siaga.health.services.alerts import (
    kelurahan_team,
    puskesmas_for,
    puskesmas_notified,
    puskesmas_team,
    rw_team,
)
from siaga.health.services.cases import CASE_FIELDS, create_case, end_isolation, update_case
from siaga.health.services.contacts import create_contact, update_contact
from siaga.health.services.monitoring import flag_missed_slots, record_monitoring
from siaga.health.services.newcomers import create_newcomer, update_newcomer
from siaga.health.services.protocols import create_protocol, protocol_in_use, update_protocol
from siaga.health.services.puskesmas import (
    close_onward,
    create_destination,
    create_puskesmas,
    refer_onward,
    set_staff,
    set_working_area,
    sync_staff_memberships,
    update_destination,
    update_puskesmas,
)
from siaga.health.services.referrals import (
    acknowledge_referral,
    complete_referral,
    escalate_overdue_referrals,
    open_referral,
)
from siaga.health.services.tasks import ensure_monitoring_tasks
from siaga.health.services.vaccination import record_vaccination, update_vaccination

__all__ = [
    "CASE_FIELDS",
    "acknowledge_referral",
    "close_onward",
    "complete_referral",
    "create_case",
    "create_contact",
    "create_destination",
    "create_newcomer",
    "create_protocol",
    "create_puskesmas",
    "end_isolation",
    "ensure_monitoring_tasks",
    "escalate_overdue_referrals",
    "flag_missed_slots",
    "kelurahan_team",
    "open_referral",
    "protocol_in_use",
    "puskesmas_for",
    "puskesmas_notified",
    "puskesmas_team",
    "record_monitoring",
    "record_vaccination",
    "refer_onward",
    "rw_team",
    "set_staff",
    "set_working_area",
    "sync_staff_memberships",
    "update_case",
    "update_contact",
    "update_destination",
    "update_newcomer",
    "update_protocol",
    "update_puskesmas",
    "update_vaccination",
]
