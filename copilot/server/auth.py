"""Bearer-token access: which role a request has, and which routes each role may use.

Tokens are sent as ``Authorization: Bearer TOKEN`` and checked in the handshake (HTTP 401 without a
valid token, 403 for a role the route does not admit). Confidential calls (complaints) are checked
again while a call runs: a subscriber whose role may not see them is closed with code 4403.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass

ROUTE_ROLES: dict[str, frozenset[str]] = {
    "audio": frozenset({"telephony", "agent"}),
    "asr": frozenset({"telephony", "agent"}),
    "events": frozenset({"agent", "inspector", "supervisor"}),
    "calls": frozenset({"supervisor"}),
    "export": frozenset({"inspector", "supervisor"}),
    "health": frozenset(),
}
"""Roles admitted per route kind; an empty set means no token is needed."""

CALL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_ROUTES = (
    (re.compile(r"^/calls/([^/]+)/audio$"), "audio"),
    (re.compile(r"^/calls/([^/]+)/events$"), "events"),
    (re.compile(r"^/calls/([^/]+)$"), "export"),
    (re.compile(r"^/calls/?$"), "calls"),
    (re.compile(r"^/asr/?$"), "asr"),
    (re.compile(r"^/health/?$"), "health"),
)


@dataclass(frozen=True)
class Route:
    """A parsed request path."""

    kind: str
    """``audio``, ``events``, ``export``, ``calls``, ``asr`` or ``health``."""
    call_id: str | None = None


def parse_route(path: str) -> Route | None:
    """The route of a request path (query string ignored); None for unknown paths or bad call ids."""
    path = path.split("?", 1)[0]
    for pattern, kind in _ROUTES:
        m = pattern.match(path)
        if m:
            call_id = m.group(1) if m.groups() else None
            if call_id is not None and not CALL_ID.match(call_id):
                return None
            return Route(kind, call_id)
    return None


def bearer(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer …`` header."""
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def role_of(tokens: dict[str, str], token: str | None) -> str | None:
    """The role a token grants (constant-time comparison against every configured token)."""
    if not token:
        return None
    found = None
    for known, role in tokens.items():
        if hmac.compare_digest(known.encode(), token.encode()):
            found = role
    return found


def allowed(route: Route, role: str | None) -> bool:
    needed = ROUTE_ROLES[route.kind]
    return not needed or role in needed
