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
