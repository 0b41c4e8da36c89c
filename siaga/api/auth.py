from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone, translation
from ninja.security import HttpBearer

from siaga.accounts.models import ApiToken, hash_token


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>``; only the token's SHA-256 hash is stored.

    Messages follow the request's ``Accept-Language`` when it is sent, else the user's language.
    """

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if not token:
            return None
        record = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_token(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if record is None:
            return None
        now = timezone.now()
        if record.last_used_at is None or (now - record.last_used_at).total_seconds() > 300:
            ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
        request.user = record.user
        if record.user.language and "HTTP_ACCEPT_LANGUAGE" not in request.META:
            translation.activate(record.user.language)
            request.LANGUAGE_CODE = record.user.language
        return record.user
