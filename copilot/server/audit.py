"""The server's audit log: one JSON object a line for every refusal, confidential access and cut-off.

Fields: ``ts`` (UTC ISO 8601), ``event`` (``refused``, ``confidential_access``, ``cut_off``), ``role`` (None
before a token was recognised), ``route``, ``call_id``, ``status`` (HTTP status or close code), ``reason``,
``peer`` (address:port). Tokens and call content are never written. A log that cannot be written is reported
once in the server log; it never stops a call.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

EVENTS = ("refused", "confidential_access", "cut_off")


class AuditLog:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.lock = threading.Lock()
        self._warned = False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            log.error("audit log folder %s: %s", self.path.parent, exc)

    def write(self, event: str, *, role: str | None = None, route: str | None = None, call_id: str | None = None,
              status: int | None = None, reason: str = "", peer: str | None = None, **extra: Any) -> None:
        assert event in EVENTS, event
        entry = {"ts": datetime.now(UTC).isoformat(timespec="milliseconds"), "event": event, "role": role,
                 "route": route, "call_id": call_id, "status": status, "reason": reason, "peer": peer, **extra}
        line = json.dumps(entry, ensure_ascii=False, default=str) + "\n"
        with self.lock:
            try:
                with self.path.open("a", encoding="utf-8") as f:
                    f.write(line)
            except OSError as exc:
                if not self._warned:
                    self._warned = True
                    log.error("cannot write the audit log %s: %s", self.path, exc)

    def read(self) -> list[dict[str, Any]]:
        """Every entry so far (tests and tools)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        return [json.loads(line) for line in text.splitlines() if line.strip()]


def peer_of(conn: Any) -> str | None:
    addr = getattr(conn, "remote_address", None)
    if not addr:
        return None
    return f"{addr[0]}:{addr[1]}"
