"""Developer benchmarks: numbers, not tests (docs/architecture.md, "Tests and benchmarks").

Each module runs as ``python -m benchmarks.<name>``: ``asr`` (CER, real-time factor, latency, calls per core),
``phrasebook`` (matcher build and lookup speed), ``text`` (normaliser and extractor speed),
``text_extraction`` (case-number and phone accuracy on the whole dev set), ``indicators`` (report and batch
scoring speed), ``tui`` (event-to-screen latency of the live screen). They read the labelled dev set and the
Mandarin clips beside the repository (``../shared``); the runtime packages never import them.
"""
