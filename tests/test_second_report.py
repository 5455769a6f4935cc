"""A second report in the graph: an invented State Department readout of 2023-06-19.

The readout (tests/contributions/valid/state-department-readout-2023-06-19.ttl, made up for
these tests) says the 2023 Shangri-La Dialogue was held, the Austin-Li meeting there did not
take place, and Blinken's visit to China postponed in February took place in Beijing on 18-19
June with two meetings. It is added with `detente add` to a copy of the project, once for the
module; the answers expected afterwards (tests/expected/after-readout/) were written by hand
from the readout, the DW article and docs/model-v2.md.

Then the provenance cases of the spec's section 1: a bare triple naming no report is refused;
the same triple brought by its own (invented) report goes to that report's graph and is shown
with that report as its source, never with DW's.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import Result
from conftest import copy_project, invoke, order_keys
from rdflib import URIRef
from rdflib.namespace import PROV, RDFS

from detente.kg import DET, GRAPHS, ID, META_GRAPH, Project, load_graph, load_sources
from detente.query import answer_all, load_question, to_csv
from detente.read import read_rdf

ROOT = Path(__file__).resolve().parents[1]
VALID = ROOT / "tests" / "contributions" / "valid"
EXPECTED = ROOT / "tests" / "expected" / "after-readout"
QUESTIONS = ROOT / "scripts" / "questions"
ENGINES = ("rdflib", "oxigraph")

READOUT_SLUG = "state-department-readout-2023-06-19"
READOUT_FILE = VALID / f"{READOUT_SLUG}.ttl"
READOUT = URIRef(f"{ID}report/{READOUT_SLUG}")
READOUT_GRAPH = URIRef(f"{GRAPHS}{READOUT_SLUG}")
DW = URIRef(f"{ID}report/dw-2023-05-30")
DW_GRAPH = URIRef(f"{GRAPHS}dw-2023-05-30")
DW_FILE = ROOT / "data" / "dw-2023-05-30.ttl"

BIDEN_SLUG = "example-daily-2023-06-06"
BIDEN_FILE = VALID / f"biden-vienna-{BIDEN_SLUG}.ttl"
BIDEN_REPORT = URIRef(f"{ID}report/{BIDEN_SLUG}")
BIDEN_GRAPH = URIRef(f"{GRAPHS}{BIDEN_SLUG}")
VIENNA = URIRef(f"{ID}meeting/2023-sullivan-wang-yi-vienna")
BIDEN = URIRef(f"{ID}person/biden")
BLINKEN = URIRef(f"{ID}person/anthony-blinken")
READOUT_LABEL = (
    "U.S. Department of State readout, 2023-06-19: Secretary Blinken's travel to Beijing "
    "(invented test fixture)"
)
DW_LABEL = (
    "Deutsche Welle Chinese website, 2023-05-30: "
    "China rejects U.S. request for an Austin-Li meeting in Singapore"
)
BIDEN_LABEL = "Example Daily, 2023-06-06: Biden joined the Vienna talks (invented test fixture)"

PREFIXES = """@prefix det: <https://w3id.org/detente/ontology#> .
@prefix meeting: <https://w3id.org/detente/id/meeting/> .
@prefix person: <https://w3id.org/detente/id/person/> .
@prefix report: <https://w3id.org/detente/id/report/> .
"""
BARE_TRIPLE = "meeting:2023-sullivan-wang-yi-vienna det:participant person:biden .\n"


@dataclass
class Added:
    """A project copy after one `detente add`, with the command's result and the answers."""

    project: Project
    result: Result
    answers: dict[tuple[str, str], list[list[str]]]  # (question, engine) -> CSV rows

    @property
    def data(self) -> Path:
        """The copy's data folder."""
        return self.project.root / "data"


def csv_rows(text: str) -> list[list[str]]:
    """Rows of a CSV document, header first."""
    return list(csv.reader(io.StringIO(text)))


# The questions whose answers the readout changes (answered once per fixture, on each engine).
ASKED = ["unrealised-meetings", "shangri-la-2023", "held-meetings", "status-history", "reports"]


def answer(project: Project) -> dict[tuple[str, str], list[list[str]]]:
    """The questions of ASKED, from the copy's scripts/questions/, on each engine."""
    chosen = [load_question(project.root / "scripts" / "questions" / f"{n}.rq") for n in ASKED]
    sources = load_sources(project)
    answers = {}
    for engine in ENGINES:
        for question, results, _ in answer_all(sources, chosen, engine):  # type: ignore[arg-type]
            answers[(question.name, engine)] = csv_rows(to_csv(results))
    return answers


def add_to_copy(root: Path, contribution: Path) -> Added:
    """Copy the project, add one contribution with `detente add`, answer every question."""
    project = Project(copy_project(ROOT, root, judged=True))
    result = invoke("add", str(contribution), "--project", str(root))
    return Added(project, result, answer(project))


@pytest.fixture(scope="module")
def after_readout(tmp_path_factory: pytest.TempPathFactory) -> Added:
    """The project with the invented State Department readout added."""
    return add_to_copy(tmp_path_factory.mktemp("readout"), READOUT_FILE)


@pytest.fixture(scope="module")
def after_biden(tmp_path_factory: pytest.TempPathFactory) -> Added:
    """The project with the invented Example Daily report that puts Biden in Vienna."""
    return add_to_copy(tmp_path_factory.mktemp("biden"), BIDEN_FILE)


# ------------------------------------------------------------------ comparing answers


def assert_same_answer(name: str, ours: list[list[str]], expected: list[list[str]]) -> None:
    """Same columns, same rows (as a multiset), same order on the ORDER BY columns."""
    assert ours[0] == expected[0], f"{name}: columns differ"
    missing = Counter(map(tuple, expected[1:])) - Counter(map(tuple, ours[1:]))
    extra = Counter(map(tuple, ours[1:])) - Counter(map(tuple, expected[1:]))
    assert not missing and not extra, f"{name}\nmissing: {sorted(missing)}\nextra: {sorted(extra)}"
    keys = order_keys(load_question(QUESTIONS / f"{name}.rq"), ours[0])
    if keys:
        assert [[row[k] for k in keys] for row in ours[1:]] == [
            [row[k] for k in keys] for row in expected[1:]
        ], f"{name}: order differs"


def expected(name: str) -> list[list[str]]:
    """The hand-written answer to a question after the readout is added."""
    return csv_rows((EXPECTED / f"{name}.csv").read_text(encoding="utf-8"))


def column(rows: list[list[str]], name: str) -> list[str]:
    """One column of an answer, header left out."""
    index = rows[0].index(name)
    return [row[index] for row in rows[1:]]


# ------------------------------------------------------------------ the readout


def test_the_readout_is_accepted_on_its_own() -> None:
    result = invoke("check", str(READOUT_FILE), "--format", "json", "--project", str(ROOT))
    verdict = json.loads(result.stdout)
    assert result.exit_code == 0, [(f["rule"], f["focus"], f["line"]) for f in verdict["findings"]]
    assert verdict["findings"] == [] and verdict["inconsistencies"] == []


def test_the_readout_says_it_is_invented() -> None:
    text = READOUT_FILE.read_text(encoding="utf-8")
    assert text.startswith("# INVENTED TEST FIXTURE, NOT A REAL DOCUMENT.")
    graph = read_rdf(str(READOUT_FILE)).graph
    assert "Invented test fixture, not a real document" in str(graph.value(READOUT, RDFS.comment))
    assert "invented" in str(graph.value(READOUT, RDFS.label))


def test_every_quote_is_verbatim_from_the_invented_text() -> None:
    lines = READOUT_FILE.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if "invented readout text" in line)
    end = next(i for i, line in enumerate(lines) if "end of invented text" in line)
    invented = " ".join(line.removeprefix("#").strip() for line in lines[start + 1 : end])
    graph = read_rdf(str(READOUT_FILE)).graph
    quotes = {str(q) for q in graph.objects(None, DET.quote)}
    assert len(quotes) >= 8
    for quote in quotes:
        assert quote in invented, quote


def test_the_readout_cites_only_itself() -> None:
    graph = read_rdf(str(READOUT_FILE)).graph
    assert set(graph.objects(None, DET.source)) == {READOUT}


def test_add_stores_the_readout_in_its_own_file(after_readout: Added) -> None:
    assert after_readout.result.exit_code == 0, after_readout.result.output
    assert sorted(p.name for p in after_readout.data.glob("*.ttl")) == [
        "background.ttl",
        "dw-2023-05-30.ttl",
        f"{READOUT_SLUG}.ttl",
    ]
    stored = load_graph([after_readout.data / f"{READOUT_SLUG}.ttl"])
    assert set(stored) == set(read_rdf(str(READOUT_FILE)).graph)
    assert DW_FILE.read_bytes() == (after_readout.data / DW_FILE.name).read_bytes()


def test_the_stored_file_is_canonical(after_readout: Added) -> None:
    result = invoke("fmt", "--check", str(after_readout.data / f"{READOUT_SLUG}.ttl"))
    assert result.exit_code == 0, result.output


def test_the_readout_is_its_own_named_graph(after_readout: Added) -> None:
    dataset = load_sources(after_readout.project).dataset()
    readout = set(read_rdf(str(READOUT_FILE)).graph)
    assert set(dataset.graph(READOUT_GRAPH)) == readout
    dw = set(load_graph([DW_FILE]))
    assert set(dataset.graph(DW_GRAPH)) == dw, "the readout changed DW's graph"
    assert (READOUT_GRAPH, PROV.wasDerivedFrom, READOUT) in dataset.graph(META_GRAPH)
    assert (READOUT_GRAPH, PROV.wasDerivedFrom, DW) not in dataset.graph(META_GRAPH)
    background = set(load_graph([ROOT / "data" / "background.ttl"]))
    only_readout = readout - dw - background
    # All but five: Blinken's, Qin Gang's and Wang Yi's types and the latter two's labels.
    assert len(readout) - len(only_readout) == 5
    for triple in only_readout:
        assert {g for *_, g in dataset.quads((*triple, None))} == {READOUT_GRAPH}, triple


def test_each_report_keeps_its_own_spelling_of_blinken(after_readout: Added) -> None:
    dataset = load_sources(after_readout.project).dataset()
    labels = {
        (str(row[0]), str(row[1]))  # type: ignore[index]
        for row in dataset.query(
            "SELECT ?g ?label WHERE { GRAPH ?g { ?who rdfs:label ?label } }",
            initBindings={"who": BLINKEN},
            initNs={"rdfs": RDFS},
        )
    }
    assert labels == {
        (str(DW_GRAPH), "Anthony Blinken"),
        (str(READOUT_GRAPH), "Antony Blinken"),
    }


def test_the_whole_graph_still_conforms(after_readout: Added) -> None:
    result = invoke("check", "--project", str(after_readout.project.root))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", ASKED)
def test_answers_after_the_readout(after_readout: Added, name: str, engine: str) -> None:
    assert_same_answer(name, after_readout.answers[(name, engine)], expected(name))


def test_what_the_readout_changes_in_the_answers(after_readout: Added) -> None:
    """The points of the readout, read off the answers (the CSVs above hold them all)."""
    for engine in ENGINES:
        answers = after_readout.answers
        unrealised = column(answers[("unrealised-meetings", engine)], "event")
        assert not [event for event in unrealised if "Blinken" in event]
        assert [event for event in unrealised if "Lloyd Austin and Li Shangfu" in event]
        held = answers[("held-meetings", engine)]
        beijing = {
            (row[0], row[1], row[2], row[7])
            for row in held[1:]
            if row[0].startswith("Meeting of Antony Blinken")
        }
        visit = "Antony Blinken's visit to Beijing, 18-19 June 2023"
        assert {(meeting, participant, part) for meeting, participant, _, part in beijing} == {
            ("Meeting of Antony Blinken and Qin Gang in Beijing", "Antony Blinken", visit),
            ("Meeting of Antony Blinken and Qin Gang in Beijing", "Qin Gang", visit),
            ("Meeting of Antony Blinken and Wang Yi in Beijing", "Antony Blinken", visit),
            ("Meeting of Antony Blinken and Wang Yi in Beijing", "Wang Yi", visit),
        }
        assert {report for _, _, report, _ in beijing} == {READOUT_LABEL}
        history = answers[("status-history", engine)]
        current = {(row[0], row[1]) for row in history[1:] if row[4] == "true"}
        assert ("2023 Shangri-La Dialogue", "held") in current
        assert ("Anthony Blinken's visit to China", "postponed") in current
        austin_li = [
            (row[1], row[2], row[3], row[4])
            for row in history[1:]
            if row[0].startswith("Proposed meeting of defense ministers Lloyd Austin")
        ]
        assert austin_li == [
            ("rejected", "2023-05-30", DW_LABEL, "false"),
            ("rejected", "2023-06-19", READOUT_LABEL, "true"),
        ]
        reports = answers[("reports", engine)]
        assert [row[1:3] for row in reports[1:] if row[0] == READOUT_LABEL] == [
            ["readout", "official"]
        ]


# ------------------------------------------------------------------ provenance (spec section 1)


def refusal(contribution: Path) -> tuple[Result, set[tuple[str, str, int]]]:
    """`detente add --dry-run` of a contribution to the project: the result and its findings."""
    result = invoke(
        "add", str(contribution), "--dry-run", "--format", "json", "--project", str(ROOT)
    )
    findings = json.loads(result.stdout)["findings"]
    return result, {(f["rule"], f["focus"], f["line"]) for f in findings}


def test_a_triple_without_a_report_is_refused(tmp_path: Path) -> None:
    bare = tmp_path / "biden-vienna-bare.ttl"
    bare.write_text(PREFIXES + BARE_TRIPLE, encoding="utf-8")
    result, findings = refusal(bare)
    assert result.exit_code == 1
    line = PREFIXES.count("\n") + 1
    assert ("policy:no-report", "meeting:2023-sullivan-wang-yi-vienna", line) in findings
    message = next(
        f["message"]
        for f in json.loads(result.stdout)["findings"]
        if f["rule"] == "policy:no-report"
    )
    assert "det:source report:<slug>" in message
    assert "nothing written" in result.stderr


def test_a_triple_citing_two_reports_is_refused(tmp_path: Path) -> None:
    second = "    det:source report:dw-2023-05-30 .\n"
    text = BIDEN_FILE.read_text(encoding="utf-8") + "\n" + BARE_TRIPLE.replace(" .\n", " ;\n")
    text += second
    two = tmp_path / "biden-vienna-two-reports.ttl"
    two.write_text(text, encoding="utf-8")
    result, findings = refusal(two)
    assert result.exit_code == 1
    line = text.splitlines().index(second.rstrip("\n")) + 1
    assert ("policy:several-reports", "meeting:2023-sullivan-wang-yi-vienna", line) in findings
    assert "nothing written" in result.stderr


def test_the_same_triple_with_its_own_report_goes_to_that_reports_graph(
    after_biden: Added,
) -> None:
    assert after_biden.result.exit_code == 0, after_biden.result.output
    assert (after_biden.data / f"{BIDEN_SLUG}.ttl").is_file()
    dataset = load_sources(after_biden.project).dataset()
    graphs = {g for *_, g in dataset.quads((VIENNA, DET.participant, BIDEN, None))}
    assert graphs == {BIDEN_GRAPH}
    assert (BIDEN_GRAPH, PROV.wasDerivedFrom, BIDEN_REPORT) in dataset.graph(META_GRAPH)
    assert (BIDEN_GRAPH, PROV.wasDerivedFrom, DW) not in dataset.graph(META_GRAPH)


def test_the_added_participant_is_shown_with_its_own_report(after_biden: Added) -> None:
    for engine in ENGINES:
        held = after_biden.answers[("held-meetings", engine)]
        vienna = {(row[1], row[2]) for row in held[1:] if row[0].endswith("in Vienna")}
        assert vienna == {
            ("Jake Sullivan", DW_LABEL),
            ("Wang Yi", DW_LABEL),
            ("Biden", BIDEN_LABEL),
        }, engine
