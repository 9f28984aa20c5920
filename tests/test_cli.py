"""The `vib` command."""

from datetime import UTC

from click.testing import CliRunner

from tests.days import organisation_today
from vib import create_app
from vib.cli import main


def run(tmp_path, *args, input=None, **settings):
    env = {"VIB_HOME": str(tmp_path / "home"), "VIB_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}", **settings}
    return CliRunner().invoke(main, list(args), input=input, env=env, catch_exceptions=False)


def test_init_user_and_token(tmp_path):
    assert run(tmp_path, "init").exit_code == 0
    added = run(
        tmp_path,
        "user",
        "add",
        "sam@example.org",
        "--role",
        "worker",
        "--role",
        "supervisor",
        "--name",
        "Sam",
        "--password-stdin",
        input="long enough secret\n",
    )
    assert added.exit_code == 0, added.output
    token = run(tmp_path, "token", "create", "sam@example.org")
    assert token.exit_code == 0
    assert token.stdout.count("\n") == 1 and token.stdout.startswith("vib_")  # the token and nothing else
    app = create_app({"VIB_HOME": tmp_path / "home", "VIB_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"})
    response = app.test_client().get("/api/cases", headers={"Authorization": f"Bearer {token.stdout.strip()}"})
    assert response.status_code == 200


def test_user_add_refuses_bad_input(tmp_path):
    short = run(tmp_path, "user", "add", "a@example.org", "--role", "worker", "--password-stdin", input="short\n")
    assert short.exit_code != 0 and "at least 8" in short.output
    assert run(tmp_path, "user", "add", "a@example.org", "--role", "boss").exit_code != 0
    assert run(tmp_path, "token", "create", "nobody@example.org").exit_code != 0


def test_demo_sets_up_an_organisation_with_a_ready_clip_a_library_proposal_and_a_meeting(tmp_path):
    # The demo runs its own jobs, even in a shell that names a Redis (no worker would ever run them).
    result = run(tmp_path, "demo", "--no-serve", VIB_REDIS_URL="redis://127.0.0.1:6379/14")
    assert result.exit_code == 0, result.output
    assert "worker@demo.vib" in result.output
    app = create_app({"VIB_HOME": tmp_path / "home", "VIB_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"})
    client = app.test_client()
    page = client.get("/login")
    token = page.get_data(as_text=True).split('name="csrf-token" content="')[1].split('"')[0]
    client.post("/login", data={"email": "worker@demo.vib", "password": "demo-worker", "csrf_token": token})
    clips = client.get("/api/clips").json
    assert len(clips) == 1 and clips[0]["status"] == "ready" and clips[0]["has_audio"]
    assert clips[0]["duration_ms"] > 20000
    moments = client.get(f"/api/clips/{clips[0]['id']}/moments").json
    assert {m["code"] for m in moments} == {"bc.beurt.jij", "bc.initiatief", "bc.ontvangen.verbaal"}
    assert client.get(f"/api/clips/{clips[0]['id']}/stats").json["reception_ratio"] > 0.5
    proposals = client.get("/api/fragments").json  # the worker's proposal, waiting for the trainer
    assert [p["state"] for p in proposals] == ["review"]
    [meeting] = client.get(f"/api/cases/{clips[0]['case_id']}/meetings").json  # a progress meeting to present
    [item] = client.get(f"/api/meetings/{meeting['id']}").json["items"]
    assert "better_than_usual" in item["moment"]["tags"] and item["talking_point"]
    assert run(tmp_path, "demo", "--no-serve").exit_code == 0  # a second run adds nothing
    assert len(client.get("/api/clips").json) == 1 and len(client.get("/api/fragments").json) == 1
    assert len(client.get(f"/api/cases/{clips[0]['case_id']}/meetings").json) == 1


def test_schemes_list_validate_and_import(tmp_path):
    import json

    from vib.schemes.catalogue import BUILTIN_DIR

    listed = run(tmp_path, "schemes", "list")
    assert listed.exit_code == 0, listed.output
    assert "* vib-basiscommunicatie  v2" in listed.output and "vig-principles" in listed.output
    own = json.loads((BUILTIN_DIR / "vig-principles.json").read_text())
    own.update(id="our-scheme", label={"nl": "Ons schema", "en": "Our scheme"})
    path = tmp_path / "ours.json"
    path.write_text(json.dumps(own, indent=2))
    assert run(tmp_path, "schemes", "validate", str(path)).exit_code == 0
    imported = run(tmp_path, "schemes", "import", str(path))
    assert imported.exit_code == 0 and "our-scheme v1: imported" in imported.output
    assert "already there" in run(tmp_path, "schemes", "import", str(path)).output
    own["codes"][0]["label"]["en"] = "Changed without a new version"
    path.write_text(json.dumps(own, indent=2))
    changed = run(tmp_path, "schemes", "import", str(path))
    assert changed.exit_code != 0 and "raise the version" in changed.output
    assert "our-scheme" in run(tmp_path, "schemes", "list").output


def test_a_malformed_scheme_file_is_refused_with_its_line_and_reason(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text(
        '{\n  "id": "broken",\n  "version": 1,\n  "label": {"nl": "x", "en": "x"},\n  "codes": [\n    {"id": "a", "label": {"nl": "A", "en": "A"}, "definition": {"nl": "A", "en": "A"},\n     "actor": "client", "colour": "red"}\n  ]\n}\n'
    )
    for command in ("validate", "import"):
        result = run(tmp_path, "schemes", command, str(path))
        assert result.exit_code != 0
        assert "line 7" in result.output and "colour" in result.output, result.output
    assert "broken" not in run(tmp_path, "schemes", "list").output
    path.write_text("{ not json")
    assert "line 1" in run(tmp_path, "schemes", "validate", str(path)).output


def _app(tmp_path):
    return create_app({"VIB_HOME": tmp_path / "home", "VIB_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"})


def test_user_certify_records_a_supervisors_certificate(tmp_path):
    from datetime import timedelta

    from vib.accounts.certificates import certificate_state
    from vib.accounts.operations import find_user
    from vib.core import audit, db

    assert run(tmp_path, "user", "add", "sup@example.org", "--role", "supervisor").exit_code == 0
    soon = (organisation_today() + timedelta(days=30)).isoformat()
    result = run(tmp_path, "user", "certify", "sup@example.org", "--number", "123", "--issuer", "AIT", "--valid-until", soon)
    assert result.exit_code == 0, result.output
    assert f"AIT no. 123, valid until {soon} (expiring)" in result.output
    renewed = (organisation_today() + timedelta(days=3 * 365)).isoformat()
    assert run(tmp_path, "user", "certify", "sup@example.org", "--number", "456", "--valid-until", renewed).exit_code == 0
    with _app(tmp_path).app_context():
        user = find_user(db.session(), "sup@example.org")
        assert (user.certificate.number, user.certificate.issuer, certificate_state(user)) == ("456", "AIT", "valid")
        rows = [(r.role, r.action, r.object_type, r.object_id) for r in audit.events(db.session())]
        assert rows == [("cli", "user.create", "user", user.id)] + [("cli", "certificate.set", "certificate", user.id)] * 2
        assert all(r.user_email.startswith("cli:") for r in audit.events(db.session()))


def test_user_certify_refuses_with_a_readable_message(tmp_path):
    run(tmp_path, "user", "add", "sup@example.org", "--role", "supervisor")
    run(tmp_path, "user", "add", "work@example.org", "--role", "worker")
    for args, message in [
        (["nobody@example.org", "--valid-until", "2027-01-01"], "no user nobody@example.org"),
        (["work@example.org", "--valid-until", "2027-01-01"], "give work@example.org the supervisor role first"),
        (["sup@example.org", "--valid-until", "2027-02-30"], "as YYYY-MM-DD"),
        (["sup@example.org", "--valid-until", "1-1-2027"], "as YYYY-MM-DD"),
    ]:
        result = run(tmp_path, "user", "certify", *args, "--number", "1")
        assert result.exit_code != 0 and message in result.output, (args, result.output)
        assert "Traceback" not in result.output
    assert run(tmp_path, "user", "certify", "sup@example.org", "--valid-until", "2027-01-01").exit_code != 0  # no --number


def test_audit_export_writes_csv_since_a_day(tmp_path):
    from datetime import datetime

    from vib.core import db
    from vib.core.audit import AuditEvent

    assert run(tmp_path, "init").exit_code == 0
    with _app(tmp_path).app_context():
        for day, action, object_id in [(9, "clip.view", 1), (10, "moment.create", 2), (11, "review.send", 3)]:
            db.session().add(
                AuditEvent(
                    at=datetime(2026, 1, day, 23, 30, tzinfo=UTC),
                    user_email="w@example.org",
                    role="worker",
                    action=action,
                    object_type=action.split(".")[0],
                    object_id=object_id,
                )
            )
        db.session().commit()
    everything = run(tmp_path, "audit", "export")
    assert everything.exit_code == 0 and len(everything.stdout.splitlines()) == 4
    since = run(tmp_path, "audit", "export", "--since", "2026-01-10")
    assert since.exit_code == 0, since.output
    assert since.stdout.splitlines() == [
        "time,user,role,action,object type,object id,detail",
        "2026-01-10T23:30:00+00:00,w@example.org,worker,moment.create,moment,2,",
        "2026-01-11T23:30:00+00:00,w@example.org,worker,review.send,review,3,",
    ]  # fmt: skip
    bad = run(tmp_path, "audit", "export", "--since", "10-01-2026")
    assert bad.exit_code != 0 and "--since" in bad.output and not bad.stdout.startswith("time")
