"""/api/v1 co-assessment: feedback, complaints and the volunteer performance report."""

from ninja import Router

router = Router(tags=["co-assessment"])
