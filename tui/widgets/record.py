"""The call record form: filled in from ``record`` events, editable by the agent; edited fields stick."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, Input, Label, Select

from copilot.labels import ROLE_ZH, SERVICE_TYPE_ZH
from copilot.record import CallRecord

TEXT_FIELDS = (("caller_name", "来电人"), ("phone", "电话"), ("case_number", "案号"), ("judge_name", "法官"),
               ("summary", "摘要"), ("referral", "转介"))


class RecordForm(Vertical):
    DEFAULT_CSS = """
    RecordForm { height: auto; }
    RecordForm Horizontal { height: 1; }
    RecordForm Label { width: 8; color: $text-muted; }
    RecordForm Input { width: 1fr; }
    RecordForm Select { width: 1fr; }
    """

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.edited: set[str] = set()
        """Fields the agent typed in: later record events leave them alone."""
        self.values: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Label("身份")
            yield Select([(v, k) for k, v in ROLE_ZH.items()], prompt="—", compact=True, id="rec-caller_role")
        with Horizontal():
            yield Label("类型")
            yield Select([(v, k) for k, v in SERVICE_TYPE_ZH.items()], prompt="—", compact=True,
                         id="rec-service_type")
        for key, label in TEXT_FIELDS:
            with Horizontal():
                yield Label(label)
                yield Input(compact=True, id=f"rec-{key}", placeholder="—")
        with Horizontal():
            yield Checkbox("需回复", compact=True, id="rec-callback_required")
            yield Checkbox("已办结", compact=True, id="rec-resolved")

    # ------------------------------------------------------------------ programmatic fill
    def _set(self, key: str, value: Any) -> None:
        if key in self.edited:
            return
        self.values[key] = value
        try:
            w = self.query_one(f"#rec-{key}")
        except Exception:  # noqa: BLE001 - a field this form does not show
            return
        if isinstance(w, Input):
            with w.prevent(Input.Changed):
                w.value = "" if value is None else str(value)
        elif isinstance(w, Select):
            with w.prevent(Select.Changed):
                if value is None:
                    w.clear()  # the prompt "—"
                else:
                    w.value = value
        elif isinstance(w, Checkbox):
            with w.prevent(Checkbox.Changed):
                w.value = bool(value)

    def fill(self, record: CallRecord | dict[str, Any]) -> None:
        """Show a record (a ``record`` event's dict or a :class:`~copilot.record.CallRecord`); the agent's edits stay."""
        if isinstance(record, CallRecord):
            record = record.to_dict()
        for key, value in record.items():
            if key in ("dialect_words",):
                continue
            self._set(key, value)

    def set_service_type(self, code: str) -> None:
        self._set("service_type", code)

    def set_resolved(self, value: bool) -> None:
        self.edited.discard("resolved")
        self._set("resolved", value)
        self.edited.add("resolved")

    # ------------------------------------------------------------------ agent edits
    def _edited(self, widget_id: str | None, value: Any) -> None:
        if not widget_id or not widget_id.startswith("rec-"):
            return
        key = widget_id[4:]
        self.edited.add(key)
        self.values[key] = value

    def on_input_changed(self, event: Input.Changed) -> None:
        self._edited(event.input.id, event.value or None)

    def on_select_changed(self, event: Select.Changed) -> None:
        # the prompt "—" is Select.NULL (Select.BLANK, False, in Textual 8); a checkbox's False is a value
        blank = event.value is Select.NULL or event.value is Select.BLANK
        self._edited(event.select.id, None if blank else event.value)

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self._edited(event.checkbox.id, event.value)

    def record(self) -> dict[str, Any]:
        """The record as it stands on screen (event values, overridden by the agent's edits)."""
        return dict(self.values)
