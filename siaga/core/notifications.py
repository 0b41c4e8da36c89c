"""The notification interface: domain code says *who* must know *what*; channels deliver it.

``notify`` always writes the in-app inbox (``core.models.Notification``). Other channels
(WhatsApp, SMS: the messaging app) register a deliverer with ``register_channel``; they are called
after the transaction commits, so a rolled-back alert is never sent. A health rule never knows
which channel carries its alert.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction

from siaga.core.models import Notification

Deliverer = Callable[[list[Notification]], None]
_channels: list[Deliverer] = []


def register_channel(deliver: Deliverer) -> None:
    """Add a channel: ``deliver(notifications)`` is called after commit with the new rows."""
    if deliver not in _channels:
        _channels.append(deliver)


def unregister_channel(deliver: Deliverer) -> None:
    if deliver in _channels:
        _channels.remove(deliver)


def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    territory_id: int | None = None,
) -> list[Notification]:
    """Put one alert in each recipient's inbox (duplicates removed) and hand it to the channels."""
    seen: set[int] = set()
    rows: list[Notification] = []
    for user in recipients:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(
            Notification(
                recipient_id=user.pk,
                kind=kind,
                title=title[:200],
                body=body,
                link=link[:300],
                territory_id=territory_id,
            )
        )
    if not rows:
        return []
    Notification.objects.bulk_create(rows)
    if _channels:
        channels = list(_channels)
        transaction.on_commit(lambda: [deliver(rows) for deliver in channels])
    return rows


def inbox(user: Any, *, unread_only: bool = False) -> Any:
    """The user's notifications, newest first."""
    queryset = Notification.objects.filter(recipient_id=user.pk)
    if unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    return queryset


def mark_read(user: Any, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications (all, or these ids) read; returns how many changed."""
    from django.utils import timezone

    queryset = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True)
    if notification_ids is not None:
        queryset = queryset.filter(pk__in=list(notification_ids))
    return queryset.update(read_at=timezone.now())
