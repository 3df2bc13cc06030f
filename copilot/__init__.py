"""The 12368 hotline copilot: events, call pipeline, analysis, store, CLI and server."""

__version__ = "0.1.0"
