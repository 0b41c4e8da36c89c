"""Transfers between posko (one transaction, never negative), package templates, the public
kitchen log, equipment registration and multipart uploads of proof and receipts: services, web
forms with field errors, the API (422 per field) and the role × territory matrix."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from siaga.api.tests.helpers import USERS, Api, assert_error, covers
from siaga.core.errors import ValidationFailed
from siaga.core.models import AuditEntry, Contribution
from siaga.logistics import selectors, services
from siaga.logistics.models import (
    Equipment,
    KitchenDay,
    PackageLine,
    PackageTemplate,
    Spending,
    StockBalance,
    StockMovement,
)
from siaga.logistics.tests.conftest import make_lumbung
from siaga.volunteers import services as volunteer_services
from siaga.volunteers.tests.test_posko_roster import english

RW006 = "33.74.02.1006.006"
COVERING = {u for u in USERS if covers(u, RW006)}
RECORDERS = COVERING - {"warga.rt003"}
MANAGERS = COVERING - {"warga.rt003", "relawan.rw006"}
EN: dict[str, Any] = {"HTTP_ACCEPT_LANGUAGE": "en"}  # API messages in the caller's language
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64
PDF = b"%PDF-1.4\n" + b"0" * 64


def _gudang(world: Any) -> Any:
    return volunteer_services.create_posko(
        actor=world.users["root"], rw=world.t["rw006"], name="Gudang RW 006"
    )


def _ledger() -> tuple[Any, ...]:
    return (
        StockMovement.objects.count(),
        sorted(StockBalance.objects.values_list("item_id", "posko_id", "quantity")),
    )


# ---------------------------------------------------------------- transfers


def test_transfer_moves_stock_out_and_in_at_once(world: Any, lumbung: Any) -> None:
    gudang = _gudang(world)
    out, into = services.transfer_stock(
        actor=world.users["relawan.rw006"],
        item=lumbung.beras,
        source=lumbung.posko,
        target=gudang,
        quantity="7.5",
    )
    assert (out.kind, out.delta, into.kind, into.delta) == (
        "transfer_out",
        Decimal("-7.5"),
        "transfer_in",
        Decimal("7.5"),
    )
    assert out.at == into.at and "Posko RW 006" in out.note
    balances = dict(
        StockBalance.objects.filter(item=lumbung.beras).values_list("posko", "quantity")
    )
    assert balances == {lumbung.posko.pk: Decimal("12.5"), gudang.pk: Decimal("7.5")}
    assert selectors.ledger_total(lumbung.beras) == 20
    assert Contribution.objects.filter(kind="logistics.stock_out", phase="co_delivery").exists()


def test_transfer_of_more_than_the_source_holds_writes_nothing(world: Any, lumbung: Any) -> None:
    gudang = _gudang(world)
    before = _ledger()
    with pytest.raises(ValidationFailed) as exc:
        services.transfer_stock(
            actor=world.users["relawan.rw006"],
            item=lumbung.beras,
            source=lumbung.posko,
            target=gudang,
            quantity=21,
        )
    assert exc.value.errors["quantity"][0].startswith("Not enough Beras at Posko RW 006: 20 kg")
    assert _ledger() == before
    # The empty posko cannot give anything back either: never negative.
    with pytest.raises(ValidationFailed):
        services.transfer_stock(
            actor=world.users["root"],
            item=lumbung.beras,
            source=gudang,
            target=lumbung.posko,
            quantity=1,
        )
    assert _ledger() == before


def test_transfer_refuses_the_same_posko_and_another_rw(world: Any, lumbung: Any) -> None:
    other = volunteer_services.create_posko(
        actor=world.users["root"], rw=world.t["rw007"], name="Posko RW 007"
    )
    before = _ledger()
    for target, field in ((lumbung.posko, "target"), (other, "target")):
        with pytest.raises(ValidationFailed) as exc:
            services.transfer_stock(
                actor=world.users["root"],
                item=lumbung.beras,
                source=lumbung.posko,
                target=target,
                quantity=1,
            )
        assert field in exc.value.errors
    assert _ledger() == before


@pytest.mark.parametrize("user", USERS)
def test_transfer_api_matrix(api: Api, world: Any, lumbung: Any, user: str) -> None:
    gudang = _gudang(world)
    before = _ledger()
    body = {
        "item": lumbung.beras.pk,
        "source": lumbung.posko.pk,
        "target": gudang.pk,
        "quantity": "2",
    }
    response = api.post("/api/v1/stock-transfers", user, body)
    if user in RECORDERS:
        assert response.status_code == 201, response.content
        assert float(response.json()["out"]["delta"]) == -2
        assert float(response.json()["into"]["delta"]) == 2
    else:
        assert_error(response, 404, "not_found")
        assert _ledger() == before


def test_transfer_api_answers_422_and_changes_nothing(api: Api, world: Any, lumbung: Any) -> None:
    gudang = _gudang(world)
    before = _ledger()
    body = {
        "item": lumbung.telur.pk,
        "source": lumbung.posko.pk,
        "target": gudang.pk,
        "quantity": "61",
    }
    response = assert_error(
        api.post("/api/v1/stock-transfers", "relawan.rw006", body, **EN), 422, "invalid"
    )
    assert "left" in response["fields"]["quantity"][0]
    body["quantity"] = "-1"
    response = assert_error(
        api.post("/api/v1/stock-transfers", "relawan.rw006", body), 422, "invalid"
    )
    assert "quantity" in response["fields"]
    assert _ledger() == before


def test_transfer_page(client: Any, world: Any, lumbung: Any) -> None:
    gudang = _gudang(world)
    client.force_login(english(world, "relawan.rw006"))
    assert client.get("/logistik/pindah/").status_code == 200
    data = {
        "item": lumbung.beras.pk,
        "source": lumbung.posko.pk,
        "target": gudang.pk,
        "quantity": "50",
    }
    response = client.post("/logistik/pindah/", data)
    assert response.status_code == 422
    assert "20 kg left" in response.context["form"].errors["quantity"][0]
    data["quantity"] = "abc"
    response = client.post("/logistik/pindah/", data)
    assert response.context["form"].errors["quantity"] == ["Enter a number, e.g. 5 or 2.5."]
    data["quantity"] = "5"
    assert client.post("/logistik/pindah/", data).status_code == 302
    assert StockBalance.objects.get(item=lumbung.beras, posko=gudang).quantity == 5
    client.force_login(world.users["warga.rt003"])
    assert client.get("/logistik/pindah/").status_code == 404


# ---------------------------------------------------------------- package templates


def test_package_template_errors_are_clear(world: Any, lumbung: Any) -> None:
    root = world.users["root"]
    with pytest.raises(ValidationFailed) as exc:
        services.create_package_template(
            actor=root, rw=world.t["rw006"], name="sembako HARIAN", lines=[(lumbung.beras, 0)]
        )
    assert exc.value.errors == {
        "name": ["This RW already has a package with this name."],
        "lines": ["Beras: Enter a quantity above zero."],
    }
    with pytest.raises(ValidationFailed) as exc:
        services.create_package_template(actor=root, rw=world.t["rw006"], name="Kosong", lines=[])
    assert exc.value.errors == {"lines": ["Add at least one item with its quantity."]}
    assert PackageTemplate.objects.count() == 1


def test_update_package_replaces_its_lines_and_audits(world: Any, lumbung: Any) -> None:
    services.update_package_template(
        actor=world.users["pengurus.rw006"],
        template=lumbung.package,
        name="Sembako isoman",
        lines=[(lumbung.beras, "2.5")],
        for_isolation=True,
    )
    assert list(PackageLine.objects.values_list("item_id", "quantity")) == [
        (lumbung.beras.pk, Decimal("2.5"))
    ]
    entry = AuditEntry.objects.get(object_type="logistics.packagetemplate", action="update")
    assert entry.changes["name"] == ["Sembako harian", "Sembako isoman"]


@pytest.mark.parametrize("user", USERS)
def test_package_api_matrix(api: Api, world: Any, lumbung: Any, user: str) -> None:
    before = list(PackageLine.objects.values_list("template_id", "item_id", "quantity"))
    body = {
        "rw": RW006,
        "name": "Paket lansia",
        "lines": [{"item": lumbung.telur.pk, "quantity": "6"}],
    }
    created = api.post("/api/v1/package-templates", user, body)
    patched = api.patch(
        f"/api/v1/package-templates/{lumbung.package.pk}",
        user,
        {"lines": [{"item": lumbung.beras.pk, "quantity": "3"}]},
    )
    if user in MANAGERS:
        assert created.status_code == 201 and created.json()["lines"] == [
            {"item": lumbung.telur.pk, "quantity": "6.00"}
        ]
        assert patched.status_code == 200 and patched.json()["name"] == "Sembako harian"
        assert len(patched.json()["lines"]) == 1
    else:
        assert_error(created, 404, "not_found")
        assert_error(patched, 404, "not_found")
        assert PackageTemplate.objects.count() == 1
        assert list(PackageLine.objects.values_list("template_id", "item_id", "quantity")) == before
    listed = api.get("/api/v1/package-templates", user)
    assert listed.status_code == 200
    assert (lumbung.package.pk in [p["id"] for p in listed.json()["items"]]) == (
        user in COVERING and user != "warga.rt003"
    )


def test_package_api_422(api: Api, world: Any, lumbung: Any) -> None:
    body = {
        "rw": RW006,
        "name": "",
        "lines": [
            {"item": lumbung.beras.pk, "quantity": "1"},
            {"item": lumbung.beras.pk, "quantity": "2"},
        ],
    }
    response = assert_error(
        api.post("/api/v1/package-templates", "pengurus.rw006", body), 422, "invalid"
    )
    assert set(response["fields"]) == {"name", "lines"}
    assert PackageTemplate.objects.count() == 1


def test_package_pages(client: Any, world: Any, lumbung: Any) -> None:
    client.force_login(english(world, "pengurus.rw006"))
    assert client.get("/logistik/paket/").status_code == 200
    response = client.post(
        "/logistik/paket/",
        {"rw": world.t["rw006"].pk, "name": "Paket anak", "item_0": lumbung.telur.pk},
    )
    assert response.status_code == 422
    assert response.context["form"].errors["quantity_0"] == ["Enter the quantity for this item."]
    response = client.post(
        "/logistik/paket/",
        {
            "rw": world.t["rw006"].pk,
            "name": "Paket anak",
            "item_0": lumbung.telur.pk,
            "quantity_0": "4",
        },
    )
    assert response.status_code == 302
    package = PackageTemplate.objects.get(name="Paket anak")
    url = f"/logistik/paket/{package.pk}/"
    page = client.get(url)
    assert page.status_code == 200 and page.context["form"]["quantity_0"].value() == Decimal(4)
    response = client.post(
        url,
        {
            "name": "Paket anak",
            "item_0": lumbung.beras.pk,
            "quantity_0": "1",
            "for_isolation": "on",
        },
    )
    assert response.status_code == 302
    package.refresh_from_db()
    assert package.for_isolation and [line.item_id for line in package.lines.all()] == [
        lumbung.beras.pk
    ]
    client.force_login(world.users["relawan.rw006"])
    assert client.get(url).status_code == 404
    assert (
        client.post("/logistik/paket/", {"rw": world.t["rw006"].pk, "name": "X"}).status_code == 404
    )


# ---------------------------------------------------------------- kitchen


@pytest.mark.parametrize("user", USERS)
def test_kitchen_api_matrix(api: Api, world: Any, user: str) -> None:
    today = timezone.localdate()
    response = api.post("/api/v1/kitchen-days", user, {"rw": RW006, "day": str(today), "meals": 42})
    if user in RECORDERS:
        assert response.status_code == 201 and response.json()["meals"] == 42
        again = api.post(
            "/api/v1/kitchen-days", user, {"rw": RW006, "day": str(today), "meals": 45}
        )
        assert again.json()["id"] == response.json()["id"] and KitchenDay.objects.get().meals == 45
    else:
        assert_error(response, 404, "not_found")
        assert not KitchenDay.objects.exists()
    listed = api.get("/api/v1/kitchen-days", user).json()["items"]
    assert len(listed) == (1 if user in RECORDERS else 0)


def test_kitchen_refuses_future_days_and_negative_meals(api: Api, world: Any, client: Any) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = assert_error(
        api.post(
            "/api/v1/kitchen-days", "relawan.rw006", {"rw": RW006, "day": str(tomorrow), "meals": 1}
        ),
        422,
        "invalid",
    )
    # relawan.rw006 reads Indonesian (their account's language): the message follows it.
    assert response["fields"] == {"day": ["Tanggal tidak boleh di masa depan."]}
    response = assert_error(
        api.post(
            "/api/v1/kitchen-days", "relawan.rw006", {"rw": RW006, "day": "2021-07-01", "meals": -3}
        ),
        422,
        "invalid",
    )
    assert "meals" in response["fields"]
    client.force_login(english(world, "relawan.rw006"))
    page = client.post(
        "/logistik/dapur/", {"rw": world.t["rw006"].pk, "day": str(tomorrow), "meals": "10"}
    )
    assert page.status_code == 422
    assert page.context["form"].errors["day"] == ["The day cannot be in the future."]
    page = client.post(
        "/logistik/dapur/", {"rw": world.t["rw006"].pk, "day": "2021-07-01", "meals": "x"}
    )
    assert page.context["form"].errors["meals"] == ["Enter a whole number."]
    assert not KitchenDay.objects.exists()
    ok = client.post(
        "/logistik/dapur/", {"rw": world.t["rw006"].pk, "day": "2021-07-01", "meals": "80"}
    )
    assert ok.status_code == 302 and KitchenDay.objects.get().meals == 80
    assert Contribution.objects.filter(kind="logistics.kitchen", phase="co_delivery").exists()


# ---------------------------------------------------------------- equipment


@pytest.mark.parametrize("user", USERS)
def test_equipment_api_matrix(api: Api, world: Any, user: str) -> None:
    response = api.post(
        "/api/v1/equipment", user, {"rw": RW006, "kind": "oximeter", "label": "OX-9"}
    )
    if user in MANAGERS:
        assert response.status_code == 201 and response.json()["label"] == "OX-9"
        duplicate = assert_error(
            api.post(
                "/api/v1/equipment",
                user,
                {"rw": RW006, "kind": "thermometer", "label": "ox-9"},
                **EN,
            ),
            422,
            "invalid",
        )
        assert duplicate["fields"] == {"label": ["This label is already used in this RW."]}
    else:
        assert_error(response, 404, "not_found")
    assert Equipment.objects.count() == (1 if user in MANAGERS else 0)
    listed = api.get("/api/v1/equipment", user).json()["items"]
    assert len(listed) == (1 if user in MANAGERS else 0)


def test_equipment_page(client: Any, world: Any) -> None:
    client.force_login(english(world, "pengurus.rw006"))
    assert client.get("/logistik/pinjaman/alat/").status_code == 200
    page = client.post("/logistik/pinjaman/alat/", {"rw": world.t["rw006"].pk, "kind": "oximeter"})
    assert page.status_code == 422
    assert page.context["form"].errors["label"] == [
        "Give the device a label, e.g. OX-1, as written on it."
    ]
    ok = client.post(
        "/logistik/pinjaman/alat/", {"rw": world.t["rw006"].pk, "kind": "oximeter", "label": "OX-1"}
    )
    assert ok.status_code == 302 and Equipment.objects.get().label == "OX-1"
    client.force_login(world.users["relawan.rw006"])
    assert client.get("/logistik/pinjaman/alat/").status_code == 404
    # An RT's pengurus cannot register in the RW (a choice outside the form's list).
    client.force_login(world.users["pengurus.rt003"])
    refused = client.post(
        "/logistik/pinjaman/alat/", {"rw": world.t["rw006"].pk, "kind": "oximeter", "label": "OX-2"}
    )
    assert refused.status_code == 422 and "rw" in refused.context["form"].errors
    assert Equipment.objects.count() == 1


# ---------------------------------------------------------------- uploads


def _delivery(world: Any, lumbung: Any) -> Any:
    aid = services.request_aid(actor=world.users["root"], household=world.households["rt003"])
    return services.deliver(
        actor=world.users["root"], request=aid, posko=lumbung.posko, received_by="Siti"
    )


def test_delivery_photo_upload_checks_type_and_size(api: Api, world: Any, lumbung: Any) -> None:
    delivery = _delivery(world, lumbung)
    url = f"/api/v1/deliveries/{delivery.pk}/photo"
    auth: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {world.tokens['relawan.rw006']}", **EN}
    fake = SimpleUploadedFile("x.jpg", b"MZ not an image at all", content_type="image/jpeg")
    response = api.client.post(url, {"photo": fake}, **auth)
    body = assert_error(response, 422, "invalid")
    assert body["fields"] == {"photo": ["Upload a JPEG, PNG or WebP file."]}
    pdf = SimpleUploadedFile("x.pdf", PDF, content_type="application/pdf")
    assert_error(api.client.post(url, {"photo": pdf}, **auth), 422, "invalid")
    delivery.refresh_from_db()
    assert not delivery.photo
    png = SimpleUploadedFile("x.png", PNG, content_type="image/png")
    response = api.client.post(url, {"photo": png}, **auth)
    assert response.status_code == 200 and response.json()["has_photo"] is True
    outsider: dict[str, Any] = {
        "HTTP_AUTHORIZATION": f"Bearer {world.tokens['puskesmas.bandarharjo']}"
    }
    png = SimpleUploadedFile("y.png", PNG, content_type="image/png")
    assert_error(api.client.post(url, {"photo": png}, **outsider), 404, "not_found")


def test_oversized_uploads_are_refused_before_saving(
    api: Api, world: Any, lumbung: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(services, "MAX_UPLOAD_BYTES", 100)
    delivery = _delivery(world, lumbung)
    auth: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {world.tokens['relawan.rw006']}", **EN}
    big = SimpleUploadedFile("big.png", PNG + b"0" * 200, content_type="image/png")
    body = assert_error(
        api.client.post(f"/api/v1/deliveries/{delivery.pk}/photo", {"photo": big}, **auth),
        422,
        "invalid",
    )
    assert body["fields"] == {"photo": ["The file is larger than 5 MB."]}
    delivery.refresh_from_db()
    assert not delivery.photo


@pytest.mark.parametrize("user", USERS)
def test_spending_with_receipt_api_matrix(api: Api, world: Any, user: str) -> None:
    auth: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {world.tokens[user]}"}
    data = {
        "rw": RW006,
        "amount": "150000",
        "purpose": "Beli telur",
        "category": "pangan",
        "spent_on": "2021-07-05",
        "receipt": SimpleUploadedFile("nota.pdf", PDF, content_type="application/pdf"),
    }
    response = api.client.post("/api/v1/spending", data, **auth)
    if user in RECORDERS:
        assert response.status_code == 201, response.content
        assert response.json()["has_receipt"] is True and response.json()["approved_by"] is None
    else:
        assert_error(response, 404, "not_found")
        assert not Spending.objects.exists()


def test_spending_receipt_then_approval(api: Api, world: Any) -> None:
    auth: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {world.tokens['relawan.rw006']}", **EN}
    data = {"rw": RW006, "amount": "0", "purpose": "", "category": "x", "spent_on": "2021-07-05"}
    body = assert_error(api.client.post("/api/v1/spending", data, **auth), 422, "invalid")
    assert set(body["fields"]) == {"amount", "purpose", "category"}
    assert body["fields"]["amount"] == ["Enter the amount spent."]
    data["amount"] = "lima puluh"
    body = assert_error(api.client.post("/api/v1/spending", data, **auth), 422, "invalid")
    assert body["fields"] == {"amount": ["Enter the amount spent as a whole number of rupiah."]}
    assert not Spending.objects.exists()
    data |= {"amount": "50000", "purpose": "Sabun", "category": "kebersihan"}
    created = api.client.post("/api/v1/spending", data, **auth).json()
    spending_id = created["id"]
    assert created["has_receipt"] is False
    body = assert_error(
        api.post(f"/api/v1/spending/{spending_id}/approve", "pengurus.rw006", {}, **EN),
        422,
        "invalid",
    )
    assert body["fields"] == {"receipt": ["Attach the receipt before approving."]}
    exe = SimpleUploadedFile("nota.png", b"MZ\x90\x00", content_type="image/png")
    body = assert_error(
        api.client.post(f"/api/v1/spending/{spending_id}/receipt", {"receipt": exe}, **auth),
        422,
        "invalid",
    )
    assert body["fields"] == {"receipt": ["Upload a JPEG, PNG, WebP or PDF file."]}
    png = SimpleUploadedFile("nota.png", PNG, content_type="image/png")
    attached = api.client.post(f"/api/v1/spending/{spending_id}/receipt", {"receipt": png}, **auth)
    assert attached.status_code == 200 and attached.json()["has_receipt"] is True
    assert_error(
        api.post(f"/api/v1/spending/{spending_id}/approve", "relawan.rw006", {}), 404, "not_found"
    )
    approved = api.post(f"/api/v1/spending/{spending_id}/approve", "pengurus.rw006", {})
    assert approved.status_code == 200 and approved.json()["approved_by"] == "pengurus.rw006"
    png = SimpleUploadedFile("lagi.png", PNG, content_type="image/png")
    body = assert_error(
        api.client.post(f"/api/v1/spending/{spending_id}/receipt", {"receipt": png}, **auth),
        422,
        "invalid",
    )
    assert "approved" in body["fields"]["receipt"][0]
    assert (
        AuditEntry.objects.filter(
            object_type="logistics.spending", summary="receipt attached"
        ).count()
        == 1
    )


@pytest.mark.django_db(transaction=True)
def test_two_transfers_of_the_last_stock_at_once(fresh_world: Any) -> None:
    world = fresh_world  # a transactional test builds its own world
    import threading

    from django.db import connection, connections
    from django.utils import translation

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; real concurrency needs PostgreSQL")
    lumbung = make_lumbung(world, beras=10, telur=0)
    gudang = _gudang(world)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def move(user: Any) -> None:
        translation.activate("en")
        try:
            barrier.wait(timeout=10)
            services.transfer_stock(
                actor=user, item=lumbung.beras, source=lumbung.posko, target=gudang, quantity=10
            )
            outcomes.append("ok")
        except ValidationFailed as refused:
            outcomes.append(refused.errors["quantity"][0])
        finally:
            connections.close_all()

    users = [world.users["relawan.rw006"], world.users["pengurus.rw006"]]
    threads = [threading.Thread(target=move, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes.count("ok") == 1, outcomes
    assert any("0 kg left" in o for o in outcomes)
    balances = dict(
        StockBalance.objects.filter(item=lumbung.beras).values_list("posko", "quantity")
    )
    assert balances == {lumbung.posko.pk: 0, gudang.pk: 10}
    # The loser left no half transfer behind: one out and one in.
    kinds = sorted(StockMovement.objects.filter(item=lumbung.beras).values_list("kind", flat=True))
    assert kinds == ["government", "transfer_in", "transfer_out"]
