"""Incremental contribution checks give exactly the full judgement's findings.

`detente check FILE` judges a contribution on the persistent index, re-judging only the nodes
it can affect (src/detente/incremental.py); `--no-index` judges the whole merged graph. The two
must agree on every finding (node, rule, path, value, message, line, who brings it) and every
inconsistency: here on contributions of the corpus whose defect lies in an existing neighbour,
and on the synthetic contributions of tests/test_synth.py (each judged against its manifest).
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import copy_project, invoke
from rdflib import URIRef

from detente.contribution import judge_contribution, judge_contribution_indexed
from detente.incremental import DET_NS as DET
from detente.incremental import _source_predicates, base_judgement, judge_all, load_rules
from detente.index import open_index
from detente.kg import Project, find_project
from detente.policy import read_contribution
from detente.synth import make_world, states_for, synth
from detente.validate import Check, Outcome, check_findings, check_project, load_checks, names_of

CORPUS = Path(__file__).parent / "contributions"
# Defects in a neighbour, clashes, conflicts, and accepted ones, from the corpus.
CASES = [
    "invalid/breaks-graph-person-as-organization.ttl",
    "invalid/conflict-status.ttl",
    "invalid/conflict-holder-single-holder-post.ttl",
    "invalid/held-meeting-without-participant.ttl",
    "invalid/participant-on-rejected-meeting.ttl",
    "invalid/single-holder-overlap.ttl",
    "invalid/source-not-a-report.ttl",
    "invalid/same-as-through-new-person.ttl",
    "invalid/padded-date-day.ttl",
    "valid/state-department-readout-2023-06-19.ttl",
]


def key(outcome: Outcome) -> tuple[list[tuple[str, ...]], list[tuple[str, str]]]:
    """Everything a judgement says, comparable."""
    findings = sorted(
        tuple(
            map(
                str,
                (f.focus, f.rule, f.path, f.value, f.severity, f.message, f.line, f.contributed),
            )
        )
        for f in outcome.findings
    )
    return findings, sorted((str(i.node), i.message) for i in outcome.inconsistencies)


@pytest.fixture(scope="module")
def article(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A copy of the project, its index made once."""
    return Project(copy_project(find_project(), tmp_path_factory.mktemp("article") / "p"))


@pytest.mark.parametrize("name", CASES)
def test_same_findings_as_the_full_judgement(article: Project, name: str) -> None:
    """On the article's graph, the index judges a contribution exactly as the full check."""
    contribution = read_contribution([CORPUS / name])
    full = judge_contribution(article, contribution)
    with open_index(article) as index:
        fast = judge_contribution_indexed(article, contribution, index)
    assert key(fast.outcome) == key(full.outcome)
    assert fast.accepted == name.startswith("valid/")


def test_cli_check_same_with_and_without_index(article: Project) -> None:
    """`check FILE` prints the same JSON findings with the index and without it."""
    path = CORPUS / "invalid" / "breaks-graph-person-as-organization.ttl"
    runs = [
        invoke("check", path, "--format", "json", "--project", article.root, *flag)
        for flag in ((), ("--no-index",))
    ]
    assert [r.exit_code for r in runs] == [1, 1]
    reports = [json.loads(r.stdout) for r in runs]
    assert reports[0]["findings"] == reports[1]["findings"]
    assert reports[0]["inconsistencies"] == reports[1]["inconsistencies"]
    assert reports[0]["inconsistencies"]  # Li Shangfu made an organisation: a clash


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A synthetic project of about 300 triples, with contributions of about 40."""
    out = tmp_path_factory.mktemp("synth") / "small"
    synth(300, seed=3, out=out, contribution_sizes=[40], article=False)
    return Project(out)


def manifest(project: Project) -> list[dict[str, object]]:
    """The records of the synthetic contributions."""
    text = (project.root / "contributions" / "manifest.json").read_text(encoding="utf-8")
    return list(json.loads(text)["files"])


def test_synthetic_contributions_as_their_manifest(small: Project) -> None:
    """Each synthetic contribution, judged on the index, gives exactly the findings (rule,
    node, brought by it or not), inconsistencies and verdict its manifest says."""
    with open_index(small) as index:
        for record in manifest(small):
            path = small.root / "contributions" / str(record["file"])
            verdict = judge_contribution_indexed(small, read_contribution([path]), index)
            names = verdict.outcome.names
            found = sorted(
                (f.rule.n3(names), f.focus.n3(names), f.contributed)
                for f in verdict.outcome.findings
            )
            expected = [
                (f["rule"], f["focus"], f["contributed"])
                for f in record["findings"]  # type: ignore[attr-defined]
            ]
            assert found == expected, record["file"]
            clashes = sorted({i.node.n3(names) for i in verdict.outcome.inconsistencies if i.node})
            assert clashes == record["inconsistencies"], record["file"]
            assert (0 if verdict.accepted else 1) == record["exit"], record["file"]


def test_recorded_judgement_keeps_up_with_changed_files(small: Project, tmp_path: Path) -> None:
    """After data files come, change and go, the index's recorded judgement, caught up on the
    changed nodes only, equals a judgement made afresh and the full `detente check`."""
    project = Project(copy_project(small.root, tmp_path / "p"))
    with open_index(project) as index:
        rules = load_rules(project)
        names = names_of(index.names(), rules.ontology, rules.shapes)
        assert base_judgement(index, rules, names).findings == []
    # Defective contributions become data files: their findings must appear, and go again.
    defective = small.root / "contributions" / "defective"
    for kind in ("duplicate-tenure", "status-tie", "single-holder-overlap"):
        source = defective / f"40-{kind}.ttl"
        report = read_contribution([source])
        slug = next(
            iter(
                {
                    str(o).rsplit("/", 1)[-1]
                    for o in report.graph.objects()
                    if "/id/report/" in str(o)
                }
            )
        )
        shutil.copyfile(source, project.root / "data" / f"{slug}.ttl")
    caught_up = _recorded(project)
    assert caught_up.findings
    full = check_project(project)
    assert sorted(map(_short, caught_up.findings)) == sorted(map(_short, full.outcome.findings))
    with open_index(project) as index:
        rules = load_rules(project)
        names = names_of(index.names(), rules.ontology, rules.shapes)
        fresh = judge_all(index, rules, names, "reasonable")
    assert sorted(map(_short, caught_up.findings)) == sorted(map(_short, fresh.findings))
    for path in (project.root / "data").glob("synth-contribution*.ttl"):
        path.unlink()
    for path in sorted((project.root / "data").glob("*.ttl")):
        if path.stem not in {p.stem for p in small.data_files}:
            path.unlink()
    assert _recorded(project).findings == []


def _recorded(project: Project):  # type: ignore[no-untyped-def]
    """The index's recorded judgement, brought up to date."""
    with open_index(project) as index:
        rules = load_rules(project)
        names = names_of(index.names(), rules.ontology, rules.shapes)
        return base_judgement(index, rules, names)


def _short(finding: object) -> tuple[str, ...]:
    """A finding as node, rule, path, value, severity."""
    f = finding
    return tuple(map(str, (f.focus, f.rule, f.path, f.value, f.severity)))  # type: ignore[attr-defined]


def test_changes_only_judges_what_the_contribution_changes(small: Project, tmp_path: Path) -> None:
    """With --changes-only and no recorded judgement, the graph is not judged whole: the
    findings are the contribution's own (here, as its manifest says), and the line says so."""
    project = Project(copy_project(small.root, tmp_path / "p"))
    name = "defective/40-duplicate-tenure.ttl"
    record = next(r for r in manifest(small) if r["file"] == name)
    path = small.root / "contributions" / name
    result = invoke("check", path, "--changes-only", "--format", "json", "--project", project.root)
    report = json.loads(result.stdout)
    assert report["changesOnly"] is True
    assert {f["rule"] for f in report["findings"]} == {f["rule"] for f in record["findings"]}  # type: ignore[attr-defined]
    text = invoke("check", path, "--changes-only", "--project", project.root)
    assert "changes only" in text.stdout.splitlines()[-1]
    state = json.loads((project.root / ".cache" / "index" / "state.json").read_text())
    assert state["judged"] is None  # nothing recorded: the graph was not judged whole


# ------------------------------------------------------------------ the pieces that keep it fast


def _check(text: str) -> Check:
    """A check of the given text (WARN, no header checks)."""
    return Check("probe-violation", Path("probe-violation.rq"), text, "WARN", "probe", False, None)


PREFIX = "PREFIX det: <https://w3id.org/detente/ontology#>\n"


def test_source_predicates_read_from_graph_patterns_about_this() -> None:
    """A check reading `GRAPH ?g { ?this det:source ?v ; det:quote ?q }` needs those two
    properties of its foci in the source graphs, nothing else; the meta graph is read whole."""
    text = PREFIX + (
        "SELECT ?this WHERE { GRAPH <https://w3id.org/detente/id/graph/meta> { ?g a ?k }\n"
        "  GRAPH ?g { ?this det:source ?v ; det:quote ?q . ?this a det:Meeting } }"
    )
    found = _source_predicates(_check(text))
    assert found == {
        ox.NamedNode(DET + "source"),
        ox.NamedNode(DET + "quote"),
        ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
    }
    assert _source_predicates(_check(PREFIX + "SELECT ?this WHERE { ?this det:post ?p }")) == set()


@pytest.mark.parametrize(
    "where",
    [
        "GRAPH ?g { ?other det:source ?this }",  # another node's triple
        "GRAPH ?g { ?this ?p ?v }",  # any property
        "GRAPH ?g { ?this det:about/det:source ?v }",  # a path
        "GRAPH ?g { { ?this det:source ?v } UNION { ?this det:quote ?v } }",  # nested braces
        "GRAPH <https://w3id.org/detente/id/graph/dw-2023-05-30> { ?this det:source ?v }",
    ],
)
def test_source_predicates_unsure_reads_every_source_triple(where: str) -> None:
    """Where the check's source-graph patterns cannot be read for sure, the answer is None:
    every neighbour's source-graph triples are then given to the checks."""
    assert _source_predicates(_check(PREFIX + f"SELECT ?this WHERE {{ {where} }}")) is None


def test_a_check_asked_about_foci_finds_what_the_whole_check_finds_of_them() -> None:
    """Asking a check about some nodes (VALUES ?this) gives the rows of the whole check about
    them: here duplicate-tenure on two unordered tenures of one post by one holder, and a third
    tenure elsewhere."""
    data = """
    @prefix det: <https://w3id.org/detente/ontology#> .
    @prefix t: <https://w3id.org/detente/id/tenure/> .
    t:a det:holder t:x ; det:post t:p .
    t:b det:holder t:x ; det:post t:p .
    t:c det:holder t:y ; det:post t:p .
    t:d det:holder t:y ; det:post t:p .
    """
    store = ox.Store()
    store.load(data, ox.RdfFormat.TURTLE)
    check = next(
        c for c in load_checks(find_project().root / "scripts/checks") if "duplicate" in c.name
    )
    whole = {(f.focus, f.value) for f in check_findings(check, store)}
    t = "https://w3id.org/detente/id/tenure/"
    assert whole == {(URIRef(t + "a"), URIRef(t + "b")), (URIRef(t + "c"), URIRef(t + "d"))}
    asked = {(f.focus, f.value) for f in check_findings(check, store, {URIRef(t + "c")})}
    assert asked == {(URIRef(t + "c"), URIRef(t + "d"))}
    assert check_findings(check, store, set()) == []


def test_larger_synthetic_graphs_speak_of_more_states() -> None:
    """One state per 5,000 report triples, between 12 and 190: posts keep tens of holders."""
    assert [states_for(n) for n in (1_000, 60_000, 100_000, 1_000_000, 5_000_000)] == [
        12,
        12,
        20,
        190,
        190,
    ]
    assert len(make_world(random.Random(1), 40).states) == 40
