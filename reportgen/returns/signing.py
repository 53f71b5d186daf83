"""The About sheet of a return template is signed, so an edited one is refused on ingest.

The hidden About sheet tells ``returns ingest`` which partner and periods a workbook is
for, and those periods decide what the workbook may load. Hidden is not protected: anyone
can unhide it and widen the periods (say, to 1999-01). The template therefore carries an
HMAC-SHA256 over the sheet's fields, keyed per deployment; ingest recomputes it and refuses
a workbook whose fields no longer match. The key comes from ``$REPORTGEN_SIGNING_KEY`` or,
failing that, a random key kept in ``<returns data dir>/signing.key`` (created on first use,
readable by the service's user only), so templates made on one deployment are honoured there.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

KEY_ENV = "REPORTGEN_SIGNING_KEY"
KEY_FILE = "signing.key"
SIGNED_FIELDS = ("reportgen return", "partner", "periods", "generated", "config")
SIGNATURE_FIELD = "signature"


def signing_key(data_dir: Path) -> bytes:
    """The deployment's key (see module docstring); created in ``data_dir`` if absent."""
    env = os.environ.get(KEY_ENV)
    if env:
        return env.encode("utf-8")
    path = data_dir / KEY_FILE
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32).encode("ascii")
    try:  # O_EXCL: two processes making the first template at once agree on one key
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
    return key


def signature(meta: dict[str, str], key: bytes) -> str:
    message = "\n".join(f"{name}={meta.get(name, '')}" for name in SIGNED_FIELDS).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def verify(meta: dict[str, str], key: bytes) -> bool:
    return hmac.compare_digest(meta.get(SIGNATURE_FIELD, ""), signature(meta, key))
