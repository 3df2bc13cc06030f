"""Audio in, utterances out: audio sources, the acoustic monitor and ASR engines.

This package imports nothing of ``copilot``, ``phrasebook`` or ``tui``; it owns the audio and
transcript types it produces (see :mod:`asr.types`).
"""
