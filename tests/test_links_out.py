"""Links out (issue 9): each state and city of the background linked to its Wikidata entity,
and what a contribution may link.

The issue's list: "China Q148, United States Q30, Singapore Q334, Austria Q40, Vienna Q1741,
Washington D.C. Q61, Beijing Q956", linked with skos:exactMatch to
http://www.wikidata.org/entity/Q.... Singapore, a city-state, is one Wikidata entity: the link
is on state:singapore, and place:singapore has none (two things of detente with one exact
match would be one thing). The corpus (tests/contributions/) judges whole contributions; the
tests here judge the policy alone, in-process, which takes no reasoning and no shapes.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, SKOS

from detente.kg import DET, ID, Project, Sources
from detente.policy import policy_findings, read_contribution, wikidata_problem

WD = Namespace("http://www.wikidata.org/entity/")
ISSUE_LINKS = {
    "state/china": "Q148",
    "state/united-states": "Q30",
    "state/singapore": "Q334",
    "state/austria": "Q40",
    "place/vienna": "Q1741",
    "place/washington": "Q61",
    "place/beijing": "Q956",
}
KINDS = {"state": DET.State, "place": DET.City}


@pytest.fixture(scope="module")
def background(project: Project) -> Graph:
    """data/background.ttl alone (graph:background)."""
    return Graph().parse(project.root / "data" / "background.ttl", format="turtle")


# ------------------------------------------------------------------ the background's links


def test_background_links_exactly_the_issues_states_and_cities(background: Graph) -> None:
    expected = {(URIRef(ID + thing), WD[item]) for thing, item in ISSUE_LINKS.items()}
    assert set(background.subject_objects(SKOS.exactMatch)) == expected


@pytest.mark.parametrize("thing", sorted(ISSUE_LINKS))
def test_each_linked_thing_is_a_typed_background_thing(background: Graph, thing: str) -> None:
    node = URIRef(ID + thing)
    assert (node, RDF.type, KINDS[thing.split("/")[0]]) in background
    assert (node, DCTERMS.type, DET.Background) in background
    assert background.value(node, DET.source) is None


def test_the_city_of_singapore_shares_no_link_with_the_state(background: Graph) -> None:
    assert (URIRef(ID + "place/singapore"), RDF.type, DET.City) in background
    assert list(background.objects(URIRef(ID + "place/singapore"), SKOS.exactMatch)) == []


def test_links_out_are_background_only_and_join_no_two_things(sources: Sources) -> None:
    # The report graphs link nothing; no owl:sameAs anywhere; no entity matches two things.
    data = sources.data
    links = list(data.subject_objects(SKOS.exactMatch))
    assert len(links) == len(ISSUE_LINKS)
    assert list(data.triples((None, OWL.sameAs, None))) == []
    targets = [target for _, target in links]
    assert len(set(targets)) == len(targets)
    assert all(wikidata_problem(target) is None for target in targets)


# ------------------------------------------------------------------ Wikidata IRIs


@pytest.mark.parametrize(
    ("iri", "suggested"),
    [
        ("https://www.wikidata.org/wiki/Q148", "<http://www.wikidata.org/entity/Q148>"),
        ("https://www.wikidata.org/entity/Q148", "<http://www.wikidata.org/entity/Q148>"),
        ("http://wikidata.org/entity/Q148", "<http://www.wikidata.org/entity/Q148>"),
        ("https://m.wikidata.org/wiki/Q148", "<http://www.wikidata.org/entity/Q148>"),
        (
            "https://www.wikidata.org/wiki/Special:EntityData/Q148.json",
            "<http://www.wikidata.org/entity/Q148>",
        ),
        ("http://www.wikidata.org/entity/P17", "http://www.wikidata.org/entity/Q<number>"),
        ("http://www.wikidata.org/entity/Q0148", "http://www.wikidata.org/entity/Q<number>"),
    ],
)
def test_a_wikidata_iri_that_is_no_items_entity_is_refused_with_the_entity_to_use(
    iri: str, suggested: str
) -> None:
    problem = wikidata_problem(URIRef(iri))
    assert problem is not None and f"<{iri}>" in problem and suggested in problem


@pytest.mark.parametrize(
    "iri",
    [
        "http://www.wikidata.org/entity/Q148",
        "http://www.wikidata.org/entity/Q6279",
        "https://en.wikipedia.org/wiki/China",
        "https://www.wikidata.org.example.org/wiki/Q148",
    ],
)
def test_an_items_entity_or_another_datasets_iri_is_no_wikidata_problem(iri: str) -> None:
    assert wikidata_problem(URIRef(iri)) is None


# ------------------------------------------------------------------ identity links, by policy

PREFIXES = """@prefix det: <https://w3id.org/detente/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix person: <https://w3id.org/detente/id/person/> .
@prefix report: <https://w3id.org/detente/id/report/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix statement: <https://w3id.org/detente/id/statement/> .
statement:biden-calls-to-ease-relations det:source report:dw-2023-05-30 .
"""


def policy_lines(sources: Sources, tmp_path: Path, text: str) -> set[tuple[str, int | None]]:
    """(rule name, line) of the policy findings on a Turtle contribution citing DW."""
    path = tmp_path / "links.ttl"
    path.write_text(PREFIXES + text, encoding="utf-8")
    findings, _ = policy_findings(read_contribution([str(path)]), sources.ontology, sources.data)
    return {(str(f.rule).rsplit("#", 1)[-1], f.line) for f in findings}


def test_a_link_to_a_dead_end_is_not_blamed_for_a_join_beside_it(
    sources: Sources, tmp_path: Path
) -> None:
    # Li Shangfu linked to an entity nothing else is linked to (line 8) joins nothing; Austin
    # made one with Li Shangfu (line 9) is refused.
    text = (
        "person:li-shangfu skos:exactMatch <http://www.wikidata.org/entity/Q1> .\n"
        "person:lloyd-austin skos:exactMatch person:li-shangfu .\n"
    )
    assert policy_lines(sources, tmp_path, text) == {("exact-match", 9)}


def test_every_link_of_a_chain_between_two_things_is_refused(
    sources: Sources, tmp_path: Path
) -> None:
    # Li Shangfu and Lloyd Austin joined through 200 outside IRIs: each link is on the way;
    # a chain of 200 that leads nowhere, hanging from Li Shangfu, takes no part in the join.
    step = "<https://example.org/made-up/{}>"
    joining = ["person:li-shangfu", *(step.format(i) for i in range(200)), "person:lloyd-austin"]
    dangling = ["person:li-shangfu", *(step.format(f"end-{i}") for i in range(200))]
    lines = [
        f"{a} skos:exactMatch {b} .\n"
        for chain in (joining, dangling)
        for a, b in itertools.pairwise(chain)
    ]
    found = policy_lines(sources, tmp_path, "".join(lines))
    first = PREFIXES.count("\n") + 1
    # (The outside IRIs, subjects of a link each, are also refused as policy:iri.)
    joins = {(rule, line) for rule, line in found if rule == "exact-match"}
    assert joins == {("exact-match", first + n) for n in range(len(joining) - 1)}


def test_owl_same_as_from_a_new_thing_to_one_the_graph_has_is_refused(
    sources: Sources, tmp_path: Path
) -> None:
    # One thing, one IRI: a second IRI for Biden is refused, whichever identity link says so;
    # linking Biden himself to his Wikidata entity with owl:sameAs or skos:exactMatch is not.
    text = (
        "person:joe-biden a det:Person ; owl:sameAs person:biden .\n"
        "person:biden owl:sameAs <http://www.wikidata.org/entity/Q6279> .\n"
        "person:biden skos:exactMatch <http://www.wikidata.org/entity/Q6279> .\n"
    )
    assert policy_lines(sources, tmp_path, text) == {("same-as", 8)}


def test_a_file_of_links_alone_names_no_report(sources: Sources, tmp_path: Path) -> None:
    # A link is said in a report's file like anything else: with no det:source the file is
    # refused (policy:no-report, at its first triple), though the link itself is fine.
    path = tmp_path / "links.ttl"
    path.write_text(
        "<https://w3id.org/detente/id/person/biden> "
        "<http://www.w3.org/2004/02/skos/core#exactMatch> "
        "<http://www.wikidata.org/entity/Q6279> .\n",
        encoding="utf-8",
    )
    findings, _ = policy_findings(read_contribution([str(path)]), sources.ontology, sources.data)
    assert {(str(f.rule).rsplit("#", 1)[-1], f.line) for f in findings} == {("no-report", 1)}
