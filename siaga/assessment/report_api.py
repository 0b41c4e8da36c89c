"""/api/v1 Laporan Kinerja Relawan (volunteer performance report)."""

from ninja import Router

router = Router(tags=["co-assessment"])
