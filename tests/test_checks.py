"""The SPARQL quality checks: each fires on its fixture, and none fires on the article graph.

The checks run as `detente check` runs them on model v2: on a pyoxigraph store holding one
named graph per data file (id/graph/<file stem>), the background graph and the meta graph
(`graph:<slug> a prov:Bundle ; prov:wasDerivedFrom report:<slug>`), queried with the default
graph as the union of all graphs. A Turtle fixture is one data graph named after its file; a
TriG fixture names its graphs (and writes its own meta graph) with GRAPH blocks. Every fixture
lists the nodes its check must report, and only those, in `# expect: IRI` lines.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef

from detente.kg import Project, Sources, load_graph
from detente.reason import close
from detente.validate import CHECK, Check, load_checks, run_checks

ROOT = Path(__file__).resolve().parents[1]
CHECKS = ROOT / "scripts" / "checks"
FIXTURES = ROOT / "tests" / "fixtures" / "checks"
FIXTURE_FILES = sorted([*FIXTURES.glob("*.ttl"), *FIXTURES.glob("*.trig")])

GRAPH = "https://w3id.org/detente/id/graph/"
REPORT = "https://w3id.org/detente/id/report/"
DET = "https://w3id.org/detente/ontology#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
PROV_BUNDLE = ox.NamedNode("http://www.w3.org/ns/prov#Bundle")
PROV_DERIVED = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
DCTERMS_TYPE = ox.NamedNode("http://purl.org/dc/terms/type")
META = ox.NamedNode(GRAPH + "meta")

# What each check's header must say, from the specification (docs/model-v2.md) and the issue.
SEVERITIES = {
    "after-report-violation": "Violation",
    "duplicate-tenure-violation": "Warning",
    "fact-without-source-violation": "Violation",
    "held-despite-rejection-violation": "Warning",
    "held-meeting-without-participant-violation": "Violation",
    "missing-label-violation": "Violation",
    "padded-date-violation": "Violation",
    "participant-not-held-violation": "Violation",
    "precision-bounds-violation": "Violation",
    "single-holder-overlap-violation": "Violation",
    "single-holder-possible-overlap-violation": "Warning",
    "source-graph-violation": "Violation",
    "status-tie-violation": "Warning",
    "undefined-term-violation": "Violation",
    "undocumented-term-violation": "Violation",
}


def expected_focus(path: Path) -> set[str]:
    """The focus nodes a fixture declares in its `# expect: IRI` lines."""
    text = path.read_text(encoding="utf-8")
    return set(re.findall(r"^# expect: (\S+)$", text, re.MULTILINE))


def ontology_store(project: Project) -> ox.Store:
    """A store holding the project's ontology (in the default graph)."""
    store = ox.Store()
    for path in project.ontology_files:
        store.load(path=path, format=ox.RdfFormat.TURTLE)
    return store


def fixture_store(fixture: Path, project: Project) -> ox.Store:
    """The ontology plus a fixture: Turtle as the graph named after the file, TriG as written."""
    store = ontology_store(project)
    if fixture.suffix == ".trig":
        store.load(path=fixture, format=ox.RdfFormat.TRIG)
    else:
        store.load(
            path=fixture, format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(GRAPH + fixture.stem)
        )
    return store


def project_store(project: Project) -> ox.Store:
    """The ontology, each data file as its own named graph, and the meta graph (spec §1)."""
    store = ontology_store(project)
    for path in project.data_files:
        name = ox.NamedNode(GRAPH + path.stem)
        store.load(path=path, format=ox.RdfFormat.TURTLE, to_graph=name)
        store.add(ox.Quad(name, RDF_TYPE, PROV_BUNDLE, META))
        if path.stem == "background":
            store.add(ox.Quad(name, DCTERMS_TYPE, ox.NamedNode(DET + "Background"), META))
        else:
            store.add(ox.Quad(name, PROV_DERIVED, ox.NamedNode(REPORT + path.stem), META))
    return store


def findings(check: Check, store: ox.Store) -> set[tuple[str, str | None, str | None]]:
    """The rows of one check: (?this, ?path, ?value), the default graph being the union."""
    assert not check.on_closure, f"{check.name}: this helper runs checks on asserted triples"
    rows = store.query(check.text, use_default_graph_as_union=True)
    assert isinstance(rows, ox.QuerySolutions)
    found = set()
    for row in rows:
        this = row["this"]
        assert isinstance(this, ox.NamedNode), f"{check.name} leaves ?this unbound or blank"
        path, value = row["path"], row["value"]
        found.add(
            (this.value, None if path is None else str(path), None if value is None else str(value))
        )
    return found


def check_named(name: str) -> Check:
    """The project's check of that name."""
    (check,) = [check for check in load_checks(CHECKS) if check.name == name]
    return check


def test_every_check_has_a_fixture_and_the_expected_severity() -> None:
    checks = load_checks(CHECKS)
    assert {check.name: check.severity for check in checks} == SEVERITIES
    stems = [fixture.stem for fixture in FIXTURE_FILES]
    assert sorted(stems) == sorted(SEVERITIES), "one fixture (.ttl or .trig) per check"
    for fixture in FIXTURE_FILES:
        assert expected_focus(fixture), f"{fixture.name} expects no finding"


def test_participant_checks_restate_the_participant_rule() -> None:
    participant = URIRef(DET + "participant")
    assert check_named("participant-not-held-violation").restates == participant
    assert check_named("held-meeting-without-participant-violation").restates == participant


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda p: p.name)
def test_check_fires_on_exactly_the_expected_nodes(fixture: Path, project: Project) -> None:
    found = findings(check_named(fixture.stem), fixture_store(fixture, project))
    assert {this for this, _, _ in found} == expected_focus(fixture)


def test_precision_findings_name_the_precision(project: Project) -> None:
    fixture = FIXTURES / "precision-bounds-violation.ttl"
    found = findings(check_named(fixture.stem), fixture_store(fixture, project))
    assert (
        "https://w3id.org/detente/id/meeting/week-sunday-to-monday",
        f"<{DET}datePrecision>",
        f"<{DET}week>",
    ) in found


def test_participant_findings_name_the_participant(project: Project) -> None:
    fixture = FIXTURES / "participant-not-held-violation.ttl"
    found = findings(check_named(fixture.stem), fixture_store(fixture, project))
    person = "<https://w3id.org/detente/id/person/{}>"
    participant = f"<{DET}participant>"
    assert found == {
        (
            "https://w3id.org/detente/id/meeting/rejected-with-participant",
            participant,
            person.format("a"),
        ),
        (
            "https://w3id.org/detente/id/meeting/held-then-cancelled",
            participant,
            person.format("a"),
        ),
        (
            "https://w3id.org/detente/id/meeting/held-then-cancelled",
            participant,
            person.format("b"),
        ),
        (
            "https://w3id.org/detente/id/visit/postponed-with-participant",
            participant,
            person.format("b"),
        ),
    }


def test_status_tie_names_both_statuses(project: Project) -> None:
    fixture = FIXTURES / "status-tie-violation.trig"
    found = findings(check_named(fixture.stem), fixture_store(fixture, project))
    assert {value for _, _, value in found} == {f"<{DET}held>", f"<{DET}rejected>"}


def test_source_graph_findings_name_the_wrong_report(project: Project) -> None:
    fixture = FIXTURES / "source-graph-violation.trig"
    found = findings(check_named(fixture.stem), fixture_store(fixture, project))
    meeting = "https://w3id.org/detente/id/meeting/"
    source = f"<{DET}source>"
    assert found == {
        (meeting + "daily-cites-weekly", source, f"<{REPORT}weekly>"),
        (meeting + "weekly-cites-daily", source, f"<{REPORT}daily>"),
        (meeting + "weekly-cites-both", source, f"<{REPORT}daily>"),
    }


def test_source_graph_fires_when_a_file_cites_another_report(project: Project) -> None:
    """The article's own graph, loaded under another report's name, cites the wrong report."""
    store = ontology_store(project)
    name = ox.NamedNode(GRAPH + "wsj-2023-05-29")
    store.load(path=ROOT / "data" / "dw-2023-05-30.ttl", format=ox.RdfFormat.TURTLE, to_graph=name)
    store.add(ox.Quad(name, RDF_TYPE, PROV_BUNDLE, META))
    store.add(ox.Quad(name, PROV_DERIVED, ox.NamedNode(REPORT + "wsj-2023-05-29"), META))
    found = findings(check_named("source-graph-violation"), store)
    assert found
    assert {value for _, _, value in found} == {f"<{REPORT}dw-2023-05-30>"}


def test_no_check_fires_on_the_article_graph(project: Project) -> None:
    store = project_store(project)
    found = {check.name: findings(check, store) for check in load_checks(CHECKS)}
    assert {name: rows for name, rows in found.items() if rows} == {}


def test_error_and_warning_severities_are_reported_as_such(sources: Sources) -> None:
    """Through `run_checks`, as `detente check` runs them on one merged graph."""
    graph = load_graph(
        [FIXTURES / "duplicate-tenure-violation.ttl"], graph=sources.ontology + Graph()
    )
    found = {(f.rule, f.severity) for f in run_checks(graph, load_checks(CHECKS), close(graph))}
    assert {item for item in found if "duplicate" in item[0]} == {
        (CHECK["duplicate-tenure-violation"], "Warning")
    }
    graph = load_graph([FIXTURES / "missing-label-violation.ttl"], graph=sources.ontology + Graph())
    found = {(f.rule, f.severity) for f in run_checks(graph, load_checks(CHECKS), close(graph))}
    assert found == {(CHECK["missing-label-violation"], "Violation")}
