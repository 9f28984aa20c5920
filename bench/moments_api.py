"""Benchmark: the moment API and the review screen with 2,000 moments on a 60-minute clip.

A throw-away vib (a temporary VIB_HOME; SQLite unless --database-url) gets a worker, a case with
consent for analysis and the row of a ready 60-minute clip (facts made up: the moment API reads no
media). N moments (default 2,000) spread over the hour with a realistic mix of codes, actors, tags and
notes (fixed seed) go in through vib.coding.operations.create_moment, one commit each, as the coding
page sends them. The batch thumbnail job each change would start is switched off here: there is no
video to take pictures from.

Then the Flask test client (an API token, no network) requests, --repeat times each after one untimed
warm-up round, and reports the median and the fastest:

  GET   /api/clips/<id>/moments     all moments as JSON (checked: N of them)
  GET   ...moments?compact=1         the same, compact, as the coding page loads them (checked)
  GET   ...moments?compact=1         with If-None-Match: the ETag of the last answer (304)
  GET   /api/clips/<id>/stats       the clip's figures
  GET   /clips/<id>/review          the review page's HTML, one card per moment (checked)
  POST  /api/clips/<id>/moments     one new moment (deleted again, untimed, so N stay)
  PATCH /api/moments/<id>           one change of a note, with N moments present

With --thumbnails it also makes a real clip (vib.media.synth, default 5 minutes 640x360 25 fps, cached
in bench/.cache/), uploads it, codes 300 moments on it, and times the review thumbnails (start, and
middle and end of spans) made by the batch job vib.coding.operations.make_moment_thumbnails (one pass
over the clip) against one vib.clips.operations.thumbnail call per time (what requesting each
picture separately costs), both from an empty thumbnail cache, and then serving all of them, cached,
through GET /api/clips/<id>/thumbnail. Every picture is checked to show the frame on screen at its time.

    PYTHONPATH=. python bench/moments_api.py [--moments 2000] [--repeat 7]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
        [--thumbnails [--thumb-moments 300] [--thumb-minutes 5] [--gop 50]]

With --database-url the run uses a new schema of its own in that database (vib_bench_<random>),
dropped at the end; nothing else in the database is read or changed.
"""

from __future__ import annotations

import argparse
import bisect
import random
import secrets
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import date
from fractions import Fraction
from pathlib import Path
from statistics import median

from sqlalchemy import create_engine, make_url, text

from vib import create_app
from vib.accounts import second_factor
from vib.accounts.models import User
from vib.accounts.operations import add_user, create_token
from vib.cases.operations import create_case, record_consent
from vib.clips.models import READY, Clip
from vib.coding import operations as coding_ops
from vib.core import db
from vib.core.db import migrate

HOUR_MS = 3_600_000
SEED = 20260

# What a worker codes in a conversation, with how often (weights), as (code, actor or None for the
# code's own, span length range in ms or None for a point).
MIX = [
    (30, "bc.initiatief", None, None),
    (6, "bc.initiatief.verbaal", None, None),
    (6, "bc.initiatief.nonverbaal", "other", None),
    (14, "bc.ontvangen", None, None),
    (6, "bc.ontvangen.verbaal", None, (400, 2500)),
    (6, "bc.ontvangen.nonverbaal", None, None),
    (8, "bc.aandacht", None, (1000, 6000)),
    (6, "bc.benoemen", None, (800, 4000)),
    (8, "bc.beurt.jij", None, (1500, 9000)),
    (4, "bc.beurt.geven", None, None),
    (3, "bc.afstemmen", None, (2000, 8000)),
    (3, "bc.leiding.positief", None, (2000, 10000)),
    (2, "bc.reeks.ja", "both", (4000, 15000)),
    (4, "bc.gemist", None, None),
]
NOTES = [
    "",
    "",
    "",
    "",
    "She looks up and starts to tell.",
    'Nods and says "ja"; repeats her last words.',
    "Waits until he has finished before answering.",
    "The boy shows his drawing; father laughs.",
    'Names what she does: "you are thinking about it".',
    "Turns towards the mother and leans forward, friendly face. A good moment to show in the review.",
    "Asks what he thinks of the plan and waits for the answer.",
]
TAGS = ["better_than_usual", "learning_question", "still", "library_candidate"]


# -- the throw-away vib ----------------------------------------------------------------------------


@contextmanager
def bench_database(url: str | None, home: Path):
    """A database URL for this run: a new SQLite file, or a new schema in the given PostgreSQL
    database (dropped afterwards)."""
    if not url:
        yield f"sqlite:///{home / 'vib.sqlite3'}", "SQLite (file in a temporary folder)"
        return
    schema = f"vib_bench_{secrets.token_hex(4)}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    parsed = make_url(url)
    scoped = parsed.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    try:
        yield scoped, f"PostgreSQL {parsed.host}:{parsed.port or 5432}/{parsed.database}, schema {schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def make_app(home: Path, url: str):
    migrate(url)
    app = create_app({"VIB_HOME": home, "VIB_DATABASE_URL": url, "VIB_JOBS": "inline", "VIB_DEFAULT_LOCALE": "en"})
    # No batch thumbnail job per change: the 60-minute clip has no video (see --thumbnails for them).
    coding_ops._after_change = lambda db, clip: None
    return app


def make_worker_and_case(app) -> tuple[int, int, str]:
    with app.app_context():
        session = db.session()
        # The browser bench logs in with the password alone (bench/load.py does the same).
        second_factor.set_second_factor_for_workers(session, second_factor.OPTIONAL)
        worker = add_user(session, "worker@example.org", ["worker"], name="Worker", password="correct horse battery")
        token = create_token(session, worker)
        session.commit()
        case = create_case(session, worker, "2026-017", "How do I keep the father engaged when I bring bad news?")
        for person, role in (("father", "parent"), ("worker", "worker")):
            record_consent(session, case, worker, person, role, ["analysis"], date.today())
        session.commit()
        return worker.id, case.id, token


def insert_hour_clip(app, worker_id: int, case_id: int) -> int:
    """The row of a processed 60-minute 1280x720 clip; no files."""
    with app.app_context():
        session = db.session()
        clip = Clip(
            case_id=case_id,
            uploaded_by_id=worker_id,
            title="Home visit, one hour",
            status=READY,
            progress=100,
            size_bytes=2_700_000_000,
            duration_ms=HOUR_MS,
            width=1280,
            height=720,
            fps=25.0,
            video_codec="h264",
            audio_codec="aac",
            has_audio=True,
            pix_fmt="yuv420p",
            frame_count=HOUR_MS // 40,
            filmstrip_ready=True,
            recorded_on=date.today(),
        )
        session.add(clip)
        session.commit()
        return clip.id


def moment_fields(rng: random.Random, count: int, duration_ms: int) -> list[dict]:
    """`count` moments spread over the clip: one start in each of `count` equal slots, jittered and
    snapped to a 25 fps frame; a reception often follows an initiative within a few seconds."""
    weights = [w for w, *_ in MIX]
    slot = duration_ms / count
    out = []
    for k in range(count):
        _, code, actor, length = rng.choices(MIX, weights)[0]
        start = int((k + rng.uniform(0.05, 0.95)) * slot) // 40 * 40
        fields = {"start_ms": start, "code": code}
        if actor:
            fields["actor"] = actor
        if length:
            fields["end_ms"] = min(duration_ms, start + rng.randint(*length) // 40 * 40)
        note = rng.choice(NOTES)
        if note:
            fields["note"] = note
        if rng.random() < 0.15:
            fields["tags"] = rng.sample(TAGS, rng.choice((1, 1, 2)))
        out.append(fields)
    return out


def create_moments(app, clip_id: int, worker_id: int, all_fields: list[dict]) -> float:
    """Seconds taken to create them through vib.coding.operations.create_moment."""
    with app.test_request_context():
        session = db.session()
        clip, worker = session.get(Clip, clip_id), session.get(User, worker_id)
        started = time.perf_counter()
        for fields in all_fields:  # one transaction each, as the coding page's requests are
            coding_ops.create_moment(session, clip, worker, fields)
            session.commit()
        return time.perf_counter() - started


# -- timing ----------------------------------------------------------------------------------------


def timed(request) -> tuple[float, object]:
    started = time.perf_counter()
    response = request()
    return time.perf_counter() - started, response


def measure(name: str, request, check, repeat: int, after=None) -> dict:
    """Run `request` once untimed, then `repeat` times; `check(response)` on every answer."""
    times, size = [], 0
    for round_ in range(repeat + 1):
        seconds, response = timed(request)
        check(response)
        size = len(response.data)
        if after:
            after(response)
        if round_:
            times.append(seconds)
    return {"name": name, "median": median(times), "min": min(times), "size": size}


def expect(status: int, test=lambda response: True, what=""):
    def check(response):
        assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
        assert test(response), what

    return check


def api_table(app, clip_id: int, token: str, count: int, repeat: int) -> list[dict]:
    client = app.test_client(use_cookies=False)  # token only, like a script (see README)
    auth = {"Authorization": f"Bearer {token}"}
    moments_url = f"/api/clips/{clip_id}/moments"
    listed = client.get(moments_url, headers=auth).json
    target = listed[len(listed) // 2]
    compact_etag = client.get(f"{moments_url}?compact=1", headers=auth).headers["ETag"]
    version = {"n": target["version"]}
    rng = random.Random(SEED + 1)

    def post():
        start = rng.randrange(0, HOUR_MS - 2000) // 40 * 40
        return client.post(
            moments_url, headers=auth, json={"start_ms": start, "end_ms": start + 1200, "code": "bc.ontvangen", "note": "Nods."}
        )

    def delete_again(response):
        assert client.delete(f"/api/moments/{response.json['id']}", headers=auth).status_code == 204

    def patch():
        return client.patch(f"/api/moments/{target['id']}", headers=auth, json={"version": version["n"], "note": f"Changed {version['n']}"})

    def next_version(response):
        version["n"] = response.json["version"]

    return [
        measure(
            "GET moments (JSON)",
            lambda: client.get(moments_url, headers=auth),
            expect(200, lambda r: len(r.json) == count, f"{count} moments"),
            repeat,
        ),
        measure(
            "GET moments ?compact=1",
            lambda: client.get(f"{moments_url}?compact=1", headers=auth),
            expect(200, lambda r: len(r.json["moments"]) == count, f"{count} moments"),
            repeat,
        ),
        measure(
            "GET moments, 304",
            lambda: client.get(f"{moments_url}?compact=1", headers={**auth, "If-None-Match": compact_etag}),
            expect(304),
            repeat,
        ),
        measure(
            "GET stats",
            lambda: client.get(f"/api/clips/{clip_id}/stats", headers=auth),
            expect(200, lambda r: sum(row["count"] for row in r.json["by_code"]) == count),
            repeat,
        ),
        measure(
            "GET review page (HTML)",
            lambda: client.get(f"/clips/{clip_id}/review", headers=auth),
            expect(200, lambda r: r.get_data(as_text=True).count('<li class="moment-card') == count, f"{count} cards"),
            repeat,
        ),
        measure("POST one moment", post, expect(201), repeat, after=delete_again),
        measure("PATCH one moment", patch, expect(200), repeat, after=next_version),
    ]


def print_api_table(rows: list[dict], count: int, insert_seconds: float, database: str, repeat: int) -> None:
    print(f"\n{count} moments on a 60-minute clip; {database}; Flask test client, {repeat} rounds after a warm-up")
    print(f"created through create_moment (a commit each): {insert_seconds:.1f} s, {insert_seconds / count * 1000:.2f} ms per moment\n")
    print(f"{'request':26} {'median ms':>10} {'min ms':>8} {'response':>10}")
    for row in rows:
        print(f"{row['name']:26} {row['median'] * 1000:10.1f} {row['min'] * 1000:8.1f} {row['size'] / 1024:8.0f} kB")


# -- --thumbnails: the batch job against one call per time ------------------------------------------


def thumbnails_run(home: Path, url: str, moments: int, minutes: float, gop: int, repeat: int) -> None:
    import cv2
    from thumbnails import cached_clip  # bench/ is on sys.path when this file is run as a script

    from vib.clips import operations as clip_ops
    from vib.core import storage
    from vib.media import synth
    from vib.media.synth import ClipSpec

    spec = ClipSpec(seconds=minutes * 60, fps=25, width=640, height=360, gop=gop, preset="veryfast")
    path = cached_clip("review", spec)
    frame_times = synth.frame_times(spec)
    app = make_app(home, url)
    worker_id, case_id, token = make_worker_and_case(app)
    client = app.test_client(use_cookies=False)  # token only, like a script (see README)
    auth = {"Authorization": f"Bearer {token}"}
    started = time.perf_counter()
    with open(path, "rb") as f:
        made = client.post(
            "/api/clips",
            headers=auth,
            content_type="multipart/form-data",
            data={"file": (f, "visit.mp4"), "case_id": str(case_id), "title": "Home visit"},
        )
    assert made.status_code == 201, made.json
    clip_id = made.json["id"]
    print(
        f"\n--thumbnails: {minutes:g}-minute {spec.width}x{spec.height} {spec.fps} fps H.264 clip, a keyframe every {gop} frames;"
        f" upload + processing (inline) {time.perf_counter() - started:.1f} s"
    )
    with app.app_context():
        duration = db.session().get(Clip, clip_id).duration_ms
    create_moments(app, clip_id, worker_id, moment_fields(random.Random(SEED), moments, duration - 40))

    with app.test_request_context():
        session = db.session()
        clip = session.get(Clip, clip_id)
        times = sorted({t for moment in coding_ops.clip_moments(session, clip) for t in moment.times})
        width = clip_ops.thumbnail_width(coding_ops.REVIEW_THUMB_WIDTH, clip)
        media = storage.current()

        def exact() -> int:
            good = 0
            for t in times:
                key = clip.thumbnail_key(t, width)
                picture = None
                if media.exists(key):
                    with media.local_path(key) as still:
                        picture = cv2.imread(str(still))
                expected = bisect.bisect_right(frame_times, Fraction(t, 1000)) - 1
                good += picture is not None and synth.read_index(picture) == expected
            return good

        def batch():
            coding_ops.make_moment_thumbnails(clip_id)

        def one_by_one():
            for t in times:
                clip_ops.thumbnail(clip, t, width)

        results = {}
        for name, method in (("batch job (make_moment_thumbnails)", batch), ("one thumbnail() call per time", one_by_one)):
            walls = []
            for _ in range(repeat):
                media.delete_prefix(f"{clip.folder}/thumbs")
                walls.append(timed(method)[0])
            results[name] = (median(walls), min(walls), exact())

    urls = [f"/api/clips/{clip_id}/thumbnail?t={t}&w={width}" for t in times]
    served = []
    for _ in range(repeat):
        seconds, _ = timed(lambda: [expect(200)(client.get(u, headers=auth)) for u in urls])
        served.append(seconds)
    print(f"{moments} moments -> {len(times)} thumbnail times ({width} px wide), {repeat} round(s), empty cache each round\n")
    print(f"{'method':36} {'median s':>9} {'min s':>7} {'ms/thumb':>9}  frame-exact")
    for name, (med, low, good) in results.items():
        print(f"{name:36} {med:9.2f} {low:7.2f} {med / len(times) * 1000:9.1f}  {good}/{len(times)}")
    batch_median = results["batch job (make_moment_thumbnails)"][0]
    print(f"{'serve all, cached (GET thumbnail)':36} {median(served):9.2f} {min(served):7.2f} {median(served) / len(times) * 1000:9.1f}")
    print(f"\none call per time takes {results['one thumbnail() call per time'][0] / batch_median:.1f}x the batch job")


# -- main ------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--moments", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=7, help="timed rounds per request (median and min are reported)")
    parser.add_argument("--database-url", help="a PostgreSQL database to make a throw-away schema in (default: SQLite)")
    parser.add_argument("--thumbnails", action="store_true", help="also time the batch thumbnail job on a real clip")
    parser.add_argument("--thumb-moments", type=int, default=300)
    parser.add_argument("--thumb-minutes", type=float, default=5)
    parser.add_argument("--gop", type=int, default=50, help="frames between keyframes of the --thumbnails clip")
    parser.add_argument("--thumb-repeat", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="vib-bench-") as tmp:
        home = Path(tmp) / "home"
        with bench_database(args.database_url, Path(tmp)) as (url, database):
            app = make_app(home, url)
            worker_id, case_id, token = make_worker_and_case(app)
            clip_id = insert_hour_clip(app, worker_id, case_id)
            fields = moment_fields(random.Random(SEED), args.moments, HOUR_MS)
            insert_seconds = create_moments(app, clip_id, worker_id, fields)
            rows = api_table(app, clip_id, token, args.moments, args.repeat)
            print_api_table(rows, args.moments, insert_seconds, database, args.repeat)
            with app.app_context():
                db.engine().dispose()
        if args.thumbnails:
            with bench_database(args.database_url, Path(tmp) / "thumbs") as (url, _):
                (Path(tmp) / "thumbs").mkdir()
                thumbnails_run(Path(tmp) / "thumbs" / "home", url, args.thumb_moments, args.thumb_minutes, args.gop, args.thumb_repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
