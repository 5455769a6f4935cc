"""The facts of the data, checked against the article (Deutsche Welle, 2023-05-30).

Every expected value below was written by reading the article
(../shared/source/000_f14e525a7fdb3016.txt) and the model's specification (docs/model-v2.md),
not by copying the data. Nodes are found by meaning (labels, types, relations), not by IRI,
except where the specification fixes an IRI. A test that fails means the data does not say
what the article says, or does not say it the way the model asks.

The data is read as the project reads it: `load_sources(project).data` is the union of the
data graphs (one per source file, plus background); each file is also read alone where the
test is about which graph says a thing.

Three tests read the article itself. On a clone without ../shared they are skipped, saying
why; under DETENTE_REQUIRE_ALL=1 (as in CI) a skip is a failure (tests/conftest.py).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from detente.kg import DET, ID, Project, Sources
from detente.reason import close

PREFIXES = """
PREFIX det: <https://w3id.org/detente/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""

REPORT_FILE = "dw-2023-05-30.ttl"
BACKGROUND_FILE = "background.ttl"
REPORT_DATE = "2023-05-30"

ORG = Namespace(ID + "org/")
STATUS = Namespace(ID + "status/")
DW_REPORT = URIRef(ID + "report/dw-2023-05-30")


# --------------------------------------------------------------------------- helpers


def norm(text: object) -> str:
    """A name compared loosely: typographic quotes made plain, lower case, no leading 'the'."""
    value = re.sub("[\u2018\u2019`\u00b4]", "'", str(text))
    value = re.sub("[\u201c\u201d]", '"', value)
    value = re.sub(r"\s+", " ", value).strip().lower()
    return re.sub(r"^the ", "", value)


def names(g: Graph, node: object) -> set[str]:
    """Every name of a node (rdfs:label and skos:altLabel), normalised."""
    return {norm(o) for p in (RDFS.label, SKOS.altLabel) for o in g.objects(node, p)}


def all_names(g: Graph, node: object) -> set[str]:
    """Every name of a node, the canonical skos:prefLabel included, normalised."""
    return names(g, node) | {norm(o) for o in g.objects(node, SKOS.prefLabel)}


def is_named(g: Graph, node: object, name: str) -> bool:
    """Whether the node carries this name as its label or one of its alternative labels."""
    return norm(name) in names(g, node)


def select(g: Graph, query: str, **bindings: object) -> list[tuple]:
    """The rows of a SPARQL SELECT (prefixes det:, rdfs:, skos:, dcterms:, xsd: given)."""
    return [tuple(row) for row in g.query(PREFIXES + query, initBindings=bindings)]


def column(g: Graph, query: str, **bindings: object) -> set:
    """The distinct values of a one-column SELECT."""
    return {row[0] for row in select(g, query, **bindings)}


def the(found: set, what: str) -> object:
    """The single node found, or a failure saying how many there were."""
    assert len(found) == 1, f"expected exactly one {what}, found {sorted(map(str, found))}"
    return next(iter(found))


def named_nodes(g: Graph, name: str) -> set:
    """Nodes whose label or alternative label is this name."""
    return {
        s
        for p in (RDFS.label, SKOS.altLabel)
        for s, o in g.subject_objects(p)
        if norm(o) == norm(name)
    }


def of_type(g: Graph, cls: URIRef) -> set:
    """Instances of a det: class or of any of its subclasses."""
    return column(g, "SELECT DISTINCT ?x WHERE { ?x rdf:type/rdfs:subClassOf* ?c }", c=cls)


def one_date(g: Graph, node: object, prop: URIRef) -> str | None:
    """The one xsd:date value of a date property, as text, or None."""
    values = list(g.objects(node, prop))
    assert len(values) <= 1, f"{node} has {len(values)} values of {prop}"
    if not values:
        return None
    assert isinstance(values[0], Literal) and values[0].datatype == XSD.date, values[0]
    return str(values[0])


def local(term: object) -> str | None:
    """The local name of a det: term, or None."""
    return str(term).rsplit("#", 1)[-1] if term is not None else None


def dating(g: Graph, node: object) -> tuple[str | None, str | None, str | None]:
    """(earliest, latest, precision local name) of a node: its outer bounds."""
    earliest, latest = one_date(g, node, DET.earliest), one_date(g, node, DET.latest)
    return earliest, latest, local(g.value(node, DET.datePrecision))


def inner(g: Graph, node: object) -> tuple[str | None, str | None]:
    """(latestStart, earliestEnd) of a node: its inner bounds, given when it lasted."""
    return one_date(g, node, DET.latestStart), one_date(g, node, DET.earliestEnd)


def implied_by(g: Graph, node: object) -> set:
    """The facts that imply a node's date bound."""
    return set(g.objects(node, DET.dateImpliedBy))


def held_meeting(g: Graph, one: str, other: str) -> URIRef:
    """The meeting in which the two named persons took part."""
    found = {
        m
        for (m,) in select(
            g,
            """SELECT DISTINCT ?m WHERE {
                ?m rdf:type/rdfs:subClassOf* det:Meeting ; det:participant ?a, ?b .
                FILTER (?a != ?b)
            }""",
        )
        if any(is_named(g, a, one) for a in g.objects(m, DET.participant))
        and any(is_named(g, b, other) for b in g.objects(m, DET.participant))
    }
    return the(found, f"meeting of {one} and {other}")


def participants(g: Graph, node: object, prop: URIRef = DET.participant) -> set[str]:
    """The labels of a node's participants (or proposed participants)."""
    return {norm(g.value(p, RDFS.label)) for p in g.objects(node, prop)}


def tenures(g: Graph, person: str) -> set:
    """The tenures whose holder is the named person."""
    rows = select(
        g,
        """SELECT DISTINCT ?t ?holder WHERE {
            ?t rdf:type/rdfs:subClassOf* det:Tenure ; det:holder ?holder .
        }""",
    )
    return {t for t, holder in rows if is_named(g, holder, person)}


def posts_of(g: Graph, person: str) -> set[str]:
    """Every name (label or alternative label) of every post the named person holds."""
    return {n for t in tenures(g, person) for n in names(g, g.value(t, DET.post))}


def post_named(g: Graph, name: str) -> URIRef:
    """The one post with this name."""
    return the({p for p in of_type(g, DET.Post) if is_named(g, p, name)}, f"post {name!r}")


def report_by(g: Graph, outlet: str) -> URIRef:
    """The one report published by the named outlet."""
    rows = select(
        g,
        """SELECT DISTINCT ?r ?o WHERE {
            ?r rdf:type/rdfs:subClassOf* det:Report ; det:publisher ?o .
        }""",
    )
    return the({r for r, o in rows if is_named(g, o, outlet)}, f"report published by {outlet}")


def speaker_statements(g: Graph, speaker: str) -> set:
    """Statements whose speaker is the named agent."""
    rows = select(
        g,
        """SELECT DISTINCT ?s ?who WHERE {
            ?s rdf:type/rdfs:subClassOf* det:Statement ; det:speaker ?who .
        }""",
    )
    return {s for s, who in rows if is_named(g, who, speaker)}


def statement_saying(g: Graph, words: str) -> URIRef:
    """The one statement whose content contains these words."""
    rows = select(
        g,
        "SELECT ?s ?c WHERE { ?s rdf:type/rdfs:subClassOf* det:Statement ; det:content ?c }",
    )
    return the({s for s, c in rows if norm(words) in norm(c)}, f"statement saying {words!r}")


def austin_li_meeting(g: Graph) -> URIRef:
    """The meeting proposed between Lloyd Austin and Li Shangfu at the Shangri-La Dialogue."""
    found = {
        m
        for (m,) in select(
            g,
            """SELECT DISTINCT ?m WHERE {
                ?m rdf:type/rdfs:subClassOf* det:Meeting ; det:atConference ?c .
            }""",
        )
        if participants(g, m, DET.proposedParticipant) >= {"lloyd austin", "li shangfu"}
    }
    return the(found, "Austin-Li meeting at a conference")


def requests_for(g: Graph, meeting: object) -> set:
    """The requests that asked for a meeting."""
    return column(g, "SELECT DISTINCT ?r WHERE { ?r det:requestedMeeting ?m }", m=meeting)


def rejections_of(g: Graph, request: object) -> set:
    """The rejections of a request."""
    return column(g, "SELECT DISTINCT ?x WHERE { ?x det:rejectedRequest ?r }", r=request)


def austin_li_request(g: Graph) -> URIRef:
    """The U.S. request for the Austin-Li meeting."""
    return the(requests_for(g, austin_li_meeting(g)), "request for the Austin-Li meeting")


def austin_li_rejection(g: Graph) -> URIRef:
    """China's rejection of the U.S. request for the Austin-Li meeting."""
    return the(rejections_of(g, austin_li_request(g)), "rejection of the Austin-Li request")


def counterpart_request(g: Graph, person: str) -> URIRef:
    """The named person's request to speak with Chinese counterparts."""
    rows = select(
        g,
        """SELECT DISTINCT ?r ?who WHERE {
            ?r rdf:type/rdfs:subClassOf* det:MeetingRequest ; det:requester ?who ;
               det:addressee ?to .
            ?to rdfs:label ?tl . FILTER (CONTAINS(LCASE(STR(?tl)), "counterpart"))
        }""",
    )
    return the({r for r, who in rows if is_named(g, who, person)}, f"{person}'s request")


def shangri_la_conference(g: Graph) -> URIRef:
    """The 2023 edition of the Shangri-La Dialogue."""
    found = {
        c
        for c in of_type(g, DET.Conference)
        if "shangri-la dialogue" in " ".join(names(g, c))
        or any("shangri-la dialogue" in " ".join(names(g, f)) for f in g.objects(c, DET.editionOf))
    }
    return the(found, "Shangri-La Dialogue conference")


def blinken_visit(g: Graph) -> URIRef:
    """Anthony Blinken's visit to China."""
    rows = select(
        g,
        """SELECT DISTINCT ?v ?who WHERE {
            ?v rdf:type/rdfs:subClassOf* det:Visit ; det:visitor ?who .
        }""",
    )
    return the({v for v, who in rows if is_named(g, who, "Anthony Blinken")}, "Blinken visit")


def ratner_statement(g: Graph) -> URIRef:
    """What Ely Ratner said at CSIS."""
    return the(
        {
            s
            for s in speaker_statements(g, "Ely Ratner")
            if "encountered a lot of difficulties" in norm(g.value(s, DET.content))
        },
        "Ratner's statement",
    )


def ratner_proposal(g: Graph) -> URIRef:
    """The U.S. proposal Ratner spoke of (calls, meetings or dialogues with China)."""
    proposals = {
        r
        for r in g.objects(ratner_statement(g), DET.about)
        if is_named(g, g.value(r, DET.requester), "United States")
    }
    return the(proposals, "U.S. proposal Ratner spoke of")


def status_assertions(g: Graph, event: object) -> list[tuple]:
    """(assertion, status, asOf) of every status assertion about an event."""
    return select(
        g,
        "SELECT ?a ?s ?d WHERE { ?a det:statusOf ?e ; det:status ?s ; det:asOf ?d }",
        e=event,
    )


def current_status(g: Graph, event: object) -> URIRef:
    """The status of the event's assertion with the latest det:asOf (spec §2)."""
    rows = status_assertions(g, event)
    assert rows, f"no status assertion about {event}"
    latest = max(d.toPython() for _, _, d in rows)
    return the({s for _, s, d in rows if d.toPython() == latest}, f"current status of {event}")


EVENTS = {
    "2023 Shangri-La Dialogue": shangri_la_conference,
    "Blinken's visit to China": blinken_visit,
    "Austin-Li meeting": austin_li_meeting,
    "Austin's talks with Chinese counterparts": lambda g: g.value(
        counterpart_request(g, "Lloyd Austin"), DET.requestedMeeting
    ),
    "Milley's talks with Chinese counterparts": lambda g: g.value(
        counterpart_request(g, "Mark Milley"), DET.requestedMeeting
    ),
    "contacts Ratner spoke of": lambda g: g.value(ratner_proposal(g), DET.requestedMeeting),
    "Sullivan-Wang Yi": lambda g: held_meeting(g, "Jake Sullivan", "Wang Yi"),
    "Raimondo-Wang Wentao": lambda g: held_meeting(g, "Gina Raimondo", "Wang Wentao"),
    "Qin Gang-Burns": lambda g: held_meeting(g, "Qin Gang", "Nicholas Burns"),
}


@pytest.fixture(scope="module")
def g(sources: Sources) -> Graph:
    """Ontology + the union of the data graphs (as the project loads them), not closed."""
    graph = Graph(bind_namespaces="none")
    graph += sources.ontology
    graph += sources.data
    return graph


@pytest.fixture(scope="module")
def report_file(project: Project) -> Graph:
    """The report's own data file alone (the graph of report:dw-2023-05-30)."""
    return Graph().parse(project.root / "data" / REPORT_FILE, format="turtle")


@pytest.fixture(scope="module")
def background(project: Project) -> Graph:
    """background.ttl alone (graph:background)."""
    return Graph().parse(project.root / "data" / BACKGROUND_FILE, format="turtle")


# --------------------------------------------------------------------------- sanctions


def test_li_shangfu_sanctioned_by_the_united_states_in_2018(g: Graph) -> None:
    """'In 2018, he [Li Shangfu] was sanctioned by the United States ...'"""
    rows = select(
        g,
        """SELECT DISTINCT ?s ?t ?by WHERE {
            ?s rdf:type/rdfs:subClassOf* det:Sanction ; det:target ?t ; det:imposedBy ?by .
        }""",
    )
    sanction = the({s for s, t, _ in rows if is_named(g, t, "Li Shangfu")}, "sanction on Li")
    imposers = {by for s, _, by in rows if s == sanction}
    assert {norm(g.value(by, RDFS.label)) for by in imposers} == {"united states"}
    assert dating(g, sanction) == ("2018-01-01", "2018-12-31", "year")


def test_sanction_reason_is_helping_china_import_russian_weapons(g: Graph) -> None:
    """'... sanctioned by the United States for assisting China in importing Russian weapons.'"""
    rows = select(
        g,
        """SELECT ?t ?reason WHERE {
            ?s rdf:type/rdfs:subClassOf* det:Sanction ; det:target ?t ; det:reason ?reason .
        }""",
    )
    reasons = {norm(r) for t, r in rows if is_named(g, t, "Li Shangfu")}
    assert reasons == {"assisting china in importing russian weapons"}


def test_ft_reported_earlier_this_month(g: Graph) -> None:
    """'The British "Financial Times" reported earlier this month ...' (report of 2023-05-30)."""
    ft = report_by(g, "Financial Times")
    assert dating(g, ft) == ("2023-05-01", "2023-05-29", "month")
    assert norm(g.value(ft, DET.dateText)) == "earlier this month"


def test_biden_administration_has_no_intention_of_lifting_the_sanctions(g: Graph) -> None:
    """'... reported earlier this month that the Biden administration said it had no
    intention of lifting the sanctions.' -- said by the time the FT reported it (at the
    latest 2023-05-29), a bound the FT report implies; the article gives no date words."""
    ft = report_by(g, "Financial Times")
    statements = {
        s
        for s in speaker_statements(g, "Biden administration")
        if "no intention of lifting" in norm(g.value(s, DET.content))
    }
    statement = the(statements, "Biden administration statement on lifting")
    assert ft in set(g.objects(statement, DET.reportedIn))
    about = set(g.objects(statement, DET.about))
    assert any(
        any(is_named(g, t, "Li Shangfu") for t in g.objects(a, DET.target)) for a in about
    ), "the statement is not about the sanction on Li Shangfu"
    assert dating(g, statement) == (None, "2023-05-29", None)
    assert implied_by(g, statement) == {ft}
    assert g.value(statement, DET.dateText) is None


def test_us_believes_sanctions_do_not_prevent_a_meeting_in_a_third_country(g: Graph) -> None:
    """'The US believes that the sanctions will not prevent Austin and Li Shangfu from
    meeting in a third country, but some people believe that it is almost impossible for
    China to agree to the talks under this circumstance.'"""
    meeting = austin_li_meeting(g)
    us = [
        s
        for s in speaker_statements(g, "United States")
        if "will not prevent" in norm(g.value(s, DET.content))
    ]
    some = [
        s
        for s in speaker_statements(g, "some people")
        if "almost impossible" in norm(g.value(s, DET.content))
    ]
    assert len(us) == 1 and len(some) == 1
    for statement in (us[0], some[0]):
        about = set(g.objects(statement, DET.about))
        assert meeting in about
        assert any((a, RDF.type, DET.Sanction) in g for a in about)


# --------------------------------------------------------------------------- status assertions

# What the article says of each event's status on 2023-05-30, and words of the article that
# say it (each status assertion's det:quote must contain them).
STATUSES = {
    "2023 Shangri-La Dialogue": (DET.scheduled, "will be held in Singapore this weekend"),
    "Blinken's visit to China": (DET.cancelledOrPostponed, "forced to be cancelled. or postponed"),
    "Austin-Li meeting": (DET.rejected, "China rejected the US request for a meeting"),
    "Austin's talks with Chinese counterparts": (DET.rejected, "rejected by the Chinese side"),
    "Milley's talks with Chinese counterparts": (DET.rejected, "rejected by the Chinese side"),
    "contacts Ratner spoke of": (DET.proposed, "the U.S. had proposed"),
    "Sullivan-Wang Yi": (DET.held, "Jake Sullivan meets with Wang Yi"),
    "Raimondo-Wang Wentao": (DET.held, "met with Chinese Commerce Minister Wang Wentao"),
    "Qin Gang-Burns": (DET.held, "Qin Gang met with US Ambassador to Beijing Burns"),
}


@pytest.mark.parametrize("event_name", sorted(STATUSES))
def test_status_assertion_as_of_the_report(g: Graph, report_file: Graph, event_name: str) -> None:
    """Each event's status is one det:StatusAssertion of the DW report, as of its date
    (30.05.2023), with the article's words; IRI status:<event-slug>-dw-2023-05-30 (spec §2)."""
    status, words = STATUSES[event_name]
    event = EVENTS[event_name](g)
    rows = status_assertions(g, event)
    assert len(rows) == 1, rows
    assertion, found_status, as_of = rows[0]
    assert found_status == status
    assert as_of == Literal(REPORT_DATE, datatype=XSD.date)
    assert (assertion, RDF.type, DET.StatusAssertion) in report_file
    assert set(report_file.objects(assertion, DET.source)) == {DW_REPORT}
    assert report_file.value(assertion, RDFS.label) is not None
    quotes = [norm(q) for q in report_file.objects(assertion, DET.quote)]
    assert any(norm(words) in q for q in quotes), quotes
    slug = str(event).rsplit("/", 1)[-1]
    assert assertion == STATUS[f"{slug}-dw-2023-05-30"]
    assert current_status(g, event) == status


def test_only_these_events_have_a_status(g: Graph) -> None:
    """The article gives a status to these nine events only; no other is invented."""
    with_status = column(g, "SELECT DISTINCT ?e WHERE { ?a det:statusOf ?e }")
    assert with_status == {find(g) for find in EVENTS.values()}


def test_no_event_carries_a_status_itself(g: Graph) -> None:
    """v2: det:status belongs to status assertions, never to the event."""
    carriers = set(g.subjects(DET.status, None))
    assert carriers
    assert [str(c) for c in carriers if (c, RDF.type, DET.StatusAssertion) not in g] == []


# --------------------------------------------------------------------------- held meetings


def test_sullivan_met_wang_yi_in_vienna_earlier_this_month(g: Graph) -> None:
    """'earlier this month, White House national security adviser Jake Sullivan meets with
    Wang Yi, director of the Foreign Affairs Office ..., in Vienna'"""
    meeting = held_meeting(g, "Jake Sullivan", "Wang Yi")
    assert participants(g, meeting) == {"jake sullivan", "wang yi"}
    assert names(g, g.value(meeting, DET.place)) >= {"vienna"}
    assert current_status(g, meeting) == DET.held
    assert dating(g, meeting) == ("2023-05-01", "2023-05-29", "month")


def test_raimondo_met_wang_wentao_in_washington_earlier_this_month(g: Graph) -> None:
    """'earlier this month, ...; U.S. Secretary of CommerceGina Raimondo also met with
    Chinese Commerce Minister Wang Wentao in Washington'"""
    meeting = held_meeting(g, "Gina Raimondo", "Wang Wentao")
    assert participants(g, meeting) == {"gina raimondo", "wang wentao"}
    assert names(g, g.value(meeting, DET.place)) >= {"washington"}
    assert current_status(g, meeting) == DET.held
    assert dating(g, meeting) == ("2023-05-01", "2023-05-29", "month")


def test_raimondo_wang_wentao_first_cabinet_level_meeting_in_washington(g: Graph) -> None:
    """'This is the first cabinet-level meeting between China and the United States in
    Washington during the Biden administration.' -- the meeting is cabinet-level (det:level);
    'the first ... during the Biden administration' stays DW's statement about it."""
    meeting = held_meeting(g, "Gina Raimondo", "Wang Wentao")
    assert set(g.objects(meeting, DET.level)) == {DET.cabinetLevel}
    rows = select(g, "SELECT ?s ?c WHERE { ?s det:about ?m ; det:content ?c }", m=meeting)
    firsts = {s for s, c in rows if "first cabinet-level meeting" in norm(c)}
    statement = the(firsts, "statement that it is the first cabinet-level meeting")
    assert is_named(g, g.value(statement, DET.speaker), "Deutsche Welle")


def test_only_the_raimondo_meeting_has_a_level(g: Graph) -> None:
    """The article calls only the Raimondo-Wang Wentao meeting 'cabinet-level'."""
    leveled = set(g.subjects(DET.level, None))
    assert leveled == {held_meeting(g, "Gina Raimondo", "Wang Wentao")}


def test_qin_gang_met_burns_in_beijing_in_early_may(g: Graph) -> None:
    """'Chinese Foreign Minister Qin Gang met with US Ambassador to Beijing Burns in Beijing
    in early May(Nicholas Burns), on the Taiwan issue, severely accused the United States of
    undermining the "hard-won positive momentum in US-China relations,"'"""
    meeting = held_meeting(g, "Qin Gang", "Nicholas Burns")
    assert participants(g, meeting) == {"qin gang", "nicholas burns"}
    assert names(g, g.value(meeting, DET.place)) >= {"beijing"}
    assert current_status(g, meeting) == DET.held
    assert dating(g, meeting) == ("2023-05-01", "2023-05-10", "tenDays")
    accusations = [
        s
        for s in speaker_statements(g, "Qin Gang")
        if "hard-won positive momentum" in norm(g.value(s, DET.content))
    ]
    assert len(accusations) == 1
    assert any(is_named(g, a, "United States") for a in g.objects(accusations[0], DET.about))
    assert "taiwan" in norm(g.value(accusations[0], DET.topic))


def test_exactly_three_meetings_were_held(g: Graph) -> None:
    """The only meetings the article says took place: Sullivan-Wang Yi (Vienna),
    Raimondo-Wang Wentao (Washington), Qin Gang-Burns (Beijing)."""
    meetings = of_type(g, DET.Meeting)
    held = {m for m in meetings if status_assertions(g, m) and current_status(g, m) == DET.held}
    expected = {
        held_meeting(g, "Jake Sullivan", "Wang Yi"),
        held_meeting(g, "Gina Raimondo", "Wang Wentao"),
        held_meeting(g, "Qin Gang", "Nicholas Burns"),
    }
    assert held == expected


# --------------------------------------------------------------------------- requested, refused


def test_austin_li_meeting_at_shangri_la_was_proposed_not_held(g: Graph) -> None:
    """'The United States is committed to promoting the meeting between the defense ministers
    of China and the United States, Li Shangfu and Lloyd Austin, in this forum.'"""
    meeting = austin_li_meeting(g)
    assert participants(g, meeting, DET.proposedParticipant) == {"lloyd austin", "li shangfu"}
    assert list(g.objects(meeting, DET.participant)) == []
    assert current_status(g, meeting) == DET.rejected
    conference = g.value(meeting, DET.atConference)
    assert "shangri-la dialogue" in norm(g.value(conference, RDFS.label))
    assert names(g, g.value(meeting, DET.place)) >= {"singapore"}


def test_austin_li_meeting_on_some_day_of_june_2_to_4(g: Graph) -> None:
    """'... will be held in Singapore this weekend (June 2-4)' -- the meeting would have been
    on one day of that weekend, not through it: outer bounds only, precision week
    (Friday 2 to Sunday 4 June 2023 lie in one ISO week)."""
    meeting = austin_li_meeting(g)
    assert dating(g, meeting) == ("2023-06-02", "2023-06-04", "week")
    assert inner(g, meeting) == (None, None)


def test_austin_li_meeting_requested_by_the_us_of_china(g: Graph) -> None:
    """'China rejected the United States' request to propose a meeting between the defense
    ministers of the two countries in Singapore'"""
    request = austin_li_request(g)
    assert is_named(g, g.value(request, DET.requester), "United States")
    assert is_named(g, g.value(request, DET.addressee), "China")


def test_austin_li_request_made_by_early_may_implied_by_its_rejection(g: Graph) -> None:
    """The article gives no date for the U.S. request; China 'formally rejected the U.S.
    invitation in early May', so it was made by 2023-05-10 at the latest (spec §4)."""
    request = austin_li_request(g)
    assert dating(g, request) == (None, "2023-05-10", None)
    assert inner(g, request) == (None, None)
    assert implied_by(g, request) == {austin_li_rejection(g)}
    assert g.value(request, DET.dateText) is None


def test_china_rejected_the_request_in_early_may_per_the_pentagon_via_the_wsj(
    g: Graph,
) -> None:
    """'In a statement to The Wall Street Journal, the Pentagon said China had formally
    rejected the U.S. invitation in early May'; 'The US "Wall Street Journal" reported on
    Monday (May 29) that China rejected the US request for a meeting'"""
    rejection = austin_li_rejection(g)
    assert is_named(g, g.value(rejection, DET.rejecter), "China")
    assert dating(g, rejection) == ("2023-05-01", "2023-05-10", "tenDays")
    assert any(is_named(g, a, "Pentagon") for a in g.objects(rejection, DET.attributedTo))
    reported = list(g.objects(rejection, DET.reportedIn))
    assert reported == [report_by(g, "Wall Street Journal")]


def test_pentagon_statement_to_the_wsj(g: Graph) -> None:
    """'In a statement to The Wall Street Journal, the Pentagon said China had formally
    rejected the U.S. invitation in early May, adding that the department believed open
    communications between the two militaries "can ensure that competition does not turn
    into conflict."'"""
    rejection = austin_li_rejection(g)
    statements = speaker_statements(g, "Pentagon")
    contents = " | ".join(norm(g.value(s, DET.content)) for s in statements)
    assert "formally rejected" in contents
    assert "competition does not turn into conflict" in contents
    for statement in statements:
        assert any(
            is_named(g, a, "Wall Street Journal") for a in g.objects(statement, DET.audience)
        )
    assert any(rejection in set(g.objects(s, DET.about)) for s in statements)


def test_us_defense_official_calls_the_refusal_an_unusually_blunt_signal(g: Graph) -> None:
    """'The U.S. defense official also said China's refusal was seen as an unusually blunt
    signal, given that such meetings have traditionally been facilitated hours in advance.'"""
    statement = statement_saying(g, "unusually blunt signal")
    speaker = g.value(statement, DET.speaker)
    assert "defense official" in " ".join(names(g, speaker))
    assert any(is_named(g, o, "United States") for o in g.objects(speaker, DET.affiliatedWith))


def wsj_relayed_undated_statements(g: Graph) -> set:
    """What the article relays from the WSJ of May 29 without date words: the Pentagon's two
    statements, the U.S. defense official's and Zack Cooper's."""
    return speaker_statements(g, "Pentagon") | {
        statement_saying(g, "unusually blunt signal"),
        the(speaker_statements(g, "Zack Cooper"), "Zack Cooper's statement"),
    }


def test_statements_relayed_from_the_wsj_made_by_may_29(g: Graph) -> None:
    """Statements the WSJ carried on Monday (May 29) and the article relays without a date
    were made by that day at the latest, a bound the WSJ report implies (spec §4)."""
    wsj = report_by(g, "Wall Street Journal")
    statements = wsj_relayed_undated_statements(g)
    assert len(statements) == 4
    for statement in statements:
        assert wsj in set(g.objects(statement, DET.reportedIn)), statement
        assert dating(g, statement) == (None, "2023-05-29", None), statement
        assert implied_by(g, statement) == {wsj}, statement
        assert g.value(statement, DET.dateText) is None, statement


def test_no_other_date_is_implied(g: Graph) -> None:
    """Implied bounds only where the spec names them: the Austin-Li request (its rejection),
    the undated statements relayed from the WSJ (its report), the Biden administration's
    statement relayed from the FT (its report)."""
    biden = the(speaker_statements(g, "Biden administration"), "Biden administration statement")
    expected = wsj_relayed_undated_statements(g) | {austin_li_request(g), biden}
    assert set(g.subjects(DET.dateImpliedBy, None)) == expected


@pytest.mark.parametrize("person", ["Lloyd Austin", "Mark Milley"])
def test_requests_to_speak_with_chinese_counterparts_rejected_by_china(
    g: Graph, person: str
) -> None:
    """'Since February this year, ... Austin and Mark Milley, chairman of the US Joint Chiefs
    of Staff, repeatedly requested to speak with Chinese counterparts, but were rejected by
    the Chinese side'"""
    request = counterpart_request(g, person)
    rejection = the(rejections_of(g, request), f"rejection of {person}'s request")
    assert is_named(g, g.value(rejection, DET.rejecter), "the Chinese side")
    meeting = g.value(request, DET.requestedMeeting)
    assert current_status(g, meeting) == DET.rejected
    assert norm(person) in participants(g, meeting, DET.proposedParticipant)
    assert list(g.objects(meeting, DET.participant)) == []


@pytest.mark.parametrize("person", ["Lloyd Austin", "Mark Milley"])
def test_since_february_is_open_ended_from_february(g: Graph, person: str) -> None:
    """'Since February this year, ...': began some day in February 2023 and still went on at
    the report's date (2023-05-30); no end is known: earliest 02-01, latestStart 02-28,
    earliestEnd 05-30, no latest, precision month (EDTF 2023-02/..)."""
    request = counterpart_request(g, person)
    rejection = the(rejections_of(g, request), f"rejection of {person}'s request")
    for node in (request, rejection):
        assert dating(g, node) == ("2023-02-01", None, "month"), node
        assert inner(g, node) == ("2023-02-28", REPORT_DATE), node
        assert norm(g.value(node, DET.dateText)) == "since february this year"


def test_inner_bounds_only_where_the_words_say_it_lasted(g: Graph) -> None:
    """Inner bounds only for the conference ('will be held ... this weekend (June 2-4)',
    lasting three days) and the four 'Since February this year' nodes."""
    lasted = set(g.subjects(DET.latestStart, None)) | set(g.subjects(DET.earliestEnd, None))
    since_february = set()
    for person in ("Lloyd Austin", "Mark Milley"):
        request = counterpart_request(g, person)
        since_february |= {request, *rejections_of(g, request)}
    assert len(since_february) == 4
    assert lasted == {shangri_la_conference(g)} | since_february


def test_no_meeting_that_did_not_happen_has_a_participant(g: Graph) -> None:
    """Only an event whose current status is held has det:participant (the Austin-Li
    meeting, the talks Austin and Milley asked for, the calls Ratner spoke of and Blinken's
    visit did not happen); a held meeting has participants."""
    with_status = column(g, "SELECT DISTINCT ?e WHERE { ?a det:statusOf ?e }")
    bad = [
        str(e)
        for e in with_status
        if current_status(g, e) != DET.held and list(g.objects(e, DET.participant))
    ]
    assert bad == []
    meetings_with_participants = column(
        g,
        """SELECT DISTINCT ?m WHERE {
            ?m rdf:type/rdfs:subClassOf* det:Meeting ; det:participant ?p .
        }""",
    )
    assert meetings_with_participants <= with_status
    for meeting in with_status & of_type(g, DET.Meeting):
        if current_status(g, meeting) == DET.held:
            assert len(set(g.objects(meeting, DET.participant))) >= 2, meeting


def test_ratner_said_us_proposals_of_military_contacts_met_difficulties(g: Graph) -> None:
    """'Ely Ratner said at an event last week at the Center for Strategic and International
    Studies (CSIS), a Washington think tank, that the U.S. had proposed that the U.S.
    Secretary of Defense or other military leaders could work with Calls, meetings or
    dialogues in China, but "encountered a lot of difficulties".' -- the event was held at
    CSIS (det:heldAt); the article does not say CSIS organised it."""
    proposal = ratner_proposal(g)
    assert is_named(g, g.value(proposal, DET.addressee), "China")
    occasion = g.value(ratner_statement(g), DET.occasion)
    assert occasion is not None
    held_at = list(g.objects(occasion, DET.heldAt))
    assert len(held_at) == 1
    assert is_named(g, held_at[0], "Center for Strategic and International Studies")
    assert list(g.objects(occasion, DET.organizer)) == []


def test_ratner_proposal_names_the_office_not_the_person(g: Graph) -> None:
    """'... the U.S. Secretary of Defense or other military leaders could work with Calls,
    meetings or dialogues in China' names an office: the proposed contacts have
    det:proposedOffice the post 'U.S. Secretary of Defense', not Lloyd Austin."""
    meeting = g.value(ratner_proposal(g), DET.requestedMeeting)
    offices = list(g.objects(meeting, DET.proposedOffice))
    assert offices == [post_named(g, "U.S. Secretary of Defense")]
    proposed = participants(g, meeting, DET.proposedParticipant)
    assert "lloyd austin" not in proposed and "austin" not in proposed
    assert "other military leaders" in proposed
    assert list(g.objects(meeting, DET.participant)) == []


def test_wsj_comment_requests_not_immediately_answered(g: Graph) -> None:
    """'Neither the Chinese embassy in Washington nor the White House immediately responded
    to The Journal's request for comment.'"""
    rows = select(
        g,
        """SELECT ?r ?who ?to ?answered WHERE {
            ?r det:requester ?who ; det:addressee ?to ; det:respondedImmediately ?answered .
        }""",
    )
    addressees = {
        norm(g.value(to, RDFS.label))
        for r, who, to, answered in rows
        if is_named(g, who, "Wall Street Journal") and answered.toPython() is False
    }
    assert addressees == {"chinese embassy in washington", "white house"}


# --------------------------------------------------------------------------- visit, conference


def test_blinken_visit_to_china_cancelled_or_postponed(g: Graph, closed: Graph) -> None:
    """'US Secretary of State Anthony Blinken's visit to China was also forced to be
    cancelled. or postponed.' -- the article does not know which, and the closure must not
    decide it either."""
    visit = blinken_visit(g)
    assert is_named(g, g.value(visit, DET.destination), "China")
    for graph in (g, closed):
        statuses = {s for _, s, _ in status_assertions(graph, visit)}
        assert statuses == {DET.cancelledOrPostponed}
        assert list(graph.objects(visit, DET.status)) == []
    assert list(g.objects(visit, DET.participant)) == []


def test_shangri_la_dialogue_2023_in_singapore_june_2_to_4(g: Graph) -> None:
    """'The annual "Shangri-La Dialogue" (The Shangri-La Dialogue) will be held in Singapore
    this weekend (June 2-4).' -- it lasts the three days: outer and inner bounds, precision
    day (EDTF 2023-06-02/2023-06-04)."""
    conference = shangri_la_conference(g)
    assert names(g, g.value(conference, DET.place)) >= {"singapore"}
    assert dating(g, conference) == ("2023-06-02", "2023-06-04", "day")
    assert inner(g, conference) == ("2023-06-02", "2023-06-04")
    assert austin_li_meeting(g) in column(
        g, "SELECT ?m WHERE { ?m det:atConference ?c }", c=conference
    )


def test_shangri_la_dialogue_is_annual(g: Graph) -> None:
    """'The annual "Shangri-La Dialogue"' -- the forum series recurs every year."""
    series = list(g.objects(shangri_la_conference(g), DET.editionOf))
    assert len(series) == 1
    assert set(g.objects(series[0], DET.recurrence)) == {DET.annual}


# --------------------------------------------------------------------------- causes


def test_dw_says_the_balloon_incident_led_to_the_refusals_and_the_visit_called_off(
    g: Graph, report_file: Graph
) -> None:
    """'Since February this year, the Sino-US relationsscouting balloon incidentAs tensions
    continued, Austin and Mark Milley ... repeatedly requested to speak with Chinese
    counterparts, but were rejected by the Chinese side; US Secretary of State Anthony
    Blinken's visit to China was also forced to be cancelled. or postponed.' -- DW's own
    causal claim: the balloon incident (and the tensions after it) led to both rejections and
    to the visit being called off."""
    claims = of_type(g, DET.CausalClaim)
    claim = the(claims, "causal claim")
    assert (claim, RDF.type, DET.CausalClaim) in report_file
    assert is_named(g, g.value(claim, DET.speaker), "Deutsche Welle")
    assert is_named(g, g.value(claim, DET.attributedTo), "Deutsche Welle")
    assert set(g.objects(claim, DET.source)) == {DW_REPORT}
    causes = list(g.objects(claim, DET.cause))
    assert len(causes) == 1
    assert "balloon" in " ".join(names(g, causes[0]))
    assert (causes[0], RDF.type, DET.Incident) in g
    expected = {blinken_visit(g)}
    for person in ("Lloyd Austin", "Mark Milley"):
        expected |= rejections_of(g, counterpart_request(g, person))
    assert set(g.objects(claim, DET.effect)) == expected
    quotes = " ".join(norm(q) for q in g.objects(claim, DET.quote))
    assert "scouting balloon incident" in quotes
    assert "rejected by the chinese side" in quotes
    assert "cancelled. or postponed" in quotes
    content = norm(g.value(claim, DET.content))
    assert "balloon" in content and "blinken" in content


# --------------------------------------------------------------------------- offices


def test_li_shangfu_headed_the_edd_before_becoming_defence_minister(g: Graph) -> None:
    """'Before serving as China's defense minister, Li Shangfu was the head of the Equipment
    Development Department of the Central Military Commission of the Communist Party of
    China.'"""
    rows = select(
        g,
        """SELECT ?earlier ?later ?h1 ?p1 ?h2 ?p2 WHERE {
            ?earlier det:precedes ?later .
            ?earlier det:holder ?h1 ; det:post ?p1 .
            ?later det:holder ?h2 ; det:post ?p2 .
        }""",
    )
    pairs = [
        (p1, p2)
        for _, _, h1, p1, h2, p2 in rows
        if is_named(g, h1, "Li Shangfu") and is_named(g, h2, "Li Shangfu")
    ]
    assert len(pairs) == 1
    earlier_post, later_post = pairs[0]
    assert "head of the equipment development department" in norm(g.value(earlier_post, RDFS.label))
    assert "defense minister" in norm(g.value(later_post, RDFS.label))
    states = {s for b in g.objects(later_post, DET.postIn) for s in g.objects(b, DET.ofState)}
    assert any(is_named(g, s, "China") for s in states)


POSTS = {
    "Lloyd Austin": "U.S. Defense Secretary",
    "Li Shangfu": "China's defense minister",
    "Gina Raimondo": "U.S. Secretary of Commerce",
    "Wang Wentao": "Chinese Commerce Minister",
    "Jake Sullivan": "White House national security adviser",
    "Wang Yi": (
        "director of the Foreign Affairs Office of the Communist Party of China Central Committee"
    ),
    "Qin Gang": "Chinese Foreign Minister",
    "Nicholas Burns": "US Ambassador to Beijing",
    "Ely Ratner": "U.S. Assistant Secretary of Defense for Indo-Pacific Security",
    "Mark Milley": "chairman of the US Joint Chiefs of Staff",
    "Anthony Blinken": "US Secretary of State",
    "Zack Cooper": "senior fellow at the American Enterprise Institute",
}


@pytest.mark.parametrize(("person", "post"), sorted(POSTS.items()))
def test_posts_named_in_the_articles_words(report_file: Graph, person: str, post: str) -> None:
    """Each title as the article gives it, in the report's own graph, e.g. 'U.S. Defense
    Secretary Austin spoke on Ukraine in April'; 'White House national security adviser Jake
    Sullivan'; 'Wang Yi, director of the Foreign Affairs Office of the Communist Party of
    China Central Committee'; 'Zack Cooper, a senior fellow at the American Enterprise
    Institute'."""
    assert norm(post) in posts_of(report_file, person)


def test_every_post_label_is_in_the_article(report_file: Graph, article_text: str) -> None:
    """The report's graph names posts in the article's words (typographic apostrophes
    aside)."""
    text = norm(article_text)
    posts = set(report_file.subjects(RDF.type, DET.Post))
    assert posts
    missing = [
        str(label)
        for post in posts
        for p in (RDFS.label, SKOS.altLabel)
        for label in report_file.objects(post, p)
        if norm(label) not in text
    ]
    assert missing == []


# post (as DW names it, or as background names the one post DW does not name) ->
# (role, a name of the body it is in, that body's state, the file that says post -> body).
OFFICES = {
    "U.S. Defense Secretary": ("defenceMinister", "the Pentagon", "United States", "report"),
    "U.S. Assistant Secretary of Defense for Indo-Pacific Security": (
        "deputyDefenceOfficial",
        "the Pentagon",
        "United States",
        "background",
    ),
    "China's defense minister": (
        "defenceMinister",
        "Ministry of National Defense of the People's Republic of China",
        "China",
        "background",
    ),
    "US Secretary of State": (
        "foreignMinister",
        "United States Department of State",
        "United States",
        "background",
    ),
    "Chinese Foreign Minister": (
        "foreignMinister",
        "Ministry of Foreign Affairs of the People's Republic of China",
        "China",
        "background",
    ),
    "U.S. Secretary of Commerce": (
        "commerceMinister",
        "United States Department of Commerce",
        "United States",
        "background",
    ),
    "Chinese Commerce Minister": (
        "commerceMinister",
        "Ministry of Commerce of the People's Republic of China",
        "China",
        "background",
    ),
    "White House national security adviser": (
        "nationalSecurityAdviser",
        "White House",
        "United States",
        "report",
    ),
    "US Ambassador to Beijing": (
        "ambassador",
        "United States Department of State",
        "United States",
        "background",
    ),
    "chairman of the US Joint Chiefs of Staff": (
        "militaryChief",
        "US Joint Chiefs of Staff",
        "United States",
        "report",
    ),
    "head of the Equipment Development Department of the Central Military Commission of the "
    "Communist Party of China": (
        "armamentsChief",
        "Equipment Development Department",
        "China",
        "report",
    ),
    "director of the Foreign Affairs Office of the Communist Party of China Central Committee": (
        "partyForeignAffairsChief",
        "Foreign Affairs Office",
        "China",
        "report",
    ),
    "senior fellow at the American Enterprise Institute": (
        "analyst",
        "American Enterprise Institute",
        "United States",
        "report",
    ),
    "President of the United States": ("headOfState", "White House", "United States", "background"),
}


@pytest.mark.parametrize("post_name", sorted(OFFICES))
def test_post_role_body_and_state(
    g: Graph, report_file: Graph, background: Graph, post_name: str
) -> None:
    """Spec §5: every post is in a body (never a state), the body is of a state, and the post
    has a role; roles are background knowledge, the post-body link is where the table says."""
    role, body_name, state_name, where = OFFICES[post_name]
    post = post_named(g, post_name)
    bodies = list(g.objects(post, DET.postIn))
    assert len(bodies) == 1, bodies
    body = bodies[0]
    assert norm(body_name) in all_names(g, body), all_names(g, body)
    assert (body, RDF.type, DET.State) not in g
    states = list(g.objects(body, DET.ofState))
    assert len(states) == 1 and is_named(g, states[0], state_name), states
    said_by = {"report": report_file, "background": background}[where]
    assert (post, DET.postIn, body) in said_by
    assert set(g.objects(post, DET.role)) == {DET[role]}
    assert (post, DET.role, DET[role]) in background
    assert list(report_file.objects(post, DET.role)) == []


def test_every_post_is_in_a_body_of_a_state(g: Graph) -> None:
    """No post is det:postIn a state; every body a post is in says det:ofState its state."""
    posts = of_type(g, DET.Post)
    assert len(posts) == len(OFFICES)
    for post in posts:
        bodies = list(g.objects(post, DET.postIn))
        assert bodies, post
        for body in bodies:
            assert (body, RDF.type, DET.State) not in g, (post, body)
            assert any((s, RDF.type, DET.State) in g for s in g.objects(body, DET.ofState)), body


def test_the_ambassador_is_accredited_to_china(g: Graph, background: Graph) -> None:
    """'US Ambassador to Beijing Burns' -- the post names the receiving state (background)."""
    post = post_named(g, "US Ambassador to Beijing")
    receiving = list(background.objects(post, DET.accreditedTo))
    assert len(receiving) == 1 and is_named(g, receiving[0], "China")
    assert set(g.subjects(DET.accreditedTo, None)) == {post}


def test_counterparts_are_same_role_in_different_states(g: Graph) -> None:
    """'the defense ministers of China and the United States, Li Shangfu and Lloyd Austin';
    Blinken (US Secretary of State) and Qin Gang (Chinese Foreign Minister); Raimondo (U.S.
    Secretary of Commerce) and Wang Wentao (Chinese Commerce Minister). No other pair of
    people holds posts with the same role in different states."""
    rows = select(
        g,
        """SELECT DISTINCT ?role ?a ?b WHERE {
            ?ta det:holder ?a ; det:post ?pa . ?pa det:role ?role ; det:postIn/det:ofState ?sa .
            ?tb det:holder ?b ; det:post ?pb . ?pb det:role ?role ; det:postIn/det:ofState ?sb .
            FILTER (?sa != ?sb)
        }""",
    )
    found = {
        (local(role), frozenset({norm(g.value(a, RDFS.label)), norm(g.value(b, RDFS.label))}))
        for role, a, b in rows
    }
    assert found == {
        ("defenceMinister", frozenset({"lloyd austin", "li shangfu"})),
        ("foreignMinister", frozenset({"anthony blinken", "qin gang"})),
        ("commerceMinister", frozenset({"gina raimondo", "wang wentao"})),
    }


def test_austin_tenure_attested_by_the_articles_words(g: Graph) -> None:
    """Austin holds the post where the article gives him the title: the caption 'U.S.
    Defense Secretary Austin spoke on Ukraine in April' and, at the report's date, 'the
    defense ministers of China and the United States, Li Shangfu and Lloyd Austin'. Ratner's
    proposal names only the office ('the U.S. Secretary of Defense'), so it attests nothing
    about Austin."""
    tenure = the(
        {
            t
            for t in tenures(g, "Lloyd Austin")
            if g.value(t, DET.post) == post_named(g, "U.S. Defense Secretary")
        },
        "Austin's tenure as defense secretary",
    )
    speeches = {
        e
        for e in of_type(g, DET.Speech)
        if is_named(g, g.value(e, DET.speaker), "Austin")
        and norm(g.value(e, DET.topic)) == "ukraine"
    }
    assert set(g.objects(tenure, DET.attestedBy)) == {report_by(g, "Deutsche Welle")} | speeches
    quotes = " | ".join(norm(q) for q in g.objects(tenure, DET.quote))
    assert "u.s. defense secretary austin" in quotes
    assert "li shangfu and lloyd austin" in quotes


def test_the_pentagon_is_the_us_department_of_defense(
    g: Graph, report_file: Graph, background: Graph
) -> None:
    """'the Pentagon said ..., adding that the department believed ...' -- DW's names for the
    United States Department of Defense (spec §5: org:us-department-of-defense)."""
    dod = ORG["us-department-of-defense"]
    assert named_nodes(g, "the Pentagon") == {dod}
    assert norm(report_file.value(dod, RDFS.label)) == "pentagon"
    assert {norm(a) for a in report_file.objects(dod, SKOS.altLabel)} == {"department"}
    assert list(background.objects(dod, SKOS.prefLabel)) == [
        Literal("United States Department of Defense")
    ]
    assert any(is_named(g, s, "United States") for s in g.objects(dod, DET.ofState))
    assert (dod, RDF.type, DET.GovernmentBody) in g
    assert not any(ORG.pentagon in triple for triple in g)


BACKGROUND_BODIES = {
    "prc-ministry-of-national-defense": (
        "Ministry of National Defense of the People's Republic of China",
        "China",
    ),
    "prc-ministry-of-foreign-affairs": (
        "Ministry of Foreign Affairs of the People's Republic of China",
        "China",
    ),
    "prc-ministry-of-commerce": ("Ministry of Commerce of the People's Republic of China", "China"),
    "us-department-of-state": ("United States Department of State", "United States"),
    "us-department-of-commerce": ("United States Department of Commerce", "United States"),
}


@pytest.mark.parametrize("slug", sorted(BACKGROUND_BODIES))
def test_background_government_bodies(g: Graph, background: Graph, slug: str) -> None:
    """The ministries the article does not name (spec §5), from general knowledge: typed,
    canonically named, of their state, marked background."""
    name, state = BACKGROUND_BODIES[slug]
    body = ORG[slug]
    assert (body, RDF.type, DET.GovernmentBody) in background
    assert (body, DCTERMS.type, DET.Background) in background
    assert list(background.objects(body, SKOS.prefLabel)) == [Literal(name)]
    states = list(background.objects(body, DET.ofState))
    assert len(states) == 1 and is_named(g, states[0], state)


def test_cpc_bodies_are_chinese_government_bodies(g: Graph) -> None:
    """'the Equipment Development Department of the Central Military Commission of the
    Communist Party of China'; 'the Foreign Affairs Office of the Communist Party of China
    Central Committee' -- each CPC body is a government body of China, the Central Committee
    included."""
    cpc = the(named_nodes(g, "Communist Party of China"), "the CPC")
    bodies = column(g, "SELECT DISTINCT ?b WHERE { ?b det:subOrganizationOf+ ?cpc }", cpc=cpc)
    labels = {norm(g.value(b, RDFS.label)) for b in bodies}
    assert labels == {
        "communist party of china central committee",
        "central military commission of the communist party of china",
        "equipment development department of the central military commission of the "
        "communist party of china",
        "foreign affairs office of the communist party of china central committee",
    }
    for body in bodies:
        assert (body, RDF.type, DET.GovernmentBody) in g, body
        states = list(g.objects(body, DET.ofState))
        assert len(states) == 1 and is_named(g, states[0], "China"), body


def test_canonical_names_apart_from_the_articles_spelling(
    g: Graph, report_file: Graph, background: Graph
) -> None:
    """DW writes 'Anthony Blinken'; his name is Antony Blinken. The report's graph keeps
    DW's spelling as rdfs:label, background gives the canonical skos:prefLabel; a node has at
    most one prefLabel, and the report's graph gives none."""
    blinken = the(named_nodes(report_file, "Anthony Blinken"), "Blinken")
    assert list(background.objects(blinken, SKOS.prefLabel)) == [Literal("Antony Blinken")]
    assert list(report_file.subject_objects(SKOS.prefLabel)) == []
    per_node: dict[object, list[object]] = {}
    for node, label in g.subject_objects(SKOS.prefLabel):
        if isinstance(label, Literal) and str(node).startswith(ID):
            per_node.setdefault((node, label.language), []).append(label)
    assert [k for k, v in per_node.items() if len(v) > 1] == []


def test_biden_is_affiliated_with_his_administration(report_file: Graph) -> None:
    """'the Biden administration' -- in DW's graph Biden belongs to it, without a post."""
    biden = the(named_nodes(report_file, "Biden"), "Biden")
    administration = list(report_file.objects(biden, DET.affiliatedWith))
    assert len(administration) == 1
    assert is_named(report_file, administration[0], "Biden administration")


def test_biden_holds_no_post_in_the_report(report_file: Graph) -> None:
    """'Biden has repeatedly called for the need to ease relations ...' -- the article never
    gives Biden a title, so no tenure of the report's graph names him (or his administration)
    as holder."""
    holders = set(report_file.objects(None, DET.holder))
    assert holders
    assert [h for h in holders if "biden" in " ".join(names(report_file, h))] == []


def test_biden_is_president_as_background_knowledge(g: Graph, background: Graph) -> None:
    """Spec §5: background says Biden is President of the United States (a post in the White
    House with the role head of state); that tenure is background, without source or quote."""
    tenure = the(tenures(g, "Biden"), "Biden's tenure")
    assert (tenure, RDF.type, DET.Tenure) in background
    assert (tenure, DCTERMS.type, DET.Background) in background
    assert background.value(tenure, DET.source) is None
    assert background.value(tenure, DET.quote) is None
    post = background.value(tenure, DET.post)
    assert is_named(g, post, "President of the United States")
    assert set(g.objects(post, DET.role)) == {DET.headOfState}
    assert [norm(g.value(b, RDFS.label)) for b in g.objects(post, DET.postIn)] == ["white house"]


# --------------------------------------------------------------------------- dates


def _unit(precision: str, day: date) -> tuple[int, ...]:
    """The unit of a precision that a day falls in (spec §4: day, ISO week, ten days, month,
    year)."""
    if precision == "day":
        return (day.toordinal(),)
    if precision == "week":
        iso = day.isocalendar()
        return (iso[0], iso[1])
    if precision == "tenDays":
        return (day.year, day.month, min((day.day - 1) // 10, 2))
    if precision == "month":
        return (day.year, day.month)
    if precision == "year":
        return (day.year,)
    raise AssertionError(f"unknown precision {precision}")


def test_dated_nodes_are_well_formed(g: Graph) -> None:
    """Spec §4: a dated node has det:earliest or det:latest; its bounds are in order
    (earliest <= latestStart <= earliestEnd <= latest); it has the report's words and a
    precision, unless another fact implies its bound (det:dateImpliedBy, then neither); a
    node without latest is open-ended, so it says it still went on (earliestEnd)."""
    props = (DET.earliest, DET.latestStart, DET.earliestEnd, DET.latest)
    nodes = {s for p in props for s in g.subjects(p, None)}
    assert nodes
    problems = []
    for node in nodes:
        values = [one_date(g, node, p) for p in props]
        earliest, _, earliest_end, latest = values
        if earliest is None and latest is None:
            problems.append(f"{node}: no outer bound")
        given = [v for v in values if v is not None]
        if given != sorted(given):
            problems.append(f"{node}: bounds out of order {values}")
        words = g.value(node, DET.dateText) is not None
        precision = g.value(node, DET.datePrecision) is not None
        if implied_by(g, node):
            if words or precision:
                problems.append(f"{node}: implied date with words or precision")
        elif not (words and precision):
            problems.append(f"{node}: no precision or date text")
        if latest is None and earliest_end is None:
            problems.append(f"{node}: no latest bound and not said to go on")
    assert problems == []


def test_precision_fits_each_end_of_the_interval(g: Graph) -> None:
    """Spec §4: start window [earliest, latestStart or latest], end window [earliestEnd or
    earliest, latest] (when latest is given); each lies in one unit of the precision."""
    problems = []
    for node, precision in g.subject_objects(DET.datePrecision):
        unit = local(precision)
        assert unit is not None
        earliest, latest = g.value(node, DET.earliest), g.value(node, DET.latest)
        latest_start, earliest_end = g.value(node, DET.latestStart), g.value(node, DET.earliestEnd)
        start = (earliest, latest_start if latest_start is not None else latest)
        windows = [start]
        if latest is not None:
            windows.append((earliest_end if earliest_end is not None else earliest, latest))
        for a, b in windows:
            if a is None or b is None:
                continue
            if _unit(unit, a.toPython()) != _unit(unit, b.toPython()):
                problems.append(f"{node}: {a}..{b} not within one {unit}")
    assert problems == []


def test_date_texts_are_the_articles_words(g: Graph, article_text: str) -> None:
    """det:dateText is 'the source's own words for the date' (ontology): it must occur in
    the article."""
    missing = [
        f"{s}: {t}"
        for s, t in g.subject_objects(DET.dateText)
        if str(t) not in article_text and str(t).lower() not in article_text.lower()
    ]
    assert missing == []


def test_no_vague_date_is_padded_to_one_day(g: Graph) -> None:
    """A date text without a digit ('earlier this month', 'last week', 'in April') never
    resolves to a single day."""
    padded = [
        str(n)
        for n, text in g.subject_objects(DET.dateText)
        if not re.search(r"\d", str(text))
        and g.value(n, DET.earliest) is not None
        and g.value(n, DET.earliest) == g.value(n, DET.latest)
    ]
    assert padded == []


def test_ratner_at_csis_last_week(g: Graph) -> None:
    """'Ely Ratner said at an event last week at the Center for Strategic and International
    Studies (CSIS)' -- last week before Tuesday 2023-05-30 = Monday 05-22 to Sunday 05-28."""
    rows = select(
        g,
        """SELECT DISTINCT ?e ?who WHERE {
            ?e det:speaker ?who ; det:dateText ?t . FILTER (LCASE(STR(?t)) = "last week")
        }""",
    )
    found = {e for e, who in rows if is_named(g, who, "Ely Ratner")}
    assert found, "nothing Ely Ratner said 'last week'"
    for node in found:
        assert dating(g, node) == ("2023-05-22", "2023-05-28", "week")


def test_austin_april_caption_has_month_precision(g: Graph) -> None:
    """Caption: 'U.S. Defense Secretary Austin spoke on Ukraine in April'."""
    rows = select(
        g,
        """SELECT ?e ?who ?topic WHERE {
            ?e rdf:type/rdfs:subClassOf* det:Speech ; det:speaker ?who ; det:topic ?topic .
        }""",
    )
    speech = the(
        {e for e, who, topic in rows if is_named(g, who, "Austin") and norm(topic) == "ukraine"},
        "Austin's speech on Ukraine",
    )
    assert dating(g, speech) == ("2023-04-01", "2023-04-30", "month")


def test_raimondo_2021_caption_has_year_precision(g: Graph) -> None:
    """Caption: 'U.S. Commerce Secretary Raimondo speaks at the White House on high-speed
    internet in 2021'."""
    rows = select(
        g,
        """SELECT ?e ?who ?topic WHERE {
            ?e rdf:type/rdfs:subClassOf* det:Speech ; det:speaker ?who ; det:topic ?topic .
        }""",
    )
    speech = the(
        {e for e, who, t in rows if is_named(g, who, "Raimondo") and "internet" in norm(t)},
        "Raimondo's speech on high-speed internet",
    )
    assert dating(g, speech) == ("2021-01-01", "2021-12-31", "year")
    assert is_named(g, g.value(speech, DET.place), "White House")


def test_balloon_incident_in_february(g: Graph) -> None:
    """'Since February this year, the Sino-US relationsscouting balloon incidentAs tensions
    continued' -- the incident in February 2023, month precision."""
    found = {i for i in of_type(g, DET.Incident) if "balloon" in " ".join(names(g, i))}
    incident = the(found, "balloon incident")
    assert dating(g, incident) == ("2023-02-01", "2023-02-28", "month")


# --------------------------------------------------------------------------- reports


def test_dw_relays_the_wsj_ft_and_reuters(g: Graph) -> None:
    """'(Wall Street Journal, Financial Times, Reuters)' at the foot of the DW report of
    30.05.2023."""
    dw = report_by(g, "Deutsche Welle")
    assert dw == DW_REPORT
    assert dating(g, dw) == ("2023-05-30", "2023-05-30", "day")
    relayed = set(g.objects(dw, DET.relays))
    expected = {report_by(g, o) for o in ("Wall Street Journal", "Financial Times", "Reuters")}
    assert relayed == expected


@pytest.mark.parametrize(
    "outlet", ["Deutsche Welle", "Wall Street Journal", "Financial Times", "Reuters"]
)
def test_reports_are_news_articles(g: Graph, report_file: Graph, outlet: str) -> None:
    """Spec §3: the DW, WSJ, FT and Reuters reports are det:NewsArticles (press)."""
    report = report_by(g, outlet)
    assert set(report_file.objects(report, RDF.type)) == {DET.NewsArticle}


def test_wsj_report_dated_monday_may_29(g: Graph) -> None:
    """'The US "Wall Street Journal" reported on Monday (May 29) that China rejected the US
    request for a meeting'"""
    wsj = report_by(g, "Wall Street Journal")
    assert dating(g, wsj) == ("2023-05-29", "2023-05-29", "day")


def test_reuters_report_is_undated(g: Graph) -> None:
    """The article names Reuters only in its source line, without a date."""
    reuters = report_by(g, "Reuters")
    assert dating(g, reuters) == (None, None, None)
    assert g.value(reuters, DET.dateText) is None
    assert implied_by(g, reuters) == set()


def test_news_outlets_nationality_as_the_article_gives_it(g: Graph) -> None:
    """'The US "Wall Street Journal"'; 'The British "Financial Times"'."""
    wsj = the(
        {o for o in of_type(g, DET.NewsOutlet) if is_named(g, o, "Wall Street Journal")}, "WSJ"
    )
    ft = the({o for o in of_type(g, DET.NewsOutlet) if is_named(g, o, "Financial Times")}, "FT")
    assert any(is_named(g, s, "United States") for s in g.objects(wsj, DET.ofState))
    british = {"united kingdom", "britain", "great britain", "uk"}
    assert any(names(g, s) & british for s in g.objects(ft, DET.ofState))


# --------------------------------------------------------------------------- statements


def test_zack_cooper_told_the_wsj_china_prefers_economic_officials(g: Graph) -> None:
    """'Zack Cooper, a senior fellow at the American Enterprise Institute, a US think tank,
    told the Wall Street Journal that China did not want Austin and Li Shangfu to talk, but
    decided to meet other senior US officials.'"""
    statement = the(speaker_statements(g, "Zack Cooper"), "Zack Cooper's statement")
    assert any(is_named(g, a, "Wall Street Journal") for a in g.objects(statement, DET.audience))
    content = norm(g.value(statement, DET.content))
    assert "did not want austin and li shangfu to talk" in content
    assert "most leverage" in content
    assert report_by(g, "Wall Street Journal") in set(g.objects(statement, DET.reportedIn))


def test_some_us_officials_warned_of_allies_concerns(g: Graph) -> None:
    """'Some U.S. officials have warned that China's refusal could raise concerns among U.S.
    Southeast Asian allies who have been open to the prospect that "the U.S.-China conflict
    can be decompressed in Singapore."'"""
    statement = the(speaker_statements(g, "some U.S. officials"), "warning of some U.S. officials")
    assert "southeast asian allies" in norm(g.value(statement, DET.content))
    assert austin_li_rejection(g) in set(g.objects(statement, DET.about))


def test_chinese_government_called_bidens_calls_not_sincere(g: Graph) -> None:
    """'Biden has repeatedly called for the need to ease relations between China and the
    United States, but was criticized by the Chinese government as "not sincere."'"""
    criticism = the(
        {
            s
            for s in speaker_statements(g, "Chinese government")
            if "not sincere" in norm(g.value(s, DET.content))
        },
        "Chinese government's criticism",
    )
    calls = speaker_statements(g, "Biden")
    assert any("ease relations" in norm(g.value(c, DET.content)) for c in calls)
    about = set(g.objects(criticism, DET.about))
    assert about & (calls | named_nodes(g, "Biden"))


# --------------------------------------------------------------------------- provenance, graphs


def test_every_quote_occurs_verbatim_in_the_article(g: Graph, article_text: str) -> None:
    """det:quote is 'the words of the source this fact rests on, verbatim'."""
    quotes = list(g.subject_objects(DET.quote))
    assert quotes
    missing = [
        f"{s}: {q}" for s, q in quotes if re.sub(r"\s+", " ", str(q)).strip() not in article_text
    ]
    assert missing == []


def test_quotes_live_in_the_reports_graph(report_file: Graph, background: Graph) -> None:
    """Spec §1: each quote is in the graph of the report it was taken from (here DW's)."""
    assert list(report_file.subject_objects(DET.quote))
    assert list(background.subject_objects(DET.quote)) == []


def test_every_fact_node_has_a_source(closed: Graph) -> None:
    """Every fact names the report it was read from -- except background facts, which are
    exempt (spec §5); the only one is Biden's presidency."""
    facts = column(closed, "SELECT DISTINCT ?f WHERE { ?f a det:Fact }")
    assert facts
    unsourced = {f for f in facts if closed.value(f, DET.source) is None}
    assert [str(f) for f in unsourced if (f, DCTERMS.type, DET.Background) not in closed] == []
    assert {str(f) for f in unsourced} == {ID + "tenure/biden-us-president"}


def test_the_report_file_stands_for_one_report(report_file: Graph) -> None:
    """Spec §1: every det:source in data/dw-2023-05-30.ttl points to report:dw-2023-05-30
    (the file's name), and the report is its own source."""
    assert set(report_file.objects(None, DET.source)) == {DW_REPORT}
    assert (DW_REPORT, DET.source, DW_REPORT) in report_file
    assert set(report_file.objects(DW_REPORT, RDF.type)) == {DET.NewsArticle}


def test_the_union_is_the_report_file_and_background(
    sources: Sources, report_file: Graph, background: Graph
) -> None:
    """The project's data is the union of its graphs: here DW's and background."""
    union = set(report_file) | set(background)
    assert set(sources.data.triples((None, None, None))) == union


@pytest.mark.parametrize("which", ["report", "background"])
def test_each_graph_restates_the_type_of_its_subjects(
    report_file: Graph, background: Graph, which: str
) -> None:
    """Spec §1: each graph says `a <class>` for every node it describes as a subject."""
    graph = {"report": report_file, "background": background}[which]
    untyped = [
        str(s)
        for s in set(graph.subjects())
        if isinstance(s, URIRef) and graph.value(s, RDF.type) is None
    ]
    assert untyped == []


def test_background_subjects_are_marked_and_unsourced(background: Graph) -> None:
    """Facts from outside the article are marked dcterms:type det:Background, no det:source."""
    subjects = set(background.subjects())
    assert subjects
    unmarked = [str(s) for s in subjects if (s, DCTERMS.type, DET.Background) not in background]
    sourced = [str(s) for s in subjects if background.value(s, DET.source) is not None]
    assert unmarked == [] and sourced == []


def test_background_says_nothing_the_article_says(
    sources: Sources, background: Graph, report_file: Graph
) -> None:
    """background.ttl holds no evidence, repeats no triple of the report's graph but the
    types it must restate, and no fact node but Biden's presidency (spec §5)."""
    for prop in (DET.source, DET.quote, DET.reportedIn, DET.attributedTo, DET.dateText):
        assert list(background.subject_objects(prop)) == [], prop
    closure = close(sources.ontology + background)
    facts = {str(s) for s in set(background.subjects()) if (s, RDF.type, DET.Fact) in closure}
    assert facts == {ID + "tenure/biden-us-president"}
    repeated = [t for t in background if t in report_file and t[1] != RDF.type]
    assert repeated == []
    assert list(report_file.subjects(DCTERMS.type, DET.Background)) == []


# --------------------------------------------------------------------------- without the article

# Run in a pytest of its own, with the suite's conftest: a test that needs the article, one
# skipped by a mark, an expected failure and a test that passes.
SKIPPING = """
import pytest
from conftest import require_article


def test_needs_the_article():
    require_article()


@pytest.mark.skipif(True, reason="skipped by a mark")
def test_marked():
    pass


@pytest.mark.xfail(reason="a known failure", strict=True)
def test_known_failure():
    assert False


def test_passes():
    pass
"""


@pytest.mark.parametrize("require_all", ["", "1"], ids=["skips", "DETENTE_REQUIRE_ALL=1"])
def test_without_the_article_its_tests_skip_and_under_require_all_fail(
    require_all: str, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makeconftest(Path(__file__).with_name("conftest.py").read_text(encoding="utf-8"))
    pytester.makepyfile(test_skipping=SKIPPING)
    absent = pytester.path / "absent" / "000_f14e525a7fdb3016.txt"
    monkeypatch.setenv("DETENTE_ARTICLE", str(absent))
    monkeypatch.setenv("DETENTE_REQUIRE_ALL", require_all)
    result = pytester.runpytest_inprocess("-rA", "-p", "no:cacheprovider")
    reason = f"needs {absent} (the source article), not present"
    if require_all:
        # nothing is skipped: both skips fail (the mark's at setup: an error), saying why;
        # the expected failure stays one
        result.assert_outcomes(passed=1, failed=1, errors=1, xfailed=1)
        prefix = "DETENTE_REQUIRE_ALL is set and this test was skipped: "
        assert f"{prefix}{reason}\n" in result.stdout.str()
        assert f"{prefix}skipped by a mark\n" in result.stdout.str()
    else:
        result.assert_outcomes(passed=1, skipped=2, xfailed=1)
        result.stdout.re_match_lines([rf"SKIPPED \[1\] .*: {re.escape(reason)}$"])
        result.stdout.re_match_lines([r"SKIPPED \[1\] .*: skipped by a mark$"])
