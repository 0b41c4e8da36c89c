"""The home page (Beranda) of each role: its sections, their one-tap links, query budgets, and
a main menu that lists only pages the user can open."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from siaga.health import services as health_services
from siaga.health.models import Referral
from siaga.health.services.tasks import ensure_monitoring_tasks
from siaga.home.sections import BUILDERS, HomeContext, Section, register, sections_for
from siaga.registry.models import Household, Resident
from siaga.volunteers.models import Posko, Shift, ShiftAssignment, Task, TaskState, Volunteer

USERS = (
    "admin",
    "fasilitator.kota",
    "fasilitator.utara",
    "lurah.panggunglor",
    "puskesmas.bandarharjo",
    "pengurus.rw006",
    "pengurus.rt003",
    "relawan.rw006",
    "warga.rt003",
)
SECTIONS = {
    "relawan.rw006": {"alerts", "visits", "tasks", "shifts"},
    "pengurus.rw006": {
        "alerts",
        "isolating",
        "newcomers",
        "roster",
        "stock",
        "complaints",
        "quick",
    },
    "lurah.panggunglor": {"zones", "referrals", "decisions", "indicators"},
    "puskesmas.bandarharjo": {"zones", "referrals", "decisions", "indicators"},
    "warga.rt003": {"household", "self_report", "vote", "feedback", "aid", "public"},
}


def client_for(world: Any, name: str) -> Client:
    user = world.users[name]
    user.language = "en"
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def make_case(world: Any, resident: Resident, *, days_ago: int = 2) -> Any:
    today = timezone.localdate()
    return health_services.create_case(
        actor=world.users["root"],
        data={
            "resident": resident.pk,
            "category": "konfirmasi",
            "specimen_on": today - dt.timedelta(days=days_ago),
            "confirmed_on": today - dt.timedelta(days=days_ago),
            "onset_on": None,
            "isolation_place": "isoman",
        },
    )


def more_households(world: Any, count: int) -> list[Resident]:
    """``count`` more households in RT 003, each with its head."""
    heads = []
    for n in range(count):
        household = Household.objects.create(
            kk=f"33740215099{n:05d}", rt=world.t["rt003"], address=f"Gg. Baru {n}"
        )
        head = Resident.objects.create(
            nik=f"3374021708{n + 50:02d}9{n:03d}",
            name=f"Warga Baru {n}",
            sex="L",
            birth_date=dt.date(1980, 1, 1),
            household=household,
            relation="kepala",
            rt=world.t["rt003"],
        )
        household.head = head
        household.save()
        heads.append(head)
    return heads


def sections_of(html: str) -> set[str]:
    return set(re.findall(r'<section class="home-section[^"]*" id="([a-z_]+)"', html))


def nav_links(html: str) -> list[str]:
    nav = html.split('<nav class="main-nav"')[1].split("</nav>")[0]
    return re.findall(r'href="([^"]+)"', nav)


@pytest.mark.parametrize("name", sorted(SECTIONS))
def test_each_role_lands_on_its_own_sections(world, name) -> None:
    html = client_for(world, name).get(reverse("home")).content.decode()
    assert SECTIONS[name] <= sections_of(html)
    others = set().union(*(s for n, s in SECTIONS.items() if n != name)) - SECTIONS[name]
    assert not sections_of(html) & others


def test_relawan_sees_due_visits_with_the_monitoring_form_one_tap_away(world) -> None:
    case = make_case(world, world.residents["rt003"])
    html = client_for(world, "relawan.rw006").get(reverse("home")).content.decode()
    visits = html.split('id="visits"')[1].split("</section>")[0]
    assert "Budi rt003" in visits
    assert "RT 003 / RW 006" in visits
    assert f'href="{reverse("health:case", args=[case.pk])}#pantau"' in visits
    form = client_for(world, "relawan.rw006").get(reverse("health:case", args=[case.pk]))
    assert 'id="pantau"' in form.content.decode()


def test_relawan_tasks_name_and_link_their_subject(world) -> None:
    case = make_case(world, world.residents["rt003"])
    ensure_monitoring_tasks(day=timezone.localdate())
    relawan = world.users["relawan.rw006"]
    Task.objects.filter(state=TaskState.BARU).update(
        state=TaskState.DIAMBIL, taken_by=relawan, taken_at=timezone.now()
    )
    html = client_for(world, "relawan.rw006").get(reverse("home")).content.decode()
    tasks = html.split('id="tasks"')[1].split("</section>")[0]
    assert "Budi rt003, RT 003 / RW 006" in tasks
    assert reverse("health:case", args=[case.pk]) in tasks
    assert f"#{case.pk}" not in tasks
    task = Task.objects.filter(taken_by=relawan).first()
    assert task is not None
    assert reverse("volunteers:task", args=[task.pk]) in tasks


def _shift_for(world: Any, user_name: str, starts_in: dt.timedelta) -> Shift:
    rw = world.t["rw006"]
    posko = Posko.objects.get_or_create(rw=rw, name="Posko RW 006", defaults={"kind": "posko"})[0]
    volunteer = Volunteer.objects.get_or_create(
        rw=rw,
        user=world.users[user_name],
        defaults={"name": "Relawan Satu", "status": "active"},
    )[0]
    start = timezone.now() + starts_in
    shift = Shift.objects.create(
        posko=posko,
        rw=rw,
        name="Jaga",
        day=timezone.localdate(start),
        starts_at=start,
        ends_at=start + dt.timedelta(hours=4),
    )
    ShiftAssignment.objects.create(shift=shift, volunteer=volunteer)
    return shift


def test_relawan_next_shift_offers_check_in_when_it_starts(world) -> None:
    soon = _shift_for(world, "relawan.rw006", dt.timedelta(minutes=30))
    later = _shift_for(world, "relawan.rw006", dt.timedelta(days=2))
    html = client_for(world, "relawan.rw006").get(reverse("home")).content.decode()
    shifts = html.split('id="shifts"')[1].split("</section>")[0]
    assert reverse("volunteers:shift_action", args=[soon.pk, "checkin"]) in shifts
    assert reverse("volunteers:shift", args=[later.pk]) in shifts
    assert reverse("volunteers:shift_action", args=[later.pk, "checkin"]) not in shifts


def test_emergency_referral_is_on_top_for_relawan_and_pengurus(world) -> None:
    case = make_case(world, world.residents["rt003"])
    referral = Referral.objects.create(
        resident=case.resident,
        case=case,
        rt=case.rt,
        household=case.household,
        level="darurat",
        acknowledge_by=timezone.now() - dt.timedelta(minutes=5),
    )
    for name in ("relawan.rw006", "pengurus.rw006"):
        html = client_for(world, name).get(reverse("home")).content.decode()
        first = re.search(r'<section class="home-section[^"]*" id="([a-z_]+)"', html)
        assert first is not None and first.group(1) == "alerts"
        alerts = html.split('id="alerts"')[1].split("</section>")[0]
        assert reverse("health:referral", args=[referral.pk]) in alerts
    # Another kelurahan's pengurus sees nothing of it.
    lurah = client_for(world, "puskesmas.bandarharjo").get(reverse("home")).content.decode()
    assert reverse("health:referral", args=[referral.pk]) not in lurah
    waiting = client_for(world, "lurah.panggunglor").get(reverse("home")).content.decode()
    section = waiting.split('id="referrals"')[1].split("</section>")[0]
    assert reverse("health:referral", args=[referral.pk]) in section


def test_pengurus_sees_isolating_households_with_aid_status_and_quick_actions(world) -> None:
    make_case(world, world.residents["rt003"])
    html = client_for(world, "pengurus.rw006").get(reverse("home")).content.decode()
    isolating = html.split('id="isolating"')[1].split("</section>")[0]
    household = world.households["rt003"]
    assert reverse("registry:household_detail", args=[household.pk]) in isolating
    assert "no aid delivered yet" in isolating
    quick = html.split('id="quick"')[1].split("</section>")[0]
    for url in (
        reverse("registry:household_create"),
        reverse("health:newcomers"),
        reverse("logistics:aid"),
    ):
        assert url in quick


def test_warga_sees_own_isolation_end_vote_and_public_pages(world) -> None:
    case = make_case(world, world.residents["rt003"])
    html = client_for(world, "warga.rt003").get(reverse("home")).content.decode()
    own = html.split('id="self_report"')[1].split("</section>")[0]
    assert f"{reverse('health:case', args=[case.pk])}#pantau" in own
    assert "isolation ends" in own
    public = html.split('id="public"')[1].split("</section>")[0]
    rw = world.t["rw006"].code
    assert reverse("transparency:rw", args=[rw]) in public
    assert reverse("planning:accountability", args=[rw]) in public
    household = world.households["rt003"]
    assert reverse("registry:household_detail", args=[household.pk]) in html


def test_a_user_with_several_roles_sees_the_sections_of_each(world) -> None:
    from siaga.accounts.services import add_membership

    relawan = world.users["relawan.rw006"]
    add_membership(
        actor=world.users["root"],
        user=relawan,
        role="warga",
        territory=world.t["rt004"],
        resident_nik=world.residents["rt004"].nik,
    )
    html = client_for(world, "relawan.rw006").get(reverse("home")).content.decode()
    assert SECTIONS["relawan.rw006"] | {"household", "vote"} <= sections_of(html)


def test_a_new_role_gets_a_home_by_registering_its_sections(world) -> None:
    def hello(ctx: HomeContext) -> Section:
        return Section(key="hello", title="Hello")

    register("puskesmas", hello)
    try:
        ctx = HomeContext(user=world.users["root"], roles=("puskesmas",))
        keys = [s.key for s in sections_for(ctx)]
        assert "referral_inbox" in keys and "hello" in keys
    finally:
        BUILDERS["puskesmas"].remove(hello)


def _queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("home")).status_code == 200
    return len(captured)


@pytest.mark.parametrize("name", sorted(SECTIONS))
def test_home_query_count_does_not_grow_with_rows(world, name) -> None:
    client = client_for(world, name)
    make_case(world, world.residents["rt003"])
    ensure_monitoring_tasks(day=timezone.localdate())
    Task.objects.update(state=TaskState.DIAMBIL, taken_by=world.users["relawan.rw006"])
    _shift_for(world, "relawan.rw006", dt.timedelta(minutes=30))
    _queries(client)  # warm the content-type cache
    few = _queries(client)
    for head in more_households(world, 4):
        make_case(world, head)
    ensure_monitoring_tasks(day=timezone.localdate())
    Task.objects.update(state=TaskState.DIAMBIL, taken_by=world.users["relawan.rw006"])
    _shift_for(world, "relawan.rw006", dt.timedelta(hours=3))
    _shift_for(world, "relawan.rw006", dt.timedelta(hours=30))
    assert _queries(client) == few


@pytest.mark.parametrize("name", USERS)
def test_every_nav_link_opens_for_the_user(world, name) -> None:
    client = client_for(world, name)
    links = nav_links(client.get(reverse("home")).content.decode())
    assert links[0] == reverse("home")
    for url in links:
        assert client.get(url).status_code == 200, url


def test_nav_shows_only_what_the_role_can_use(world) -> None:
    warga = nav_links(client_for(world, "warga.rt003").get(reverse("home")).content.decode())
    for hidden in ("territory:index", "registry:residents", "health:worklist", "core:audit"):
        assert reverse(hidden) not in warga
    relawan = nav_links(client_for(world, "relawan.rw006").get(reverse("home")).content.decode())
    assert reverse("health:worklist") in relawan
    assert reverse("indicators:dashboard") not in relawan
    assert reverse("core:audit") not in relawan


def test_home_needs_sign_in(client, world) -> None:
    response = client.get(reverse("home"))
    assert response.status_code == 302


@pytest.mark.parametrize("name", [*sorted(SECTIONS), "admin", "pengurus.rt003"])
def test_every_link_on_the_home_opens_for_its_user(world, name) -> None:
    """One tap from each item to the page or form that does it: no link answers 404."""
    case = make_case(world, world.residents["rt003"])
    make_case(world, world.residents["rt004"])
    Referral.objects.create(
        resident=case.resident,
        case=case,
        rt=case.rt,
        household=case.household,
        level="rujuk",
        acknowledge_by=timezone.now() + dt.timedelta(hours=1),
    )
    ensure_monitoring_tasks(day=timezone.localdate())
    Task.objects.update(state=TaskState.DIAMBIL, taken_by=world.users["relawan.rw006"])
    _shift_for(world, "relawan.rw006", dt.timedelta(minutes=30))
    client = client_for(world, name)
    html = client.get(reverse("home")).content.decode()
    main = html.split("<main>")[1].split("</main>")[0]
    links = {href.split("#")[0] for href in re.findall(r'<a [^>]*href="([^"]+)"', main)}
    assert links
    for url in sorted(links):
        assert client.get(url.replace("&amp;", "&")).status_code == 200, url


def test_home_lists_memberships_with_links(world) -> None:
    html = client_for(world, "pengurus.rw006").get(reverse("home")).content.decode()
    assert 'href="/wilayah/33.74.02.1006.006/"' in html
    assert "RW 006" in html
    warga = client_for(world, "warga.rt003").get(reverse("home")).content.decode()
    # A warga cannot open territory pages; they get a link to their own household instead.
    assert "/wilayah/33.74.02.1006.006.003/" not in warga
    household = world.households["rt003"]
    assert reverse("registry:household_detail", args=[household.pk]) in warga


def test_puskesmas_staff_home_shows_their_inbox_endings_and_tests(world: Any) -> None:
    """Staff of a puskesmas (their own role) land on incoming referrals of the working area, the
    isolations due to end and the contacts due for a test."""
    from siaga.accounts.models import User

    staff = User.objects.create_user("staf.home", password="demo-pass-123")
    health_services.create_puskesmas(
        actor=world.users["fasilitator.utara"],
        name="Puskesmas Bandarharjo",
        location=world.t["33.74.02.1001"],
        area=[world.t["33.74.02.1001"], world.t["33.74.02.1006"]],
        staff=[staff],
    )
    today = timezone.localdate()
    ending = health_services.create_case(
        actor=world.users["root"],
        data={
            "resident": world.residents["rt003"].pk,
            "category": "konfirmasi",
            "specimen_on": today - dt.timedelta(days=9),
            "confirmed_on": today - dt.timedelta(days=9),
            "onset_on": None,
            "isolation_place": "isoman",
        },
    )
    client = Client()
    client.force_login(staff)
    html = client.get(reverse("home")).content.decode()
    assert {"referral_inbox", "isolations_ending", "contacts_to_test"} <= sections_of(html)
    assert reverse("health:case", args=[ending.pk]) in html
    assert reverse("health:referral_inbox") in html
