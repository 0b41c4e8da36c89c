"""/api/v1 program indicators and the co-production matrix."""

from ninja import Router

router = Router(tags=["co-assessment"])
