"""One-time sign-in links sent by email, beside passwords.

Someone types their email address on the sign-in page; if it belongs to an active account
of this partnership, a link with a random token (``secrets.token_urlsafe``, 256 bits) is
emailed through the outbox. Only the token's SHA-256 is stored (``console_login_links``,
migration 0004), so a copy of the database signs no one in. A link works once, for
:data:`LINK_MINUTES` minutes, and only while it is the account's newest: asking again
invalidates the earlier one. At most :data:`PER_ACCOUNT` links are sent to one account in
that time. The page says the same whether or not the address is known, and the email is
sent after the answer, so neither words nor timing tell who has an account.

Opening the link shows a page with a "Sign in" button (a POST with the CSRF token): mail
scanners that fetch links do not use the link up.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sqlalchemy import Column, Integer, String, Table, UniqueConstraint, func, select

from reportgen.console.accounts import User, _user
from reportgen.console.db import ConsoleDb, metadata, users
from reportgen.schedule.config import Schedules

LINK_MINUTES = 15
PER_ACCOUNT = 3  # links sent to one account within LINK_MINUTES

links = Table(
    "console_login_links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("partnership", String, nullable=False),
    Column("user_id", Integer, nullable=False),
    Column("token_hash", String, nullable=False),
    Column("created_at", String, nullable=False),
    Column("expires_at", String, nullable=False),
    Column("used_at", String, nullable=True),
    Column("ip", String, nullable=False, default=""),
    UniqueConstraint("token_hash", name="uq_console_login_link"),
)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def user_by_email(db: ConsoleDb, address: str) -> User | None:
    """The active account with this email address (letter case ignored), if exactly one."""
    address = address.strip().lower()
    if "@" not in address:
        return None
    u = users.c
    with db.engine.connect() as conn:
        rows = (
            conn.execute(select(users).where(u.partnership == db.partnership, func.lower(u.email) == address))
            .mappings()
            .all()
        )
    found = [_user(r) for r in rows]
    if len(found) != 1 or found[0].disabled or found[0].locked:
        return None
    return found[0]


def issue(db: ConsoleDb, user: User, ip: str, *, now: dt.datetime | None = None) -> str | None:
    """A new link token for ``user`` (earlier unused ones stop working), or None when
    :data:`PER_ACCOUNT` were sent in the last :data:`LINK_MINUTES` minutes."""
    now = now or dt.datetime.now(dt.UTC)
    since = _iso(now - dt.timedelta(minutes=LINK_MINUTES))
    k = links.c
    mine = (k.partnership == db.partnership) & (k.user_id == user.id)
    with db.engine.begin() as conn:
        recent = conn.execute(select(func.count()).select_from(links).where(mine & (k.created_at > since))).scalar()
        if int(recent or 0) >= PER_ACCOUNT:
            return None
        conn.execute(links.update().where(mine & k.used_at.is_(None)).values(used_at=_iso(now)))
        token = secrets.token_urlsafe(32)
        conn.execute(links.insert().values(
            partnership=db.partnership, user_id=user.id, token_hash=_hash(token), created_at=_iso(now),
            expires_at=_iso(now + dt.timedelta(minutes=LINK_MINUTES)), used_at=None, ip=ip))  # fmt: skip
    return token


def redeem(db: ConsoleDb, token: str, *, now: dt.datetime | None = None) -> tuple[int | None, str]:
    """Use a link: (the account id, "") or (None, why not). A link is used at most once,
    whatever two requests racing with it do (a conditional update)."""
    now = now or dt.datetime.now(dt.UTC)
    k = links.c
    with db.engine.begin() as conn:
        row = conn.execute(
            select(k.id, k.user_id, k.expires_at, k.used_at).where(
                k.partnership == db.partnership, k.token_hash == _hash(token)
            )
        ).first()
        if row is None:
            return None, "unknown"
        if row.used_at is not None:
            return None, "used or replaced by a newer link"
        if row.expires_at <= _iso(now):
            return None, "expired"
        taken = conn.execute(links.update().where(k.id == row.id, k.used_at.is_(None)).values(used_at=_iso(now)))
        if taken.rowcount != 1:
            return None, "used or replaced by a newer link"
    return int(row.user_id), ""


def send_link(settings: Schedules, partnership_name: str, user: User, url: str) -> str:
    """Email the link through the outbox (sent at once when SMTP is configured)."""
    from reportgen.console.work import deliver_email

    msg = EmailMessage()
    msg["Subject"] = f"Your sign-in link: {partnership_name} reports"
    msg["From"] = settings.smtp.sender
    msg["To"] = user.email
    msg["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    msg["Message-ID"] = make_msgid()
    msg.set_content(
        f"Hello {user.username},\n\nSomeone (we hope you) asked to sign in to the {partnership_name} "
        f"reports console. Open this link within {LINK_MINUTES} minutes to sign in:\n\n{url}\n\n"
        "It works once. If you did not ask for it, ignore this message: nobody can use it without "
        "this email.\n\nPartnership support\n"
    )
    return deliver_email(settings, msg, stem=f"sign-in-{user.id}")
