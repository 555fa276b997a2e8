"""Dates as sources give them, and a timeline of events drawn as server-side SVG.

A source may say "2 September 2025", "June 2024" or only "2019"; ``VagueDate`` keeps that
precision (``xsd:date``, ``xsd:gYearMonth``, ``xsd:gYear``, ``xsd:dateTime``) so that pages
never invent a day, and the timeline draws a vague date as a bar across its whole month or
year instead of a dot. The SVG needs no script and no network: one row per event, a time
axis on top, ``role="img"`` with a ``<title>``/``aria-label`` that says what it shows. The
page lists the same events as links next to it, so the picture is never the only way in.
"""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

XSD = "http://www.w3.org/2001/XMLSchema#"
_DATE = re.compile(r"^(-?\d{4,})(?:-(\d{2}))?(?:-(\d{2}))?")


@dataclass(frozen=True, order=True)
class VagueDate:
    """A date known to a day, a month or a year: ``start`` ≤ the event ≤ ``end``."""

    start: date
    end: date
    precision: str  # "year" | "month" | "day" | "time"
    time: str = ""  # "HH:MM" when the source gives a time of day

    @classmethod
    @functools.lru_cache(maxsize=8192)
    def parse(cls, lexical: str, datatype: str = "") -> VagueDate | None:
        """Read an ``xsd`` date-like literal; None when it is not one (or out of range).

        Kept per literal (a ``VagueDate`` is immutable): a page reads each event's date
        three or four times (its list, their order, the timeline), a person's page at a
        million quads 120 times."""
        lexical = lexical.strip()
        match = _DATE.match(lexical)
        if not match:
            return None
        kind = datatype[len(XSD) :] if datatype.startswith(XSD) else ""
        try:
            year = int(match[1])
            if match[3] and kind != "gYearMonth" and kind != "gYear":
                day = date(year, int(match[2]), int(match[3]))
                time = lexical[11:16] if kind == "dateTime" or "T" in lexical else ""
                return cls(day, day, "time" if time else "day", time)
            if match[2] and kind != "gYear":
                month = int(match[2])
                last = calendar.monthrange(year, month)[1]
                return cls(date(year, month, 1), date(year, month, last), "month")
            return cls(date(year, 1, 1), date(year, 12, 31), "year")
        except ValueError:
            return None

    @functools.lru_cache(maxsize=8192)  # noqa: B019 (few dates, immutable, kept on purpose)
    def human(self) -> str:
        """The date as a reader says it, no more precise than the source (kept per date:
        ``calendar.month_name`` formats a date each time, and a page asks per event)."""
        if self.precision == "year":
            return str(self.start.year)
        month = calendar.month_name[self.start.month]
        if self.precision == "month":
            return f"{month} {self.start.year}"
        text = f"{self.start.day} {month} {self.start.year}"
        return f"{text}, {self.time}" if self.time else text

    @property
    def iso(self) -> str:
        """The machine-readable form for ``<time datetime>``, at the source's precision."""
        if self.precision == "year":
            return f"{self.start.year:04d}"
        if self.precision == "month":
            return f"{self.start.year:04d}-{self.start.month:02d}"
        return self.start.isoformat()


def human_date(lexical: str, datatype: str = "") -> str:
    """Format a date literal for people; other values come back unchanged."""
    parsed = VagueDate.parse(lexical, datatype)
    return parsed.human() if parsed else lexical


def date_span(dates: list[VagueDate]) -> str:
    """ ", June 2024" or ", between 2019 and 3 September 2025" for a set of dates ('' if none);
    a day inside a month already named is not repeated ("September 2025", not "between
    September 2025 and 2 September 2025")."""
    if not dates:
        return ""
    first = min(dates, key=lambda d: (d.start, -d.end.toordinal()))
    last = max(dates, key=lambda d: (d.end, -d.start.toordinal()))
    if first.human() == last.human() or last.end <= first.end:
        return f", {first.human()}"
    if first.start >= last.start:
        return f", {last.human()}"
    return f", between {first.human()} and {last.human()}"


@dataclass(frozen=True)
class TimelineEntry:
    """One event on a timeline; ``current`` marks the page's own resource."""

    label: str
    when: VagueDate
    kind: str = ""
    current: bool = False


# Geometry of the drawing, in viewBox units (the SVG scales to its container).
WIDTH = 760
LABEL_WIDTH = 300
PLOT_LEFT = LABEL_WIDTH + 20
PLOT_RIGHT = WIDTH - 20
ROW = 30
TOP = 40
MAX_LABEL_CHARS = 38
MAX_ROWS = 60


def render_timeline_svg(entries: list[TimelineEntry], title: str) -> str:
    """Draw ``entries`` (sorted here by date) as an accessible SVG string; '' when empty.

    A hub with hundreds of events keeps the picture readable: the latest ``MAX_ROWS`` are
    drawn (the page's own event always among them) and the title says so.
    """
    entries = sorted(entries, key=lambda e: (e.when.start, e.when.end, e.label))
    if not entries:
        return ""
    total = len(entries)
    if total > MAX_ROWS:
        current = [e for e in entries if e.current]
        latest = [e for e in entries if not e.current][-(MAX_ROWS - len(current)) :]
        entries = sorted(current + latest, key=lambda e: (e.when.start, e.when.end, e.label))
        title = f"{title} (the latest {len(entries)} of {total})"
    low, high = _padded_range(entries)
    span = (high - low).days or 1

    def x(day: date) -> float:
        return round(PLOT_LEFT + (PLOT_RIGHT - PLOT_LEFT) * (day - low).days / span, 1)

    height = TOP + ROW * len(entries) + 10
    first, last = entries[0].when.human(), entries[-1].when.human()
    summary = f"{title}: {len(entries)} events" + (
        f", from {first} to {last}" if first != last else f", {first}"
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" aria-label="{escape(summary)}">',
        f"<title>{escape(summary)}</title>",
    ]
    for tick, text in _ticks(low, high):
        tx = x(tick)
        parts.append(
            f'<line class="tick" x1="{tx}" y1="{TOP - 12}" x2="{tx}" y2="{height - 6}"/>'
            f'<text class="tick-label" x="{tx}" y="{TOP - 18}" text-anchor="middle">'
            f"{escape(text)}</text>"
        )
    for row, entry in enumerate(entries):
        y = TOP + ROW * row + ROW / 2
        css = "entry current" if entry.current else "entry"
        label = (
            entry.label
            if len(entry.label) <= MAX_LABEL_CHARS
            else (entry.label[: MAX_LABEL_CHARS - 1].rstrip() + "…")
        )
        x1, x2 = x(entry.when.start), x(entry.when.end + timedelta(days=1))
        if entry.when.precision in ("day", "time") or x2 - x1 < 8:
            mark = f'<circle cx="{round((x1 + x2) / 2, 1)}" cy="{y}" r="6"/>'
        else:
            mark = f'<rect x="{x1}" y="{y - 5}" width="{round(x2 - x1, 1)}" height="10" rx="5"/>'
        parts.append(
            f'<g class="{css}"><title>{escape(entry.label)} — {escape(entry.when.human())}'
            f"{' (' + escape(entry.kind) + ')' if entry.kind else ''}</title>"
            f'<text x="{LABEL_WIDTH}" y="{y + 5}" text-anchor="end">{escape(label)}</text>'
            f"{mark}</g>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _padded_range(entries: list[TimelineEntry]) -> tuple[date, date]:
    low = min(e.when.start for e in entries)
    high = max(e.when.end for e in entries) + timedelta(days=1)
    pad = max(timedelta(days=1), (high - low) * 0.04)
    return low - pad, high + pad


def _ticks(low: date, high: date) -> list[tuple[date, str]]:
    """Year, month or day ticks, whichever gives a readable number (at most ~8)."""
    days = (high - low).days
    if days > 3 * 365:
        step = next(s for s in (1, 2, 5, 10, 20, 50, 100) if days / 365 / s <= 8)
        return [
            (date(y, 1, 1), str(y)) for y in range(low.year + 1, high.year + 1) if y % step == 0
        ]
    if days > 90:
        out: list[tuple[date, str]] = []
        current = date(low.year, low.month, 1)
        step = next(s for s in (1, 2, 3, 6, 12) if days / 30 / s <= 8)
        while current <= high:
            if current > low and (current.month - 1) % step == 0:
                name = calendar.month_abbr[current.month]
                out.append(
                    (current, f"{name} {current.year}" if current.month == 1 or not out else name)
                )
            current = _next_month(current)
        return out
    step = max(1, -(-days // 8))
    first = low + timedelta(days=1)
    return [
        (first + timedelta(days=i), _short_day(first + timedelta(days=i)))
        for i in range(0, days - 1, step)
    ]


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _short_day(day: date) -> str:
    return f"{day.day} {calendar.month_abbr[day.month]}"
