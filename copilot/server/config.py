"""The server's one typed settings object: a TOML file, then command-line overrides.

```toml
[server]
host = "127.0.0.1"          # loopback unless told otherwise
port = 2700
engine = "vosk"             # auto | vosk | whisper
vosk_model = "/path/to/vosk-model"
db = "sqlite:////var/lib/copilot/copilot.store.db"   # else COPILOT_DB_URL, else the user data dir
audit_log = "/var/log/copilot/audit.jsonl"      # refusals, confidential access, cut-offs (default: beside the db)
spool_dir = "/var/lib/copilot/spool"            # calls kept here while the db cannot be written
certfile = "server.pem"     # TLS (both or neither)
keyfile = "server.key"

[limits]
audio_queue = 64            # wire frames waiting for ASR per call
subscriber_queue = 256      # events waiting for one subscriber
max_frame_bytes = 262144    # one websocket message
write_limit = 65536         # bytes buffered per connection before a send waits
max_connections = 512       # open connections; one more → HTTP 503
handshake_seconds = 30      # to finish the opening handshake
ingest_idle_seconds = 30    # an ingest silent this long is ended (4408, reason timeout)
subscriber_idle_seconds = 900   # a subscriber sent nothing this long is closed (4408)
max_turns = 5000            # final utterances per call (more → 4413, reason limit)
max_turn_chars = 2000       # characters per final utterance (more → 4413, reason limit)

[tokens]                    # role = token or [tokens]
telephony = "…"
agent = ["…", "…"]
inspector = "…"
supervisor = "…"

[confidential]
service_types = ["complaint"]
roles = ["inspector", "supervisor"]
redact = true               # listings and exports mask phone and ID-card numbers
```
"""

from __future__ import annotations

import ipaddress
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from copilot.errors import CopilotError

ROLES = ("telephony", "agent", "inspector", "supervisor")
OPEN_TIMEOUT_S = 30.0
"""Seconds for a websocket opening handshake, on the server and in its clients. The library's 10 s was too short
on a busy 2-core machine: with two agents' screens starting (Textual's first layout and paint of CJK text), the
client timed out ('timed out during opening handshake') and the server dropped handshakes unanswered
('did not receive a valid HTTP response'), both measured in the two-TUI test."""
ENGINES = ("auto", "vosk", "whisper")


class ServerError(CopilotError):
    """The server cannot start or a server request failed (bad settings, refused connection)."""

    def __init__(self, message: str, *, where: str = "", code: int | None = None) -> None:
        super().__init__(message, where=where)
        self.code = code
        """Websocket close code or HTTP status, when the error came from the server."""


@dataclass(frozen=True)
class Limits:
    """Queue and frame bounds; every overflow is explicit (backpressure or a disconnect with a reason)."""

    audio_queue: int = 64
    """Wire frames waiting for a call's ASR worker; when full the server stops reading that socket."""
    subscriber_queue: int = 256
    """Events waiting for one subscriber; when full the subscriber is disconnected (code 4429)."""
    max_frame_bytes: int = 256 * 1024
    """Bytes: the largest websocket message accepted (bigger → close 1009)."""
    write_limit: int = 64 * 1024
    """Bytes buffered per connection before a send waits for the peer."""
    recent_calls: int = 200
    """Ended calls kept in memory for the listing and for late subscribers."""
    max_connections: int = 512
    """Open connections (all routes, handshakes included); one more is refused with HTTP 503."""
    handshake_seconds: float = OPEN_TIMEOUT_S
    """Seconds a connection has to complete its opening handshake (idle TCP connections are dropped)."""
    ingest_idle_seconds: float = 30.0
    """Seconds an ingest may send nothing (a stalled or half-open connection) before its call is ended
    (reason ``timeout``, incomplete) and the connection closed with 4408; the call id is free again."""
    subscriber_idle_seconds: float = 900.0
    """Seconds an events subscriber may receive nothing (e.g. waiting for a call that never starts) before it
    is closed with 4408."""
    max_turns: int = 5000
    """Final utterances per call; one more ends the call (reason ``limit``) with close 4413 and an error."""
    max_turn_chars: int = 2000
    """Characters of one final utterance; a longer one ends the call the same way (ASR cuts turns far shorter)."""


@dataclass(frozen=True)
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 2700
    """TCP port; 0 picks a free one (tests)."""
    engine: str = "auto"
    vosk_model: str | None = None
    """Folder of a Vosk model (needed for ``engine='vosk'`` without a Mandarin model in models/)."""
    db: str | None = None
    """Database URL; None → ``COPILOT_DB_URL`` or the SQLite file in the user data dir."""
    certfile: str | None = None
    keyfile: str | None = None
    tokens: dict[str, str] = field(default_factory=dict)
    """Token → role."""
    confidential_types: tuple[str, ...] = ("complaint",)
    confidential_roles: tuple[str, ...] = ("inspector", "supervisor")
    redact: bool = True
    """Mask phone and ID-card numbers in listings and exports."""
    audit_log: str | None = None
    """JSON-lines file of every refusal, confidential access and cut-off; None → ``audit.jsonl`` beside the SQLite
    database (or in the user data dir)."""
    spool_dir: str | None = None
    """Folder where calls are spooled while the database cannot be written; None → ``<database>.spool`` beside the
    SQLite file (or ``spool`` in the user data dir)."""
    limits: Limits = field(default_factory=Limits)
    audio_dir: str | None = None
    """Folder to keep each call's audio in (``copilot.server.recordings``); None (default): not kept."""
    audio_retention_days: float = 30.0
    """Stored call audio older than this is deleted."""

    def check(self) -> ServerConfig:
        """Validate; raises ServerError naming the field."""
        if not self.tokens:
            raise ServerError("no access tokens configured: give --token ROLE=TOKEN or a [tokens] table",
                              where="tokens")
        for role in set(self.tokens.values()) | set(self.confidential_roles):
            if role not in ROLES:
                raise ServerError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}", where="tokens")
        if self.engine not in ENGINES:
            raise ServerError(f"unknown engine {self.engine!r}; expected one of {', '.join(ENGINES)}",
                              where="engine")
        if not 0 <= self.port <= 65535:
            raise ServerError(f"port must be 0–65535, got {self.port}", where="port")
        if bool(self.certfile) != bool(self.keyfile):
            raise ServerError("TLS needs both --certfile and --keyfile", where="certfile")
        if not self.audio_retention_days > 0:
            raise ServerError("audio_retention_days must be above 0", where="audio_retention_days")
        for name in ("audio_queue", "subscriber_queue", "max_frame_bytes", "write_limit", "recent_calls",
                     "max_connections", "max_turns", "max_turn_chars"):
            if int(getattr(self.limits, name)) < 1:
                raise ServerError(f"{name} must be positive", where=f"limits.{name}")
        for name in ("handshake_seconds", "ingest_idle_seconds", "subscriber_idle_seconds"):
            if not float(getattr(self.limits, name)) > 0:
                raise ServerError(f"{name} must be positive", where=f"limits.{name}")
        return self

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host)


def is_loopback(host: str) -> bool:
    """True for localhost and 127.0.0.0/8 / ::1."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def parse_token(spec: str) -> tuple[str, str]:
    """``ROLE=TOKEN`` → (token, role)."""
    role, sep, token = spec.partition("=")
    role = role.strip()
    if not sep or not token or role not in ROLES:
        raise ServerError(f"token must be ROLE=TOKEN with ROLE one of {', '.join(ROLES)}, got {spec!r}",
                          where="--token")
    return token, role


def _tokens_from_table(table: Any, where: str) -> dict[str, str]:
    if not isinstance(table, dict):
        raise ServerError("[tokens] must be a table of role = token or [tokens]", where=where)
    out: dict[str, str] = {}
    for role, value in table.items():
        values = [value] if isinstance(value, str) else value
        if role not in ROLES or not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
            raise ServerError(f"bad token entry {role!r}: expected role in {', '.join(ROLES)} and string token(s)",
                              where=f"{where} [tokens].{role}")
        out.update({v: role for v in values})
    return out


def load_config(path: str | Path | None = None, **overrides: Any) -> ServerConfig:
    """Settings from a TOML file (optional) with keyword overrides (None values are ignored)."""
    cfg = ServerConfig()
    if path is not None:
        where = str(path)
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ServerError(f"cannot read config: {exc.strerror}", where=where) from exc
        except tomllib.TOMLDecodeError as exc:
            raise ServerError(f"bad TOML: {exc}", where=where) from exc
        unknown = set(data) - {"server", "limits", "tokens", "confidential"}
        if unknown:
            raise ServerError(f"unknown table(s) {', '.join(sorted(unknown))}", where=where)
        srv = data.get("server", {})
        allowed = {"host", "port", "engine", "vosk_model", "db", "certfile", "keyfile", "audio_dir",
                   "audio_retention_days", "audit_log", "spool_dir"}
        if set(srv) - allowed:
            raise ServerError(f"unknown key(s) {', '.join(sorted(set(srv) - allowed))}", where=f"{where} [server]")
        lim = data.get("limits", {})
        if set(lim) - set(Limits.__dataclass_fields__):
            raise ServerError(f"unknown key(s) {', '.join(sorted(set(lim) - set(Limits.__dataclass_fields__)))}",
                              where=f"{where} [limits]")
        conf = data.get("confidential", {})
        cfg = replace(cfg, **srv, limits=replace(cfg.limits, **lim),
                      tokens=_tokens_from_table(data.get("tokens", {}), where))
        if "service_types" in conf:
            cfg = replace(cfg, confidential_types=tuple(conf["service_types"]))
        if "roles" in conf:
            cfg = replace(cfg, confidential_roles=tuple(conf["roles"]))
        if "redact" in conf:
            cfg = replace(cfg, redact=bool(conf["redact"]))
    extra_tokens = overrides.pop("tokens", None) or {}
    limits = overrides.pop("limits", None)
    cfg = replace(cfg, **{k: v for k, v in overrides.items() if v is not None},
                  tokens={**cfg.tokens, **extra_tokens})
    if limits is not None:
        cfg = replace(cfg, limits=limits)
    return cfg.check()
