"""The two pictures of the publication's index page, each a standalone SVG: a timeline of the
dated events and a network of the actors with the meetings, requests, refusals and sanctions
between them.

Both are laid out so that no two labels overlap and no text is smaller than 11 px at the
picture's natural size, however many things the graph holds: the canvas grows with the content
(the timeline with its rows, the network with the square root of its nodes). Text widths are
estimated as 0.6 of the font size per character (DejaVu Sans, the first font asked for, is
about that wide). Every element a reader or a test may want to check carries `data-*`
attributes (the thing's IRI, its status, its bounds). Links are relative to the publication's
root (`doc/<type>/<slug>.html`), where index.html lives. The same graph gives the same bytes.
"""

from __future__ import annotations

import itertools
import math
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node

from detente.kg import DET
from detente.publish.layout import thing_of

SVG_NS = "http://www.w3.org/2000/svg"
CHAR_WIDTH = 0.6  # the estimated width of a character, in font sizes
TEXT_SIZE = 12  # names
SMALL_SIZE = 11  # date words, axis and legend text: the smallest text drawn
TITLE_SIZE = 16
LINE_HEIGHT = 16  # between the lines of a wrapped name
MARGIN = 16
ONE_DAY = timedelta(days=1)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Characters XML 1.0 cannot hold (control characters, lone surrogates, U+FFFE/FFFF).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


# ------------------------------------------------------------------ text and numbers


def clean(text: str) -> str:
    """The text on one line, without the characters XML cannot hold."""
    return " ".join(_NOT_XML.sub("", text).split())


def text_width(text: str, size: float) -> float:
    """The estimated width of a line of text at a font size."""
    return CHAR_WIDTH * size * len(text)


def num(value: float) -> str:
    """A coordinate as short, stable text (one decimal)."""
    text = f"{value:.1f}".removesuffix(".0")
    return "0" if text == "-0" else text


def shorten(text: str, chars: int) -> str:
    """The text cut to at most `chars` characters, with an ellipsis when cut."""
    return text if len(text) <= chars else text[: chars - 1].rstrip() + "…"


def wrap(text: str, chars: int, lines: int) -> list[str]:
    """The text in at most `lines` lines of at most `chars` characters (the last cut with …)."""
    pieces: list[str] = []
    for word in text.split():
        while len(word) > chars:
            pieces.append(word[:chars])
            word = word[chars:]
        pieces.append(word)
    result: list[str] = []
    line = ""
    for piece in pieces:
        if line and len(line) + 1 + len(piece) <= chars:
            line += " " + piece
        else:
            if line:
                result.append(line)
            line = piece
    if line:
        result.append(line)
    if len(result) > lines:
        result = [*result[: lines - 1], shorten(" ".join(result[lines - 1 :]), chars)]
    return result or [""]


# ------------------------------------------------------------------ reading the graph


def _language_rank(term: Literal) -> int:
    """How welcome a label's language is: English first, then none, then any other."""
    return {"en": 0, None: 1}.get(term.language, 2)


def label_of(graph: Graph, node: Node) -> str:
    """A thing's name: its skos:prefLabel, else its rdfs:label, else the end of its IRI."""
    for prop in (SKOS.prefLabel, RDFS.label):
        found = [term for term in graph.objects(node, prop) if isinstance(term, Literal)]
        if found:
            best = min(found, key=lambda term: (_language_rank(term), str(term)))
            if clean(str(best)):
                return clean(str(best))
    thing = thing_of(node)
    return thing.slug if thing else clean(str(node))


def members(graph: Graph, cls: URIRef) -> set[URIRef]:
    """Every IRI typed with a class or one of its subclasses (by the ontology in the graph)."""
    classes = set(graph.transitive_subjects(RDFS.subClassOf, cls))
    return {
        node
        for each in classes
        for node in graph.subjects(RDF.type, each)
        if isinstance(node, URIRef)
    }


def as_date(term: Node) -> date | None:
    """The day a literal names (xsd:date, or the day of an xsd:dateTime), if any."""
    if not isinstance(term, Literal):
        return None
    value = term.toPython()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(term))
    except ValueError:
        return None


def dates(graph: Graph, node: Node, prop: URIRef) -> list[date]:
    """Every day a property gives a node."""
    found = (as_date(term) for term in graph.objects(node, prop))
    return sorted(day for day in found if day is not None)


def current_statuses(graph: Graph) -> dict[URIRef, URIRef]:
    """Each event's current status: that of its status assertion with the latest det:asOf."""
    best: dict[URIRef, tuple[date, str]] = {}
    for assertion, event in graph.subject_objects(DET.statusOf):
        if not isinstance(event, URIRef):
            continue
        for status in graph.objects(assertion, DET.status):
            if not isinstance(status, URIRef):
                continue
            day = max(dates(graph, assertion, DET.asOf), default=date.min)
            if event not in best or (day, str(status)) > best[event]:
                best[event] = (day, str(status))
    return {event: URIRef(status) for event, (_, status) in best.items()}


# How each status is drawn: held, refused, requested, scheduled, cancelled, or neutral.
STATUS_STYLES: dict[URIRef, str] = {
    DET.held: "held",
    DET.rejected: "refused",
    DET.requested: "requested",
    DET.proposed: "requested",
    DET.scheduled: "scheduled",
    DET.cancelled: "cancelled",
    DET.postponed: "cancelled",
    DET.cancelledOrPostponed: "cancelled",
}


def status_style(graph: Graph, status: URIRef) -> str:
    """The style of a status, through its skos:broader statuses when it is not one we know."""
    seen: set[Node] = set()
    todo: list[Node] = [status]
    while todo:
        term = todo.pop(0)
        if isinstance(term, URIRef) and term in STATUS_STYLES:
            return STATUS_STYLES[term]
        if term not in seen:
            seen.add(term)
            todo.extend(sorted(graph.objects(term, SKOS.broader), key=str))
    return "neutral"


def local_name(iri: URIRef) -> str:
    """The last part of an IRI (after # or /)."""
    return re.split(r"[#/]", str(iri))[-1]


# ------------------------------------------------------------------ the SVG document


@dataclass(frozen=True)
class Style:
    """How one kind of thing is drawn: colour, a pale tint, a dash pattern, a fill."""

    name: str
    legend: str
    colour: str
    tint: str
    dash: str  # stroke-dasharray, "" for a solid line
    hatch: str  # "" (plain tint), "diagonal" or "cross"


BAR_STYLES: dict[str, Style] = {
    style.name: style
    for style in (
        Style("held", "held", "#1b7837", "#7fbf7b", "", ""),
        Style("refused", "refused / rejected", "#b2182b", "#fddbc7", "5 2", "diagonal"),
        Style("requested", "requested / proposed", "#2166ac", "#d1e5f0", "2 2", ""),
        Style("scheduled", "scheduled", "#762a83", "#e7d4e8", "7 2 2 2", ""),
        Style("cancelled", "cancelled / postponed", "#8c510a", "#f6e8c3", "1 2", "cross"),
        Style("neutral", "other dated thing", "#525252", "#d9d9d9", "", ""),
    )
}


def element(parent: ET.Element, tag: str, **attributes: str) -> ET.Element:
    """A new child element (attribute names: trailing _ dropped, other _ made -)."""
    return ET.SubElement(
        parent, tag, {key.rstrip("_").replace("_", "-"): value for key, value in attributes.items()}
    )


def add_text(
    parent: ET.Element,
    x: float,
    y: float,
    content: str,
    size: int = TEXT_SIZE,
    anchor: str = "start",
    cls: str = "",
) -> ET.Element:
    """A line of text at (x, baseline y)."""
    node = element(parent, "text", x=num(x), y=num(y), font_size=str(size), text_anchor=anchor)
    if cls:
        node.set("class", cls)
    node.text = clean(content)
    return node


def add_title(parent: ET.Element, content: str) -> None:
    """A tooltip for the parent element."""
    element(parent, "title").text = clean(content)


def new_svg(name: str, title: str, description: str, css: str) -> ET.Element:
    """An empty standalone SVG document with its title, description and style sheet."""
    root = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "version": "1.1",
            "class": f"detente-{name}",
            "width": "0",
            "height": "0",
            "viewBox": "0 0 0 0",
            "role": "img",
            "aria-labelledby": f"{name}-title {name}-desc",
            "font-family": "DejaVu Sans, Arial, Helvetica, sans-serif",
        },
    )
    element(root, "title", id=f"{name}-title").text = clean(title)
    element(root, "desc", id=f"{name}-desc").text = clean(description)
    element(root, "style").text = css
    element(root, "rect", class_=f"{name}-paper", width="100%", height="100%", fill="#ffffff")
    return root


def finish(root: ET.Element, width: float, height: float) -> str:
    """The document as text, its size set."""
    size = {"width": num(math.ceil(width)), "height": num(math.ceil(height))}
    root.set("width", size["width"])
    root.set("height", size["height"])
    root.set("viewBox", f"0 0 {size['width']} {size['height']}")
    return ET.tostring(root, encoding="unicode") + "\n"


def add_patterns(defs: ET.Element, prefix: str) -> None:
    """The hatched fills of the bar styles, and a fading end for each (to the left and right)."""
    for style in BAR_STYLES.values():
        if style.hatch:
            pattern = element(
                defs,
                "pattern",
                id=f"{prefix}-fill-{style.name}",
                patternUnits="userSpaceOnUse",
                width="6",
                height="6",
                patternTransform="rotate(45)",
            )
            element(pattern, "rect", width="6", height="6", fill=style.tint)
            element(pattern, "path", d="M0 0V6", stroke=style.colour, stroke_width="2")
            if style.hatch == "cross":
                element(pattern, "path", d="M0 0H6", stroke=style.colour, stroke_width="1")
        for side, (x1, x2) in (("right", ("0", "1")), ("left", ("1", "0"))):
            gradient = element(
                defs, "linearGradient", id=f"{prefix}-fade-{side}-{style.name}", x1=x1, x2=x2
            )
            element(gradient, "stop", offset="0", stop_color=style.colour, stop_opacity="0.7")
            element(gradient, "stop", offset="1", stop_color=style.colour, stop_opacity="0")


def style_fill(style: Style, prefix: str) -> str:
    """The fill of a bar of a style: its hatching, or its tint."""
    return f"url(#{prefix}-fill-{style.name})" if style.hatch else style.tint


@dataclass(frozen=True)
class LegendItem:
    """One entry of a legend: what its swatch draws (given the swatch's left and middle)."""

    text: str
    draw: Callable[[ET.Element, float, float], None]
    key: str


SWATCH = 30  # the width of a legend's swatch


def legend_height(items: list[LegendItem], width: float) -> float:
    """How tall a legend is when wrapped into lines of the given width."""
    return len(legend_lines(items, width)) * 22


def legend_lines(items: list[LegendItem], width: float) -> list[list[LegendItem]]:
    """The legend's items, wrapped into lines no wider than the width."""
    lines: list[list[LegendItem]] = [[]]
    used = 0.0
    for item in items:
        need = SWATCH + 6 + text_width(item.text, SMALL_SIZE) + 20
        if lines[-1] and used + need > width:
            lines.append([])
            used = 0.0
        lines[-1].append(item)
        used += need
    return lines


def draw_legend(
    parent: ET.Element, items: list[LegendItem], x: float, y: float, width: float, cls: str
) -> None:
    """A legend: swatches and their words, in lines from (x, y) down."""
    group = element(parent, "g", class_=cls)
    for number, line in enumerate(legend_lines(items, width)):
        middle = y + number * 22 + 11
        left = x
        for item in line:
            entry = element(group, "g", data_legend=item.key)
            item.draw(entry, left, middle)
            add_text(entry, left + SWATCH + 6, middle + 4, item.text, SMALL_SIZE)
            left += SWATCH + 6 + text_width(item.text, SMALL_SIZE) + 20


# ------------------------------------------------------------------ the timeline


@dataclass(frozen=True)
class Dated:
    """A dated thing of the graph: its name, the report's date words, its bounds, its style."""

    iri: URIRef
    label: str
    words: str
    earliest: date | None
    latest_start: date | None
    earliest_end: date | None
    latest: date | None
    style: str
    status: str  # the current status (local name), "" when none is asserted

    @property
    def first(self) -> date:
        """The first day a bound names."""
        return min(day for day in self.bounds if day is not None)

    @property
    def last(self) -> date:
        """The last day a bound names."""
        return max(day for day in self.bounds if day is not None)

    @property
    def bounds(self) -> tuple[date | None, ...]:
        """earliest, latestStart, earliestEnd, latest."""
        return (self.earliest, self.latest_start, self.earliest_end, self.latest)

    @property
    def certain(self) -> tuple[date, date] | None:
        """The days it certainly went on (latestStart to earliestEnd), when both are given."""
        if self.latest_start and self.earliest_end and self.latest_start <= self.earliest_end:
            return self.latest_start, self.earliest_end
        return None


def dated_things(graph: Graph) -> list[Dated]:
    """Every thing with det:earliest or det:latest, in the order of its first day."""
    statuses = current_statuses(graph)
    refusals = members(graph, DET.Rejection)
    requests = members(graph, DET.Request)
    found: list[Dated] = []
    subjects = set(graph.subjects(DET.earliest)) | set(graph.subjects(DET.latest))
    for node in sorted((s for s in subjects if isinstance(s, URIRef)), key=str):
        earliest = dates(graph, node, DET.earliest)
        latest = dates(graph, node, DET.latest)
        if not earliest and not latest:
            continue
        latest_start = dates(graph, node, DET.latestStart)
        earliest_end = dates(graph, node, DET.earliestEnd)
        status = statuses.get(node)
        if status is not None:
            style = status_style(graph, status)
        elif node in refusals:
            style = "refused"
        elif node in requests:
            style = "requested"
        else:
            style = "neutral"
        words = sorted(clean(str(term)) for term in graph.objects(node, DET.dateText))
        found.append(
            Dated(
                iri=node,
                label=label_of(graph, node),
                words="; ".join(word for word in words if word),
                earliest=earliest[0] if earliest else None,
                latest_start=latest_start[-1] if latest_start else None,
                earliest_end=earliest_end[0] if earliest_end else None,
                latest=latest[-1] if latest else None,
                style=style,
                status=local_name(status) if status is not None else "",
            )
        )
    return sorted(found, key=lambda d: (d.earliest or d.first, d.last, d.label, str(d.iri)))


@dataclass(frozen=True)
class Segment:
    """A stretch of the date axis drawn at one scale: days [start, end) from x on."""

    start: date
    end: date
    x: float
    scale: float  # pixels a day

    @property
    def right(self) -> float:
        """Where the segment ends."""
        return self.x + (self.end - self.start).days * self.scale


def next_month(day: date) -> date:
    """The first day of the month after the day's."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


MERGE_GAP = 62  # days: two stretches of the axis closer than this are drawn as one
MAX_BREAKS = 4  # the most breaks an axis has
BREAK_SHARE = 0.1  # a gap is a break only if it is more than this share of all the time shown
BREAK = 26  # pixels between two stretches of the axis (the break)
MIN_SEGMENT = 52  # the narrowest stretch of the axis
WANTED_DAY = 24.0  # the width wanted for the shortest bar of a stretch, in pixels


def third_start(day: date) -> date:
    """The first day of the day's third of a month (days 1-10, 11-20, 21-end)."""
    return day.replace(day=min(day.day - (day.day - 1) % 10, 21))


def third_after(day: date) -> date:
    """The first day of the third of a month after the day's."""
    return day.replace(day=day.day - (day.day - 1) % 10 + 10) if day.day <= 20 else next_month(day)


def stretches(rows: list[Dated]) -> list[tuple[date, date, int]]:
    """The stretches of time with things in them, in whole thirds of months (1-10, 11-20,
    21-end), with the shortest bar of each, in days."""
    spans = sorted(
        ((third_start(row.first), third_after(row.last), row) for row in rows),
        key=lambda span: (span[0], span[1]),
    )
    merged: list[tuple[date, date, int]] = []
    for start, end, row in spans:
        shortest = (row.latest - row.earliest).days + 1 if row.earliest and row.latest else 10_000
        if merged and (start - merged[-1][1]).days <= MERGE_GAP:
            first, last, least = merged[-1]
            merged[-1] = (first, max(last, end), min(least, shortest))
        else:
            merged.append((start, end, shortest))
    if len(merged) < 2:
        return merged
    # Break the axis only at the few largest gaps, and only where they are a large share of
    # the whole: events spread evenly over decades get one continuous axis.
    total = (merged[-1][1] - merged[0][0]).days
    gaps = sorted(
        (((merged[i + 1][0] - merged[i][1]).days, i) for i in range(len(merged) - 1)),
        reverse=True,
    )
    breaks = {i for length, i in gaps[:MAX_BREAKS] if length > BREAK_SHARE * total}
    joined = [merged[0]]
    for index, (start, end, shortest) in enumerate(merged[1:]):
        if index in breaks:
            joined.append((start, end, shortest))
        else:
            first, _, least = joined[-1]
            joined[-1] = (first, end, min(least, shortest))
    return joined


def segments(rows: list[Dated], x: float, width: float) -> list[Segment]:
    """The axis: one segment a stretch, the stretches with short events given the room."""
    parts = stretches(rows)
    wanted = [
        max(MIN_SEGMENT, (end - start).days * WANTED_DAY / max(shortest, 1))
        for start, end, shortest in parts
    ]
    room = max(width - BREAK * (len(parts) - 1), MIN_SEGMENT * len(parts))
    spare = sum(wanted) - room
    if spare > 0:  # shrink what is above the minimum, each in proportion
        above = sum(want - MIN_SEGMENT for want in wanted)
        wanted = [want - (want - MIN_SEGMENT) * spare / above if above else want for want in wanted]
    result: list[Segment] = []
    for (start, end, _), size in zip(parts, wanted, strict=True):
        result.append(Segment(start, end, x, size / (end - start).days))
        x += size + BREAK
    return result


def x_of(axis: list[Segment], day: date) -> float:
    """Where the start of a day is drawn."""
    for segment in axis:
        if day <= segment.end:
            offset = max((day - segment.start).days, 0)
            return segment.x + offset * segment.scale
    return axis[-1].right


def draw_axis(
    parent: ET.Element, axis: list[Segment], top: float, bottom: float, labels_at: list[float]
) -> None:
    """Grid lines from top to bottom at each month, breaks between segments, and the years and
    months written at each of the `labels_at` baselines (the year line 16 px above)."""
    grid = element(parent, "g", class_="tl-axis")
    for before, after in itertools.pairwise(axis):
        left, right = before.right + 4, after.x - 4
        element(
            grid,
            "rect",
            class_="tl-break",
            x=num(left),
            y=num(top),
            width=num(right - left),
            height=num(bottom - top),
            fill="url(#tl-break)",
        )
    for segment in axis:
        month = segment.start
        stride = year_stride(segment)
        while month <= segment.end:
            if shows_tick(segment, month, stride):
                x = x_of([segment], month)
                major = month in (segment.start, segment.end) or (
                    month.month == 1 and month.year % stride == 0
                )
                element(
                    grid,
                    "line",
                    class_="tl-tick",
                    data_date=month.isoformat(),
                    x1=num(x),
                    x2=num(x),
                    y1=num(top),
                    y2=num(bottom),
                    stroke="#9e9e9e" if major else "#d9d9d9",
                    stroke_width="1",
                )
            month = next_month(month)
        for baseline in labels_at:
            draw_axis_labels(grid, segment, baseline, stride)


YEAR_LABEL = text_width("0000", 12)  # the width of a year written on the axis


def year_stride(segment: Segment) -> int:
    """Every how many years a segment's years are written (so that they fit)."""
    year_px = 365.25 * segment.scale
    return next(
        (k for k in (1, 2, 5, 10, 20, 50, 100, 200, 500) if k * year_px >= YEAR_LABEL + 12), 1000
    )


def shows_tick(segment: Segment, month: date, stride: int) -> bool:
    """Whether a month's first day gets a grid line: every month when months are far enough
    apart, else every year, else every `stride` years; the segment's ends always."""
    if month in (segment.start, segment.end) or 28 * segment.scale >= 8:
        return True
    if month.month != 1:
        return False
    return 365 * segment.scale >= 8 or month.year % stride == 0


def draw_axis_labels(parent: ET.Element, segment: Segment, baseline: float, stride: int) -> None:
    """A segment's month names (when they fit) on the baseline, its years 16 px above: centred
    on each year when a year is wide enough, else at every `stride`-th new year."""
    month = segment.start
    while month < segment.end:
        left, right = x_of([segment], month), x_of([segment], next_month(month))
        name = MONTHS[month.month - 1]
        for shown in (name, name[0]):
            if text_width(shown, SMALL_SIZE) + 4 <= right - left:
                add_text(parent, (left + right) / 2, baseline, shown, SMALL_SIZE, "middle")
                break
        month = next_month(month)
    for year in range(segment.start.year, (segment.end - ONE_DAY).year + 1):
        if stride == 1:
            left = x_of([segment], max(date(year, 1, 1), segment.start))
            right = x_of([segment], min(date(year + 1, 1, 1), segment.end))
            if right - left < YEAR_LABEL + 4:
                continue
            middle = (left + right) / 2
        else:
            if year % stride or date(year, 1, 1) < segment.start:
                continue
            middle = x_of([segment], date(year, 1, 1))
            if not segment.x <= middle - YEAR_LABEL / 2 <= middle + YEAR_LABEL / 2 <= segment.right:
                continue
        add_text(parent, middle, baseline - 16, str(year), 12, "middle", "tl-year")


FADE = 40  # the length of an open end, in pixels
MIN_BAR = 6  # an exact day is drawn at least this wide
BAR_HEIGHT = 12
NAME_CHARS = 44  # a name is wrapped at this many characters, in at most two lines
TARGET_WIDTH = 1100  # the width the timeline aims at (the page's column)


def bar_extent(row: Dated, axis: list[Segment]) -> tuple[float, float, float, float]:
    """Where a row's drawing starts and ends, open ends included, and where its window (the
    days the bounds enclose) starts and ends: the same x, the known bound, when only one outer
    bound and no inner one is given."""
    inner = [day for day in (row.latest_start, row.earliest_end) if day is not None]
    if row.earliest is not None and row.latest is not None:
        left, right = x_of(axis, row.earliest), x_of(axis, row.latest + ONE_DAY)
    elif row.earliest is not None:
        left = x_of(axis, row.earliest)
        right = x_of(axis, max(inner) + ONE_DAY) if inner else left
    else:
        right = x_of(axis, row.last + ONE_DAY)
        left = x_of(axis, min(inner)) if inner else right
    if left < right < left + MIN_BAR:
        middle = (left + right) / 2
        left, right = middle - MIN_BAR / 2, middle + MIN_BAR / 2
    start = left - (FADE if row.earliest is None else 0)
    end = right + (FADE if row.latest is None else 0)
    return start, end, left, right


def draw_bar(parent: ET.Element, row: Dated, axis: list[Segment], middle: float) -> None:
    """A row's bar: the window its bounds enclose (or a mark at its one bound), the days it
    certainly went on, a fading end where no bound is given."""
    style = BAR_STYLES[row.style]
    _, _, left, right = bar_extent(row, axis)
    if right > left:
        outline = {"stroke": style.colour, "stroke_width": "1.5"}
        if style.dash:
            outline["stroke_dasharray"] = style.dash
        element(
            parent,
            "rect",
            class_="tl-window",
            x=num(left),
            y=num(middle - BAR_HEIGHT / 2),
            width=num(right - left),
            height=num(BAR_HEIGHT),
            fill=style_fill(style, "tl"),
            **outline,
        )
    else:
        draw_bound(parent, style, left, middle)
    certain = row.certain
    if certain:
        x1, x2 = x_of(axis, certain[0]), x_of(axis, certain[1] + ONE_DAY)
        element(
            parent,
            "rect",
            class_="tl-certain",
            x=num(x1),
            y=num(middle - 2.5),
            width=num(max(x2 - x1, 2)),
            height="5",
            fill=style.colour,
        )
    if row.latest is None:
        draw_open_end(parent, style, right, middle, +1)
    if row.earliest is None:
        draw_open_end(parent, style, left, middle, -1)


def draw_bound(parent: ET.Element, style: Style, x: float, middle: float) -> None:
    """A mark at the one bound given (the other side is open)."""
    element(
        parent,
        "rect",
        class_="tl-bound",
        x=num(x - 1.5),
        y=num(middle - BAR_HEIGHT / 2 - 2),
        width="3",
        height=num(BAR_HEIGHT + 4),
        fill=style.colour,
    )


def draw_open_end(parent: ET.Element, style: Style, x: float, middle: float, way: int) -> None:
    """A fading end with a chevron: no bound is given on that side (`way` +1 right, -1 left)."""
    side = "right" if way > 0 else "left"
    left = x if way > 0 else x - FADE
    element(
        parent,
        "rect",
        class_=f"tl-open tl-open-{side}",
        x=num(left),
        y=num(middle - BAR_HEIGHT / 2),
        width=num(FADE),
        height=num(BAR_HEIGHT),
        fill=f"url(#tl-fade-{side}-{style.name})",
    )
    tip = x + way * FADE
    element(
        parent,
        "path",
        class_="tl-chevron",
        d=f"M{num(tip - way * 6)} {num(middle - 6)}L{num(tip)} {num(middle)}"
        f"L{num(tip - way * 6)} {num(middle + 6)}",
        fill="none",
        stroke=style.colour,
        stroke_width="1.5",
    )


def bounds_text(row: Dated) -> str:
    """A row's bounds in words, for its tooltip."""
    parts = [
        f"{name} {day.isoformat()}"
        for name, day in zip(
            ("earliest", "latest start", "earliest end", "latest"), row.bounds, strict=True
        )
        if day is not None
    ]
    if row.latest is None:
        parts.append("no latest date (open)")
    if row.earliest is None:
        parts.append("no earliest date (open)")
    return ", ".join(parts)


def row_link(parent: ET.Element, iri: URIRef) -> ET.Element:
    """A link to a thing's document around what follows, when the thing has one."""
    thing = thing_of(iri)
    if thing is None:
        return parent
    return element(parent, "a", href=f"{thing.doc_path}.html")


def timeline_legend() -> list[LegendItem]:
    """The timeline's legend: the styles, then how bars show bounds."""
    items = [
        LegendItem(style.legend, _bar_swatch(style), f"style-{style.name}")
        for style in BAR_STYLES.values()
    ]
    items.append(LegendItem("bar: earliest to latest possible day", _bar_swatch(PLAIN), "window"))
    items.append(LegendItem("thick line: certainly under way", _certain_swatch, "certain"))
    items.append(LegendItem("mark and fading end: one bound only", _open_swatch, "open"))
    return items


PLAIN = Style("plain", "", "#525252", "#ffffff", "", "")  # the legend's bar of no status


def _bar_swatch(style: Style) -> Callable[[ET.Element, float, float], None]:
    """What draws a bar of a style in the legend."""

    def draw(parent: ET.Element, x: float, middle: float) -> None:
        """A bar of the style."""
        outline = {"stroke_dasharray": style.dash} if style.dash else {}
        element(
            parent,
            "rect",
            x=num(x),
            y=num(middle - BAR_HEIGHT / 2),
            width=num(SWATCH),
            height=num(BAR_HEIGHT),
            fill=style_fill(style, "tl"),
            stroke=style.colour,
            stroke_width="1.5",
            **outline,
        )

    return draw


def _certain_swatch(parent: ET.Element, x: float, middle: float) -> None:
    """A window with its certain core."""
    _bar_swatch(PLAIN)(parent, x, middle)
    element(
        parent,
        "rect",
        x=num(x + 8),
        y=num(middle - 2.5),
        width=num(SWATCH - 8),
        height="5",
        fill=PLAIN.colour,
    )


def _open_swatch(parent: ET.Element, x: float, middle: float) -> None:
    """A known start and an open end."""
    draw_bound(parent, PLAIN, x + 2, middle)
    element(
        parent,
        "rect",
        x=num(x + 4),
        y=num(middle - BAR_HEIGHT / 2),
        width=num(SWATCH - 4),
        height=num(BAR_HEIGHT),
        fill="url(#tl-fade-right-neutral)",
    )


TIMELINE_CSS = (
    ".detente-timeline text { fill: #1a1a1a; }"
    " .detente-timeline .tl-words { fill: #4a4a4a; }"
    " .detente-timeline .tl-year { font-weight: bold; }"
    " .detente-timeline .tl-heading { font-weight: bold; }"
    " .detente-timeline a:hover .tl-band { fill: #ffe066; fill-opacity: 0.45; }"
    " .detente-timeline a:hover .tl-name { text-decoration: underline; }"
)


def place_words(
    row: Dated, axis: list[Segment], chart: tuple[float, float]
) -> tuple[float, str, str] | None:
    """Where a row's date words go: beside its bar, on the side with room (x, anchor, text)."""
    if not row.words:
        return None
    start, end, _, _ = bar_extent(row, axis)
    room_right = chart[1] - end - 6
    room_left = start - chart[0] - 6
    need = text_width(row.words, SMALL_SIZE)
    if need <= room_right or room_right >= room_left:
        chars = int(room_right / (CHAR_WIDTH * SMALL_SIZE))
        return end + 6, "start", shorten(row.words, max(chars, 1))
    chars = int(room_left / (CHAR_WIDTH * SMALL_SIZE))
    return start - 6, "end", shorten(row.words, max(chars, 1))


def timeline(graph: Graph) -> str:
    """An SVG timeline of the graph's dated things: one row each, named, with the report's date
    words and a bar from the earliest to the latest day, drawn by status."""
    rows = dated_things(graph)
    root = new_svg(
        "timeline",
        "Timeline of the dated events",
        "Each row is a dated thing; its bar runs from the earliest to the latest possible day, "
        "so a vague date is drawn wide and an exact day narrow.",
        TIMELINE_CSS,
    )
    timeline_defs(element(root, "defs"))
    heading = "Timeline of the dated events" if rows else "Timeline: no dated events"
    add_text(root, MARGIN, MARGIN + TITLE_SIZE, heading, TITLE_SIZE, cls="tl-heading")
    names = {row.iri: wrap(row.label, NAME_CHARS, 2) for row in rows}
    name_width = max(
        (text_width(line, TEXT_SIZE) for lines in names.values() for line in lines), default=0
    )
    chart_left = MARGIN + name_width + 16
    chart_width = max(TARGET_WIDTH - chart_left - MARGIN, 420)
    axis_left = chart_left + FADE + 6
    axis_width = chart_width - 2 * (FADE + 6)
    axis = segments(rows, axis_left, axis_width) if rows else []
    chart_right = (axis[-1].right if axis else axis_left) + FADE + 6
    for row in rows:  # room on the right for date words that fit on neither side
        start, end, _, _ = bar_extent(row, axis)
        need = text_width(row.words, SMALL_SIZE) + 6
        if need > max(chart_right - end, start - chart_left):
            chart_right = max(chart_right, end + need)
    width = max(chart_right + MARGIN, TARGET_WIDTH if rows else 420)
    items = timeline_legend()
    legend_top = MARGIN + TITLE_SIZE + 12
    draw_legend(root, items, MARGIN, legend_top, width - 2 * MARGIN, "tl-legend")
    labels_at = legend_top + legend_height(items, width - 2 * MARGIN) + 36
    top = labels_at + 8
    places, repeated, bottom = row_places([len(names[row.iri]) for row in rows], top)
    if axis:
        draw_axis(root, axis, top, bottom, [labels_at, *repeated, bottom + AXIS_HEIGHT - 8])
    body = element(root, "g", class_="tl-rows")
    for number, (row, place) in enumerate(zip(rows, places, strict=True)):
        draw_row(body, row, axis, place, names[row.iri], number, (chart_left, chart_right))
    return finish(root, width, bottom + (AXIS_HEIGHT if axis else 0) + MARGIN)


AXIS_EVERY = 30  # rows between two repetitions of the axis' years and months
AXIS_HEIGHT = 40  # the room the years and months take


def timeline_defs(defs: ET.Element) -> None:
    """The fills of the timeline: hatchings, fading ends, and the hatching of axis breaks."""
    add_patterns(defs, "tl")
    breaks = element(
        defs,
        "pattern",
        id="tl-break",
        patternUnits="userSpaceOnUse",
        width="8",
        height="8",
        patternTransform="rotate(45)",
    )
    element(breaks, "rect", width="8", height="8", fill="#f7f7f7")
    element(breaks, "path", d="M0 0V8", stroke="#d4d4d4", stroke_width="2")


def row_places(
    lines: list[int], top: float
) -> tuple[list[tuple[float, float]], list[float], float]:
    """Where each row goes (top, height), given the lines of its name; the baselines of the
    axis labels repeated between rows every AXIS_EVERY rows; the bottom of the last row."""
    places: list[tuple[float, float]] = []
    repeated: list[float] = []
    y = top
    for number, count in enumerate(lines):
        if number and number % AXIS_EVERY == 0:
            repeated.append(y + AXIS_HEIGHT - 8)
            y += AXIS_HEIGHT
        height = max(22, 6 + LINE_HEIGHT * count)
        places.append((y, height))
        y += height
    return places, repeated, y


def draw_row(
    parent: ET.Element,
    row: Dated,
    axis: list[Segment],
    place: tuple[float, float],
    name: list[str],
    number: int,
    chart: tuple[float, float],
) -> None:
    """One row of the timeline: band, name, bar and date words, linked to the thing's page."""
    top, height = place
    link = row_link(parent, row.iri)
    attributes = {
        "class_": f"tl-row tl-{row.style}",
        "data_iri": str(row.iri),
        "data_style": row.style,
        "data_status": row.status,
    }
    for key, day in zip(
        ("data_earliest", "data_latest_start", "data_earliest_end", "data_latest"),
        row.bounds,
        strict=True,
    ):
        if day is not None:
            attributes[key] = day.isoformat()
    group = element(link, "g", **attributes)
    add_title(group, f"{row.label} — {row.words or 'no date words'} ({bounds_text(row)})")
    element(
        group,
        "rect",
        class_="tl-band",
        x="0",
        y=num(top),
        width="100%",
        height=num(height),
        fill="#e6e6e6" if number % 2 else "#ffffff",
        fill_opacity="0.5" if number % 2 else "0",
    )
    first = top + (height - LINE_HEIGHT * len(name)) / 2 + 12
    for index, line in enumerate(name):
        add_text(group, MARGIN, first + index * LINE_HEIGHT, line, TEXT_SIZE, cls="tl-name")
    middle = top + height / 2
    draw_bar(group, row, axis, middle)
    placed = place_words(row, axis, chart)
    if placed:
        x, anchor, words = placed
        add_text(group, x, middle + 4, words, SMALL_SIZE, anchor, "tl-words")


# ------------------------------------------------------------------ the network


@dataclass(frozen=True)
class EdgeStyle:
    """How one kind of contact is drawn."""

    name: str
    legend: str
    colour: str
    width: float
    dash: str
    arrow: bool


EDGE_STYLES: dict[str, EdgeStyle] = {
    style.name: style
    for style in (
        EdgeStyle("held", "met (meeting held)", "#1b7837", 3.0, "", False),
        EdgeStyle("requested", "asked (a request)", "#2166ac", 1.6, "", True),
        EdgeStyle("refused", "refused a request", "#b2182b", 2.0, "6 3", True),
        EdgeStyle("proposed", "proposed meeting, not held", "#737373", 1.6, "9 3 2 3", False),
        EdgeStyle("sanction", "sanctioned", "#762a83", 2.0, "2 3", True),
    )
}

NODE_KINDS = {
    "person": "person",
    "state": "state",
    "organisation": "organisation",
    "group": "unnamed group",
    "other": "other actor",
}


@dataclass(frozen=True)
class Actor:
    """A node of the network."""

    iri: URIRef
    label: str
    kind: str


@dataclass(frozen=True)
class Contact:
    """An edge of the network: a kind, from an actor to another, and the events it stands for."""

    kind: str
    source: URIRef
    target: URIRef
    events: tuple[URIRef, ...]


def actor_kind(node: URIRef, kinds: dict[str, set[URIRef]]) -> str:
    """Whether an actor is a person, a state, an organisation or an unnamed group."""
    for kind in ("person", "state", "group", "organisation"):
        if node in kinds[kind]:
            return kind
    return "other"


def contacts(graph: Graph) -> list[Contact]:
    """Every contact: held meetings (pairwise), requests, refusals, sanctions, proposals."""
    found: dict[tuple[str, URIRef, URIRef], set[URIRef]] = defaultdict(set)

    def add(kind: str, source: Node, target: Node, event: URIRef) -> None:
        """Record one contact between two named actors."""
        if isinstance(source, URIRef) and isinstance(target, URIRef) and source != target:
            if not EDGE_STYLES[kind].arrow and str(target) < str(source):
                source, target = target, source
            found[(kind, source, target)].add(event)

    statuses = current_statuses(graph)
    events = sorted(
        {e for e in graph.subjects(DET.participant) if isinstance(e, URIRef)}
        | {e for e in graph.subjects(DET.proposedParticipant) if isinstance(e, URIRef)},
        key=str,
    )
    for event in events:
        held = event in statuses and status_style(graph, statuses[event]) == "held"
        if held:
            people = sorted(graph.objects(event, DET.participant), key=str)
            kind = "held"
        else:
            people = sorted(graph.objects(event, DET.proposedParticipant), key=str)
            kind = "proposed"
        for index, one in enumerate(people):
            for other in people[index + 1 :]:
                add(kind, one, other, event)
    for request in sorted(members(graph, DET.Request), key=str):
        for source in graph.objects(request, DET.requester):
            for target in graph.objects(request, DET.addressee):
                add("requested", source, target, request)
    for refusal in sorted(members(graph, DET.Rejection), key=str):
        for asked in graph.objects(refusal, DET.rejectedRequest):
            for source in graph.objects(refusal, DET.rejecter):
                for target in graph.objects(asked, DET.requester):
                    add("refused", source, target, refusal)
    for sanction in sorted(members(graph, DET.Sanction), key=str):
        for source in graph.objects(sanction, DET.imposedBy):
            for target in graph.objects(sanction, DET.target):
                add("sanction", source, target, sanction)
    kinds = list(EDGE_STYLES)
    return sorted(
        (
            Contact(kind, source, target, tuple(sorted(found[(kind, source, target)], key=str)))
            for kind, source, target in found
        ),
        key=lambda c: (str(c.source), str(c.target), kinds.index(c.kind)),
    )


def actors(graph: Graph, edges: list[Contact]) -> dict[URIRef, Actor]:
    """The actors the contacts join, with their names and kinds."""
    kinds = {
        "person": members(graph, DET.Person),
        "state": members(graph, DET.State),
        "group": members(graph, DET.UnnamedAgent),
        "organisation": members(graph, DET.Organization),
    }
    nodes = sorted({edge.source for edge in edges} | {edge.target for edge in edges}, key=str)
    return {node: Actor(node, label_of(graph, node), actor_kind(node, kinds)) for node in nodes}


def components(nodes: list[URIRef], edges: list[Contact]) -> list[list[URIRef]]:
    """The connected parts of the network, each in breadth-first order from its busiest node."""
    neighbours: dict[URIRef, set[URIRef]] = {node: set() for node in nodes}
    for edge in edges:
        neighbours[edge.source].add(edge.target)
        neighbours[edge.target].add(edge.source)
    seen: set[URIRef] = set()
    parts: list[list[URIRef]] = []
    for start in sorted(nodes, key=lambda n: (-len(neighbours[n]), str(n))):
        if start in seen:
            continue
        order = [start]
        seen.add(start)
        for node in order:
            for other in sorted(
                neighbours[node] - seen, key=lambda n: (-len(neighbours[n]), str(n))
            ):
                seen.add(other)
                order.append(other)
        parts.append(order)
    return sorted(parts, key=lambda part: (-len(part), str(part[0])))


def spring(count: int, pairs: set[tuple[int, int]]) -> list[tuple[float, float]]:
    """Positions of nodes 0..count-1 by a force-directed layout (ideal edge length 1), started
    from a circle: the same input, the same positions."""
    if count == 1:
        return [(0.0, 0.0)]
    radius = math.sqrt(count) * 0.6
    points = [
        [radius * math.cos(2 * math.pi * i / count), radius * math.sin(2 * math.pi * i / count)]
        for i in range(count)
    ]
    links = sorted(pairs)
    rounds = max(30, min(200, 300_000 // (count * count)))
    for step in range(rounds):
        push = [[0.0, 0.0] for _ in range(count)]
        for i in range(count):
            xi, yi = points[i]
            for j in range(i + 1, count):
                dx, dy = xi - points[j][0], yi - points[j][1]
                d2 = max(dx * dx + dy * dy, 1e-4)
                push[i][0] += dx / d2
                push[i][1] += dy / d2
                push[j][0] -= dx / d2
                push[j][1] -= dy / d2
        for i, j in links:
            dx, dy = points[i][0] - points[j][0], points[i][1] - points[j][1]
            d = math.hypot(dx, dy)
            push[i][0] -= dx * d
            push[i][1] -= dy * d
            push[j][0] += dx * d
            push[j][1] += dy * d
        limit = 0.3 * radius * (1 - step / rounds) + 0.01
        for i in range(count):
            size = math.hypot(push[i][0], push[i][1])
            if size > 0:
                scale = min(size, limit) / size
                points[i][0] += push[i][0] * scale
                points[i][1] += push[i][1] * scale
    return [(x, y) for x, y in points]


def snap(
    points: list[tuple[float, float]], order: list[int], cell: tuple[float, float]
) -> list[tuple[int, int]]:
    """A free grid cell for each point (in pixels), the nearest to it, the points taken in
    order: no two nodes share a cell."""
    cell_w, cell_h = cell
    taken: set[tuple[int, int]] = set()
    cells: list[tuple[int, int]] = [(0, 0)] * len(points)
    for index in order:
        px, py = points[index][0] / cell_w, points[index][1] / cell_h
        c0, r0 = round(px), round(py)
        best: tuple[float, int, int] | None = None
        ring = 0
        while best is None or (ring - 0.5) * min(cell_w, cell_h) <= math.sqrt(best[0]):
            for col in range(c0 - ring, c0 + ring + 1):
                for row in range(r0 - ring, r0 + ring + 1):
                    if max(abs(col - c0), abs(row - r0)) != ring or (col, row) in taken:
                        continue
                    distance = ((col - px) * cell_w) ** 2 + ((row - py) * cell_h) ** 2
                    if best is None or (distance, row, col) < best:
                        best = (distance, row, col)
            ring += 1
        taken.add((best[2], best[1]))
        cells[index] = (best[2], best[1])
    return cells


NODE_RADIUS = 10
LABEL_CHARS = 20  # a node's name is wrapped at this many characters, in at most two lines


@dataclass(frozen=True)
class Placed:
    """Where the layout puts a node: its centre, and the half width and bottom (below the
    centre) of its name."""

    x: float
    y: float
    half_width: float = 0.0
    bottom: float = 0.0


def layout(
    nodes: dict[URIRef, Actor], edges: list[Contact], cell: tuple[float, float], width: float
) -> tuple[dict[URIRef, Placed], float, float]:
    """Node centres: each connected part laid out on a grid of cells, the parts packed in
    shelves no wider than `width` (wider if one part is); the size taken."""
    cell_w, cell_h = cell
    pairs_of: dict[URIRef, set[URIRef]] = defaultdict(set)
    for edge in edges:
        pairs_of[edge.source].add(edge.target)
        pairs_of[edge.target].add(edge.source)
    boxes: list[tuple[list[URIRef], list[tuple[int, int]]]] = []
    for part in components(list(nodes), edges):
        index = {node: number for number, node in enumerate(part)}
        pairs = {
            (min(index[a], index[b]), max(index[a], index[b])) for a in part for b in pairs_of[a]
        }
        points = spring(len(part), pairs)
        order = sorted(range(len(part)), key=lambda i: (-len(pairs_of[part[i]]), str(part[i])))
        # One unit of the layout (an edge's ideal length) is a little more than a column.
        scaled = [(x * cell_w * 0.9, y * cell_w * 0.9) for x, y in points]
        cells = snap(scaled, order, cell)
        boxes.append((part, cells))
    placed: dict[URIRef, Placed] = {}
    x = y = shelf_height = used_width = 0.0
    for part, cells in boxes:
        cols = [c for c, _ in cells]
        rows = [r for _, r in cells]
        part_w = (max(cols) - min(cols) + 1) * cell_w
        part_h = (max(rows) - min(rows) + 1) * cell_h
        if x > 0 and x + part_w > width:
            x, y = 0.0, y + shelf_height
            shelf_height = 0.0
        for node, (col, row) in zip(part, cells, strict=True):
            placed[node] = Placed(
                x + (col - min(cols) + 0.5) * cell_w, y + (row - min(rows)) * cell_h + 18
            )
        x += part_w
        used_width = max(used_width, x)
        shelf_height = max(shelf_height, part_h)
    return placed, used_width, y + shelf_height


def draw_node_shape(parent: ET.Element, kind: str, x: float, y: float) -> None:
    """The symbol of a kind of actor: person a circle, state a square, organisation a diamond,
    unnamed group a dashed circle, anything else a small grey circle."""
    r = NODE_RADIUS
    if kind == "person":
        element(
            parent,
            "circle",
            cx=num(x),
            cy=num(y),
            r=num(r),
            fill="#fdb863",
            stroke="#7f3b08",
            stroke_width="1.5",
        )
    elif kind == "state":
        element(
            parent,
            "rect",
            x=num(x - r),
            y=num(y - r),
            width=num(2 * r),
            height=num(2 * r),
            fill="#92c5de",
            stroke="#053061",
            stroke_width="2",
        )
    elif kind == "organisation":
        element(
            parent,
            "path",
            d=f"M{num(x)} {num(y - r - 2)}L{num(x + r + 2)} {num(y)}L{num(x)} {num(y + r + 2)}"
            f"L{num(x - r - 2)} {num(y)}Z",
            fill="#d9d9d9",
            stroke="#252525",
            stroke_width="1.5",
        )
    elif kind == "group":
        element(
            parent,
            "circle",
            cx=num(x),
            cy=num(y),
            r=num(r),
            fill="#ffffff",
            stroke="#525252",
            stroke_width="1.5",
            stroke_dasharray="3 2",
        )
    else:
        element(
            parent, "circle", cx=num(x), cy=num(y), r=num(r - 3), fill="#bdbdbd", stroke="#525252"
        )


def clearance(node: Placed, ux: float, uy: float) -> float:
    """How far from a node's centre a line going in direction (ux, uy) (a unit vector) leaves
    the node's symbol and the box of its name below it."""
    reach = float(NODE_RADIUS)
    enter, leave = 0.0, math.inf
    for u, low, high in (
        (ux, -node.half_width, node.half_width),
        (uy, NODE_RADIUS + 4, node.bottom),
    ):
        if abs(u) < 1e-9:
            if not low <= 0 <= high:
                return reach
            continue
        t1, t2 = sorted((low / u, high / u))
        enter, leave = max(enter, t1), min(leave, t2)
    return max(reach, leave) if enter < leave else reach


def edge_path(a: Placed, b: Placed, bend: float, arrow: bool) -> str:
    """A quadratic curve from a to b, bent sideways by `bend` pixels, its ends clear of the
    nodes' symbols and names."""
    dx, dy = b.x - a.x, b.y - a.y
    length = math.hypot(dx, dy) or 1.0
    cx = (a.x + b.x) / 2 - dy / length * bend * 2
    cy = (a.y + b.y) / 2 + dx / length * bend * 2

    def unit(p: Placed) -> tuple[float, float]:
        """The direction from p to the control point."""
        ux, uy = cx - p.x, cy - p.y
        size = math.hypot(ux, uy) or 1.0
        return ux / size, uy / size

    (ax, ay), (bx, by) = unit(a), unit(b)
    gap_a, gap_b = clearance(a, ax, ay) + 3, clearance(b, bx, by) + (7 if arrow else 3)
    if gap_a + gap_b > length - 8:  # too close to clear the names: clear the symbols only
        gap_a, gap_b = NODE_RADIUS + 3, NODE_RADIUS + (7 if arrow else 3)
    x1, y1 = a.x + ax * gap_a, a.y + ay * gap_a
    x2, y2 = b.x + bx * gap_b, b.y + by * gap_b
    return f"M{num(x1)} {num(y1)}Q{num(cx)} {num(cy)} {num(x2)} {num(y2)}"


NETWORK_CSS = (
    ".detente-network text { fill: #1a1a1a; }"
    " .detente-network .nw-label { paint-order: stroke; stroke: #ffffff; stroke-width: 3px;"
    " stroke-linejoin: round; }"
    " .detente-network .nw-state .nw-label { font-weight: bold; }"
    " .detente-network .nw-heading { font-weight: bold; }"
    " .detente-network a:hover .nw-label { text-decoration: underline; }"
    " .detente-network a:hover .nw-line { stroke-width: 4px; }"
)


def network_legend(kinds: set[str]) -> list[LegendItem]:
    """The network's legend: the kinds of actors drawn, then the kinds of contacts."""
    items = [
        LegendItem(words, _node_swatch(kind), f"node-{kind}")
        for kind, words in NODE_KINDS.items()
        if kind in kinds or kind != "other"
    ]
    items += [
        LegendItem(style.legend, _edge_swatch(style), f"edge-{style.name}")
        for style in EDGE_STYLES.values()
    ]
    return items


def _node_swatch(kind: str) -> Callable[[ET.Element, float, float], None]:
    """What draws a kind's symbol in the legend."""

    def draw(parent: ET.Element, x: float, middle: float) -> None:
        """The symbol."""
        draw_node_shape(parent, kind, x + SWATCH / 2, middle)

    return draw


def _edge_swatch(style: EdgeStyle) -> Callable[[ET.Element, float, float], None]:
    """What draws a kind of contact in the legend."""

    def draw(parent: ET.Element, x: float, middle: float) -> None:
        """A short line of the style."""
        element(
            parent, "path", d=f"M{num(x)} {num(middle)}H{num(x + SWATCH - 2)}", **line_look(style)
        )

    return draw


def line_look(style: EdgeStyle) -> dict[str, str]:
    """The presentation attributes of a contact's line."""
    look = {
        "class_": "nw-line",
        "fill": "none",
        "stroke": style.colour,
        "stroke_width": num(style.width),
    }
    if style.dash:
        look["stroke_dasharray"] = style.dash
    if style.arrow:
        look["marker_end"] = f"url(#nw-arrow-{style.name})"
    return look


def network(graph: Graph) -> str:
    """An SVG network of the actors: people, states, organisations and groups, joined by the
    meetings they held, the meetings they asked for, the requests they refused and sanctions."""
    edges = contacts(graph)
    nodes = actors(graph, edges)
    root = new_svg(
        "network",
        "Who met, asked and refused whom",
        "Actors (people, states, organisations, unnamed groups) joined by meetings held, "
        "meetings requested, requests refused, meetings proposed but not held, and sanctions.",
        NETWORK_CSS,
    )
    network_defs(element(root, "defs"))
    labels = {node: wrap(actor.label, LABEL_CHARS, 2) for node, actor in nodes.items()}
    longest = max(
        (text_width(line, TEXT_SIZE) for lines in labels.values() for line in lines), default=0
    )
    cell = (max(longest + 28, 96), 18 + NODE_RADIUS + 8 + 2 * LINE_HEIGHT + 12)
    area = len(nodes) * cell[0] * cell[1] * 2.2
    shelf = max(TARGET_WIDTH - 2 * MARGIN, math.sqrt(area) * 1.5)
    placed, used_width, used_height = layout(nodes, edges, cell, shelf)
    width = max(used_width + 2 * MARGIN, TARGET_WIDTH if nodes else 420)
    heading = "Who met, asked and refused whom" if nodes else "Network: no contacts"
    add_text(root, MARGIN, MARGIN + TITLE_SIZE, heading, TITLE_SIZE, cls="nw-heading")
    items = network_legend({actor.kind for actor in nodes.values()})
    legend_top = MARGIN + TITLE_SIZE + 12
    draw_legend(root, items, MARGIN, legend_top, width - 2 * MARGIN, "nw-legend")
    top = legend_top + legend_height(items, width - 2 * MARGIN) + 16
    where = {
        node: with_name(Placed(p.x + MARGIN, p.y + top), labels[node]) for node, p in placed.items()
    }
    draw_edges(element(root, "g", class_="nw-edges"), graph, edges, where, nodes)
    group = element(root, "g", class_="nw-nodes")
    counts = {node: 0 for node in nodes}
    for edge in edges:
        counts[edge.source] += 1
        counts[edge.target] += 1
    for node in sorted(nodes, key=str):
        draw_node(group, nodes[node], where[node], labels[node], counts[node])
    return finish(root, width, top + used_height + MARGIN)


def network_defs(defs: ET.Element) -> None:
    """The arrowheads of the kinds of contact that have a direction."""
    for style in EDGE_STYLES.values():
        if style.arrow:
            marker = element(
                defs,
                "marker",
                id=f"nw-arrow-{style.name}",
                viewBox="0 0 10 10",
                refX="8",
                refY="5",
                markerWidth="9",
                markerHeight="9",
                markerUnits="userSpaceOnUse",
                orient="auto",
            )
            element(marker, "path", d="M0 0L10 5L0 10Z", fill=style.colour)


def with_name(centre: Placed, lines: list[str]) -> Placed:
    """A node's place with the extent of its name (the lines drawn below its symbol)."""
    return Placed(
        centre.x,
        centre.y,
        max(text_width(line, TEXT_SIZE) for line in lines) / 2 + 3,
        NODE_RADIUS + 8 + 12 + (len(lines) - 1) * LINE_HEIGHT + 5,
    )


def draw_edges(
    parent: ET.Element,
    graph: Graph,
    edges: list[Contact],
    where: dict[URIRef, Placed],
    nodes: dict[URIRef, Actor],
) -> None:
    """The contacts, those between the same two actors bent apart."""
    between: dict[tuple[URIRef, URIRef], list[Contact]] = defaultdict(list)
    for edge in edges:
        ends = sorted((edge.source, edge.target), key=str)
        between[(ends[0], ends[1])].append(edge)
    for (first, _), bundle in sorted(
        between.items(), key=lambda item: (str(item[0][0]), str(item[0][1]))
    ):
        for number, edge in enumerate(bundle):
            bend = (number - (len(bundle) - 1) / 2) * 14
            if edge.source != first:
                bend = -bend  # the same side, whichever way the edge runs
            style = EDGE_STYLES[edge.kind]
            link = row_link(parent, edge.events[0])
            group = element(
                link,
                "g",
                class_=f"nw-edge nw-{edge.kind}",
                data_kind=edge.kind,
                data_from=str(edge.source),
                data_to=str(edge.target),
                data_events=" ".join(str(event) for event in edge.events),
            )
            names = [label_of(graph, event) for event in edge.events]
            shown = "; ".join(names[:8]) + (
                f"; and {len(names) - 8} more" if len(names) > 8 else ""
            )
            add_title(
                group,
                f"{nodes[edge.source].label} → {nodes[edge.target].label}: "
                f"{style.legend} ({shown})",
            )
            path = edge_path(where[edge.source], where[edge.target], bend, style.arrow)
            element(group, "path", d=path, **line_look(style))
            element(
                group,
                "path",
                d=path,
                fill="none",
                stroke="#ffffff",
                stroke_opacity="0",
                stroke_width="10",
            )


def draw_node(parent: ET.Element, actor: Actor, at: Placed, lines: list[str], count: int) -> None:
    """An actor: its symbol and name, linked to its page."""
    link = row_link(parent, actor.iri)
    group = element(
        link,
        "g",
        class_=f"nw-node nw-{actor.kind}",
        data_iri=str(actor.iri),
        data_kind=actor.kind,
        data_label=actor.label,
    )
    add_title(group, f"{actor.label} ({NODE_KINDS[actor.kind]}; {count} contacts)")
    draw_node_shape(group, actor.kind, at.x, at.y)
    for index, line in enumerate(lines):
        add_text(
            group,
            at.x,
            at.y + NODE_RADIUS + 8 + 12 + index * LINE_HEIGHT,
            line,
            TEXT_SIZE,
            "middle",
            "nw-label",
        )
