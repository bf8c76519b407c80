"""The outbox's part of `/health/ready` (see kbportal/observability/health.py)."""

import dataclasses

from django import db
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable, ServiceWarning

from kbportal.observability.health import CHECK_TIMEOUT

from .models import Delivery, State


@dataclasses.dataclass
class Backlog(HealthCheck):
    """Fewer than `limit` deliveries wait: more means workers are missing or stuck, or the mail server has
    been down for long. Deliveries that failed for good are shown (a warning), as they wait for a person."""

    limit: int = 1000
    timeout = CHECK_TIMEOUT

    def run(self) -> None:
        try:
            waiting = Delivery.objects.filter(state=State.PENDING).count()
            failed = Delivery.objects.filter(state=State.FAILED).count()
        except db.Error as error:  # no database, or a release whose migrations have not run
            raise ServiceUnavailable("the outbox could not be read") from error
        if waiting >= self.limit:
            raise ServiceUnavailable(f"{waiting} deliveries waiting (limit {self.limit})")
        if failed:
            raise ServiceWarning(f"{failed} deliveries failed and wait for a retry in the admin")
