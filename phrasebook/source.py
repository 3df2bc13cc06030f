"""One TOML file being validated: parsed data, raw lines to locate entries, collected errors."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

from .errors import PhrasebookError

_HEADER = re.compile(r'^\s*\[\[?\s*([A-Za-z0-9_."\-]+)\s*\]\]?\s*(#.*)?$')
_TOML_POS = re.compile(r"at line (\d+)")


@cache
def is_punct_or_space(char: str) -> bool:
    """True when the character ``char`` is punctuation, a symbol of the P/Z classes or whitespace (kept per
    character: loading the phrasebook asks this of every character of every example, about 100 000 times)."""
    return char.isspace() or unicodedata.category(char)[0] in "PZ"


def has_punct_or_space(text: str) -> bool:
    """True when ``text`` holds punctuation, symbols of the P/Z classes or whitespace."""
    return any(map(is_punct_or_space, text))


def read_toml_strict(path: Path, error: type[Exception]) -> tuple[str, dict[str, Any]]:
    """The text and data of a TOML file for readers that stop at the first problem: ``error("file:line: …")``
    when it cannot be read or parsed (the :class:`Source` below collects problems instead)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise error(f"{path}:1: cannot read ({exc})") from exc
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}:{getattr(exc, 'lineno', 1) or 1}: {exc}") from exc


def array_table_line(text: str, kind: str, index: int) -> int:
    """The 1-based line of the ``index``-th ``[[kind]]`` table (1-based index) in a TOML text; 1 if absent."""
    found = [m.start() for m in re.finditer(rf"^\[\[{kind}\]\]", text, flags=re.M)]
    return text.count("\n", 0, found[index - 1]) + 1 if len(found) >= index else 1


class Source:
    """A phrasebook file: its parsed ``data`` (None if unreadable) and its ``errors``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.errors: list[PhrasebookError] = []
        self.lines: list[str] = []
        self.data: dict[str, Any] | None = None
        self._header_cache: list[tuple[int, str, bool]] | None = None
        if not path.is_file():
            self.err(0, "file is missing")
            return
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.err(0, f"cannot read file: {exc}")
            return
        self.lines = text.splitlines()
        try:
            self.data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            m = _TOML_POS.search(str(exc))
            self.err(int(m.group(1)) if m else 0, f"TOML syntax error: {exc}")

    def err(self, line: int, message: str) -> None:
        """Record one problem at ``line`` (1-based; 0 = whole file)."""
        self.errors.append(PhrasebookError(self.path, line, message))

    # -- locating entries in the raw text ---------------------------------------------------

    def _headers(self) -> list[tuple[int, str, bool]]:
        if self._header_cache is not None:
            return self._header_cache
        out = []
        for i, line in enumerate(self.lines):
            m = _HEADER.match(line)
            if m:
                out.append((i, m.group(1).strip('"'), line.lstrip().startswith("[[")))
        self._header_cache = out
        return out

    def block(self, table: str, n: int | None = None) -> tuple[int, int]:
        """0-based [first, end) line range of the n-th ``[[table]]`` (or of ``[table]`` when n is None).

        The top-level block (before any header) is returned for ``table == ""``.
        """
        headers = self._headers()
        if table == "":
            return 0, headers[0][0] if headers else len(self.lines)
        count = -1
        for k, (i, name, is_array) in enumerate(headers):
            if name != table or is_array != (n is not None):
                continue
            count += 1
            if n is None or count == n:
                end = headers[k + 1][0] if k + 1 < len(headers) else len(self.lines)
                return i, end
        return 0, 0

    def line_of(self, table: str, n: int | None = None, key: str = "", needle: str | None = None) -> int:
        """1-based line of an entry, of ``key`` in it, or of the quoted ``needle`` after that key."""
        first, end = self.block(table, n)
        if first == end:
            return 0 if table else 1
        found = first
        if key:
            pat = re.compile(r'^\s*"?' + re.escape(key) + r'"?\s*=')
            for i in range(first, end):
                if pat.match(self.lines[i]):
                    found = i
                    break
        if needle is not None:
            quoted = '"' + needle + '"'
            for i in range(found, end):
                if quoted in self.lines[i]:
                    return i + 1
        return found + 1

    # -- typed access -----------------------------------------------------------------------

    def entries(self, table: str) -> list[dict[str, Any]]:
        """The ``[[table]]`` entries (an error if the key is missing or not an array of tables)."""
        if self.data is None:
            return []  # already reported: missing or unparsable file
        value = self.data.get(table)
        if value is None:
            self.err(1, f"no [[{table}]] entries")
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.err(self.line_of("", None, table), f"'{table}' must be an array of tables [[{table}]]")
            return []
        return value


class Fields:
    """Typed getters for one entry; each problem is recorded with the entry's line."""

    def __init__(self, src: Source, table: str, n: int | None, entry: dict[str, Any], allowed: set[str]):
        self.src, self.table, self.n, self.entry = src, table, n, entry
        label = f"[[{table}]] #{n + 1}" if n is not None else (f"[{table}]" if table else "top level")
        self.label = label
        for key in entry:
            if key not in allowed:
                self.err(
                    key, f"{label}: unknown field '{key}' (expected one of {', '.join(sorted(allowed))})"
                )

    def line(self, key: str = "", needle: str | None = None) -> int:
        return self.src.line_of(self.table, self.n, key, needle)

    def err(self, key: str, message: str, needle: str | None = None) -> None:
        self.src.err(self.line(key, needle), message)

    def text(self, key: str, *, required: bool = True, empty: bool = False, default: str = "") -> str:
        value = self.entry.get(key)
        if value is None:
            if required:
                self.err("", f"{self.label}: missing field '{key}'")
            return default
        if not isinstance(value, str):
            self.err(key, f"{self.label}: '{key}' must be a string, not {type(value).__name__}")
            return default
        if not empty and not value.strip():
            self.err(key, f"{self.label}: '{key}' must not be empty")
        return value

    def phrases(self, key: str, *, required: bool = True, empty_list: bool = False) -> tuple[str, ...]:
        """A list of matchable phrases: non-empty strings without punctuation or spaces."""
        value = self.entry.get(key)
        if value is None:
            if required:
                self.err("", f"{self.label}: missing field '{key}'")
            return ()
        if not isinstance(value, list):
            self.err(key, f"{self.label}: '{key}' must be a list of strings")
            return ()
        if not value and not empty_list:
            self.err(key, f"{self.label}: '{key}' must not be empty")
        out = []
        for item in value:
            if not isinstance(item, str):
                self.err(key, f"{self.label}: '{key}' holds a {type(item).__name__}, expected strings")
            elif not item:
                self.err(key, f"{self.label}: '{key}' holds an empty phrase", needle="")
            elif has_punct_or_space(item):
                self.err(
                    key,
                    f"{self.label}: phrase '{item}' in '{key}' contains punctuation or spaces "
                    "(phrases are matched after removing them)",
                    needle=item,
                )
            elif item in out:
                self.err(key, f"{self.label}: phrase '{item}' repeated in '{key}'", needle=item)
            else:
                out.append(item)
        return tuple(out)

    def boolean(self, key: str) -> bool:
        value = self.entry.get(key)
        if not isinstance(value, bool):
            self.err(key if key in self.entry else "", f"{self.label}: '{key}' must be true or false")
            return False
        return value

    def number(self, key: str, lo: float, hi: float, *, integer: bool = False) -> float:
        value = self.entry.get(key)
        ok = isinstance(value, int) if integer else isinstance(value, int | float)
        if isinstance(value, bool) or not ok:
            kind = "an integer" if integer else "a number"
            self.err(key if key in self.entry else "", f"{self.label}: '{key}' must be {kind}")
            return lo
        if not lo <= value <= hi:
            self.err(key, f"{self.label}: '{key}' = {value} is out of range {lo}..{hi}")
        return value
