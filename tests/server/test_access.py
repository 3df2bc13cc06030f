"""Settings, tokens, routes, confidentiality and redaction (no socket, no model)."""

from __future__ import annotations

import asyncio

import pytest

from copilot.events import CallEnded, CallStarted, RecordUpdated, ServiceTypeChanged, UtteranceEvent
from copilot.server.app import CopilotServer
from copilot.server.auth import Route, allowed, bearer, parse_route, role_of
from copilot.server.config import ServerError, is_loopback, load_config, parse_token
from copilot.server.hub import CLOSE_FORBIDDEN, CallHub
from copilot.server.redact import redact, redact_text


@pytest.mark.parametrize("text, expected", [
    ("我的电话是13857201846", "我的电话是138****1846"),
    ("身份证号33050219800101123X", "身份证号330502********123X"),
    ("身份证号330502198001011234，电话13905723318", "身份证号330502********1234，电话139****3318"),
    ("座机0572-2345678", "座机********5678"),
    ("案号（2023）浙0503民初1234号", "案号（2023）浙0503民初1234号"),
    ("您好！12368！", "您好！12368！"),
    ("2024年3月", "2024年3月"),
])
def test_redact_text(text, expected):
    assert redact_text(text) == expected


def test_redact_nested():
    assert redact({"record": {"phone": "13857201846", "n": 3}, "l": ["13857201846"]}) == {
        "record": {"phone": "138****1846", "n": 3}, "l": ["138****1846"]}


@pytest.mark.parametrize("path, route", [
    ("/calls/FX-01/audio", Route("audio", "FX-01")),
    ("/calls/FX-01/events", Route("events", "FX-01")),
    ("/calls/FX-01", Route("export", "FX-01")),
    ("/calls", Route("calls")),
    ("/calls/?x=1", Route("calls")),
    ("/asr", Route("asr")),
    ("/health", Route("health")),
    ("/calls/../etc/audio", None),
    ("/calls/a b/audio", None),
    ("/other", None),
])
def test_routes(path, route):
    assert parse_route(path) == route


def test_roles_per_route():
    tokens = {"t": "telephony", "a": "agent", "i": "inspector", "s": "supervisor"}
    assert bearer("Bearer abc") == "abc" and bearer("Basic abc") is None and bearer(None) is None
    assert role_of(tokens, "a") == "agent" and role_of(tokens, "x") is None and role_of(tokens, None) is None
    table = {"audio": {"telephony", "agent"}, "events": {"agent", "inspector", "supervisor"},
             "calls": {"supervisor"}, "export": {"inspector", "supervisor"}, "asr": {"telephony", "agent"}}
    for kind, roles in table.items():
        for role in tokens.values():
            assert allowed(Route(kind, "X"), role) == (role in roles), (kind, role)


def test_config_file_and_overrides(tmp_path):
    f = tmp_path / "server.toml"
    f.write_text('[server]\nport = 2800\nengine = "vosk"\n[tokens]\nagent = ["a1", "a2"]\nsupervisor = "s"\n'
                 '[limits]\naudio_queue = 8\n[confidential]\nroles = ["supervisor"]\n', encoding="utf-8")
    cfg = load_config(f, port=2900, tokens=dict([parse_token("telephony=t1")]))
    assert cfg.port == 2900 and cfg.engine == "vosk" and cfg.host == "127.0.0.1" and cfg.loopback
    assert cfg.tokens == {"a1": "agent", "a2": "agent", "s": "supervisor", "t1": "telephony"}
    assert cfg.limits.audio_queue == 8 and cfg.confidential_roles == ("supervisor",)


@pytest.mark.parametrize("text, where", [
    ("[server]\nport = \n", "bad TOML"),
    ("[server]\nprot = 1\n[tokens]\nagent='a'\n", "unknown key(s) prot"),
    ("[tokens]\nboss = 'x'\n", "bad token entry 'boss'"),
    ("[server]\nport = 1\n", "no access tokens"),
])
def test_bad_config_names_the_problem(tmp_path, text, where):
    f = tmp_path / "bad.toml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ServerError) as err:
        load_config(f)
    assert where in str(err.value)


def test_bad_token_spec_and_tls_pair():
    with pytest.raises(ServerError, match="ROLE=TOKEN"):
        parse_token("agent")
    with pytest.raises(ServerError, match="ROLE=TOKEN"):
        parse_token("admin=x")
    with pytest.raises(ServerError, match="both"):
        load_config(tokens={"x": "agent"}, certfile="c.pem")
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.0.0.1")


def test_confidential_call_cuts_roles_not_allowed():
    async def body():
        hub = CallHub(subscriber_queue=100)
        agent, _ = hub.subscribe("C1", "agent")
        insp, _ = hub.subscribe("C1", "inspector")
        hub.begin("C1")
        hub.publish("C1", [CallStarted(t=0.0, call_id="C1", source="websocket"),
                           UtteranceEvent(t=3.0, speaker="caller", text="我要投诉", start=1.0, end=3.0, turn=0)])
        assert agent.closed is None
        hub.publish("C1", [ServiceTypeChanged(t=3.0, service_type="complaint", service_types=("complaint",))])
        late_agent, history = hub.subscribe("C1", "agent")
        late_sup, sup_history = hub.subscribe("C1", "supervisor")
        hub.publish("C1", [CallEnded(t=9.0, call_id="C1")])
        return agent, insp, late_agent, history, late_sup, sup_history, hub

    agent, insp, late_agent, history, late_sup, sup_history, hub = asyncio.run(body())
    assert agent.closed[0] == CLOSE_FORBIDDEN and "confidential" in agent.closed[1]
    assert late_agent.closed[0] == CLOSE_FORBIDDEN and history == []
    assert insp.closed is None and insp.queue.qsize() == 4  # started, utterance, service type, ended
    assert late_sup.closed is None and len(sup_history) == 3
    assert hub.counters["subscribers_cut_confidential"] == 1


def test_listing_is_redacted_by_default(tmp_path):
    cfg = load_config(tokens={"s": "supervisor"}, db=f"sqlite:///{tmp_path / 'x.db'}")
    srv = CopilotServer(cfg, recognizer=object())
    srv.hub.begin("C2")
    srv.hub.publish("C2", [CallStarted(t=0.0, call_id="C2", source="websocket"),
                           RecordUpdated(t=5.0, record={"phone": "13857201846", "case_number": None})])
    listing = srv.listing()
    assert listing["active"][0]["record"] == {"phone": "138****1846"}
    from dataclasses import replace

    srv.config = replace(cfg, redact=False)
    assert srv.listing()["active"][0]["record"] == {"phone": "13857201846"}


def test_cli_wiring():
    from copilot.cli import build_parser, main

    args = build_parser().parse_args(["serve", "--token", "agent=x", "--port", "0", "--engine", "vosk"])
    assert args.func.__name__ == "cmd_serve" and args.token == ["agent=x"] and args.port == 0
    args = build_parser().parse_args(["load", "--calls", "3", "--seconds", "10"])
    assert args.func.__name__ == "cmd_load" and args.calls == 3
    assert main(["serve", "--token", "boss=x"]) == 2  # a typed error, reported, exit code 2
    assert main(["load", "--calls", "100", "--seconds", "5"]) == 2
