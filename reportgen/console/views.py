"""The console's pages, one group per role. Each handler calls the library functions the CLI
calls (write_template, ingest_file, return_status, Runner.approve, manual_run, rerun,
evaluate_store) and renders the answer."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from reportgen.console import accounts, db
from reportgen.console.app import (
    HOME,
    LIBRARY_REPORTS,
    Console,
    _session,
    audit,
    client_ip,
    flash,
    forbidden,
    latest_runs,
    may_download,
    not_found,
    pending_drafts,
    redirect,
    render,
    temp_dir,
)
from reportgen.console.security import csrf_ok, new_csrf
from reportgen.console.work import (
    month_at_a_glance,
    period_notes,
    prefilled_template,
    previews,
    send_reminder,
    what_changed,
)
from reportgen.errors import LookupFailure, ReportgenError
from reportgen.periods import Period
from reportgen.returns.safety import safe_filename
from reportgen.schedule.ledger import SUCCEEDED

Page = Callable[..., Callable[[Callable], Callable]]


def _duration(span: dt.timedelta) -> str:
    """'15 minutes', '30 seconds', '1 minute': how often the service looks for queued runs."""
    seconds = int(span.total_seconds())
    n, unit = (seconds // 60, "minute") if seconds >= 60 and seconds % 60 == 0 else (seconds, "second")
    return f"{n} {unit}{'s' if n != 1 else ''}"


def _period(con: Console, request: Request, text: str | None = None) -> Period:
    text = text if text is not None else request.query_params.get("period")
    return Period.parse(text) if text else con.period


# --- signing in -------------------------------------------------------------------------------
def home(con: Console) -> Callable:
    async def handler(request: Request) -> Response:
        from reportgen.console.app import _session

        session = _session(con, request)
        user = accounts.user_by_id(con.db, session["uid"]) if session.get("uid") else None
        if user is None or user.disabled or user.locked:
            return redirect(con, request, "/login")
        return redirect(con, request, HOME[user.role])

    return handler


def login(con: Console) -> Callable:
    async def handler(request: Request) -> Response:
        from reportgen.console.app import _session

        session = _session(con, request)
        nxt = request.query_params.get("next", "")
        if not nxt.startswith("/") or nxt.startswith("//") or "\\" in nxt or any(ord(c) < 32 for c in nxt):
            nxt = ""  # only our own pages: never an open redirect
        if request.method == "GET":
            return render(con, request, "login.html", errors=[], username="", next=nxt)
        ip = client_ip(request)
        form = await request.form(max_part_size=4096)
        if not csrf_ok(session, form.get("csrf")):
            db.record(con.db, "-", "csrf-refused", "POST /login", ip)
            return render(con, request, "error.html", status=403, title="The form has expired",
                          message="Go back, reload the page and try again.")  # fmt: skip
        username = str(form.get("username") or "").strip().lower()
        password = str(form.get("password") or "")
        errors = []
        if not con.limiter.allow(ip):
            db.record(con.db, username or "-", "login-rate-limited", "", ip)
            return render(con, request, "login.html", status=429, username=username, next=nxt,
                          errors=[("username", "Too many attempts to sign in: wait a minute")])  # fmt: skip
        if not username:
            errors.append(("username", "Enter your user name"))
        if not password:
            errors.append(("password", "Enter your password"))
        if errors:
            return render(con, request, "login.html", status=400, errors=errors, username=username, next=nxt)
        user, reason = await run_in_threadpool(accounts.authenticate, con.db, username, password)
        if user is None:
            db.record(con.db, username, f"login-failed ({reason})", "", ip)
            text = {
                "locked": "This account is locked after too many wrong passwords. Ask partnership support to reset it.",
                "disabled": "This account is disabled. Ask partnership support.",
            }.get(reason, "The user name or password is not right")
            return render(con, request, "login.html", status=401, errors=[("username", text)], username=username,
                          next=nxt)  # fmt: skip
        # a new session (and CSRF token) at sign-in: a token seen before sign-in is worthless after
        request.state.session = {"uid": user.id, "csrf": new_csrf()}
        request.state.session_dirty = True
        db.record(con.db, user.username, "login", user.role, ip)
        return redirect(con, request, nxt or HOME[user.role])

    return handler


# --- one-time sign-in links (links.py) ------------------------------------------------------------
LINK_SENT = ("If that address belongs to an account, we have emailed it a sign-in link. The link works once, "
             "for 15 minutes. Nothing arrived? Check the address, or ask partnership support.")  # fmt: skip


def _refuse_form(con: Console, request: Request, ip: str, what: str) -> Response:
    db.record(con.db, "-", "csrf-refused", what, ip)
    return render(con, request, "error.html", status=403, title="The form has expired",
                  message="Go back, reload the page and try again.")  # fmt: skip


async def request_link(con: Console, request: Request) -> Response:
    """POST /login/link: the same answer whether or not the address is known; the email
    goes after the answer (a background task), so its timing says nothing either."""
    from starlette.background import BackgroundTask

    from reportgen.console import links

    session = _session(con, request)
    ip = client_ip(request)
    form = await request.form(max_part_size=4096)
    if not csrf_ok(session, form.get("csrf")):
        return _refuse_form(con, request, ip, "POST /login/link")
    address = str(form.get("email") or "").strip()
    if not con.limiter.allow(ip):
        db.record(con.db, "-", "login-link-rate-limited", "", ip)
        return render(con, request, "login.html", status=429, username="", next="", email=address,
                      errors=[("email", "Too many attempts to sign in: wait a minute")])  # fmt: skip
    if "@" not in address:
        return render(con, request, "login.html", status=400, username="", next="", email=address,
                      errors=[("email", "Enter your email address, like name@example.org")])  # fmt: skip
    user = links.user_by_email(con.db, address)
    token = links.issue(con.db, user, ip) if user is not None else None
    outcome = "sent" if token else ("too many links" if user else "no active account with that address")
    db.record(con.db, user.username if user else "-", "login-link-requested", outcome, ip)
    response = render(con, request, "login.html", username="", next="", email="", link_sent=LINK_SENT, errors=[])
    if user is not None and token is not None:
        url = str(request.url_for("login_link", token=token))
        response.background = BackgroundTask(links.send_link, con.settings, con.config.partnership.name, user, url)
    return response


async def use_link(con: Console, request: Request) -> Response:
    """GET shows a Sign in button (mail scanners fetch links; only the POST uses it up)."""
    from reportgen.console import links

    session = _session(con, request)
    token = request.path_params["token"]
    if request.method == "GET":
        return render(con, request, "link.html", token=token)
    ip = client_ip(request)
    form = await request.form(max_part_size=4096)
    if not csrf_ok(session, form.get("csrf")):
        return _refuse_form(con, request, ip, "POST /login/link/...")
    user_id, why = links.redeem(con.db, token)
    user = accounts.user_by_id(con.db, user_id) if user_id is not None else None
    if user is None or user.disabled or user.locked:
        db.record(con.db, user.username if user else "-", "login-link-refused", why or "account not active", ip)
        return render(con, request, "error.html", status=400, title="This sign-in link does not work",
                      message="It has expired, was used already, or a newer link was sent. Ask for a new one "
                      "on the sign-in page.")  # fmt: skip
    request.state.session = {"uid": user.id, "csrf": new_csrf()}
    request.state.session_dirty = True
    db.record(con.db, user.username, "login", f"{user.role} (emailed link)", ip)
    return redirect(con, request, HOME[user.role])


def logout(con: Console) -> Callable:
    async def handler(request: Request) -> Response:
        audit(con, request, "logout")
        request.state.session = {"csrf": new_csrf()}
        request.state.session_dirty = True
        return redirect(con, request, "/login")

    return handler


# --- partners ---------------------------------------------------------------------------------
def allowed(request: Request, partner_id: str) -> bool:
    user = request.state.user
    return bool(user.can_see_partner(partner_id))


async def index(con: Console, request: Request) -> Response:
    user = request.state.user
    if user.role == "partner":
        return redirect(con, request, f"/partner/{quote(user.partner)}")
    return redirect(con, request, "/support")


def context(con: Console, partner_id: str, period: Period) -> dict[str, Any]:
    from reportgen.returns.status import return_status

    partner = con.config.partner(partner_id)
    frame = return_status(con.config, con.store, period, feeds=False)
    rows = frame[frame["partner"] == partner_id].to_dict("records")
    deadline = max((r["deadline"] for r in rows), default="")
    notes = period_notes(con.config, con.store, period, partner_id)
    # the partner answered for these rows, saying the figure is not available
    unavailable = {(n.indicator, n.period) for n in notes if n.not_available}
    for r in rows:
        r["not_available"] = (r["indicator"], r["period"]) in unavailable
    return {"partner": partner, "rows": rows, "deadline": deadline, "shown_period": period, "notes": notes}


async def returns_page(con: Console, request: Request) -> Response:
    partner_id = request.path_params["partner"]
    if not allowed(request, partner_id):
        audit(con, request, "forbidden", f"partner {partner_id}")
        return forbidden(con, request)
    try:
        period = _period(con, request)
        ctx = await run_in_threadpool(context, con, partner_id, period)
    except LookupFailure:
        return not_found(con, request, "partner")
    return render(con, request, "partner.html", result=None, **ctx)


async def template(con: Console, request: Request) -> Response:
    partner_id = request.path_params["partner"]
    if not allowed(request, partner_id):
        audit(con, request, "forbidden", f"template {partner_id}")
        return forbidden(con, request)
    period = _period(con, request)
    folder = temp_dir()
    name = f"return-{safe_filename(partner_id)}-{period.key.replace('/', '-')}.xlsx"
    _, filled = await run_in_threadpool(
        prefilled_template, con.config, con.store, partner_id, period, folder / name, data_dir=con.data_dir
    )
    audit(con, request, "download-template", f"{partner_id} {period.key} ({filled} figures prefilled)")
    return FileResponse(
        folder / name,
        filename=name,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        background=BackgroundTask(shutil.rmtree, folder, True),
    )


async def upload(con: Console, request: Request) -> Response:
    from reportgen.returns.ingest import ingest_file

    partner_id = request.path_params["partner"]
    if not allowed(request, partner_id):
        audit(con, request, "forbidden", f"upload {partner_id}")
        return forbidden(con, request)
    form = request.state.form
    period = _period(con, request, str(form.get("period") or "") or None)
    upload = form.get("return")
    errors: list[tuple[str, str]] = []
    original = ""
    if upload is None or isinstance(upload, str) or not upload.filename:
        errors.append(("return", "Choose the return file to upload"))
        result = None
    else:
        original = upload.filename
        folder = temp_dir()
        path = folder / safe_filename(original, default="return.xlsx")
        path.write_bytes(await upload.read())
        try:
            # the signed-in partner, whatever the file's About sheet says: a workbook made
            # for another partner fails validation (those indicators are not this partner's)
            # a CSV says nothing about its periods: hold it to the period on the page
            periods = [period.key] if path.suffix.lower() == ".csv" else None
            result = await run_in_threadpool(
                lambda: ingest_file(
                    con.config, con.store, path, data_dir=con.data_dir, partner=partner_id, periods=periods
                )  # fmt: skip
            )
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        detail = f"{partner_id} {original!r}: {result.status}"
        if result.summary is not None:
            detail += f" ({result.summary.total} figures, {result.summary.revised} revised"
            detail += f", {result.summary.not_available} not available)"
        elif result.problems:
            detail += f" ({len(result.problems)} problems)"
        audit(con, request, "upload-return", detail)
    ctx = await run_in_threadpool(context, con, partner_id, period)
    status = 200 if result is None or result.ok else 422
    if errors:
        status = 400
    return render(con, request, "partner.html", status=status, result=result, original=original,
                  errors=errors, **ctx)  # fmt: skip


def partner_routes(con: Console, page: Page) -> list[Route]:
    return [
        Route("/partner", page(con, "partner", "support")(partial(index, con))),
        Route("/partner/{partner}", page(con, "partner", "support")(partial(returns_page, con))),
        Route("/partner/{partner}/template", page(con, "partner", "support")(partial(template, con))),
        Route("/partner/{partner}/upload", page(con, "partner", "support")(partial(upload, con)), methods=["POST"]),
    ]


# --- comms ----------------------------------------------------------------------------------------
def _pdfs(run: Any) -> list[Path]:
    return [p for p in run.files if p.suffix.lower() == ".pdf" and p.is_file()]


async def drafts(con: Console, request: Request) -> Response:
    items = []
    for run in pending_drafts(con):
        pages: list[tuple[int, int]] = []  # (pdf, page number) of each preview image
        for n, pdf in enumerate(_pdfs(run)[:1]):
            shots: list[Path] = []
            try:
                shots = await run_in_threadpool(previews, pdf)
            except ReportgenError as exc:
                flash(request, str(exc), "error")
            pages = [(n, k + 1) for k in range(len(shots))]
        items.append({"run": run, "pages": pages,
                      "files": [(i, p.name) for i, p in enumerate(run.files) if p.is_file()]})  # fmt: skip
    history = [r for r in latest_runs(con.ledger.runs(status=SUCCEEDED)) if r.approval in ("released", "rejected")]
    decisions = {r.id: [d for d in con.ledger.deliveries(r.id) if d.channel == "approval"] for r in history}
    history.sort(key=lambda r: r.id, reverse=True)
    return render(con, request, "comms.html", items=items, history=history[:20], decisions=decisions)


def _run_or_404(con: Console, request: Request) -> Any:
    try:
        return con.ledger.get(int(request.path_params["run_id"]))
    except Exception:
        return None


async def preview(con: Console, request: Request) -> Response:
    run = _run_or_404(con, request)
    if run is None:
        return not_found(con, request, "draft")
    if not may_download(request.state.user, run, con.settings):
        return forbidden(con, request)
    pdfs = _pdfs(run)
    if not pdfs:
        return not_found(con, request, "preview")
    pages = await run_in_threadpool(previews, pdfs[0])
    n = int(request.path_params["page"])
    if not 1 <= n <= len(pages):
        return not_found(con, request, "page")
    return FileResponse(pages[n - 1], media_type="image/png")


async def decide(con: Console, request: Request) -> Response:
    run = _run_or_404(con, request)
    if run is None:
        return not_found(con, request, "draft")
    if run.approval != "pending":
        flash(request, f"{run.job} {run.period} version {run.version} is no longer awaiting approval.", "error")
        return redirect(con, request, "/comms")
    form = request.state.form
    comment = str(form.get("comment") or "").strip()
    user = request.state.user
    if request.path_params["decision"] == "approve":
        released = await run_in_threadpool(
            lambda: con.runner.approve(
                run.job, Period.parse(run.period), approver=user.username, comment=comment
            )  # fmt: skip
        )
        audit(con, request, "approve", f"{run.job} {run.period} v{run.version}: {comment}")
        flash(request, f"Approved and released: {run.job}, {Period.parse(run.period).label}, version "
              f"{run.version} ({len(released)} document(s)).")  # fmt: skip
    else:
        if not comment:
            items = [{"run": run, "pages": [], "files": []}]
            why = "Say why the draft is rejected, so support can fix it"
            return render(con, request, "comms.html", status=400, items=items, history=[], decisions={},
                          errors=[(f"comment-{run.id}", why)])  # fmt: skip
        await run_in_threadpool(lambda: con.runner.reject(run, by=user.username, comment=comment))
        audit(con, request, "reject", f"{run.job} {run.period} v{run.version}: {comment}")
        flash(request, f"Rejected: {run.job}, {Period.parse(run.period).label}, version {run.version}. "
              "Partnership support have been told.")  # fmt: skip
    return redirect(con, request, "/comms")


def comms_routes(con: Console, page: Page) -> list[Route]:
    return [
        Route("/comms", page(con, "comms", "support")(partial(drafts, con))),
        Route("/comms/{run_id:int}/page-{page:int}.png", page(con, "comms", "support")(partial(preview, con))),
        Route("/comms/{run_id:int}/{decision:str}", page(con, "comms", "support")(partial(decide, con)),
              methods=["POST"]),
    ]


def run_file(con: Console) -> Callable:
    async def handler(request: Request) -> Response:
        try:
            run = con.ledger.get(int(request.path_params["run_id"]))
        except Exception:
            return not_found(con, request, "document")
        if not may_download(request.state.user, run, con.settings):
            audit(con, request, "forbidden", f"file of run {run.id}")
            return forbidden(con, request)
        n = int(request.path_params["index"])
        if not 0 <= n < len(run.files) or not run.files[n].is_file():
            return not_found(con, request, "file")
        audit(con, request, "download", f"{run.job} {run.period} v{run.version} {run.files[n].name}")
        return FileResponse(run.files[n], filename=run.files[n].name)

    return handler


# --- support -------------------------------------------------------------------------------------
async def month(con: Console, request: Request) -> Response:
    from reportgen.evaluate.engine import evaluate_store

    period = _period(con, request)
    glance = await run_in_threadpool(month_at_a_glance, con.config, con.store, period)
    notes = await run_in_threadpool(period_notes, con.config, con.store, period)
    try:
        evaluation = await run_in_threadpool(evaluate_store, con.config, con.store, period)
        targets = evaluation.targets.to_dict("records")
    except ReportgenError as exc:
        targets, flash_text = [], str(exc)
        flash(request, f"No scorecard: {flash_text}", "error")
    runs = sorted(con.ledger.runs(), key=lambda r: r.id, reverse=True)[:25]
    from reportgen.schedule.requests import recent

    queued = recent(con.ledger)
    jobs = [j.id for j in con.settings.jobs]
    return render(con, request, "support.html", glance=glance, targets=targets, runs=runs, jobs=jobs, notes=notes,
                  queued=queued, sweep_every=_duration(con.settings.service.sweep_every),
                  shown_period=period, pending=len(pending_drafts(con)))  # fmt: skip


async def remind(con: Console, request: Request) -> Response:
    partner_id = request.path_params["partner"]
    period = _period(con, request, str(request.state.form.get("period") or "") or None)
    to, status = await run_in_threadpool(send_reminder, con.settings, con.config, con.store, partner_id, period,
                                         console_url=str(request.base_url))  # fmt: skip
    audit(con, request, "reminder", f"{partner_id} {period.key} by-hand: to {', '.join(to)}: {status}")
    flash(request, f"Reminder to {con.config.partner(partner_id).name} for {period.label}: {status}.")
    return redirect(con, request, f"/support?period={quote(period.key)}")


async def run(con: Console, request: Request) -> Response:
    from reportgen.schedule.requests import enqueue

    # queued for `reportgen serve`, never run while the browser waits (requests.py)
    form = request.state.form
    job = str(form.get("job") or "")
    period = Period.parse(str(form.get("period") or con.period.key))
    again = form.get("action") == "rerun"
    messages = "; ".join(enqueue(con.runner, job, period, again=again, note=str(form.get("note") or "").strip(),
                                 by=request.state.user.username))  # fmt: skip
    audit(con, request, "rerun" if again else "run", f"{job} {period.key}: {messages}")
    flash(request, messages, "success" if "queued for the service" in messages else "error")
    return redirect(con, request, f"/support?period={quote(period.key)}#requests")


async def run_detail(con: Console, request: Request) -> Response:
    try:
        run = con.ledger.get(int(request.path_params["run_id"]))
    except Exception:
        return not_found(con, request, "run")
    versions = con.ledger.runs(job=run.job, period=run.period)
    return render(con, request, "run.html", run=run, versions=versions, deliveries=con.ledger.deliveries(run.id),
                  files=[(i, p.name) for i, p in enumerate(run.files) if p.is_file()])  # fmt: skip


async def audit_page(con: Console, request: Request) -> Response:
    return render(con, request, "audit.html", entries=db.recent(con.db))


async def users_page(con: Console, request: Request) -> Response:
    return render(con, request, "users.html", users=accounts.list_users(con.db), errors=[], created=None,
                  partners=con.config.partners, roles=accounts.ROLES)  # fmt: skip


async def users_post(con: Console, request: Request) -> Response:
    form = request.state.form
    action = str(form.get("action") or "")
    username = str(form.get("username") or "").strip().lower()
    created = None
    if action == "add":
        password = accounts.new_password()
        role = str(form.get("role") or "")
        try:
            accounts.add_user(con.db, username, role, password, partner=str(form.get("partner") or "") or None,
                              email=str(form.get("email") or ""),
                              known_partners=[p.id for p in con.config.partners])  # fmt: skip
        except ReportgenError as exc:
            return render(con, request, "users.html", status=400, users=accounts.list_users(con.db),
                          errors=[("username", str(exc))], created=None, partners=con.config.partners,
                          roles=accounts.ROLES)  # fmt: skip
        created = (username, password)
    elif action in ("disable", "enable"):
        accounts.disable_user(con.db, username, disabled=action == "disable")
    elif action == "reset":
        password = accounts.new_password()
        accounts.reset_user(con.db, username, password)
        created = (username, password)
    else:
        return not_found(con, request, "action")
    audit(con, request, f"user-{action}", username)
    return render(con, request, "users.html", users=accounts.list_users(con.db), errors=[], created=created,
                  partners=con.config.partners, roles=accounts.ROLES)  # fmt: skip


def support_routes(con: Console, page: Page) -> list[Route]:
    return [
        Route("/support", page(con, "support")(partial(month, con))),
        Route("/support/remind/{partner}", page(con, "support")(partial(remind, con)), methods=["POST"]),
        Route("/support/run", page(con, "support")(partial(run, con)), methods=["POST"]),
        Route("/support/runs/{run_id:int}", page(con, "support")(partial(run_detail, con))),
        Route("/support/audit", page(con, "support")(partial(audit_page, con))),
        Route("/support/users", page(con, "support")(partial(users_page, con))),
        Route("/support/users", page(con, "support")(partial(users_post, con)), methods=["POST"]),
    ]


# --- board ------------------------------------------------------------------------------------------
def board_routes(con: Console, page: Page) -> list[Route]:
    async def library(request: Request) -> Response:
        issued = [
            r for r in con.ledger.runs(status=SUCCEEDED)
            if r.report in LIBRARY_REPORTS and r.approval in ("none", "released")
        ]  # fmt: skip
        by_period: dict[str, list] = {}
        for r in sorted(issued, key=lambda r: (r.period, r.report, r.version), reverse=True):
            files = [(i, p.name) for i, p in enumerate(r.files) if p.is_file()]
            by_period.setdefault(r.period, []).append({"run": r, "files": files,
                                                       "label": Period.parse(r.period).label})  # fmt: skip
        return render(con, request, "board.html", library=by_period)

    async def changes(request: Request) -> Response:
        try:
            run = con.ledger.get(int(request.path_params["run_id"]))
        except Exception:
            return not_found(con, request, "document")
        if not may_download(request.state.user, run, con.settings):
            return forbidden(con, request)
        earlier = [r for r in con.ledger.runs(job=run.job, period=run.period) if r.version < run.version]
        previous = max(earlier, key=lambda r: r.version) if earlier else None
        rows = []
        if previous is not None:
            rows = await run_in_threadpool(
                what_changed, con.config, con.store, previous.started_at, run.started_at, Period.parse(run.period)
            )
        return render(con, request, "changes.html", run=run, previous=previous, rows=rows)

    return [
        Route("/board", page(con, "board", "support")(library)),
        Route("/changes/{run_id:int}", page(con, "board", "support")(changes)),
    ]
