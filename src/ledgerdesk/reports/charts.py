"""Charts drawn on the server as inline SVG (no script, no library, no CDN).

Every text passes through ``escape``; the numbers are ours. Each chart has a ``<title>`` and
``role="img"`` so a screen reader names it, and the table under it carries the same data."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

BAR = "#3b6fd8"
SECOND = "#2e9e6a"
GRID = "#d8dde6"
INK = "#4a5160"


def _open(width: int, height: int) -> str:
    return (
        f'<svg class="chart" role="img" width="{width}" height="{height}" '
        f'style="max-width:100%;height:auto" viewBox="0 0 {width} {height}" '
        'xmlns="http://www.w3.org/2000/svg">'
    )


def _fmt(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def bar_chart(title: str, items: Sequence[tuple[str, float]], *, width: int = 420) -> Markup:
    """Horizontal bars, one per (label, value), longest first as given."""
    row, label_w, pad = 22, 150, 8
    height = max(1, len(items)) * row + pad * 2
    top = max((v for _, v in items), default=0) or 1
    bar_w = width - label_w - 60
    parts = [
        _open(width, height),
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value) in enumerate(items):
        y = pad + i * row
        w = round(bar_w * value / top, 1)
        text = escape(label if len(label) <= 22 else label[:21] + "…")
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" font-size="12" '
            f'fill="{INK}">{text}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w}" height="{row - 8}" fill="{BAR}">'
            f"<title>{text}: {_fmt(value)}</title></rect>"
            f'<text x="{label_w + w + 4}" y="{y + 15}" font-size="12" fill="{INK}">'
            f"{_fmt(value)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it passed escape()


def line_chart(
    title: str,
    days: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    width: int = 860,
    height: int = 220,
) -> Markup:
    """Lines over days (two series at most: the first blue, the second green), with a legend."""
    left, right, top_pad, bottom = 40, 28, 24, 28
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    top = max((v for _, values in series for v in values), default=0) or 1
    n = max(1, len(days) - 1)

    def x(i: int) -> float:
        return round(left + plot_w * i / n, 1)

    def y(v: float) -> float:
        return round(top_pad + plot_h - plot_h * v / top, 1)

    parts = [
        _open(width, height),
        f"<title>{escape(title)}</title>",
    ]
    for frac in (0, 0.5, 1):
        gy = y(top * frac)
        parts.append(
            f'<line x1="{left}" y1="{gy}" x2="{width - right}" y2="{gy}" stroke="{GRID}"/>'
            f'<text x="{left - 4}" y="{gy + 4}" text-anchor="end" font-size="11" '
            f'fill="{INK}">{_fmt(top * frac)}</text>'
        )
    step = max(1, len(days) // 8)
    for i in range(0, len(days), step):
        parts.append(
            f'<text x="{x(i)}" y="{height - 8}" text-anchor="middle" font-size="11" '
            f'fill="{INK}">{escape(days[i][5:])}</text>'
        )
    for k, (name, values) in enumerate(series[:2]):
        color = BAR if k == 0 else SECOND
        points = " ".join(f"{x(i)},{y(v)}" for i, v in enumerate(values))
        parts.append(
            f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{points}"/>'
            f'<rect x="{left + k * 120}" y="6" width="10" height="10" fill="{color}"/>'
            f'<text x="{left + k * 120 + 14}" y="15" font-size="12" fill="{INK}">'
            f"{escape(name)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it passed escape()
