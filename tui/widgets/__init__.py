"""Widgets of the copilot TUI."""
