"""Who met whom: a small co-participation network drawn as server-side SVG.

Two agents are linked when they took part in the same event; the link is as thick as the
number of events they shared. The page's own resource sits in the middle and the people,
states and organisations it met sit on a circle around it, so the picture stays legible
without a force layout or any script. Like the timeline, it is ``role="img"`` with a
``<title>`` that says it in words, and the page lists the same agents as links.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape

SIZE = 500
CENTRE = SIZE / 2
RADIUS = 165
MAX_NEIGHBOURS = 16
MAX_LABEL_CHARS = 24


@dataclass
class Neighbour:
    """An agent that shared events with the centre, and which events."""

    iri: str
    label: str
    events: list[str] = field(default_factory=list)  # event labels


@dataclass
class Network:
    """The centre, its co-participants, and links among those co-participants."""

    centre_iri: str
    centre_label: str
    neighbours: list[Neighbour]
    # (iri, iri) pairs of neighbours that also shared an event with each other
    links: set[tuple[str, str]] = field(default_factory=set)


def render_network_svg(network: Network) -> str:
    """Draw the network (at most ``MAX_NEIGHBOURS``, most-shared first); '' if nobody met."""
    neighbours = sorted(network.neighbours, key=lambda n: (-len(n.events), n.label))
    neighbours = neighbours[:MAX_NEIGHBOURS]
    if not neighbours:
        return ""
    names = ", ".join(f"{n.label} ({_count(len(n.events))})" for n in neighbours)
    summary = f"Who {network.centre_label} met: {names}"
    positions: dict[str, tuple[float, float]] = {}
    for i, neighbour in enumerate(neighbours):
        angle = -math.pi / 2 + 2 * math.pi * i / len(neighbours)
        positions[neighbour.iri] = (
            round(CENTRE + RADIUS * math.cos(angle), 1),
            round(CENTRE + RADIUS * math.sin(angle), 1),
        )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="network" role="img" '
        f'viewBox="0 0 {SIZE} {SIZE}" aria-label="{escape(summary)}">',
        f"<title>{escape(summary)}</title>",
    ]
    for a, b in sorted(network.links):
        if a in positions and b in positions:
            (x1, y1), (x2, y2) = positions[a], positions[b]
            parts.append(f'<line class="side" x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}"/>')
    for neighbour in neighbours:
        x, y = positions[neighbour.iri]
        width = min(2 + 2 * len(neighbour.events), 12)
        parts.append(
            f'<line class="link" x1="{CENTRE}" y1="{CENTRE}" x2="{x}" y2="{y}" '
            f'stroke-width="{width}"><title>{escape(network.centre_label)} and '
            f"{escape(neighbour.label)}: {escape('; '.join(neighbour.events))}</title></line>"
        )
    parts.append(_node(CENTRE, CENTRE, network.centre_label, "node centre", 30))
    for neighbour in neighbours:
        x, y = positions[neighbour.iri]
        parts.append(_node(x, y, neighbour.label, "node", 14 + min(len(neighbour.events), 5)))
    parts.append("</svg>")
    return "".join(parts)


def _node(x: float, y: float, label: str, css: str, r: float) -> str:
    short = label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"
    below = y + r + 16 if y >= CENTRE - 1 else y - r - 8
    return (
        f'<g class="{css}"><title>{escape(label)}</title>'
        f'<circle cx="{x}" cy="{y}" r="{r}"/>'
        f'<text x="{x}" y="{round(below, 1)}" text-anchor="middle">{escape(short)}</text></g>'
    )


def _count(n: int) -> str:
    return "1 event" if n == 1 else f"{n} events"
