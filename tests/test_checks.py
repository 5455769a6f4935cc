"""The SPARQL quality checks: each fires on its fixture, and none fires on the article graph."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from detente.kg import Sources, load_graph
from detente.reason import close
from detente.validate import CHECK, load_checks, run_checks

ROOT = Path(__file__).resolve().parents[1]
CHECKS = ROOT / "scripts" / "checks"
FIXTURES = ROOT / "tests" / "fixtures" / "checks"


def expected_focus(path: Path) -> set[URIRef]:
    """The focus nodes a fixture declares in its `# expect: IRI` lines."""
    text = path.read_text(encoding="utf-8")
    return {URIRef(iri) for iri in re.findall(r"^# expect: (\S+)$", text, re.MULTILINE)}


def test_every_check_has_a_fixture_and_a_severity() -> None:
    checks = sorted(CHECKS.glob("*-violation.rq"))
    assert len(checks) >= 4
    for check in checks:
        assert (FIXTURES / f"{check.stem}.ttl").is_file(), check.name
        assert re.search(r"^# severity: (ERROR|WARN)$", check.read_text(), re.MULTILINE)


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("*.ttl")), ids=lambda p: p.stem)
def test_check_fires_on_exactly_the_expected_nodes(
    fixture: Path, sources: Sources, tmp_path: Path
) -> None:
    folder = tmp_path / "checks"
    folder.mkdir()
    (folder / f"{fixture.stem}.rq").write_text((CHECKS / f"{fixture.stem}.rq").read_text())
    graph = load_graph([fixture], graph=sources.ontology + Graph())
    closed = close(graph)
    found = {f.focus for f in run_checks(graph, load_checks(folder), closed)}
    assert found == expected_focus(fixture)


def test_no_check_fires_on_the_article_graph(sources: Sources, closed: Graph) -> None:
    assert run_checks(sources.merged(), load_checks(CHECKS), closed) == []


def test_error_and_warning_severities_are_reported_as_such(sources: Sources) -> None:
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
