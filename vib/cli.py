"""The `vib` command: serve, worker, jobs, init, demo, user, token, schemes, audit, purge, policy, case, export."""

from __future__ import annotations

import getpass
import json
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from types import SimpleNamespace

import click
import waitress
import waitress.parser
import waitress.utilities
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import make_url, select

from vib.accounts import second_factor
from vib.accounts.certificates import certificate_state
from vib.accounts.models import ROLES, User
from vib.accounts.operations import AccountError, add_user, create_token, find_user
from vib.admin.operations import set_certificate
from vib.app import create_app, purge_daily, start_background_work
from vib.cases.models import Case
from vib.cases.operations import viewing_refusal
from vib.clips.models import Clip
from vib.coding.operations import queue_moment_thumbnails
from vib.core import audit, jobs
from vib.core.db import migrate, session, unit_of_work
from vib.core.errors import TOO_LARGE_FOR_THE_SERVER, UserError
from vib.demo import demo_clip_ids, plan_demo_meeting, propose_demo_fragment, set_up_demo
from vib.interop import operations as interop
from vib.privacy import operations as privacy
from vib.privacy.export import export_case
from vib.schemes.catalogue import SchemeError, import_scheme, latest_schemes, scheme_summary
from vib.schemes.format import SchemeFormatError, load_scheme_file


def _migrated_app(settings: dict | None = None) -> Flask:
    app = create_app(settings)
    migrate(app.config["VIB_DATABASE_URL"])
    return app


@click.group()
def main() -> None:
    """vib: Video Interaction Guidance. Data lives in VIB_HOME (default ./vib-data)."""


@main.command()
def init() -> None:
    """Create the database, or migrate it to the newest schema."""
    app = _migrated_app()
    click.echo(f"Database ready: {app.config['VIB_DATABASE_URL']}", err=True)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int, help="Requests served at once per process.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1), help="Web processes (more than 1: gunicorn).")
def serve(host: str, port: int, threads: int, workers: int) -> None:
    """Serve vib (migrates the database first): waitress in this process, or with --workers N gunicorn
    with N processes (needs VIB_REDIS_URL and a PostgreSQL VIB_DATABASE_URL)."""
    app = create_app()
    if workers > 1:
        refusal = several_processes_refusal(app)
        if refusal:
            raise click.UsageError(refusal)
        migrate(app.config["VIB_DATABASE_URL"])
        _serve_with_gunicorn(host, port, threads, workers)
        return
    migrate(app.config["VIB_DATABASE_URL"])
    _serve(app, host, port, threads)


def several_processes_refusal(app: Flask) -> str | None:
    """Why vib cannot run in several web processes with these settings, or None."""
    missing = []
    if not app.config["VIB_REDIS_URL"]:
        missing.append("VIB_REDIS_URL: the job queue and the login throttling must be shared by every process, and Redis is where")
    if make_url(app.config["VIB_DATABASE_URL"]).get_backend_name() != "postgresql":
        missing.append("a PostgreSQL VIB_DATABASE_URL: SQLite lets one process write at a time, so requests would wait and fail")
    if not missing:
        return None
    return "--workers above 1 needs " + "; and ".join(missing) + ". See docs/deploy.md, or leave out --workers for one process."


def _serve_with_gunicorn(host: str, port: int, threads: int, workers: int) -> None:
    """Replace this process by gunicorn serving vib.wsgi:app (its jobs run in `vib worker` processes)."""
    arguments = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", str(threads)]
    arguments += ["--bind", f"{host}:{port}", "--access-logfile", "-", "--forwarded-allow-ips", "127.0.0.1", "vib.wsgi:app"]
    click.echo(f"vib is running on http://{host}:{port}/ in {workers} gunicorn processes (Ctrl+C stops it)", err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, arguments)


def _serve(app, host: str, port: int, threads: int) -> None:
    requeued = start_background_work(app)
    if requeued:
        click.echo(f"Re-queued {requeued} unfinished job(s).", err=True)
    if app.config["VIB_JOBS"] != "rq" and not app.config["VIB_REDIS_URL"]:
        purge_daily(app)  # with Redis the `vib worker` processes queue the daily work
    click.echo(f"vib is running on http://{host}:{port}/ (Ctrl+C stops it)", err=True)
    waitress.serve(app, host=host, port=port, threads=threads, **waitress_settings(app))


def waitress_settings(app) -> dict:
    """Waitress reads a whole request body before the app sees it, so it refuses an oversized body
    itself, before reading it, with the same JSON error the app gives."""
    with app.test_request_context():
        message = str(TOO_LARGE_FOR_THE_SERVER % {"mb": app.config["VIB_UPLOAD_PIECE_BYTES"] // 2**20})

    class TooLarge(waitress.utilities.RequestEntityTooLarge):
        def to_response(self, ident=None):
            body = json.dumps({"error": message}).encode()
            return f"{self.code} {self.reason}", [("Content-Type", "application/json")], body

    waitress.parser.RequestEntityTooLarge = TooLarge
    # Waitress reads a whole body before vib sees the request, so no body may be large: videos come in
    # pieces (tus, /api/tus). A body is held in memory (never spooled to a temporary file), and
    # the Server header, which names the software, is left out.
    largest = min(app.config["MAX_CONTENT_LENGTH"], app.config["VIB_UPLOAD_PIECE_BYTES"]) + 2**20
    return {"max_request_body_size": largest, "inbuf_overflow": largest + 2**20, "ident": ""}


@main.group()
def user() -> None:
    """Manage accounts."""


@user.command("add")
@click.argument("email")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES), help="May be given several times.")
@click.option("--name", default=None)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def user_add(email: str, roles: tuple[str, ...], name: str | None, password_stdin: bool) -> None:
    """Add a user, or give an existing user more roles."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    with _command(_migrated_app()):
        existed = find_user(session(), email) is not None
        try:
            account = add_user(session(), email, list(roles), name=name, password=password)
        except AccountError as exc:
            raise click.ClickException(str(exc)) from exc
        audit.record(session(), _cli_actor(), "user.update" if existed else "user.create", "user", account.id, CLI_ROLE)
    click.echo(f"{account.email}: {', '.join(sorted(account.roles))}", err=True)


@user.command("certify")
@click.argument("email")
@click.option("--number", required=True, help="The certificate number.")
@click.option("--issuer", default="AIT", show_default=True, help="The body that issued the certificate.")
@click.option("--valid-until", required=True, metavar="YYYY-MM-DD", help="The last day the certificate is valid.")
def user_certify(email: str, number: str, issuer: str, valid_until: str) -> None:
    """Record or renew the certificate of supervisor EMAIL (certificates last three years)."""
    with _command(_migrated_app()):
        account = find_user(session(), email)
        if account is None:
            raise click.ClickException(f"no user {email}")
        try:
            certificate = set_certificate(session(), _cli_actor(), account, number, issuer, valid_until, role=CLI_ROLE)
        except UserError as exc:
            raise click.ClickException(str(exc)) from exc
        state = certificate_state(account)
    click.echo(
        f"{account.email}: {certificate.issuer} no. {certificate.number}, valid until {certificate.valid_until.isoformat()} ({state})",
        err=True,
    )


CLI_ROLE = "cli"


def _cli_actor():
    """Who the audit log names for a change made with the `vib` command: the system account that ran it."""
    try:
        login = getpass.getuser()
    except (KeyError, OSError):
        login = "unknown"
    return SimpleNamespace(id=None, email=f"cli:{login}")


@main.group()
def token() -> None:
    """Personal API tokens."""


@token.command("create")
@click.argument("email")
def token_create(email: str) -> None:
    """Print a new API token for EMAIL (and nothing else) on standard output."""
    with _command(_migrated_app()):
        account = find_user(session(), email)
        if account is None:
            raise click.ClickException(f"no user {email}")
        value = create_token(session(), account)
    click.echo(value)


@contextmanager
def _command(app: Flask) -> Iterator[None]:
    """The one transaction of a command: committed when it ends, rolled back when it fails. Its
    messages are in English, whatever the organisation's language: the command line speaks English,
    like its help."""
    with app.test_request_context(), force_locale("en"), unit_of_work():
        yield


@main.group()
def schemes() -> None:
    """Interaction-analysis code schemes (annotations/ and imported ones)."""


@schemes.command("list")
def schemes_list() -> None:
    """The schemes in use, newest version of each; the default is marked *."""
    with _command(_migrated_app()):
        for scheme in latest_schemes(session()):
            summary = scheme_summary(scheme)
            mark = "*" if summary["default"] else " "
            click.echo(f"{mark} {scheme.id}  v{scheme.version}  {summary['code_count']} codes  {scheme.label.get('en', '')}")


@schemes.command("validate")
@click.argument("file", type=click.Path(dir_okay=False))
def schemes_validate(file: str) -> None:
    """Check a scheme file without storing it."""
    try:
        scheme = load_scheme_file(file)
    except SchemeFormatError as exc:
        raise click.ClickException(f"{file}: {exc}") from exc
    click.echo(f"{file}: valid, {scheme.id} v{scheme.version}, {len(scheme.codes)} codes", err=True)


@schemes.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
def schemes_import(file: str) -> None:
    """Store a scheme file's version, so cases and clips can choose it."""
    try:
        text = open(file, encoding="utf-8").read()
    except (OSError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{file}: cannot be read ({exc})") from exc
    with _command(_migrated_app()):
        try:
            scheme, created = import_scheme(session(), text)
        except SchemeError as exc:
            raise click.ClickException(f"{file}: {exc}") from exc
    state = "imported" if created else "already there, unchanged"
    click.echo(f"{scheme.id} v{scheme.version}: {state}", err=True)


@main.group("audit")
def audit_group() -> None:
    """The append-only audit log."""


@audit_group.command("export")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD", help="Only rows from this day on (UTC).")
def audit_export(since) -> None:
    """Write the audit log as CSV to standard output.

    Columns: time (UTC, ISO 8601), user, role, action, object type, object id; oldest row first."""

    with _command(_migrated_app()):
        rows = audit.events(session(), since=since.replace(tzinfo=UTC) if since else None)
        for chunk in audit.csv_lines(rows):
            click.echo(chunk, nl=False)


@main.command()
@click.option("--dry-run", is_flag=True, help="Only list what is due; delete nothing.")
def purge(dry_run: bool) -> None:
    """Delete every clip whose deletion is due (retention, withdrawn consent) and every library
    fragment past its expiry date, one line each."""
    app = _migrated_app()
    with _command(app):
        lines = privacy.purge(session(), _cli_actor(), CLI_ROLE, dry_run=dry_run)
        for line in lines:
            click.echo(("would delete " if dry_run else "deleted ") + str(line))
    app.extensions["vib.jobs"].wait_idle()  # the files go after the commit: before the command ends
    click.echo(f"{len(lines)} item(s) {'due' if dry_run else 'deleted'}.", err=True)


@main.group()
def policy() -> None:
    """The organisation's retention policy."""


@policy.command("show")
def policy_show() -> None:
    """Print the retention policy (in months) and the security policy."""
    with _command(_migrated_app()):
        _echo_policy()


def _echo_policy() -> None:
    for name, value in privacy.policy_json(privacy.policy(session())).items():
        click.echo(f"{name} = {value}")
    click.echo(f"second_factor_for_workers = {second_factor.security_policy(session()).second_factor_for_workers}")


@policy.command("set")
@click.option("--clip-months-after-close", type=int, help="Months to keep clips after their case is closed (1-120).")
@click.option("--clip-max-months", type=int, help="Longest time a clip is kept, in months after upload (1-120).")
@click.option("--fragment-months", type=int, help="Months to keep library fragments (1-60).")
@click.option(
    "--second-factor-for-workers",
    type=click.Choice([second_factor.REQUIRED, second_factor.OPTIONAL]),
    help="Whether workers need an authenticator app (supervisors, trainers and admins always do).",
)
def policy_set(second_factor_for_workers: str | None, **values) -> None:
    """Change the retention and security policy (only the values given)."""
    values = {name: value for name, value in values.items() if value is not None}
    if not values and second_factor_for_workers is None:
        raise click.UsageError("give at least one value to set")
    with _command(_migrated_app()):
        try:
            if values:
                privacy.set_policy(session(), _cli_actor(), CLI_ROLE, values)
            if second_factor_for_workers is not None:
                second_factor.set_second_factor_for_workers(session(), second_factor_for_workers)
                audit.record(
                    session(),
                    _cli_actor(),
                    "policy.set",
                    "policy",
                    1,
                    CLI_ROLE,
                    detail=f"second_factor_for_workers={second_factor_for_workers}",
                )
        except UserError as exc:
            raise click.ClickException(str(exc)) from exc
        _echo_policy()


@main.group("case")
def case_group() -> None:
    """Cases, for the privacy officer."""


@case_group.command("export")
@click.argument("code")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True), help="The ZIP file to write.")
@click.option("--owner", default=None, help="The e-mail of the case's worker, when several workers use the code.")
@click.option("--media", is_flag=True, help="Add the video renditions.")
def case_export(code: str, out: str, owner: str | None, media: bool) -> None:
    """Write everything vib holds about case CODE to a ZIP (GDPR access and portability)."""
    with _command(_migrated_app()):
        with export_case(session(), _case_by_code(code, owner), _cli_actor(), CLI_ROLE, media=media) as archive, open(out, "wb") as target:
            shutil.copyfileobj(archive, target)
    click.echo(f"Case {code} exported to {out}.", err=True)


def _case_by_code(code: str, owner: str | None) -> Case:
    query = select(Case).where(Case.code == code)
    if owner:
        query = query.join(Case.owner).where(User.email == owner.strip().lower())
    cases = session().scalars(query).all()
    if not cases:
        raise click.ClickException(f"no case {code}" + (f" of {owner}" if owner else ""))
    if len(cases) > 1:
        raise click.ClickException(f"{len(cases)} workers have a case {code}: say whose with --owner EMAIL")
    return cases[0]


@main.group("export")
def export_group() -> None:
    """Moments as files for ELAN (eaf), BORIS (boris), spreadsheets (csv) and players (vtt)."""


@export_group.command("clip")
@click.argument("clip_id", type=int)
@click.option("--format", "fmt", required=True, type=click.Choice(interop.FORMATS), help="eaf, boris, csv (a ZIP) or vtt.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True), help="The file to write.")
def export_clip(clip_id: int, fmt: str, out: str) -> None:
    """Write every moment of clip CLIP_ID (whoever coded it) to a file; audited."""
    with _command(_migrated_app()):
        clip = session().get(Clip, clip_id)
        if clip is None:
            raise click.ClickException(f"no clip {clip_id}")
        refusal = viewing_refusal(clip.case)
        if refusal:  # a withdrawn consent to analysis stops every use of the clip's moments
            raise click.ClickException(str(refusal))
        made = interop.export_clip(session(), clip, None, fmt, by=_cli_actor(), role=CLI_ROLE)
        with open(out, "wb") as target:
            target.write(made.data)
    click.echo(f"Clip {clip_id} exported to {out}.", err=True)


@export_group.command("case")
@click.argument("code")
@click.option("--format", "fmt", default="csv", type=click.Choice(["csv"]), help="csv: one ZIP, moments.csv and a figures file per clip.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True), help="The ZIP file to write.")
@click.option("--owner", default=None, help="The e-mail of the case's worker, when several workers use the code.")
def export_case_moments(code: str, fmt: str, out: str, owner: str | None) -> None:
    """Write the moments of every clip of case CODE to one ZIP (moments.csv, clip-<id>-figures.csv); audited."""
    with _command(_migrated_app()):
        case = _case_by_code(code, owner)
        refusal = viewing_refusal(case)
        if refusal:
            raise click.ClickException(str(refusal))
        data = interop.export_case_csv(session(), case, _cli_actor(), CLI_ROLE)
        with open(out, "wb") as target:
            target.write(data)
    click.echo(f"The moments of case {code} exported to {out}.", err=True)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Set up the demo and exit.")
def demo(host: str, port: int, no_serve: bool) -> None:
    """Set up a demo organisation (users for each role, a case, a generated clip), then serve."""
    app = _migrated_app({"VIB_JOBS": "thread"})  # the embedded default, even where VIB_REDIS_URL is set
    logins = set_up_demo(app)
    click.echo("Demo logins (e-mail / password):", err=True)
    for email, password, roles in logins:
        click.echo(f"  {email:28} {password:14} {roles}", err=True)
    click.echo(
        "Second factor: optional for workers in this demo organisation (vib policy set --second-factor-for-workers "
        "required turns it on); supervisors, trainers and admins set up an authenticator app at their first log-in.",
        err=True,
    )
    app.extensions["vib.jobs"].wait_idle()  # the demo clip is ready before anyone logs in
    with _command(app):
        for clip_id in demo_clip_ids():  # its coded moments get their stills now that it is ready
            queue_moment_thumbnails(session(), clip_id)
    propose_demo_fragment(app)
    plan_demo_meeting(app)
    app.extensions["vib.jobs"].wait_idle()
    if not no_serve:
        _serve(app, host, port, threads=8)


@main.command()
@click.option("--queues", default=",".join(jobs.QUEUES), show_default=True, help="The queues to take jobs from, in order.")
@click.option("--burst", is_flag=True, help="Run what is queued (after one sweep), then stop.")
def worker(queues: str, burst: bool) -> None:
    """Run background jobs from the Redis queues (needs VIB_REDIS_URL). Every worker also sweeps now
    and then for unfinished work that no job is doing, and queues the daily work once a day."""
    from rq import SimpleWorker  # noqa: PLC0415 - rq is only installed for the scaled deployment

    app = create_app()
    names = [name.strip() for name in queues.split(",") if name.strip()]
    unknown = sorted(set(names) - set(jobs.QUEUES))
    if unknown or not names:
        raise click.UsageError(f"unknown queue(s) {', '.join(unknown) or '(none)'}: choose from {', '.join(jobs.QUEUES)}")
    runner = app.extensions["vib.jobs"]
    if not isinstance(runner, jobs.RedisJobs):
        raise click.UsageError("vib worker needs VIB_REDIS_URL (without it, `vib serve` runs the jobs itself).")
    resumed = jobs.sweep(app)
    if resumed:
        click.echo(f"Queued {resumed} unfinished job(s) again.", err=True)
    with app.app_context():
        stop = None if burst else jobs.keep_time(app, with_sweep=True)
        try:
            # Jobs run in this process (SimpleWorker): the conversions already run in a sandboxed
            # child process of their own, and a fork per job would share the database connections.
            SimpleWorker([runner.queues[name] for name in names], connection=runner.redis).work(
                burst=burst, with_scheduler=True, logging_level="WARNING"
            )
        finally:
            if stop is not None:
                stop.set()


@main.group("jobs", invoke_without_command=True)
@click.pass_context
def jobs_group(context: click.Context) -> None:
    """The background jobs: queue depth, running and failed jobs (ids and kinds only)."""
    if context.invoked_subcommand is not None:
        return
    app = create_app()
    with app.app_context():
        overview = app.extensions["vib.jobs"].overview()
    click.echo(f"runner: {overview.runner}" + (f", {overview.workers} worker(s)" if overview.runner == "rq" else ""))
    for state in overview.queues:
        click.echo(
            f"{state.name}: {state.queued} queued, {len(state.running)} running, {state.retrying} waiting to retry, {len(state.failed)} failed"
        )
        for job in state.running:
            click.echo(f"  running  {job.id}  {job.kind}")
        for job in state.failed:
            click.echo(f"  failed   {job.id}  {job.kind}  {job.failure}")


@jobs_group.command("retry")
@click.argument("job_id")
def jobs_retry(job_id: str) -> None:
    """Queue the failed job JOB_ID again."""
    app = create_app()
    runner = app.extensions["vib.jobs"]
    if not isinstance(runner, jobs.RedisJobs):
        raise click.UsageError("only jobs on the Redis queues can fail and be retried (VIB_REDIS_URL)")
    with app.app_context():
        if not runner.retry(job_id):
            raise click.ClickException(f"no failed job {job_id}")
    click.echo(f"{job_id}: queued again", err=True)


if __name__ == "__main__":  # python -m vib.cli (the tests start workers so)
    main()
