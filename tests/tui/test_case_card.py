"""The case card on the live screen, driven with Pilot: a real fixture call through the real pipeline with the
small case directory the demo ships (imported into a real SQLite file)."""

from __future__ import annotations

import pytest
from tui_helpers import FX12, text_of, wait_for

from copilot.analysis.analyzer import CallAnalyzer
from copilot.cases import runtime
from copilot.cases.directory import CaseDirectory
from copilot.cases.importing import import_cases
from copilot.events import CaseCard
from copilot.session.source import SourceSpec
from copilot.store.db import make_engine
from tui.app import make_app
from tui.config import TuiConfig
from tui.messages import CallEvent
from tui.sources import list_stream
from tui.widgets.case_card import CaseCardView

pytestmark = pytest.mark.anyio
CFG = TuiConfig(freeze_clock=True, retry_seconds=0.3)


@pytest.fixture
def demo_directory(tmp_path, monkeypatch):
    monkeypatch.delenv(runtime.ENV_OFF, raising=False)
    engine = make_engine(f"sqlite:///{tmp_path / 'cases.db'}")
    import_cases(engine, runtime.DEMO_CSV)
    directory = CaseDirectory(engine)
    runtime.use(directory)  # what `copilot demo` does when the store holds no cases
    yield directory
    runtime.use(None)
    engine.dispose()


async def test_the_demo_call_shows_the_case_card(demo_directory, store):
    spec = SourceSpec(kind="transcript", path=str(FX12), pace="whole")
    app = make_app("live", source=spec, store=store, config=CFG)
    async with app.run_test(size=(120, 40)) as pilot:
        scr = app.screen
        card = scr.query_one(CaseCardView)
        await wait_for(pilot, lambda: scr.saved, what="record saved at end of call")
        assert card.has_class("shown") and card.display
        shown = text_of(card)
        for part in ("（2025）浙0503民初975号", "审理中", "孙建明", "民一庭", "2025-05-28 14:30"):
            assert part in shown, part
        # the record got the judge's full name from the directory (孙法官 was said)
        assert scr.query_one("#rec-judge_name").value == "孙建明"
        assert scr.query_one("#rec-case_number").value == "（2025）浙0503民初975号"


async def test_no_card_until_the_caller_says_who_they_are(demo_directory):
    a = CallAnalyzer("T-2", cases=demo_directory)
    evs = a.start()
    evs += a.add_turn("agent", 0.0, 2.0, "您好！12368！请问有什么可以帮助您？")
    evs += a.add_turn("caller", 3.0, 6.0, "帮忙查一下2025浙0503民初975号现在什么情况")
    assert not [e for e in evs if isinstance(e, CaseCard)]
    app = make_app("live", stream_factory=lambda: list_stream(evs), config=CFG)
    async with app.run_test(size=(120, 40)) as pilot:
        scr = app.screen
        await wait_for(pilot, lambda: scr.query_one("#rec-case_number").value == "（2025）浙0503民初975号",
                       what="case number in the record")
        card = scr.query_one(CaseCardView)
        assert not card.has_class("shown") and "审理中" not in text_of(card)
        # now the caller says they are the plaintiff: the card appears
        more = a.add_turn("caller", 7.0, 9.0, "我是原告韩明")
        assert [e for e in more if isinstance(e, CaseCard)]
        for ev in more:
            scr.post_message(CallEvent(ev, 0.0))
        await wait_for(pilot, lambda: card.has_class("shown"), what="card shown")
        assert "审理中" in text_of(card) and "孙建明" in text_of(card)
