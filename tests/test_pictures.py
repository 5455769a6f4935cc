"""The index page's two pictures: the timeline of dated events and the network of actors.

Expected answers come from the article (DW, 2023-05-30) as data/dw-2023-05-30.ttl records it:
Qin Gang met Burns "in early May" (1-10 May 2023), the Shangri-La Dialogue is "this weekend
(June 2-4)", Li Shangfu was sanctioned "in 2018", Sullivan met Wang Yi (held), China rejected
the U.S. request for an Austin-Li meeting (rejected). Legibility is checked on this graph and on
one ten times its size (every thing copied nine times under new IRIs).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from detente.kg import DET, ID, Sources
from detente.publish.layout import thing_of
from detente.publish.pictures import network, timeline

SVG = "{http://www.w3.org/2000/svg}"
MIN_FONT = 11
CHAR_WIDTH = 0.6  # estimated width of a character, in font sizes


def iri(kind: str, slug: str) -> str:
    """The IRI of id/<kind>/<slug>, as text."""
    return f"{ID}{kind}/{slug}"


def tenfold(sources: Sources) -> Graph:
    """The ontology and ten copies of the data: the original and copies k = 1..9 in which every
    id/<type>/<slug> IRI is renamed id/<type>/<slug>-c<k>."""
    graph = Graph(bind_namespaces="none")
    graph += sources.ontology

    def renamed(term: object, k: int) -> object:
        """The term of copy k."""
        if k and isinstance(term, URIRef) and thing_of(term) is not None:
            return URIRef(f"{term}-c{k}")
        return term

    for k in range(10):
        for s, p, o in sources.data:
            graph.add((renamed(s, k), p, renamed(o, k)))  # type: ignore[arg-type]
    return graph


@dataclass(frozen=True)
class Pictures:
    """The two pictures of one graph, as text and parsed."""

    timeline: str
    network: str

    @property
    def timeline_root(self) -> ET.Element:
        """The parsed timeline."""
        return ET.fromstring(self.timeline)

    @property
    def network_root(self) -> ET.Element:
        """The parsed network."""
        return ET.fromstring(self.network)


@pytest.fixture(scope="module")
def real_graph(sources: Sources) -> Graph:
    """Ontology and data of the project."""
    return sources.merged()


@pytest.fixture(scope="module")
def real(real_graph: Graph) -> Pictures:
    """The project's pictures."""
    return Pictures(timeline(real_graph), network(real_graph))


@pytest.fixture(scope="module")
def big_graph(sources: Sources) -> Graph:
    """A graph ten times the project's."""
    return tenfold(sources)


@pytest.fixture(scope="module")
def big(big_graph: Graph) -> Pictures:
    """The pictures of the graph ten times the size."""
    return Pictures(timeline(big_graph), network(big_graph))


# ------------------------------------------------------------------ helpers


def number(element: ET.Element, name: str) -> float:
    """A numeric attribute."""
    value = element.get(name)
    assert value is not None, f"<{element.tag}> has no {name}"
    return float(value)


def rows(root: ET.Element) -> dict[str, ET.Element]:
    """The timeline's rows by the IRI of their thing."""
    found = {
        g.get("data-iri", ""): g
        for g in root.iter(f"{SVG}g")
        if "tl-row" in g.get("class", "").split()
    }
    return found


def window(row: ET.Element) -> ET.Element:
    """The bar of a row (earliest to latest)."""
    bars = [r for r in row.iter(f"{SVG}rect") if "tl-window" in r.get("class", "").split()]
    assert len(bars) == 1
    return bars[0]


def tick_x(root: ET.Element, day: str) -> float:
    """Where the axis puts the start of a day that has a tick (a month's first day)."""
    ticks = [line for line in root.iter(f"{SVG}line") if line.get("data-date") == day]
    assert ticks, f"no tick for {day}"
    return number(ticks[0], "x1")


def days_wide(root: ET.Element, row: ET.Element, month_from: str, month_to: str) -> float:
    """How many days a row's bar spans, at the scale of the axis between two ticks."""
    days = (date.fromisoformat(month_to) - date.fromisoformat(month_from)).days
    per_day = (tick_x(root, month_to) - tick_x(root, month_from)) / days
    return number(window(row), "width") / per_day


def text_boxes(root: ET.Element) -> list[tuple[float, float, float, float, str]]:
    """Every text's estimated box (left, top, right, bottom) and words."""
    boxes = []
    for text in root.iter(f"{SVG}text"):
        words = "".join(text.itertext())
        size = number(text, "font-size")
        width = CHAR_WIDTH * size * len(words)
        x, y = number(text, "x"), number(text, "y")
        anchor = text.get("text-anchor", "start")
        left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
        boxes.append((left, y - size, left + width, y + 0.3 * size, words))
    return boxes


def assert_legible(svg: str) -> None:
    """Text at least 11 px, inside the canvas, no two texts overlapping."""
    root = ET.fromstring(svg)
    width, height = number(root, "width"), number(root, "height")
    style = "".join(root.find(f"{SVG}style").itertext())  # type: ignore[union-attr]
    assert "font-size" not in style  # sizes are the attributes checked here
    boxes = text_boxes(root)
    assert boxes
    for text in root.iter(f"{SVG}text"):
        assert number(text, "font-size") >= MIN_FONT, text.text
    for left, top, right, bottom, words in boxes:
        assert left >= 0 and right <= width and top >= 0 and bottom <= height, words
    boxes.sort(key=lambda box: box[1])
    for index, (left, _, right, bottom, words) in enumerate(boxes):
        for other in boxes[index + 1 :]:
            if other[1] >= bottom:
                break
            overlap = other[0] < right and left < other[2]
            assert not overlap, f"{words!r} overlaps {other[4]!r}"


def assert_standalone(svg: str) -> ET.Element:
    """A standalone SVG: the SVG namespace, a size and view box, a style sheet, no script, no
    reference outside itself but relative links to documents."""
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    width, height = root.get("width"), root.get("height")
    assert root.get("viewBox") == f"0 0 {width} {height}"
    assert root.find(f"{SVG}style") is not None
    assert not list(root.iter(f"{SVG}script")) and not list(root.iter(f"{SVG}foreignObject"))
    for element in root.iter():
        for name, value in element.attrib.items():
            if name.endswith("href"):
                assert re.fullmatch(r"doc/[a-z]+/[^/]+\.html", value), value
            assert "url(" not in value or re.fullmatch(r"url\(#[\w-]+\)", value), value
    return root


# ------------------------------------------------------------------ both pictures


def test_both_are_standalone_svg(real: Pictures, big: Pictures) -> None:
    """Each picture parses as XML in the SVG namespace and stands alone."""
    for svg in (real.timeline, real.network, big.timeline, big.network):
        assert_standalone(svg)


@pytest.mark.parametrize("which", ["timeline", "network"])
def test_legible(real: Pictures, big: Pictures, which: str) -> None:
    """No label overlaps another or is cut off, none is under 11 px: here and at ten times."""
    assert_legible(getattr(real, which))
    assert_legible(getattr(big, which))


def test_canvas_grows_with_content(real: Pictures, big: Pictures) -> None:
    """Ten times the things: a taller timeline and a larger network, the same text sizes."""
    assert number(big.timeline_root, "height") > 5 * number(real.timeline_root, "height")
    real_area = number(real.network_root, "width") * number(real.network_root, "height")
    big_area = number(big.network_root, "width") * number(big.network_root, "height")
    assert big_area > 4 * real_area


def test_deterministic(real_graph: Graph, real: Pictures) -> None:
    """The same graph gives the same bytes, whatever order its triples were added in."""
    assert timeline(real_graph) == real.timeline
    assert network(real_graph) == real.network
    shuffled = Graph(bind_namespaces="none")
    for triple in sorted(real_graph, key=str, reverse=True):
        shuffled.add(triple)
    assert timeline(shuffled) == real.timeline
    assert network(shuffled) == real.network


def test_awkward_text_is_escaped(sources: Sources) -> None:
    """Names with quotes, ampersands, angle brackets, curly quotes and control characters come
    out as the same words in valid XML; an event with only a start gets an open end."""
    graph = Graph(bind_namespaces="none")
    graph += sources.ontology
    meeting, status = URIRef(iri("meeting", "odd")), URIRef(iri("status", "odd"))
    one, other = URIRef(iri("person", "one")), URIRef(iri("person", "other"))
    name = 'Talks "A" & <B> \u2014 \u2018C\u2019 \x01end'
    graph.add((meeting, RDF.type, DET.Meeting))
    graph.add((meeting, RDFS.label, Literal(name)))
    graph.add((meeting, DET.earliest, Literal("2023-03-05", datatype=XSD.date)))
    graph.add((meeting, DET.dateText, Literal("since 5 March & on")))
    graph.add((meeting, DET.participant, one))
    graph.add((meeting, DET.participant, other))
    graph.add((status, DET.statusOf, meeting))
    graph.add((status, DET.status, DET.held))
    graph.add((status, DET.asOf, Literal("2023-03-06", datatype=XSD.date)))
    for person, label in ((one, "O'Brien & <Co>"), (other, "“Quoted”")):
        graph.add((person, RDF.type, DET.Person))
        graph.add((person, RDFS.label, Literal(label)))
    pictured = assert_standalone(timeline(graph))
    row = rows(pictured)[str(meeting)]
    assert 'Talks "A" & <B> \u2014 \u2018C\u2019 end' in "".join(row.itertext())
    assert "since 5 March & on" in "".join(row.itertext())
    assert row.get("data-earliest") == "2023-03-05" and row.get("data-latest") is None
    classes = [r.get("class", "") for r in row.iter(f"{SVG}rect")]
    assert "tl-open tl-open-right" in classes and "tl-open tl-open-left" not in classes
    drawn = assert_standalone(network(graph))
    labels = {"".join(t.itertext()) for t in drawn.iter(f"{SVG}text")}
    assert {"O'Brien & <Co>", "“Quoted”"} <= labels


def test_empty_graph(sources: Sources) -> None:
    """A graph with nothing dated and no contacts still gives two valid pictures."""
    for svg in (timeline(sources.ontology), network(sources.ontology)):
        assert_standalone(svg)
        assert_legible(svg)


# ------------------------------------------------------------------ the timeline


def test_timeline_has_a_row_for_each_dated_thing(real: Pictures, real_graph: Graph) -> None:
    """One row for every thing with det:earliest or det:latest, each linked to its document."""
    dated = {str(s) for s in real_graph.subjects(DET.earliest)} | {
        str(s) for s in real_graph.subjects(DET.latest)
    }
    found = rows(real.timeline_root)
    assert set(found) == dated
    assert iri("meeting", "2023-qin-gang-burns-beijing") in found
    assert iri("sanction", "2018-us-li-shangfu") in found
    links = {
        a.get("href"): a
        for a in real.timeline_root.iter(f"{SVG}a")
        if a.find(f"{SVG}g") is not None
    }
    assert "doc/meeting/2023-qin-gang-burns-beijing.html" in links
    assert len(links) == len(dated)


def test_timeline_rows_carry_names_date_words_and_bounds(real: Pictures) -> None:
    """A row shows the name and the report's words; its tooltip and attributes give bounds."""
    row = rows(real.timeline_root)[iri("meeting", "2023-qin-gang-burns-beijing")]
    words = [t.text for t in row.iter(f"{SVG}text")]
    assert "in early May" in words
    assert any(word and "Qin Gang" in word for word in words)
    assert row.get("data-earliest") == "2023-05-01" and row.get("data-latest") == "2023-05-10"
    title = row.find(f"{SVG}title")
    assert title is not None and "Meeting of Qin Gang and Nicholas Burns in Beijing" in title.text
    assert "2023-05-01" in (title.text or "") and "2023-05-10" in (title.text or "")


def test_bars_run_from_earliest_to_latest(real: Pictures) -> None:
    """A vague date is wide, an exact one narrow: early May is 10 days, 2-4 June 3 days, 2018
    a year, each starting at its first day on the axis."""
    root = real.timeline_root
    found = rows(root)
    qin_burns = found[iri("meeting", "2023-qin-gang-burns-beijing")]
    assert days_wide(root, qin_burns, "2023-05-01", "2023-06-01") == pytest.approx(10, abs=0.3)
    assert number(window(qin_burns), "x") == pytest.approx(tick_x(root, "2023-05-01"), abs=0.2)
    dialogue = found[iri("conference", "2023-shangri-la-dialogue")]
    assert days_wide(root, dialogue, "2023-05-01", "2023-06-01") == pytest.approx(3, abs=0.3)
    per_day = (tick_x(root, "2023-06-01") - tick_x(root, "2023-05-01")) / 31
    start = tick_x(root, "2023-06-01") + per_day  # 2 June
    assert number(window(dialogue), "x") == pytest.approx(start, abs=0.2)
    sanction = found[iri("sanction", "2018-us-li-shangfu")]
    assert days_wide(root, sanction, "2018-01-01", "2019-01-01") == pytest.approx(365, abs=1)
    # The year of 2018 is drawn wider than the ten days of early May (one axis, in order).
    assert number(window(sanction), "width") > number(window(qin_burns), "width")
    assert number(window(sanction), "x") < number(window(qin_burns), "x")


def test_exact_days_stay_visible(real: Pictures) -> None:
    """A one-day thing (WSJ's report of 29 May) is drawn at least 6 px wide."""
    row = rows(real.timeline_root)[iri("report", "wsj-2023-05-29")]
    assert number(window(row), "width") >= 6


def test_statuses_drawn_differently(real: Pictures) -> None:
    """Held, refused and requested bars differ in colour and in pattern or dashes."""
    found = rows(real.timeline_root)
    held = found[iri("meeting", "2023-sullivan-wang-yi-vienna")]
    refused = found[iri("meeting", "2023-austin-li-shangri-la")]
    rejection = found[iri("rejection", "2023-china-austin-li-shangri-la")]
    requested = found[iri("request", "2023-austin-talks-chinese-counterparts")]
    assert (held.get("data-style"), held.get("data-status")) == ("held", "held")
    assert (refused.get("data-style"), refused.get("data-status")) == ("refused", "rejected")
    assert rejection.get("data-style") == "refused"  # a rejection is a refusal
    assert requested.get("data-style") == "requested"  # a request is requested
    looks = {
        name: (
            window(row).get("fill"),
            window(row).get("stroke"),
            window(row).get("stroke-dasharray"),
        )
        for name, row in (("held", held), ("refused", refused), ("requested", requested))
    }
    assert len({fill for fill, _, _ in looks.values()}) == 3
    assert len({stroke for _, stroke, _ in looks.values()}) == 3
    assert len({dash for _, _, dash in looks.values()}) == 3  # tells them apart in greyscale
    assert looks["refused"] == (
        window(rejection).get("fill"),
        window(rejection).get("stroke"),
        window(rejection).get("stroke-dasharray"),
    )


def test_open_ends_are_drawn_open(real: Pictures) -> None:
    """No bound is invented: a request known only to be made by 10 May fades out to the left;
    the refusals "since February" (no latest) fade out to the right, certain from the end of
    February to the report's day."""
    root = real.timeline_root
    found = rows(root)
    per_day = (tick_x(root, "2023-06-01") - tick_x(root, "2023-05-01")) / 31
    request = found[iri("request", "2023-us-austin-li-shangri-la")]
    assert request.get("data-earliest") is None and request.get("data-latest") == "2023-05-10"
    opens = [r.get("class") for r in request.iter(f"{SVG}rect")]
    assert "tl-open tl-open-left" in opens and "tl-open tl-open-right" not in opens
    assert "tl-window" not in opens  # no start is known: no bar, a mark at 10 May
    mark = [r for r in request.iter(f"{SVG}rect") if r.get("class") == "tl-bound"]
    end_of_may_10 = tick_x(root, "2023-05-01") + 10 * per_day
    assert number(mark[0], "x") + number(mark[0], "width") / 2 == pytest.approx(
        end_of_may_10, abs=0.2
    )
    refusal = found[iri("rejection", "2023-china-austin-talks")]
    assert refusal.get("data-latest") is None
    assert refusal.get("data-earliest-end") == "2023-05-30"
    opens = [r.get("class") for r in refusal.iter(f"{SVG}rect")]
    assert "tl-open tl-open-right" in opens and "tl-open tl-open-left" not in opens
    certain = [r for r in refusal.iter(f"{SVG}rect") if r.get("class") == "tl-certain"]
    assert len(certain) == 1
    assert number(certain[0], "x") == pytest.approx(
        tick_x(root, "2023-02-01") + 27 * per_day, abs=0.3
    )
    end = number(certain[0], "x") + number(certain[0], "width")
    assert end == pytest.approx(tick_x(root, "2023-05-01") + 30 * per_day, abs=0.3)
    closed = found[iri("meeting", "2023-qin-gang-burns-beijing")]
    assert not [r for r in closed.iter(f"{SVG}rect") if "tl-open" in r.get("class", "")]


def test_timeline_legend_and_axis(real: Pictures) -> None:
    """A legend names each style; the axis writes the years and months."""
    root = real.timeline_root
    texts = {"".join(t.itertext()) for t in root.iter(f"{SVG}text")}
    assert {"held", "refused / rejected", "requested / proposed"} <= texts
    assert {"2018", "2021", "2023", "May", "Jun"} <= texts


# ------------------------------------------------------------------ the network


def nodes(root: ET.Element) -> dict[str, ET.Element]:
    """The network's nodes by IRI."""
    return {
        g.get("data-iri", ""): g
        for g in root.iter(f"{SVG}g")
        if "nw-node" in g.get("class", "").split()
    }


def edges(root: ET.Element) -> list[ET.Element]:
    """The network's edges."""
    return [g for g in root.iter(f"{SVG}g") if "nw-edge" in g.get("class", "").split()]


def edge(root: ET.Element, kind: str, source: str, target: str) -> ET.Element:
    """The one edge of a kind from an actor to another."""
    found = [
        g
        for g in edges(root)
        if (g.get("data-kind"), g.get("data-from"), g.get("data-to")) == (kind, source, target)
    ]
    assert len(found) == 1, (kind, source, target)
    return found[0]


def line(group: ET.Element) -> ET.Element:
    """The visible line of an edge."""
    found = [p for p in group.iter(f"{SVG}path") if p.get("class") == "nw-line"]
    assert len(found) == 1
    return found[0]


def test_network_actors(real: Pictures) -> None:
    """Li Shangfu, Lloyd Austin, China and the United States are drawn, named, each linked to its
    document; every node has an edge (Zack Cooper, who only spoke, is not drawn)."""
    root = real.network_root
    found = nodes(root)
    expected = {
        iri("person", "li-shangfu"): ("Li Shangfu", "person"),
        iri("person", "lloyd-austin"): ("Lloyd Austin", "person"),
        iri("state", "china"): ("China", "state"),
        iri("state", "united-states"): ("United States", "state"),
    }
    for node, (label, kind) in expected.items():
        assert node in found
        assert found[node].get("data-kind") == kind
        assert label in {t.text for t in found[node].iter(f"{SVG}text")}
    links = {a.get("href") for a in root.iter(f"{SVG}a")}
    assert "doc/person/li-shangfu.html" in links and "doc/state/china.html" in links
    ends = {g.get("data-from") for g in edges(root)} | {g.get("data-to") for g in edges(root)}
    assert set(found) == ends
    assert iri("person", "zack-cooper") not in found


def test_refusal_edge_from_china_to_the_united_states(real: Pictures) -> None:
    """China rejected the U.S. request: a red dashed arrow from China to the United States,
    standing for the rejection, beside the U.S. request to China (an arrow the other way)."""
    root = real.network_root
    refusal = edge(root, "refused", iri("state", "china"), iri("state", "united-states"))
    assert (
        iri("rejection", "2023-china-austin-li-shangri-la")
        in (refusal.get("data-events") or "").split()
    )
    drawn = line(refusal)
    assert drawn.get("stroke-dasharray") and drawn.get("marker-end")
    request = line(edge(root, "requested", iri("state", "united-states"), iri("state", "china")))
    assert request.get("stroke") != drawn.get("stroke")
    assert request.get("stroke-dasharray") != drawn.get("stroke-dasharray")
    assert request.get("marker-end")
    sanction = edge(root, "sanction", iri("state", "united-states"), iri("person", "li-shangfu"))
    assert line(sanction).get("marker-end")


def test_held_meeting_edges(real: Pictures) -> None:
    """Jake Sullivan and Wang Yi met (held): a solid held-style edge between them."""
    root = real.network_root
    pair = sorted([iri("person", "jake-sullivan"), iri("person", "wang-yi")])
    held = edge(root, "held", pair[0], pair[1])
    assert iri("meeting", "2023-sullivan-wang-yi-vienna") in (held.get("data-events") or "")
    assert line(held).get("stroke-dasharray") is None and line(held).get("marker-end") is None
    kinds = {g.get("data-kind") for g in edges(root)}
    assert {"held", "requested", "refused", "sanction"} <= kinds
    # Austin and Li were to meet, but did not: never a held edge between them.
    austin_li = {iri("person", "lloyd-austin"), iri("person", "li-shangfu")}
    for group in edges(root):
        if {group.get("data-from"), group.get("data-to")} == austin_li:
            assert group.get("data-kind") != "held"


def test_network_legend(real: Pictures) -> None:
    """The legend names every kind of node and edge drawn."""
    root = real.network_root
    keys = {g.get("data-legend") for g in root.iter(f"{SVG}g")}
    drawn = {f"edge-{g.get('data-kind')}" for g in edges(root)}
    drawn |= {f"node-{g.get('data-kind')}" for g in nodes(root).values()}
    assert drawn <= keys


def test_tenfold_network_has_every_copy(big: Pictures, real: Pictures) -> None:
    """Ten times the graph: ten times the nodes and edges, each still drawn."""
    assert len(nodes(big.network_root)) == 10 * len(nodes(real.network_root))
    assert len(edges(big.network_root)) == 10 * len(edges(real.network_root))
    assert len(rows(big.timeline_root)) == 10 * len(rows(real.timeline_root))


def test_rows_in_order_of_time(real: Pictures) -> None:
    """Rows run down in the order of their first day: the 2018 sanction first, the Shangri-La
    Dialogue of 2-4 June after every May event."""
    order = []
    for row in rows(real.timeline_root).values():
        band = next(r for r in row.iter(f"{SVG}rect") if r.get("class") == "tl-band")
        first = row.get("data-earliest") or row.get("data-latest") or ""
        order.append((number(band, "y"), first, row.get("data-iri")))
    order.sort()
    assert [first for _, first, _ in order] == sorted(first for _, first, _ in order)
    assert order[0][2] == iri("sanction", "2018-us-li-shangfu")
    dialogue = [n for n, (_, _, node) in enumerate(order) if node.endswith("shangri-la-dialogue")]
    may = [n for n, (_, first, _) in enumerate(order) if first.startswith("2023-05")]
    assert dialogue and may and dialogue[0] > max(may)
