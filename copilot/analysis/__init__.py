"""The analysis core: classify service type, check compliance, extract the record, score the call."""

from copilot.analysis.analyzer import CallAnalyzer, analyze_transcript

__all__ = ["CallAnalyzer", "analyze_transcript"]
