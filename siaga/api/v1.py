"""/api/v1 composed: each app's ``api.py`` router on the one NinjaAPI (the URLconf mounts this).

A composition module at the top: it imports every app's interface, and no app imports it.
"""

from __future__ import annotations

from typing import Any

from siaga.api.router import api
from siaga.assessment.api import router as assessment_router
from siaga.assessment.report.api import router as report_router
from siaga.commissioning.api import router as commissioning_router
from siaga.health.api import router as health_router
from siaga.indicators.api import router as indicators_router
from siaga.logistics.api import router as logistics_router
from siaga.planning.api import router as planning_router
from siaga.registry.api import router as registry_router
from siaga.territory.api import router as territory_router
from siaga.volunteers.api import router as volunteers_router

ROUTERS: list[tuple[str, Any]] = [
    ("/territories", territory_router),
    ("", registry_router),
    # co-commissioning and co-design
    ("", commissioning_router),
    ("", planning_router),
    ("", health_router),
    # co-delivery: volunteers and logistics
    ("", volunteers_router),
    ("", logistics_router),
    # co-assessment
    ("", assessment_router),
    ("", report_router),
    ("", indicators_router),
]

for prefix, router in ROUTERS:
    api.add_router(prefix, router)

__all__ = ["api"]
