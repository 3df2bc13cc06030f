"""The case card on the live screen: the caller's case from the court's case directory (copilot.cases).

Hidden until there is something to show: the card (status, judge, department, next hearing) once the case is
resolved and the caller's name or role matches it, or, while the case number is uncertain, the directory's
candidates for the agent to check with the caller.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from copilot.events import CaseCard, Suggestion


def _when(value: str | None) -> str:
    if not value:
        return "未排期"
    return value.replace("T", " ")


class CaseCardView(Static):
    DEFAULT_CSS = """
    CaseCardView { display: none; height: auto; border: round $accent; padding: 0 1; margin: 1 0 0 0; }
    CaseCardView.shown { display: block; }
    """

    def __init__(self, **kw) -> None:
        super().__init__("", **kw)
        self.card: CaseCard | None = None
        self.picks: Suggestion | None = None

    def show(self, ev: CaseCard | Suggestion) -> None:
        if isinstance(ev, CaseCard):
            self.card = ev
        elif ev.kind == "case_pick":
            self.picks = ev
        self.update(self.render_card())
        self.set_class(True, "shown")

    def render_card(self) -> Text:
        if self.card is not None:
            c = self.card
            return Text.assemble(("案件信息 ", "bold"), (c.case_number, "bold"), "（案件库）\n",
                                 "状态：", (c.status or "—", "bold"), "    承办法官：", (c.judge_name or "未分配", "bold"),
                                 "\n", "承办部门：", c.department or "—", "    下次开庭：", _when(c.next_hearing))
        if self.picks is not None:
            lines = Text.assemble(("案号待核对 ", "bold"), (self.picks.reason, "italic"))
            for i, item in enumerate(self.picks.text.split("；"), 1):
                lines.append(f"\n {i}. {item}")
            return lines
        return Text("")
