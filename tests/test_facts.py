"""The facts of the data, checked against the article (Deutsche Welle, 2023-05-30).

Every expected value below was written by reading the article
(shared/source/000_f14e525a7fdb3016.txt), not by copying the data. Nodes are found by
meaning (labels, types, relations), not by IRI. A test that fails means the data does not
say what the article says.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from detente.kg import DET, Project, Sources
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


def dating(g: Graph, node: object) -> tuple[str | None, str | None, str | None]:
    """(earliest, latest, precision local name) of a node; each date must be an xsd:date."""
    found = []
    for prop in (DET.earliest, DET.latest):
        values = list(g.objects(node, prop))
        assert len(values) <= 1, f"{node} has {len(values)} values of {prop}"
        if values:
            assert isinstance(values[0], Literal) and values[0].datatype == XSD.date, values[0]
            found.append(str(values[0]))
        else:
            found.append(None)
    precision = g.value(node, DET.datePrecision)
    local = str(precision).rsplit("#", 1)[-1] if precision is not None else None
    return found[0], found[1], local


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


def posts_of(g: Graph, person: str) -> set[str]:
    """Every name (label or alternative label) of every post the named person holds."""
    rows = select(
        g,
        """SELECT DISTINCT ?post ?holder WHERE {
            ?t rdf:type/rdfs:subClassOf* det:Tenure ; det:holder ?holder ; det:post ?post .
        }""",
    )
    return {n for post, holder in rows if is_named(g, holder, person) for n in names(g, post)}


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


@pytest.fixture(scope="module")
def g(sources: Sources) -> Graph:
    """Ontology + data (report file and background), not closed."""
    return sources.merged()


@pytest.fixture(scope="module")
def report_file(project: Project) -> Graph:
    """The report's own data file alone."""
    return Graph().parse(project.root / "data" / REPORT_FILE, format="turtle")


@pytest.fixture(scope="module")
def background(project: Project) -> Graph:
    """background.ttl alone."""
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
    intention of lifting the sanctions.'"""
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
    # said at the latest when the FT reported it (earlier this month)
    latest = g.value(statement, DET.latest)
    assert latest is None or latest.toPython() <= date(2023, 5, 29)


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


# --------------------------------------------------------------------------- held meetings


def test_sullivan_met_wang_yi_in_vienna_earlier_this_month(g: Graph) -> None:
    """'earlier this month, White House national security adviser Jake Sullivan meets with
    Wang Yi, director of the Foreign Affairs Office ..., in Vienna'"""
    meeting = held_meeting(g, "Jake Sullivan", "Wang Yi")
    assert participants(g, meeting) == {"jake sullivan", "wang yi"}
    assert names(g, g.value(meeting, DET.place)) >= {"vienna"}
    assert g.value(meeting, DET.status) == DET.held
    assert dating(g, meeting) == ("2023-05-01", "2023-05-29", "month")


def test_raimondo_met_wang_wentao_in_washington_earlier_this_month(g: Graph) -> None:
    """'earlier this month, ...; U.S. Secretary of CommerceGina Raimondo also met with
    Chinese Commerce Minister Wang Wentao in Washington'"""
    meeting = held_meeting(g, "Gina Raimondo", "Wang Wentao")
    assert participants(g, meeting) == {"gina raimondo", "wang wentao"}
    assert names(g, g.value(meeting, DET.place)) >= {"washington"}
    assert g.value(meeting, DET.status) == DET.held
    assert dating(g, meeting) == ("2023-05-01", "2023-05-29", "month")


def test_raimondo_wang_wentao_first_cabinet_level_meeting_in_washington(g: Graph) -> None:
    """'This is the first cabinet-level meeting between China and the United States in
    Washington during the Biden administration.'"""
    meeting = held_meeting(g, "Gina Raimondo", "Wang Wentao")
    contents = column(
        g,
        "SELECT ?c WHERE { ?s det:about ?m ; det:content ?c }",
        m=meeting,
    )
    assert any("first cabinet-level meeting" in norm(c) for c in contents)


def test_qin_gang_met_burns_in_beijing_in_early_may(g: Graph) -> None:
    """'Chinese Foreign Minister Qin Gang met with US Ambassador to Beijing Burns in Beijing
    in early May(Nicholas Burns), on the Taiwan issue, severely accused the United States of
    undermining the "hard-won positive momentum in US-China relations,"'"""
    meeting = held_meeting(g, "Qin Gang", "Nicholas Burns")
    assert participants(g, meeting) == {"qin gang", "nicholas burns"}
    assert names(g, g.value(meeting, DET.place)) >= {"beijing"}
    assert g.value(meeting, DET.status) == DET.held
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
    held = column(
        g,
        """SELECT DISTINCT ?m WHERE {
            ?m rdf:type/rdfs:subClassOf* det:Meeting ; det:status det:held .
        }""",
    )
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
    assert g.value(meeting, DET.status) == DET.rejected
    conference = g.value(meeting, DET.atConference)
    assert "shangri-la dialogue" in norm(g.value(conference, RDFS.label))
    assert names(g, g.value(meeting, DET.place)) >= {"singapore"}


def test_austin_li_meeting_requested_by_the_us_of_china(g: Graph) -> None:
    """'China rejected the United States' request to propose a meeting between the defense
    ministers of the two countries in Singapore'"""
    request = the(requests_for(g, austin_li_meeting(g)), "request for the Austin-Li meeting")
    assert is_named(g, g.value(request, DET.requester), "United States")
    assert is_named(g, g.value(request, DET.addressee), "China")


def test_china_rejected_the_request_in_early_may_per_the_pentagon_via_the_wsj(
    g: Graph,
) -> None:
    """'In a statement to The Wall Street Journal, the Pentagon said China had formally
    rejected the U.S. invitation in early May'; 'The US "Wall Street Journal" reported on
    Monday (May 29) that China rejected the US request for a meeting'"""
    request = the(requests_for(g, austin_li_meeting(g)), "request for the Austin-Li meeting")
    rejection = the(rejections_of(g, request), "rejection of the Austin-Li request")
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
    request = the(requests_for(g, austin_li_meeting(g)), "request for the Austin-Li meeting")
    rejection = the(rejections_of(g, request), "rejection of the Austin-Li request")
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
    rows = select(
        g,
        """SELECT ?s ?who ?c WHERE {
            ?s rdf:type/rdfs:subClassOf* det:Statement ; det:speaker ?who ; det:content ?c .
        }""",
    )
    found = {s for s, who, c in rows if "unusually blunt signal" in norm(c)}
    statement = the(found, "blunt-signal statement")
    speaker = g.value(statement, DET.speaker)
    assert "defense official" in " ".join(names(g, speaker))
    assert any(is_named(g, o, "United States") for o in g.objects(speaker, DET.affiliatedWith))


@pytest.mark.parametrize("person", ["Lloyd Austin", "Mark Milley"])
def test_requests_to_speak_with_chinese_counterparts_rejected_by_china(
    g: Graph, person: str
) -> None:
    """'Since February this year, ... Austin and Mark Milley, chairman of the US Joint Chiefs
    of Staff, repeatedly requested to speak with Chinese counterparts, but were rejected by
    the Chinese side'"""
    rows = select(
        g,
        """SELECT DISTINCT ?r ?who WHERE {
            ?r rdf:type/rdfs:subClassOf* det:MeetingRequest ; det:requester ?who ;
               det:addressee ?to .
            ?to rdfs:label ?tl . FILTER (CONTAINS(LCASE(STR(?tl)), "counterpart"))
        }""",
    )
    request = the({r for r, who in rows if is_named(g, who, person)}, f"{person}'s request")
    earliest, latest, _ = dating(g, request)
    assert earliest == "2023-02-01"
    assert latest is not None and latest <= "2023-05-30"
    rejection = the(rejections_of(g, request), f"rejection of {person}'s request")
    assert is_named(g, g.value(rejection, DET.rejecter), "the Chinese side")
    meeting = g.value(request, DET.requestedMeeting)
    assert g.value(meeting, DET.status) == DET.rejected
    assert norm(person) in participants(g, meeting, DET.proposedParticipant)


def test_no_meeting_that_did_not_happen_has_a_participant(g: Graph) -> None:
    """Only a held meeting has det:participant (the Austin-Li meeting, the talks Austin and
    Milley asked for, and the calls Ratner spoke of did not happen)."""
    bad = select(
        g,
        """SELECT DISTINCT ?e ?s WHERE {
            ?e det:participant ?p ; det:status ?s . FILTER (?s != det:held)
        }""",
    )
    assert bad == []
    unheld_meetings = select(
        g,
        """SELECT DISTINCT ?m WHERE {
            ?m rdf:type/rdfs:subClassOf* det:Meeting ; det:participant ?p .
            FILTER NOT EXISTS { ?m det:status det:held }
        }""",
    )
    assert unheld_meetings == []


def test_ratner_said_us_proposals_of_military_contacts_met_difficulties(g: Graph) -> None:
    """'Ely Ratner said at an event last week at the Center for Strategic and International
    Studies (CSIS), a Washington think tank, that the U.S. had proposed that the U.S.
    Secretary of Defense or other military leaders could work with Calls, meetings or
    dialogues in China, but "encountered a lot of difficulties".'"""
    statement = the(
        {
            s
            for s in speaker_statements(g, "Ely Ratner")
            if "encountered a lot of difficulties" in norm(g.value(s, DET.content))
        },
        "Ratner's statement",
    )
    proposals = [
        r
        for r in g.objects(statement, DET.about)
        if is_named(g, g.value(r, DET.requester), "United States")
    ]
    assert len(proposals) == 1
    assert is_named(g, g.value(proposals[0], DET.addressee), "China")
    occasion = g.value(statement, DET.occasion)
    assert occasion is not None
    assert is_named(
        g, g.value(occasion, DET.organizer), "Center for Strategic and International Studies"
    )


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
    cancelled. or postponed.' -- the article does not know which."""
    rows = select(
        g,
        """SELECT DISTINCT ?v ?who WHERE {
            ?v rdf:type/rdfs:subClassOf* det:Visit ; det:visitor ?who .
        }""",
    )
    visit = the({v for v, who in rows if is_named(g, who, "Anthony Blinken")}, "Blinken visit")
    assert is_named(g, g.value(visit, DET.destination), "China")
    for graph in (g, closed):
        assert set(graph.objects(visit, DET.status)) == {DET.cancelledOrPostponed}
    assert list(g.objects(visit, DET.participant)) == []


def test_shangri_la_dialogue_2023_in_singapore_june_2_to_4(g: Graph) -> None:
    """'The annual "Shangri-La Dialogue" (The Shangri-La Dialogue) will be held in Singapore
    this weekend (June 2-4).'"""
    found = {
        c
        for c in of_type(g, DET.Conference)
        if "shangri-la dialogue" in " ".join(names(g, c))
        or any("shangri-la dialogue" in " ".join(names(g, f)) for f in g.objects(c, DET.editionOf))
    }
    conference = the(found, "Shangri-La Dialogue conference")
    assert names(g, g.value(conference, DET.place)) >= {"singapore"}
    assert dating(g, conference) == ("2023-06-02", "2023-06-04", "day")
    assert austin_li_meeting(g) in column(
        g, "SELECT ?m WHERE { ?m det:atConference ?c }", c=conference
    )


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
    assert any(is_named(g, s, "China") for s in g.objects(later_post, DET.postIn))


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
def test_posts_named_in_the_articles_words(g: Graph, person: str, post: str) -> None:
    """Each title as the article gives it, e.g. 'U.S. Defense Secretary Austin spoke on
    Ukraine in April'; 'White House national security adviser Jake Sullivan'; 'Wang Yi,
    director of the Foreign Affairs Office of the Communist Party of China Central
    Committee'; 'Zack Cooper, a senior fellow at the American Enterprise Institute'."""
    assert norm(post) in posts_of(g, person)


def test_every_post_label_is_in_the_article(g: Graph, article_text: str) -> None:
    """Post labels use the article's words (typographic apostrophes aside)."""
    text = norm(article_text)
    missing = [
        str(label)
        for post in of_type(g, DET.Post)
        for label in g.objects(post, RDFS.label)
        if norm(label) not in text
    ]
    assert missing == []


def test_biden_holds_no_post(g: Graph) -> None:
    """'Biden has repeatedly called for the need to ease relations ...' -- the article never
    gives Biden a title, so no tenure may name him (or his administration) as holder."""
    holders = column(g, "SELECT DISTINCT ?h WHERE { ?t det:holder ?h }")
    assert [h for h in holders if "biden" in " ".join(names(g, h))] == []


# --------------------------------------------------------------------------- dates


def test_dated_nodes_have_both_bounds_words_and_precision(g: Graph) -> None:
    """Every dated node has earliest <= latest, the article's words and a precision."""
    problems = []
    for node in column(
        g, "SELECT DISTINCT ?n WHERE { { ?n det:earliest ?d } UNION { ?n det:latest ?d } }"
    ):
        earliest, latest, precision = dating(g, node)
        if earliest is None or latest is None or earliest > latest:
            problems.append(f"{node}: {earliest}..{latest}")
        if precision is None or g.value(node, DET.dateText) is None:
            problems.append(f"{node}: no precision or date text")
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
    continued' -- February 2023, month precision."""
    found = {i for i in of_type(g, DET.Incident) if "balloon" in " ".join(names(g, i))}
    incident = the(found, "balloon incident")
    assert dating(g, incident) == ("2023-02-01", "2023-02-28", "month")


# --------------------------------------------------------------------------- reports


def test_dw_relays_the_wsj_ft_and_reuters(g: Graph) -> None:
    """'(Wall Street Journal, Financial Times, Reuters)' at the foot of the DW report of
    30.05.2023."""
    dw = report_by(g, "Deutsche Welle")
    assert dating(g, dw) == ("2023-05-30", "2023-05-30", "day")
    relayed = set(g.objects(dw, DET.relays))
    expected = {report_by(g, o) for o in ("Wall Street Journal", "Financial Times", "Reuters")}
    assert relayed == expected


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
    request = the(requests_for(g, austin_li_meeting(g)), "request for the Austin-Li meeting")
    rejection = the(rejections_of(g, request), "rejection of the Austin-Li request")
    assert rejection in set(g.objects(statement, DET.about))


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


# --------------------------------------------------------------------------- provenance


def test_every_quote_occurs_verbatim_in_the_article(g: Graph, article_text: str) -> None:
    """det:quote is 'the words of the source this fact rests on, verbatim'."""
    missing = [
        f"{s}: {q}"
        for s, q in g.subject_objects(DET.quote)
        if re.sub(r"\s+", " ", str(q)).strip() not in article_text
    ]
    assert missing == []


def test_every_fact_node_has_a_source(closed: Graph) -> None:
    """Every fact names the report it was read from."""
    facts = column(closed, "SELECT DISTINCT ?f WHERE { ?f a det:Fact }")
    assert facts
    assert [str(f) for f in facts if closed.value(f, DET.source) is None] == []


def test_every_fact_of_the_report_file_cites_the_dw_report(g: Graph, report_file: Graph) -> None:
    """The report file's facts are read from the DW report of 2023-05-30."""
    dw = report_by(g, "Deutsche Welle")
    sources = set(report_file.objects(None, DET.source))
    assert sources == {dw}


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
    """background.ttl holds no fact node, no evidence, and repeats no triple of the report."""
    for prop in (DET.source, DET.quote, DET.reportedIn, DET.attributedTo, DET.dateText):
        assert list(background.subject_objects(prop)) == [], prop
    closure = close(sources.ontology + background)
    facts = [str(s) for s in set(background.subjects()) if (s, RDF.type, DET.Fact) in closure]
    assert facts == []
    assert [t for t in background if t in report_file] == []
    assert list(report_file.subjects(DCTERMS.type, DET.Background)) == []
