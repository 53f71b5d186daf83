"""Console accounts: four roles, argon2 password hashes, lockout after repeated failures.

Shared by ``reportgen users ...`` and the console's own user pages.
"""

from __future__ import annotations

import contextlib
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError

from reportgen.console.db import ConsoleDb, now_iso, users
from reportgen.errors import DataError, LookupFailure, ReportgenError

ROLES = ("support", "partner", "comms", "board")
ROLE_NAMES = {
    "support": "Partnership support",
    "partner": "Partner",
    "comms": "Communications",
    "board": "Board member",
}
MAX_FAILURES = 5  # wrong passwords in a row before the account is locked
MIN_PASSWORD = 12
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")

_hasher = PasswordHasher()
# verified against when the user does not exist, so an unknown name takes as long as a wrong password
_DUMMY = _hasher.hash("not a password of anyone")


class AccountError(ReportgenError):
    """An account cannot be created or changed as asked."""


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str
    partner: str | None
    email: str
    disabled: bool
    failed_logins: int
    locked: bool
    last_login_at: str | None

    def can_see_partner(self, partner_id: str) -> bool:
        return self.role == "support" or (self.role == "partner" and self.partner == partner_id)


def _user(row: RowMapping) -> User:
    return User(
        id=row["id"],
        username=row["username"],
        role=row["role"],
        partner=row["partner"],
        email=row["email"] or "",
        disabled=bool(row["disabled"]),
        failed_logins=row["failed_logins"],
        locked=row["locked_at"] is not None,
        last_login_at=row["last_login_at"],
    )


def new_password() -> str:
    """A random password to hand over once (16 URL-safe characters)."""
    return secrets.token_urlsafe(12)


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password is too short: use at least {MIN_PASSWORD} characters")


def add_user(
    db: ConsoleDb,
    username: str,
    role: str,
    password: str,
    *,
    partner: str | None = None,
    email: str = "",
    known_partners: list[str] | None = None,
) -> User:
    """Create an account. A partner account must name a partner (and only then)."""
    if not USERNAME.match(username):
        raise AccountError(
            f"{username!r} is not a valid user name",
            hint="lower case letters, digits, '.', '_', '-' or '@', 2 to 64 characters",
        )
    if role not in ROLES:
        raise AccountError(f"{role!r} is not a role", hint=f"roles: {', '.join(ROLES)}")
    if role == "partner":
        if not partner:
            raise AccountError("a partner account needs --partner (the partner id it belongs to)")
        if known_partners is not None and partner not in known_partners:
            raise LookupFailure(f"no partner {partner!r}", hint=f"partners: {', '.join(known_partners)}")
    elif partner:
        raise AccountError(f"only partner accounts belong to a partner, not {role} accounts")
    check_password(password)
    try:
        with db.engine.begin() as conn:
            conn.execute(
                insert(users).values(
                    partnership=db.partnership,
                    username=username,
                    role=role,
                    partner=partner,
                    email=email,
                    password_hash=_hasher.hash(password),
                    created_at=now_iso(),
                )
            )
    except IntegrityError:
        raise AccountError(f"a user called {username!r} already exists") from None
    return get_user(db, username)


def get_user(db: ConsoleDb, username: str) -> User:
    with db.engine.connect() as conn:
        row = (
            conn.execute(select(users).where((users.c.partnership == db.partnership) & (users.c.username == username)))
            .mappings()
            .first()
        )
    if row is None:
        raise LookupFailure(f"no user {username!r}", hint="see reportgen users list")
    return _user(row)


def user_by_id(db: ConsoleDb, user_id: int) -> User | None:
    with db.engine.connect() as conn:
        row = (
            conn.execute(select(users).where((users.c.partnership == db.partnership) & (users.c.id == user_id)))
            .mappings()
            .first()
        )
    return _user(row) if row else None


def list_users(db: ConsoleDb) -> list[User]:
    with db.engine.connect() as conn:
        rows = (
            conn.execute(
                select(users).where(users.c.partnership == db.partnership).order_by(users.c.role, users.c.username)
            )
            .mappings()
            .all()
        )
    return [_user(r) for r in rows]


def disable_user(db: ConsoleDb, username: str, *, disabled: bool = True) -> User:
    get_user(db, username)
    with db.engine.begin() as conn:
        conn.execute(
            update(users)
            .where((users.c.partnership == db.partnership) & (users.c.username == username))
            .values(disabled=int(disabled))
        )
    return get_user(db, username)


def reset_user(db: ConsoleDb, username: str, password: str) -> User:
    """A new password; also unlocks a locked account and clears its failure count."""
    get_user(db, username)
    check_password(password)
    with db.engine.begin() as conn:
        conn.execute(
            update(users)
            .where(users.c.username == username)
            .values(password_hash=_hasher.hash(password), failed_logins=0, locked_at=None)
        )
    return get_user(db, username)


def authenticate(db: ConsoleDb, username: str, password: str) -> tuple[User | None, str]:
    """(user, "") on success, else (None, reason) with reason one of "bad", "locked",
    "disabled". A wrong password counts towards the lockout; the fifth locks the account."""
    with db.engine.connect() as conn:
        row = (
            conn.execute(select(users).where((users.c.partnership == db.partnership) & (users.c.username == username)))
            .mappings()
            .first()
        )
    if row is None:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY, password)
        return None, "bad"
    if row["locked_at"] is not None:
        return None, "locked"
    try:
        _hasher.verify(row["password_hash"], password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        failures = row["failed_logins"] + 1
        values: dict[str, object] = {"failed_logins": failures}
        if failures >= MAX_FAILURES:
            values["locked_at"] = now_iso()
        with db.engine.begin() as conn:
            conn.execute(update(users).where(users.c.id == row["id"]).values(**values))
        return None, "locked" if failures >= MAX_FAILURES else "bad"
    if row["disabled"]:
        return None, "disabled"
    values = {"failed_logins": 0, "last_login_at": now_iso()}
    if _hasher.check_needs_rehash(row["password_hash"]):
        values["password_hash"] = _hasher.hash(password)
    with db.engine.begin() as conn:
        conn.execute(update(users).where(users.c.id == row["id"]).values(**values))
    return user_by_id(db, row["id"]), ""


DEMO_USERS = (
    ("support", "support", None),
    ("police", "partner", "police"),
    ("council", "partner", "council"),
    ("comms", "comms", None),
    ("board", "board", None),
)
DEMO_PASSWORD = "demo-password-only"  # printed by `users add --demo`; for the demo only


def add_demo_users(db: ConsoleDb, known_partners: list[str]) -> list[User]:
    """One account per role for the demo (the same well-known password): never in production."""
    out = []
    for name, role, partner in DEMO_USERS:
        if partner is not None and partner not in known_partners:
            raise DataError(f"the demo user {name!r} needs partner {partner!r}, which this config does not have")
        try:
            get_user(db, name)
        except LookupFailure:
            out.append(add_user(db, name, role, DEMO_PASSWORD, partner=partner, known_partners=known_partners))
    return out
