"""detente synth: a synthetic project that conforms, of the size asked, the same for a seed; and
contributions to it, accepted ones and ones with one known defect each, whose judgement
(findings, inconsistencies, exit code) its manifest says in advance.

Judging costs a full validation of the merged graph each time, so the contributions are judged
against a small project of synthetic reports only (which also shows determinism); conformance
and the contributions' shape are shown on a larger one with the article's own files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rdflib import RDF, RDFS, Graph, Namespace, URIRef

from detente.contribution import judge_contribution
from detente.kg import Project, Sources, load_sources
from detente.policy import read_contribution
from detente.synth import DEFECTS, VALID_PER_SIZE, synth
from detente.validate import check_project, compact

DET = Namespace("https://w3id.org/detente/ontology#")
SIZE = 40  # triples of each contribution, about
# The full judgement is checked against the manifest on the valid contributions and on the
# kinds whose defect lies in a neighbour; tests/test_incremental.py checks every contribution
# on the index, which must give the same findings.
NEIGHBOUR_KINDS = [
    "conflict",
    "disjoint-classes",
    "duplicate-tenure",
    "held-despite-rejection",
    "held-meeting-without-participant",
    "participant-not-held",
    "post-in-state",
    "single-holder-overlap",
    "status-tie",
]
VALID_FILES = [f"valid/{SIZE}-{n}.ttl" for n in range(1, VALID_PER_SIZE + 1)]
ALL_FILES = VALID_FILES + [f"defective/{SIZE}-{kind}.ttl" for kind in DEFECTS]
FILES = VALID_FILES + [f"defective/{SIZE}-{kind}.ttl" for kind in NEIGHBOUR_KINDS]


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic project of about 1,500 report triples besides the article's, seed 1."""
    out = tmp_path_factory.mktemp("synth") / "one"
    synth(1500, seed=1, out=out, contribution_sizes=[SIZE])
    return out


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project of about 300 triples of synthetic reports only, seed 3, and contributions."""
    out = tmp_path_factory.mktemp("synth") / "small"
    synth(300, seed=3, out=out, contribution_sizes=[SIZE], article=False)
    return out


@pytest.fixture(scope="module")
def small_sources(small: Path) -> Sources:
    """The small project's graphs, read once for every judgement."""
    return load_sources(Project(small))


def synth_files(folder: Path) -> list[Path]:
    """The synthetic report files of a folder."""
    return sorted((folder / "data").glob("synth-*.ttl"))


def written(folder: Path) -> list[Path]:
    """What synth writes besides the copied frame: its reports, background and contributions."""
    return [
        *synth_files(folder),
        folder / "data" / "background.ttl",
        *sorted((folder / "contributions").rglob("*")),
    ]


def manifest(folder: Path) -> dict[str, dict[str, Any]]:
    """The manifest's records, by file."""
    text = (folder / "contributions" / "manifest.json").read_text(encoding="utf-8")
    return {item["file"]: item for item in json.loads(text)["files"]}


def test_conforms(made: Path) -> None:
    """The whole synthetic project passes detente check with no finding."""
    result = check_project(Project(made))
    assert result.outcome.conforms
    assert result.outcome.findings == []


def test_size_near_target(made: Path) -> None:
    """The synthetic reports hold within 20 % of the 1,500 triples asked for."""
    graph = Graph()
    for path in synth_files(made):
        graph.parse(path, format="turtle")
    assert 1200 <= len(graph) <= 1800


def test_same_seed_same_bytes(small: Path, tmp_path: Path) -> None:
    """A second run with seed 3 writes byte-identical reports, background, contributions and
    manifest."""
    synth(300, seed=3, out=tmp_path, contribution_sizes=[SIZE], article=False)
    first, second = written(small), written(tmp_path)
    assert [p.relative_to(small) for p in first] == [p.relative_to(tmp_path) for p in second]
    assert (
        len(first) == len(ALL_FILES) + len(synth_files(small)) + 4
    )  # background, manifest, 2 dirs
    for a, b in zip(first, second, strict=True):
        assert a.is_dir() or a.read_bytes() == b.read_bytes(), a


def test_other_seed_other_data(small: Path, tmp_path: Path) -> None:
    """Seed 2 writes different reports; with no contribution size, no contributions."""
    synth(300, seed=2, out=tmp_path, contribution_sizes=[], article=False)
    assert synth_files(small)[0].read_bytes() != synth_files(tmp_path)[0].read_bytes()
    assert not (tmp_path / "contributions").exists()


def test_quotes_say_synthetic(made: Path) -> None:
    """Every quote in the synthetic reports and contributions says it is synthetic."""
    paths = synth_files(made) + sorted((made / "contributions").rglob("*.ttl"))
    quotes = []
    for path in paths:
        quotes += [str(q) for q in Graph().parse(path, format="turtle").objects(None, DET.quote)]
    assert len(quotes) > 100
    assert all("synthetic" in quote for quote in quotes)


def test_manifest_lists_every_contribution(made: Path) -> None:
    """The manifest records each contribution written, with its triple count and a size near
    the one asked; valid ones expect nothing, defective ones a finding or an inconsistency."""
    records = manifest(made)
    folder = made / "contributions"
    on_disk = sorted(str(p.relative_to(folder)) for p in folder.rglob("*.ttl"))
    assert sorted(records) == sorted(ALL_FILES) == on_disk
    for name, record in records.items():
        graph = Graph().parse(made / "contributions" / name, format="turtle")
        assert record["triples"] == len(graph)
        assert SIZE <= record["triples"] <= SIZE + 100, name
        expects = record["findings"] or record["inconsistencies"]
        assert bool(expects) == (record["kind"] != "valid"), name


def test_contributions_are_new_reports_about_the_graph(made: Path) -> None:
    """Each contribution describes one new, synthetic report and speaks of nodes of the graph:
    every valid one names an existing meeting, now held."""
    data = Graph()
    for path in (made / "data").glob("*.ttl"):
        data.parse(path, format="turtle")
    known = set(data.subjects())
    for name in ALL_FILES:
        graph = Graph().parse(made / "contributions" / name, format="turtle")
        (report,) = graph.subjects(RDF.type, DET.NewsArticle)
        assert report not in known
        assert "synthetic" in str(graph.value(report, RDFS.label))
        mentioned = set(graph.subjects()) | {o for o in graph.objects() if isinstance(o, URIRef)}
        assert mentioned & known, name
        if name.startswith("valid/"):
            held = set(graph.subjects(DET.participant, None)) & known
            assert any("/meeting/" in str(m) for m in held), name


def test_enough_defects_in_a_neighbour(made: Path) -> None:
    """At least five defective contributions break a node the graph had already, and one kind
    of finding each, among them the SPARQL checks, shapes, OWL and the policy."""
    records = [r for r in manifest(made).values() if r["kind"] != "valid"]
    assert sum(1 for r in records if r["neighbour"]) >= 5
    rules = {f["rule"] for r in records for f in r["findings"]}
    for rule in (
        "check:duplicate-tenure-violation",
        "check:single-holder-overlap-violation",
        "dsh:PostShape-postIn",
        "policy:conflict",
    ):
        assert rule in rules
    assert any(r["inconsistencies"] for r in records)


@pytest.mark.parametrize("name", FILES)
def test_judgement_as_manifest(small: Path, small_sources: Sources, name: str) -> None:
    """Judging the contribution gives exactly the findings (rule, focus, brought by the
    contribution or not), inconsistencies and exit code the manifest says."""
    record = manifest(small)[name]
    contribution = read_contribution([str(small / "contributions" / name)])
    verdict = judge_contribution(Project(small), contribution, sources=small_sources)
    names = verdict.outcome.names
    findings = sorted(
        (compact(f.rule, names), compact(f.focus, names), f.contributed)
        for f in verdict.outcome.findings
    )
    expected = [(f["rule"], f["focus"], f["contributed"]) for f in record["findings"]]
    assert findings == expected
    inconsistent = sorted({compact(i.node, names) for i in verdict.outcome.inconsistencies})
    assert inconsistent == record["inconsistencies"]
    assert (0 if verdict.accepted else 1) == record["exit"]
