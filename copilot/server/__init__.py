"""The call-centre server (websockets): ingest live calls, stream their events, list calls, vosk-server /asr.

Build with :class:`copilot.server.app.CopilotServer` and :func:`copilot.server.config.load_config`;
clients are in :mod:`copilot.server.client`; the load test in :mod:`copilot.server.load`.
"""
