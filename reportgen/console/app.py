"""The console's Starlette application: routes, roles, sessions and CSRF.

Every page is server-rendered (Jinja2, autoescaped); no page needs JavaScript. Every POST
goes through :func:`page`, which checks the session, the role and the CSRF token before the
handler runs, so no form can be added without the check.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from reportgen.config import load_config
from reportgen.config.models import Config
from reportgen.console import accounts, db
from reportgen.console.accounts import ROLE_NAMES, User
from reportgen.console.security import COOKIE, SESSION_HOURS, RateLimit, SecurityHeaders, Sessions, csrf_ok, new_csrf
from reportgen.errors import ReportgenError
from reportgen.periods import Period
from reportgen.schedule.config import Schedules
from reportgen.schedule.ledger import SUCCEEDED, Ledger, Run
from reportgen.schedule.runner import Runner
from reportgen.store import Store

HERE = Path(__file__).parent
MAX_UPLOAD = 5 * 1024 * 1024  # a return is tens of kilobytes
LIBRARY_REPORTS = ("board-pack", "annual-review")
HOME = {"support": "/support", "partner": "/partner", "comms": "/comms", "board": "/board"}
Handler = Callable[[Request], Awaitable[Response]]


@dataclass
class Console:
    """Everything the pages share: settings, config, store, ledger, accounts."""

    settings: Schedules
    config: Config
    store: Store
    runner: Runner
    db: db.ConsoleDb
    sessions: Sessions
    period: Period
    data_dir: Path
    secure_cookies: bool = False
    limiter: RateLimit = field(default_factory=RateLimit)
    env: Environment = field(init=False)

    def __post_init__(self) -> None:
        self.env = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals["role_names"] = ROLE_NAMES
        self.env.filters["when"] = _when
        self.env.filters["period_label"] = _period_label
        self.env.filters["day"] = _day

    @property
    def ledger(self) -> Ledger:
        return self.runner.ledger


def _when(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%d %b %Y %H:%M UTC")
    return str(value)


def _day(value: Any) -> str:
    """A deadline as people write it: '10 April 2005' (an ISO string or a date)."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.date):
        return f"{value.day} {value:%B %Y}"
    return "" if value is None else str(value)


def _period_label(key: str) -> str:
    try:
        return Period.parse(key).label
    except ReportgenError:
        return key


# --- sessions and responses ----------------------------------------------------------------
def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def _session(con: Console, request: Request) -> dict[str, Any]:
    if not hasattr(request.state, "session"):
        data = con.sessions.load(request.cookies.get(COOKIE))
        if "csrf" not in data:
            data = {"csrf": new_csrf()}
            request.state.session_dirty = True
        request.state.session = data
    return request.state.session


def _save(con: Console, request: Request, response: Response) -> Response:
    if getattr(request.state, "session_dirty", False):
        secure = con.secure_cookies or request.url.scheme == "https"
        response.set_cookie(
            COOKIE,
            con.sessions.dump(request.state.session),
            max_age=SESSION_HOURS * 3600,
            httponly=True,
            samesite="lax",
            secure=secure,
            path="/",
        )
    return response


def flash(request: Request, text: str, kind: str = "success") -> None:
    request.state.session["flash"] = {"text": text, "kind": kind}
    request.state.session_dirty = True


def render(con: Console, request: Request, name: str, status: int = 200, **context: Any) -> Response:
    session = _session(con, request)
    notice = session.pop("flash", None)
    if notice is not None:
        request.state.session_dirty = True
    user = getattr(request.state, "user", None)
    html = con.env.get_template(name).render(
        user=user, csrf=session["csrf"], notice=notice, period=con.period,
        partnership=con.config.partnership.name, path=request.url.path, **context,
    )  # fmt: skip
    return _save(con, request, HTMLResponse(html, status_code=status))


def redirect(con: Console, request: Request, url: str) -> Response:
    return _save(con, request, RedirectResponse(url, status_code=303))


def forbidden(con: Console, request: Request, why: str = "") -> Response:
    return render(con, request, "error.html", status=403, title="You do not have access to this page",
                  message=why or "Your account does not give you access to this page.")  # fmt: skip


def not_found(con: Console, request: Request, what: str = "page") -> Response:
    return render(con, request, "error.html", status=404, title="Page not found",
                  message=f"There is no such {what}.")  # fmt: skip


def audit(con: Console, request: Request, action: str, detail: str = "") -> None:
    user = getattr(request.state, "user", None)
    db.record(con.db, user.username if user else "-", action, detail, client_ip(request))


def page(con: Console, *roles: str) -> Callable[[Handler], Handler]:
    """Sign-in, role and (for POST) CSRF checks before the handler; the form is parsed once
    (uploads capped at MAX_UPLOAD) and left in ``request.state.form``."""

    def deco(fn: Handler) -> Handler:
        async def handler(request: Request) -> Response:
            session = _session(con, request)
            user = accounts.user_by_id(con.db, session["uid"]) if session.get("uid") else None
            if user is not None and (user.disabled or user.locked):
                user = None
            if user is None:
                if request.method == "GET":
                    return redirect(con, request, "/login?next=" + quote(request.url.path))
                return forbidden(con, request, "Your session has ended. Sign in again.")
            request.state.user = user
            if roles and user.role not in roles:
                audit(con, request, "forbidden", f"{request.method} {request.url.path}")
                return forbidden(con, request)
            if request.method == "POST":
                if int(request.headers.get("content-length") or 0) > MAX_UPLOAD:
                    return render(con, request, "error.html", status=413, title="The file is too large",
                                  message="Returns are much smaller than 5 MB: is this the right file?")  # fmt: skip
                form = await request.form(max_part_size=MAX_UPLOAD)
                if not csrf_ok(session, form.get("csrf")):
                    audit(con, request, "csrf-refused", f"POST {request.url.path}")
                    return render(con, request, "error.html", status=403, title="The form has expired",
                                  message="Go back, reload the page and try again.")  # fmt: skip
                request.state.form = form
            try:
                return await fn(request)
            except ReportgenError as exc:
                return render(con, request, "error.html", status=400, title="That did not work", message=str(exc))

        return handler

    return deco


# --- the application ---------------------------------------------------------------------------
def create_app(
    settings: Schedules,
    *,
    secret: str,
    period: Period | None = None,
    secure_cookies: bool = False,
    data_dir: Path | None = None,
    runner: Runner | None = None,
) -> Starlette:
    """The console for the partnership in ``settings.config_dir``, on ``settings.store``."""
    from reportgen.returns.paths import default_data_dir
    from reportgen.store import default_url

    config = load_config(settings.config_dir)
    store_url = settings.store or default_url()
    con = Console(
        settings=settings,
        config=config,
        store=Store(store_url, partnership=config.partnership.id),
        runner=runner or Runner(settings, Ledger(settings.database_url, partnership=config.partnership.id)),
        db=db.open_db(store_url, config.partnership.id),
        sessions=Sessions(secret),
        period=period or Period.parse((dt.date.today().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")),
        data_dir=data_dir or default_data_dir(),
        secure_cookies=secure_cookies,
    )
    from reportgen.console import views

    routes = [
        Route("/", views.home(con)),
        Route("/login", views.login(con), methods=["GET", "POST"]),
        Route("/login/link", partial(views.request_link, con), methods=["POST"]),
        Route("/login/link/{token:str}", partial(views.use_link, con), methods=["GET", "POST"], name="login_link"),
        Route("/logout", page(con)(views.logout(con)), methods=["POST"]),
        *views.partner_routes(con, page),
        *views.comms_routes(con, page),
        *views.support_routes(con, page),
        *views.board_routes(con, page),
        Route("/files/{run_id:int}/{index:int}", page(con, "support", "comms", "board")(views.run_file(con))),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]

    async def missing(request: Request, _exc: Exception) -> Response:
        return not_found(con, request)

    app = Starlette(routes=routes, exception_handlers={404: missing})
    app.state.console = con
    app.add_middleware(SecurityHeaders, hsts=secure_cookies)
    return app


def latest_runs(runs: list[Run]) -> list[Run]:
    """The newest version of each (job, period)."""
    best: dict[tuple[str, str], Run] = {}
    for r in runs:
        key = (r.job, r.period)
        if key not in best or r.version > best[key].version:
            best[key] = r
    return list(best.values())


def pending_drafts(con: Console) -> list[Run]:
    return [r for r in latest_runs(con.ledger.runs(status=SUCCEEDED)) if r.approval == "pending"]


def may_download(user: User, run: Run, settings: Schedules) -> bool:
    """Support: anything; comms: public documents (jobs that need approval); board: issued
    board packs and reviews (not drafts awaiting approval or rejected)."""
    if user.role == "support":
        return True
    if run.status != SUCCEEDED:
        return False
    if user.role == "comms":
        try:
            return settings.job(run.job).needs_approval
        except ReportgenError:
            return False
    if user.role == "board":
        return run.report in LIBRARY_REPORTS and run.approval in ("none", "released")
    return False


def temp_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="reportgen-console-"))


__all__ = ["create_app", "page", "render", "redirect", "forbidden", "flash", "audit", "run_in_threadpool",
           "FileResponse", "HOME"]  # fmt: skip
