"""Small modal screens: key help, and a one-line prompt (file path, review comment)."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static


class HelpScreen(ModalScreen[None]):
    """Every key of the screen underneath, generated from its bindings (so the list is never stale)."""

    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "关闭")]

    def __init__(self, title: str, bindings: list[Binding]) -> None:
        super().__init__()
        self.title_text = title
        self.rows = [(b.key, b.description) for b in bindings if b.description]

    def compose(self) -> ComposeResult:
        table = Table(title=f"{self.title_text} — 快捷键", show_header=True, header_style="bold")
        table.add_column("按键 key")
        table.add_column("作用")
        for key, desc in self.rows:
            table.add_row(key.replace("question_mark", "?"), desc)
        with Vertical(id="help-box"):
            yield Static(table, id="help-table")
            yield Label("按 Esc 关闭", classes="dim")


class PromptScreen(ModalScreen[str | None]):
    """Ask for one line of text; Enter returns it, Esc returns None."""

    BINDINGS = [Binding("escape", "cancel", "取消")]

    def __init__(self, question: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.question = question
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-box"):
            yield Label(self.question)
            yield Input(value=self.value, placeholder=self.placeholder, id="prompt-input")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class AddFlagScreen(ModalScreen[tuple[str, int | None, str] | None]):
    """Add a flag the copilot missed: its code, the turn (1-based as shown; empty = whole call), a note."""

    BINDINGS = [Binding("escape", "cancel", "取消")]

    def __init__(self, n_turns: int, turn: int | None) -> None:
        super().__init__()
        self.n_turns = n_turns
        self.turn = turn

    def compose(self) -> ComposeResult:
        from textual.widgets import Select

        from copilot.labels import FLAG_ZH

        with Vertical(id="prompt-box"):
            yield Label("补充标记：选择类型，确认轮次，填写说明（回车保存，Esc 取消）")
            yield Select([(f"{zh} {code}", code) for code, zh in FLAG_ZH.items()], prompt="标记类型", id="add-code")
            yield Input(value="" if self.turn is None else str(self.turn + 1), placeholder="轮次（空 = 整通）",
                        id="add-turn")
            yield Input(placeholder="说明", id="add-note")
            yield Label("", id="add-error", classes="dim")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        from textual.widgets import Select

        code = self.query_one("#add-code", Select).value
        turn_text = self.query_one("#add-turn", Input).value.strip()
        error = self.query_one("#add-error", Label)
        if code is Select.NULL or code is Select.BLANK or not isinstance(code, str):
            error.update("请选择标记类型")
            return
        turn: int | None = None
        if turn_text:
            if not turn_text.isdigit() or not 1 <= int(turn_text) <= self.n_turns:
                error.update(f"轮次应为 1–{self.n_turns} 的数字，或留空")
                return
            turn = int(turn_text) - 1
        self.dismiss((code, turn, self.query_one("#add-note", Input).value.strip()))

    def action_cancel(self) -> None:
        self.dismiss(None)
