"""Which link addresses documents may make live: a policy for every place text becomes a link.

Text from config (public advice), commentary Markdown and the reports themselves reaches
PDF viewers, Word and browsers as live links. Only https, http and mailto are allowed;
anything else (javascript:, file:, data:, vbscript:...) is refused where the text is read
(config load, commentary parse, one line naming file and line) and, should one get through,
rendered as plain text. Kept here, below config and the document model, so both can use it.
"""

from __future__ import annotations

import re

LINK = re.compile(r"\[([^\]\n]+)\]\(([^)\s]+)\)")
# Schemes a link may use. Anything else (javascript:, file:, data:, vbscript:...) would be
# live in a PDF viewer or browser, so it is refused where text is read (config, commentary)
# and, should one get through, shown as plain text here. Scheme-less relative addresses
# ("leaflet-2005-Q1.pdf", "#contacts") are ours: the web page links its own PDFs.
SAFE_SCHEMES = ("https", "http", "mailto")
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.\-]*)\s*:")


def unsafe_link(href: str) -> bool:
    """True if ``href`` names a scheme other than https, http or mailto, or is
    protocol-relative ("//host", which a viewer may resolve to any scheme)."""
    stripped = "".join(ch for ch in href if ch.isprintable() and not ch.isspace())
    if stripped.startswith(("//", "\\\\")):
        return True
    match = _SCHEME.match(stripped)
    return match is not None and match.group(1).lower() not in SAFE_SCHEMES


def unsafe_links(text: str) -> list[str]:
    """Every link address in ``text`` that :func:`unsafe_link` refuses."""
    return [m.group(2) for m in LINK.finditer(text) if unsafe_link(m.group(2))]
