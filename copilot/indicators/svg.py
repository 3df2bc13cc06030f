"""Small inline SVG charts (no scripts, no fonts fetched): a line, a histogram, horizontal bars."""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

_W, _H = 720, 260
_L, _R, _T, _B = 48, 16, 16, 40
"""Canvas size and margins, in SVG user units."""


def _svg(body: list[str], title: str, height: int = _H) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W} {height}" role="img" '
        f'aria-label="{escape(title)}" class="chart"><title>{escape(title)}</title>' + "".join(body) + "</svg>"
    )


def _text(x: float, y: float, s: str, anchor: str = "middle", cls: str = "lbl") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" class="{cls}">{escape(s)}</text>'


def _y_axis(y_of, ticks: Sequence[tuple[float, str]]) -> list[str]:
    out = []
    for v, label in ticks:
        y = y_of(v)
        out.append(f'<line x1="{_L}" x2="{_W - _R}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        out.append(_text(_L - 6, y + 4, label, "end"))
    return out


def line_chart(points: Sequence[tuple[str, float | None]], *, limit: float | None, title: str) -> str:
    """Values 0–1 by label (days); ``None`` leaves a gap; a dashed line marks ``limit``."""
    n = max(len(points), 1)
    pw, ph = _W - _L - _R, _H - _T - _B

    def x_of(i: int) -> float:
        return _L + (pw * (i + 0.5) / n)

    def y_of(v: float) -> float:
        return _T + ph * (1 - v)

    body = _y_axis(y_of, [(v / 4, f"{v * 25}%") for v in range(5)])
    segments: list[list[str]] = [[]]
    for i, (_, v) in enumerate(points):
        if v is None:
            segments.append([])
        else:
            segments[-1].append(f"{x_of(i):.1f},{y_of(v):.1f}")
    for seg in segments:
        if len(seg) > 1:
            body.append(f'<polyline points="{" ".join(seg)}" class="series"/>')
        for pt in seg:
            x, y = pt.split(",")
            body.append(f'<circle cx="{x}" cy="{y}" r="2.5" class="dot"/>')
    if limit is not None:
        y = y_of(limit)
        body.append(f'<line x1="{_L}" x2="{_W - _R}" y1="{y:.1f}" y2="{y:.1f}" class="limit"/>')
        body.append(_text(_W - _R, y - 4, f"标准 limit {limit * 100:.0f}%", "end", "lim"))
    if points:
        step = max(1, n // 6)
        for i in range(0, n, step):
            body.append(_text(x_of(i), _H - _B + 16, points[i][0]))
    return _svg(body, title)


def histogram(bins: Sequence[tuple[str, int]], *, limit_index: int | None, title: str,
              limit_label: str = "") -> str:
    """Counts by bin label; a dashed line before bin ``limit_index`` marks the limit, labelled ``limit_label``."""
    n = max(len(bins), 1)
    top = max([c for _, c in bins] + [1])
    pw, ph = _W - _L - _R, _H - _T - _B
    bw = pw / n

    def y_of(v: float) -> float:
        return _T + ph * (1 - v / top)

    body = _y_axis(y_of, [(top * k / 4, f"{top * k / 4:.0f}") for k in range(5)])
    for i, (label, count) in enumerate(bins):
        x, y = _L + i * bw, y_of(count)
        body.append(f'<rect x="{x + 2:.1f}" y="{y:.1f}" width="{bw - 4:.1f}" height="{_T + ph - y:.1f}" class="bar">'
                    f"<title>{escape(label)}: {count}</title></rect>")
        body.append(_text(x + bw / 2, _H - _B + 16, label))
    if limit_index is not None:
        x = _L + limit_index * bw
        body.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{_T}" y2="{_T + ph}" class="limit"/>')
        body.append(_text(x + 4, _T + 12, limit_label, "start", "lim"))
    return _svg(body, title)


def bar_chart(items: Sequence[tuple[str, float | None]], *, title: str) -> str:
    """Horizontal bars of fractions 0–1 by label; ``None`` is written as —."""
    row, left = 24, 220
    height = _T + row * max(len(items), 1) + 24
    pw = _W - left - 70
    body = []
    for i, (label, v) in enumerate(items):
        y = _T + i * row
        body.append(_text(left - 8, y + 15, label, "end"))
        if v is not None:
            body.append(f'<rect x="{left}" y="{y + 4}" width="{pw * v:.1f}" height="{row - 8}" class="bar"/>')
        body.append(_text(left + (pw * v if v is not None else 0) + 6, y + 15,
                          "—" if v is None else f"{v * 100:.1f}%", "start"))
    body.append(f'<line x1="{left}" x2="{left}" y1="{_T}" y2="{height - 24}" class="axis"/>')
    return _svg(body, title, height)
