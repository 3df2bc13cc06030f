"""The case card reaches the agent's screen only: not inspectors' or supervisors' event streams, not the store."""

from __future__ import annotations

import asyncio

from copilot.events import CallStarted, CaseCard, RecordUpdated
from copilot.server.hub import CallHub
from copilot.store import CallWriter, load_call

CARD = CaseCard(t=3.0, case_number="（2025）浙0503民初975号", judge_name="孙建明", department="民一庭", status="审理中",
                next_hearing="2025-05-28T14:30")


def test_only_the_agent_receives_the_case_card():
    async def run():
        hub = CallHub()
        hub.begin("C1")
        agent, _ = hub.subscribe("C1", "agent")
        inspector, _ = hub.subscribe("C1", "inspector")
        hub.publish("C1", [CallStarted(t=0.0, call_id="C1"), CARD, RecordUpdated(t=3.0, record={"case_number": "x"})])
        got = {name: [sub.queue.get_nowait().type for _ in range(sub.queue.qsize())]
               for name, sub in (("agent", agent), ("inspector", inspector))}
        late_sup, history = hub.subscribe("C1", "supervisor")
        late_agent, agent_history = hub.subscribe("C1", "agent")
        return got, [e.type for e in history], [e.type for e in agent_history]

    got, sup_history, agent_history = asyncio.run(run())
    assert got["agent"] == ["call_started", "case_card", "record"]
    assert got["inspector"] == ["call_started", "record"]
    assert "case_card" not in sup_history and "case_card" in agent_history


def test_the_card_is_not_stored_with_the_record(tmp_path):
    from copilot.session.pipeline import StoreSink
    from copilot.store.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 's.db'}")
    sink = StoreSink(CallWriter(engine, "C2"))
    sink(RecordUpdated(t=1.0, record={"case_number": "（2025）浙0503民初975号", "case_source": "directory"}))
    sink(CARD)
    stored = str(load_call(engine, "C2"))
    assert "（2025）浙0503民初975号" in stored and "审理中" not in stored and "民一庭" not in stored
