"""Measuring the analysis: `copilot eval` against labelled calls, and batch scoring of many calls."""
