"""Prometheus metrics at /metrics: request latency, jobs, queue depth, and gauges features register.

Nothing here carries client data: requests are labelled by their Flask endpoint name (never the URL,
which holds ids), jobs by their task name, and a feature's gauge by a label it chooses (a clip's
status, never a title or a case code).

`/metrics` does not exist (404) unless VIB_METRICS_TOKEN is set; then it answers only
`Authorization: Bearer <that token>`.

Several processes (gunicorn's workers, the job workers) each count their own requests and jobs. With
PROMETHEUS_MULTIPROC_DIR set (before the process starts: prometheus_client decides when it is
imported) they write their counts to files there and any of them answers the sum; without it, the
process answers its own counts. Gauges registered with `gauge_source` and the queue depths are read
when /metrics is asked, by the process that answers.
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

from vib.core.security import bearer_token
from vib.core.throttle import limiter

log = logging.getLogger(__name__)

# This process's counters: a registry of vib's own, so nothing a library registers globally is exposed.
REGISTRY = CollectorRegistry(auto_describe=True)

REQUEST_SECONDS = Histogram(
    "vib_http_request_duration_seconds",
    "Time from a request's arrival to its response (its head: a streamed file may take longer).",
    ["endpoint", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
    registry=REGISTRY,
)
JOB_SECONDS = Histogram(
    "vib_job_duration_seconds",
    "How long a background job ran, by task.",
    ["task"],
    buckets=(0.1, 0.5, 1, 5, 15, 60, 300, 900, 1800, 3600, 7200, 14400),
    registry=REGISTRY,
)
JOB_FAILURES = Counter("vib_job_failures", "Background jobs that ended with an error, by task.", ["task"], registry=REGISTRY)

KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
RQ_QUEUES = ("media", "default")
REDIS_TIMEOUT_SECONDS = 2


# -- jobs ---------------------------------------------------------------------------------------


def job_failed(task: str) -> None:
    """Count a job of `task` that failed (job_timer does this when the job raises)."""
    JOB_FAILURES.labels(task=task).inc()


@contextmanager
def job_timer(task: str) -> Iterator[None]:
    """Time one job of `task`; an exception leaving the block counts as its failure (and goes on)."""
    started = time.perf_counter()
    try:
        yield
    except Exception:
        job_failed(task)
        raise
    finally:
        JOB_SECONDS.labels(task=task).observe(time.perf_counter() - started)


# -- gauges read at scrape time -------------------------------------------------------------------


@dataclass(frozen=True)
class GaugeSource:
    name: str
    documentation: str
    label: str
    read: Callable[[], Mapping[str, float]]


GAUGE_SOURCES: dict[str, GaugeSource] = {}


def gauge_source(name: str, documentation: str, label: str, read: Callable[[], Mapping[str, float]]) -> None:
    """Expose the gauge `name`, one value per `label` value, as `read()` returns them when /metrics is
    asked (inside that request: it may use the database). A higher layer registers it: core knows no
    feature."""
    GAUGE_SOURCES[name] = GaugeSource(name, documentation, label, read)


def rq_queue_counts(redis_url: str) -> dict[str, tuple[int, int]]:
    """Waiting and failed jobs of each RQ queue. The one place that reads RQ for the metrics: the job
    queue's own module may replace it."""
    import redis  # noqa: PLC0415 -- optional (.[redis]); only a deployment with VIB_REDIS_URL has it
    import rq  # noqa: PLC0415 -- as above

    connection = redis.Redis.from_url(redis_url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS)
    try:
        counts = {}
        for name in RQ_QUEUES:
            queue = rq.Queue(name, connection=connection)
            counts[name] = (queue.count, queue.failed_job_registry.count)
        return counts
    finally:
        connection.close()


class _ReadAtScrapeTime:
    """The gauges of GAUGE_SOURCES and the queues. A source that fails is left out and shows as
    vib_metric_source_up 0, so one broken source does not hide the others."""

    def collect(self):
        up = GaugeMetricFamily(
            "vib_metric_source_up", "1 when the source could be read for this scrape, 0 when it failed.", labels=["source"]
        )
        redis_url = current_app.config.get("VIB_REDIS_URL")
        if redis_url:
            counts = _read("queues", lambda: rq_queue_counts(redis_url), up)
            if counts is not None:
                waiting = GaugeMetricFamily("vib_queue_jobs", "Jobs waiting in each RQ queue.", labels=["queue"])
                failed = GaugeMetricFamily("vib_queue_failed_jobs", "Failed jobs kept in each RQ queue's registry.", labels=["queue"])
                for queue, (in_queue, in_failed) in counts.items():
                    waiting.add_metric([queue], in_queue)
                    failed.add_metric([queue], in_failed)
                yield waiting
                yield failed
        for source in list(GAUGE_SOURCES.values()):
            values = _read(source.name, source.read, up)
            if values is not None:
                family = GaugeMetricFamily(source.name, source.documentation, labels=[source.label])
                for label_value, value in values.items():
                    family.add_metric([str(label_value)], value)
                yield family
        yield up


def _read(name: str, read: Callable, up: GaugeMetricFamily):
    try:
        values = read()
    except Exception as error:  # the kind is enough: the text may hold a URL with a password
        log.warning("metric source %s failed: %s", name, type(error).__name__)
        up.add_metric([name], 0)
        return None
    up.add_metric([name], 1)
    return values


def _scrape_registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)  # every process's counts, summed
    else:
        registry.register(_ThisProcess())
    registry.register(_ReadAtScrapeTime())
    return registry


class _ThisProcess:
    def collect(self):
        return REGISTRY.collect()


# -- requests and the endpoint --------------------------------------------------------------------


def _start_timer() -> None:
    g.vib_request_started = time.perf_counter()


def _observe_request(response):
    started = g.pop("vib_request_started", None)
    if started is not None:
        REQUEST_SECONDS.labels(
            endpoint=request.endpoint or "unmatched",  # the route's name: a URL would hold ids
            method=request.method if request.method in KNOWN_METHODS else "other",
            status=f"{response.status_code // 100}xx",
        ).observe(time.perf_counter() - started)
    return response


bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
def metrics_endpoint():
    expected = current_app.config.get("VIB_METRICS_TOKEN") or ""
    if not expected:
        abort(404)  # as any page that does not exist
    given = bearer_token() or ""
    if not hmac.compare_digest(given.encode(), expected.encode()):
        return Response(status=401, headers={"WWW-Authenticate": 'Bearer realm="vib metrics"'})
    response = Response(generate_latest(_scrape_registry()), content_type=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """Register first, so the time measured includes every other hook (its after_request runs last)."""
    app.before_request(_start_timer)
    app.after_request(_observe_request)
    limiter.exempt(bp)
    app.register_blueprint(bp)
