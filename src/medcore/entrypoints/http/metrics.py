"""Prometheus metrics: request counts and latencies by route (from Litestar's plugin), and
the database connection pool's usage."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

PROMETHEUS = PrometheusConfig(
    app_name="medcore",
    prefix="medcore",
    group_path=True,  # label by route template, so ids never become label values
    exclude=["/metrics", "/health"],
)


class MetricsController(PrometheusController):
    path = "/metrics"
    opt: dict[str, Any] | None = {"rate_limit": "exempt"}  # noqa: RUF012 - Litestar reads it per class
    include_in_schema = False


class PoolCollector(Collector):
    def __init__(self, pool_status: Callable[[], dict[str, int] | None]) -> None:
        self._pool_status = pool_status

    def collect(self) -> Iterator[Any]:
        status = self._pool_status()
        if status is None:
            return
        gauge = GaugeMetricFamily(
            "medcore_db_pool_connections",
            "Database pool connections by state",
            labels=["state"],
        )
        for state, value in status.items():
            gauge.add_metric([state], value)
        yield gauge


_registered: PoolCollector | None = None


def register_pool_metrics(pool_status: Callable[[], dict[str, int] | None]) -> None:
    """Register (or re-point) the pool collector; the registry is process-wide."""
    global _registered
    if _registered is None:
        _registered = PoolCollector(pool_status)
        REGISTRY.register(_registered)
    else:
        _registered._pool_status = pool_status
