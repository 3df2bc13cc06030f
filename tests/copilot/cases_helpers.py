"""Shared helper of the case-directory test files (test_cases_all_evidence, test_cases_asr_breaks,
test_cases_unseen_classes, test_cases_court_and_digit_classes,
test_cases_serial_words): a short call after the standard greeting, analysed against a directory."""

from __future__ import annotations

from copilot.analysis.analyzer import CallAnalyzer
from copilot.cases.directory import CaseDirectory

GREETING = ("agent", "您好，12368，请问有什么可以帮您？")


def call_record(directory: CaseDirectory, *turns: tuple[str, str], call_id: str) -> dict:
    """The record of a call of ``turns`` (speaker, text) after ``GREETING``, each turn 2.5 s with 0.5 s between,
    analysed with the case directory ``directory``."""
    a = CallAnalyzer(call_id, cases=directory)
    t = 0.0
    for speaker, text in (GREETING, *turns):
        a.add_turn(speaker, t, t + 2.5, text)
        t += 3.0
    a.finish()
    return a.result()["record"]
