"""The one typed settings object of the TUI (env prefix ``COPILOT_TUI_``)."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path


@dataclass(frozen=True)
class TuiConfig:
    retry_seconds: float = 5.0
    """Seconds between retries when the call record cannot be saved."""
    freeze_clock: bool = False
    """Tests: the call timer shows event time only (no wall-clock ticking)."""
    export_dir: Path = Path(".")
    """Folder for review and score exports."""
    reviewer: str | None = None
    """Name stored with reviews and adjustments (default: ``COPILOT_USER`` or the login name)."""

    @classmethod
    def from_env(cls, **overrides) -> TuiConfig:
        cfg = cls()
        env = os.environ
        if env.get("COPILOT_TUI_RETRY_SECONDS"):
            cfg = replace(cfg, retry_seconds=float(env["COPILOT_TUI_RETRY_SECONDS"]))
        if env.get("COPILOT_TUI_EXPORT_DIR"):
            cfg = replace(cfg, export_dir=Path(env["COPILOT_TUI_EXPORT_DIR"]))
        return replace(cfg, **{k: v for k, v in overrides.items() if v is not None})
