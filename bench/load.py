"""Benchmark: a worker's page and API traffic against two vib deployments, in one run, with Locust.

  (a) `vib serve --port P`: waitress in one process, SQLite, background jobs in threads (the README's
      way to start vib), VIB_HOME a temporary folder;
  (b) `vib serve --workers 4 --port P`: gunicorn with 4 processes, PostgreSQL (database bench_load,
      its public schema dropped and made again), Redis (database 10, FLUSHDB), and one `vib worker`.

Set-up per target, before the timed part: `vib init`, 10 workers (`vib user add ... --password-stdin`,
`vib token create`), for each a case with consent (POST /api/cases, /consents) and a 20 s clip uploaded
with POST /api/clips and processed until ready with its filmstrip, plus 5 moments. Then N Locust users
(default 50; user i plays worker i mod 10) log in once through the form at /login (with its CSRF token;
a new vib requires a second factor of workers, so the set-up makes it optional with `vib policy set`) and, with a think time between requests, request:

  pages    /cases, /cases/<id>, /clips/<id>, /clips/<id>/coding                     (session cookie)
  reads    /api/cases, /api/clips/<id>, /api/clips/<id>/moments, /api/clips/<id>/stats,
           /api/clips/<id>/thumbnail?t=..., /api/clips/<id>/filmstrip, /filmstrip.jpg (API token)
  writes   POST /api/clips/<id>/moments, PATCH /api/moments/<id> (a moment the user made)

The log-ins happen while the users are spawned; the statistics are reset once all are running, and
the timed part is `--duration` seconds after that. Any answer other than the expected status (a 429
included) counts as a failure. It prints a Markdown table per target and request kind (requests/s,
p50/p95/p99 in ms, failures), the totals, and whether the goals hold (no failures in either; in (b)
p95 < 100 ms for every API read and < 250 ms for every page), and writes the same as JSON to
bench/.cache/load-<timestamp>.json.

    PYTHONPATH=. python bench/load.py [--users 50] [--duration 60] [--spawn-rate 10]
        [--wait-min 0.5] [--wait-max 2.0] [--targets a,b] [--quick] [--check]

Every process started here runs in a process group of its own and is stopped at the end, also on
Ctrl+C or an error.
"""

from __future__ import annotations

# isort: off
# Locust patches the standard library for gevent when it is imported: before anything else.
import locust  # noqa: F401
import gevent
from locust import FastHttpUser, between, task
from locust.env import Environment

# isort: on
import argparse
import itertools
import json
import os
import random
import re
import signal
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from thumbnails import CACHE, cached_clip  # bench/ is on sys.path when this file is run as a script
from vibstack import Api, Processes, add_worker, free_port, reset_postgres, reset_redis, stack, vib, vib_env, wait_ready, wait_until_up

from vib.media.synth import ClipSpec

ACCOUNTS = 10
CLIP_SPEC = ClipSpec(seconds=20, fps=25, width=640, height=360, gop=50, audio=True, preset="veryfast")
CODES = ["bc.initiatief", "bc.ontvangen", "bc.benoemen", "bc.aandacht", "bc.beurt.jij", "bc.ontvangen.verbaal"]
THUMB_TIMES = [0, 1000, 4000, 7500, 12000, 16000]

PAGES = ["page /cases", "page /cases/<id>", "page /clips/<id>", "page /clips/<id>/coding"]
READS = [
    "GET /api/cases",
    "GET /api/clips/<id>",
    "GET /api/clips/<id>/moments",
    "GET /api/clips/<id>/stats",
    "GET /api/clips/<id>/thumbnail",
    "GET /api/clips/<id>/filmstrip",
    "GET /api/clips/<id>/filmstrip.jpg",
]
WRITES = ["POST /api/clips/<id>/moments", "PATCH /api/moments/<id>"]
API_READ_P95_MS = 100
PAGE_P95_MS = 250


class Worker(FastHttpUser):
    """A youth-care worker on their clip: pages with the session cookie, the API with a token."""

    accounts: list[dict] = []
    numbering = itertools.count()
    logged_in = 0  # users whose log-in is done (the timed part waits for all)
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        self.account = self.accounts[next(self.numbering) % len(self.accounts)]
        self.token = {"Authorization": f"Bearer {self.account['token']}"}
        self.clip = self.account["clip_id"]
        self.mine: list[list[int]] = []  # [moment id, version] of the moments this user made
        self.log_in()
        Worker.logged_in += 1

    def log_in(self) -> None:
        with self.client.get("/login", name="login: GET /login", catch_response=True) as answer:
            found = re.search(r'name="csrf-token" content="([^"]+)"', answer.text or "")
            if answer.status_code != 200 or not found:
                answer.failure(f"no login form ({answer.status_code})")
                return
        form = urlencode({"email": self.account["email"], "password": self.account["password"], "csrf_token": found.group(1)})
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        with self.client.post(
            "/login", data=form, headers=headers, name="login: POST /login", allow_redirects=False, catch_response=True
        ) as answer:
            if answer.status_code != 302 or answer.headers.get("Location", "").endswith(("/login", "/login/code", "/login/enrol")):
                answer.failure(f"log-in refused ({answer.status_code} {answer.headers.get('Location')})")

    # -- pages ------------------------------------------------------------------------------------

    def page(self, path: str, name: str) -> None:
        with self.client.get(path, name=name, catch_response=True) as answer:
            if answer.status_code != 200 or "<html" not in (answer.text or "")[:500].lower():
                answer.failure(f"{answer.status_code}")
            elif 'action="/login"' in answer.text:
                answer.failure("answered with the log-in form")

    @task(2)
    def cases_page(self) -> None:
        self.page("/cases", "page /cases")

    @task(2)
    def case_page(self) -> None:
        self.page(f"/cases/{self.account['case_id']}", "page /cases/<id>")

    @task(2)
    def clip_page(self) -> None:
        self.page(f"/clips/{self.clip}", "page /clips/<id>")

    @task(2)
    def coding_page(self) -> None:
        self.page(f"/clips/{self.clip}/coding", "page /clips/<id>/coding")

    # -- API reads --------------------------------------------------------------------------------

    def read(self, path: str, name: str, kind: str = "json") -> None:
        with self.client.get(path, name=name, headers=self.token, catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code} {(answer.text or '')[:200]}")
            elif kind == "jpeg" and not (answer.content or b"").startswith(b"\xff\xd8"):
                answer.failure("not a JPEG")

    @task(3)
    def api_cases(self) -> None:
        self.read("/api/cases", "GET /api/cases")

    @task(4)
    def api_clip(self) -> None:
        self.read(f"/api/clips/{self.clip}", "GET /api/clips/<id>")

    @task(5)
    def api_moments(self) -> None:
        self.read(f"/api/clips/{self.clip}/moments", "GET /api/clips/<id>/moments")

    @task(3)
    def api_stats(self) -> None:
        self.read(f"/api/clips/{self.clip}/stats", "GET /api/clips/<id>/stats")

    @task(6)
    def api_thumbnail(self) -> None:
        t = random.choice(THUMB_TIMES)
        self.read(f"/api/clips/{self.clip}/thumbnail?t={t}", "GET /api/clips/<id>/thumbnail", "jpeg")

    @task(2)
    def api_filmstrip(self) -> None:
        self.read(f"/api/clips/{self.clip}/filmstrip", "GET /api/clips/<id>/filmstrip")

    @task(2)
    def api_filmstrip_jpg(self) -> None:
        self.read(f"/api/clips/{self.clip}/filmstrip.jpg", "GET /api/clips/<id>/filmstrip.jpg", "jpeg")

    # -- API writes -------------------------------------------------------------------------------

    @task(3)
    def create_moment(self) -> None:
        start = random.randrange(0, self.account["duration_ms"] - 3000)
        body = {"start_ms": start, "code": random.choice(CODES), "note": "Bench: she looks up."}
        if random.random() < 0.3:
            body["end_ms"] = start + random.randrange(500, 2500)
        with self.client.post(
            f"/api/clips/{self.clip}/moments", json=body, headers=self.token, name="POST /api/clips/<id>/moments", catch_response=True
        ) as answer:
            if answer.status_code != 201:
                answer.failure(f"{answer.status_code} {(answer.text or '')[:200]}")
                return
            moment = answer.json()
            self.mine.append([moment["id"], moment["version"]])

    @task(3)
    def change_moment(self) -> None:
        if not self.mine:
            self.create_moment()
            return
        moment = random.choice(self.mine)
        body = {
            "version": moment[1],
            "note": f"Bench: changed {random.randrange(10**6)}",
            "tags": random.choice([[], ["better_than_usual"]]),
        }
        with self.client.request(
            "PATCH", f"/api/moments/{moment[0]}", json=body, headers=self.token, name="PATCH /api/moments/<id>", catch_response=True
        ) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code} {(answer.text or '')[:200]}")
                return
            moment[1] = answer.json()["version"]


# -- the targets ----------------------------------------------------------------------------------


def set_up(env: dict, base: str, processes: Processes, clip: Path, label: str) -> list[dict]:
    """Workers, tokens, cases with consent, one processed clip each with 5 moments (vib is running)."""
    policy = vib(env, "policy", "show")
    if "second_factor_for_workers = optional" not in policy:
        # A new vib requires an authenticator app of workers too; the bench logs in with the password.
        vib(env, "policy", "set", "--second-factor-for-workers", "optional")
        print(f"  [{label}] second factor for workers: required -> optional (vib policy set)", flush=True)
    accounts = []
    for i in range(ACCOUNTS):
        email, password = f"bench-worker-{i}@bench.vib", f"bench-load-password-{i}-staple"
        accounts.append({"email": email, "password": password, "token": add_worker(env, email, password)})
    print(f"  [{label}] {ACCOUNTS} workers and tokens made", flush=True)
    started = time.monotonic()
    for i, account in enumerate(accounts):
        api = Api(base, account["token"])
        account["case_id"] = api.case_with_consent(f"BENCH-{i:02d}")
        account["clip_id"] = api.upload_small(account["case_id"], clip, f"Home visit {i}")
    for account in accounts:
        api = Api(base, account["token"])
        wait_ready(api, [account["clip_id"]], timeout=600)
        account["duration_ms"] = api.clip(account["clip_id"])["duration_ms"]
        for k in range(5):
            start = 1000 + k * 3000
            api.call("POST", f"/api/clips/{account['clip_id']}/moments", 201, json={"start_ms": start, "code": CODES[k % len(CODES)]})
    processes.check_alive()
    print(f"  [{label}] {ACCOUNTS} cases, clips processed and coded in {time.monotonic() - started:.0f} s", flush=True)
    return accounts


def start_target(target: str, home: Path, processes: Processes, clip: Path) -> tuple[str, list[dict], str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    if target == "a":
        env = vib_env(home)
        what = "vib serve: waitress, 1 process, SQLite, jobs in threads"
        vib(env, "init")
        processes.start("a-serve", env, "serve", "--port", str(port))
    else:
        env = vib_env(home, reset_postgres("bench_load"), reset_redis(10))
        what = "vib serve --workers 4: gunicorn, PostgreSQL, Redis, 1 vib worker"
        vib(env, "init")
        processes.start("b-serve", env, "serve", "--workers", "4", "--port", str(port))
        processes.start("b-worker", env, "worker")
    wait_until_up(base, processes)
    print(f"[{target}] {what} on {base}", flush=True)
    return base, set_up(env, base, processes, clip, target), what


def run_locust(base: str, accounts: list[dict], users: int, spawn_rate: float, duration: float, wait: tuple[float, float]) -> dict:
    Worker.accounts = accounts
    Worker.numbering = itertools.count()
    Worker.logged_in = 0
    Worker.wait_time = between(*wait)
    env = Environment(user_classes=[Worker], host=base)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=spawn_rate)
    deadline = time.monotonic() + users / spawn_rate + 120
    while Worker.logged_in < users and time.monotonic() < deadline:  # every user spawned and logged in
        gevent.sleep(0.2)
    gevent.sleep(2)
    logins = {
        name: {"requests": entry.num_requests, "failures": entry.num_failures, "p50_ms": entry.get_response_time_percentile(0.5)}
        for (name, _method), entry in env.stats.entries.items()
        if name.startswith("login")
    }
    early_errors = [f"{e.method} {e.name}: {e.error} x{e.occurrences}" for e in env.stats.errors.values()]
    env.stats.reset_all()
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    gevent.sleep(duration)
    elapsed = time.monotonic() - started
    runner.quit()
    rows = []
    for (name, _method), entry in sorted(env.stats.entries.items(), key=lambda item: order(item[0][0])):
        if entry.num_requests or not name.startswith("login"):  # the log-ins were before the timed part
            rows.append(row(name, entry, elapsed))
    total = row("all", env.stats.total, elapsed)
    errors = [f"{e.method} {e.name}: {e.error} x{e.occurrences}" for e in env.stats.errors.values()]
    return {
        "seconds": round(elapsed, 1),
        "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "rows": rows,
        "total": total,
        "logins": logins,
        "errors": errors,
        "errors_while_spawning": early_errors,
    }


def order(name: str) -> int:
    kinds = PAGES + READS + WRITES
    return kinds.index(name) if name in kinds else len(kinds)


def row(name: str, entry, elapsed: float) -> dict:
    return {
        "name": name,
        "requests": entry.num_requests,
        "rps": round(entry.num_requests / elapsed, 1),
        "p50_ms": entry.get_response_time_percentile(0.50),
        "p95_ms": entry.get_response_time_percentile(0.95),
        "p99_ms": entry.get_response_time_percentile(0.99),
        "max_ms": round(entry.max_response_time or 0),
        "failures": entry.num_failures,
    }


def goals(results: dict[str, dict]) -> list[tuple[str, bool, str]]:
    checks = []
    for target, result in results.items():
        failures = result["total"]["failures"]
        checks.append((f"({target}) no failures", failures == 0, f"{failures} failure(s)"))
    if "b" in results:
        rows = {r["name"]: r for r in results["b"]["rows"]}
        for names, limit, what in ((READS, API_READ_P95_MS, "API read"), (PAGES, PAGE_P95_MS, "page")):
            slow = [f"{n} {rows[n]['p95_ms']} ms" for n in names if n in rows and rows[n]["p95_ms"] >= limit]
            missing = [n for n in names if n not in rows]
            detail = "; ".join(slow) or f"worst {max((rows[n]['p95_ms'] for n in names if n in rows), default=0)} ms"
            if missing:
                detail += f"; never requested: {', '.join(missing)}"
            checks.append((f"(b) p95 < {limit} ms for every {what}", not slow and not missing, detail))
    return checks


def markdown(results: dict[str, dict], meta: dict) -> str:
    lines = [
        f"{meta['users']} users, {meta['duration']} s each after spawning ({meta['spawn_rate']}/s), think time "
        f"{meta['wait'][0]}-{meta['wait'][1]} s, {meta['date']}",
        "",
    ]
    for target, result in results.items():
        load = result["load_average_1min"]
        lines += [
            f"**({target}) {result['what']}**, {result['seconds']} s timed (1-min load average {load[0]} before, {load[1]} after)",
            "",
        ]
        lines += [
            "| request | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | failures |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for r in result["rows"] + [result["total"]]:
            name = f"**{r['name']}**" if r["name"] == "all" else r["name"]
            lines.append(
                f"| {name} | {r['requests']} | {r['rps']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r['max_ms']} | {r['failures']} |"
            )
        login = ", ".join(f"{name}: {v['requests']} ({v['failures']} failed, p50 {v['p50_ms']} ms)" for name, v in result["logins"].items())
        lines += ["", f"Log-ins while spawning (before the timed part): {login or 'none'}"]
        if result["errors"] or result["errors_while_spawning"]:
            lines += ["", "Errors:"] + [f"- {e}" for e in result["errors_while_spawning"] + result["errors"]]
        lines.append("")
    lines += ["| goal | holds | figure |", "| --- | --- | --- |"]
    lines += [f"| {name} | {'yes' if ok else '**no**'} | {detail} |" for name, ok, detail in meta["goals"]]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60, help="timed seconds per target, after spawning")
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started per second")
    parser.add_argument("--wait-min", type=float, default=0.5, help="think time between a user's requests, seconds")
    parser.add_argument("--wait-max", type=float, default=2.0)
    parser.add_argument("--targets", default="a,b", help="a (waitress, SQLite), b (gunicorn x4, PostgreSQL, Redis, worker)")
    parser.add_argument("--quick", action="store_true", help="a 10 s smoke run per target")
    parser.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args()
    if args.quick:
        args.duration = 10
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    clip = cached_clip("load", CLIP_SPEC)
    meta = {
        "users": args.users,
        "duration": args.duration,
        "spawn_rate": args.spawn_rate,
        "wait": [args.wait_min, args.wait_max],
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "accounts": ACCOUNTS,
        "clip": f"{CLIP_SPEC.seconds:.0f} s {CLIP_SPEC.width}x{CLIP_SPEC.height} H.264/AAC",
    }
    # Ctrl+C (and SIGTERM) while gevent waits: stop in the main greenlet, so `finally` stops the processes.
    main_greenlet = gevent.getcurrent()
    for number in (signal.SIGINT, signal.SIGTERM):
        gevent.signal_handler(number, main_greenlet.throw, KeyboardInterrupt)
    results: dict[str, dict] = {}
    for target in targets:
        with stack(f"vib-load-{target}-") as (home, processes):
            base, accounts, what = start_target(target, home, processes, clip)
            print(f"[{target}] {args.users} users for {args.duration:.0f} s ...", flush=True)
            results[target] = {
                "what": what,
                **run_locust(base, accounts, args.users, args.spawn_rate, args.duration, (args.wait_min, args.wait_max)),
            }
            processes.check_alive()
    meta["goals"] = goals(results)
    table = markdown(results, meta)
    print("\n" + table)
    CACHE.mkdir(exist_ok=True)
    out = CACHE / f"load-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({"meta": meta, "results": results, "markdown": table}, indent=2))
    print(f"\nwritten to {out}")
    held = all(ok for _, ok, _ in meta["goals"])
    print("PASS" if held else "FAIL: a goal is missed (see above)")
    return 1 if args.check and not held else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted: every process started here is stopped", file=sys.stderr)
        sys.exit(130)
