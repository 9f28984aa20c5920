"""/metrics: only with VIB_METRICS_TOKEN and only to that bearer token; request latency by endpoint (never a
URL), jobs, queue depths, and clips by status read from the database when scraped."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from vib.clips.models import Clip
from vib.core import db, jobs

TOKEN = "a-long-random-scrape-token"
REDIS_URL = "redis://127.0.0.1:6379/8"  # the tests' own Redis database
ROOT = Path(__file__).resolve().parents[2]


@jobs.task("test.metrics.succeeds")
def succeeds(object_id: int) -> None:
    pass


@jobs.task("test.metrics.fails")
def fails(object_id: int) -> None:
    raise RuntimeError("a task that fails")


def scrape(app) -> str:
    answer = app.test_client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200, answer.status_code
    assert answer.content_type.startswith("text/plain")
    return answer.get_data(as_text=True)


def value(text: str, sample: str, **labels) -> float:
    """The value of one sample (0 when the series is absent, as Prometheus would read a new counter)."""
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == sample and found.labels == labels:
                return found.value
    return 0.0


@pytest.fixture
def metrics_app(app):
    app.config["VIB_METRICS_TOKEN"] = TOKEN
    return app


def test_metrics_do_not_exist_without_a_token_setting(app):
    assert app.config["VIB_METRICS_TOKEN"] == ""
    assert app.test_client().get("/metrics").status_code == 404
    assert app.test_client().get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", f"Bearer {TOKEN}x", f"Basic {TOKEN}", TOKEN])
def test_metrics_refuse_any_other_authorization(metrics_app, header):
    headers = {"Authorization": header} if header else {}
    answer = metrics_app.test_client().get("/metrics", headers=headers)
    assert answer.status_code == 401
    assert b"vib_" not in answer.data


def test_request_latency_is_counted_by_endpoint_method_and_status_class(metrics_app, api, ready_clip):
    before = scrape(metrics_app)
    labels = {"endpoint": "clips.api_get", "method": "GET", "status": "2xx"}
    assert api("worker").get(f"/api/clips/{ready_clip['id']}").status_code == 200
    assert api("other_worker").get(f"/api/clips/{ready_clip['id']}").status_code == 404
    after = scrape(metrics_app)
    assert (
        value(after, "vib_http_request_duration_seconds_count", **labels)
        == value(before, "vib_http_request_duration_seconds_count", **labels) + 1
    )
    assert value(after, "vib_http_request_duration_seconds_count", endpoint="clips.api_get", method="GET", status="4xx") >= 1
    assert value(after, "vib_http_request_duration_seconds_bucket", le="+Inf", **labels) >= 1
    assert "/api/clips/" not in after  # never a URL: it holds ids


def test_an_unknown_url_is_counted_under_one_label(metrics_app):
    metrics_app.test_client().get("/no/such/page/abcdefgh")
    text = scrape(metrics_app)
    assert value(text, "vib_http_request_duration_seconds_count", endpoint="unmatched", method="GET", status="4xx") >= 1
    assert "abcdefgh" not in text  # letters: digits could be part of a measured value (it failed so once)


def test_clips_by_status_match_the_database(metrics_app, ready_clip):
    text = scrape(metrics_app)
    assert value(text, "vib_clips", status="ready") == 1
    assert value(text, "vib_clips", status="processing") == 0
    assert value(text, "vib_clips", status="failed") == 0
    with metrics_app.app_context():
        db.session().get(Clip, ready_clip["id"]).status = "failed"
        db.session().commit()
    text = scrape(metrics_app)
    assert (value(text, "vib_clips", status="ready"), value(text, "vib_clips", status="failed")) == (0, 1)
    assert value(text, "vib_metric_source_up", source="vib_clips") == 1


def test_a_failing_source_is_left_out_and_said_so(metrics_app, monkeypatch):
    from vib.core import metrics

    def broken():
        raise RuntimeError("postgresql://vib:secret@db/vib is down")

    monkeypatch.setitem(metrics.GAUGE_SOURCES, "vib_test_broken", metrics.GaugeSource("vib_test_broken", "Broken.", "kind", broken))
    text = scrape(metrics_app)
    assert value(text, "vib_metric_source_up", source="vib_test_broken") == 0
    assert value(text, "vib_metric_source_up", source="vib_clips") == 1
    assert "secret" not in text


def test_jobs_are_timed_and_failures_counted_by_task(metrics_app):
    runner = jobs.RUNNERS["inline"](metrics_app)
    before = scrape(metrics_app)
    runner.enqueue("test.metrics.succeeds", 1)
    runner.enqueue("test.metrics.fails", 1)
    runner.enqueue("test.metrics.fails", 2)
    after = scrape(metrics_app)

    def grew(sample, task):
        return value(after, sample, task=task) - value(before, sample, task=task)

    assert grew("vib_job_duration_seconds_count", "test.metrics.succeeds") == 1
    assert grew("vib_job_duration_seconds_count", "test.metrics.fails") == 2
    assert grew("vib_job_failures_total", "test.metrics.fails") == 2
    assert grew("vib_job_failures_total", "test.metrics.succeeds") == 0


@pytest.fixture
def redis_queues():
    import redis
    import rq

    connection = redis.Redis.from_url(REDIS_URL)
    clean = lambda: [connection.delete(key) for key in connection.scan_iter("rq:*")]  # noqa: E731 -- only our database 8
    clean()
    yield {name: rq.Queue(name, connection=connection) for name in ("media", "default")}
    clean()
    connection.close()


def test_queue_depth_and_failed_jobs_per_rq_queue(metrics_app, redis_queues):
    import rq

    metrics_app.config["VIB_REDIS_URL"] = REDIS_URL
    redis_queues["default"].enqueue("vib.no_such_module.task")
    rq.SimpleWorker([redis_queues["default"]], connection=redis_queues["default"].connection).work(burst=True)  # it fails
    for _ in range(3):
        redis_queues["media"].enqueue("vib.no_such_module.task")
    text = scrape(metrics_app)
    assert value(text, "vib_queue_jobs", queue="media") == 3
    assert value(text, "vib_queue_jobs", queue="default") == 0
    assert value(text, "vib_queue_failed_jobs", queue="default") == 1
    assert value(text, "vib_queue_failed_jobs", queue="media") == 0
    assert value(text, "vib_metric_source_up", source="queues") == 1


def test_without_redis_no_queue_is_reported(metrics_app):
    assert "vib_queue_jobs" not in scrape(metrics_app)


CHILD = """
import sys
from vib import create_app
app = create_app({"VIB_HOME": sys.argv[1], "VIB_DATABASE_URL": sys.argv[2], "TESTING": True, "VIB_METRICS_TOKEN": "t"})
client = app.test_client()
if sys.argv[3] == "request":
    assert client.get("/healthz").status_code == 200
else:
    print(client.get("/metrics", headers={"Authorization": "Bearer t"}).get_data(as_text=True))
"""


def test_with_a_multiprocess_directory_any_process_answers_the_sum_of_all(app, tmp_path):
    """As under gunicorn: two processes answer a request each and end; a third answers /metrics."""
    folder = tmp_path / "prometheus"
    folder.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder), "PYTHONPATH": str(ROOT)}

    def child(what: str) -> str:
        args = [sys.executable, "-c", CHILD, str(tmp_path / "home"), app.config["VIB_DATABASE_URL"], what]
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    child("request")
    child("request")
    text = child("scrape")
    assert value(text, "vib_http_request_duration_seconds_count", endpoint="health.healthz", method="GET", status="2xx") == 2
    assert "vib_clips" in text  # the gauges are read by the process that answers
