"""Screens of the copilot TUI: live assist, replay (quality inspection), scoring (training)."""
