"""Competency questions: answers written from the article, the same on rdflib and pyoxigraph."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef
from rdflib.query import Result

from detente.cli import main
from detente.kg import ID, Project, Sources
from detente.query import Question, load_question, oxigraph_store, questions, run, to_csv

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = ROOT / "tests" / "expected"
QUESTIONS = ROOT / "scripts" / "questions"

# Expected files that answer a question with variables bound: file stem -> (question, bindings).
BOUND = {
    "meeting-provenance": (
        "meeting-provenance",
        {"meeting": URIRef(f"{ID}meeting/2023-austin-li-shangri-la")},
    ),
    "offices--li-shangfu": ("offices", {"holder": URIRef(f"{ID}person/li-shangfu")}),
}


def graph_for(question: Question, sources: Sources, closed: Graph) -> Graph:
    """The graph a question runs on: the closure if its header asks for it."""
    return closed if question.needs_closure else sources.merged()


def csv_rows(text: str) -> list[list[str]]:
    """Rows of a CSV document, header first."""
    return list(csv.reader(io.StringIO(text)))


def order_keys(question: Question, header: list[str]) -> list[int]:
    """Indexes of the projected columns the question orders by (empty: unordered)."""
    found = re.search(r"ORDER\s+BY\s+(.+)$", question.text, re.IGNORECASE | re.DOTALL)
    if not found:
        return []
    names = re.findall(r"\?(\w+)", found.group(1))
    return [header.index(name) for name in names if name in header]


def assert_same_answer(
    question: Question, ours: list[list[str]], expected: list[list[str]]
) -> None:
    """Same header, same rows (as a multiset), and the same order on the ORDER BY columns."""
    assert ours[0] == expected[0], "columns differ"
    missing = Counter(map(tuple, expected[1:])) - Counter(map(tuple, ours[1:]))
    extra = Counter(map(tuple, ours[1:])) - Counter(map(tuple, expected[1:]))
    assert not missing and not extra, f"missing: {sorted(missing)}\nextra: {sorted(extra)}"
    keys = order_keys(question, ours[0])
    if keys:
        assert [[row[k] for k in keys] for row in ours[1:]] == [
            [row[k] for k in keys] for row in expected[1:]
        ], "order differs"


def expectation_cases() -> list[tuple[str, str, dict[str, URIRef]]]:
    """Every expected answer file with its question and bindings."""
    cases = []
    for path in sorted(EXPECTED.glob("*.csv")):
        name, bindings = BOUND.get(path.stem, (path.stem, {}))
        cases.append((path.stem, name, bindings))
    return cases


def test_every_question_has_an_expected_answer() -> None:
    answered = {name for _, name, _ in expectation_cases()}
    assert {q.name for q in questions(QUESTIONS)} <= answered


def test_every_question_has_a_header_that_says_the_question() -> None:
    for question in questions(QUESTIONS):
        assert question.description.endswith(("?", ".")), question.name
        assert "Columns:" in question.text, question.name


@pytest.mark.parametrize(("stem", "name", "bindings"), expectation_cases())
@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
def test_answer_matches_the_article(
    stem: str,
    name: str,
    bindings: dict[str, URIRef],
    engine: str,
    sources: Sources,
    closed: Graph,
) -> None:
    question = load_question(QUESTIONS / f"{name}.rq")
    graph = graph_for(question, sources, closed)
    ours = csv_rows(to_csv(run(question, graph, engine, bindings)))  # type: ignore[arg-type]
    expected = csv_rows((EXPECTED / f"{stem}.csv").read_text(encoding="utf-8"))
    assert_same_answer(question, ours, expected)


@pytest.mark.parametrize("question", questions(QUESTIONS), ids=lambda q: q.name)
def test_rdflib_and_oxigraph_agree(question: Question, sources: Sources, closed: Graph) -> None:
    graph = graph_for(question, sources, closed)
    by_rdflib = run(question, graph, "rdflib")
    by_oxigraph = run(question, graph, "oxigraph", store=oxigraph_store(graph))
    assert by_rdflib.variables == by_oxigraph.variables
    assert Counter(by_rdflib.rows) == Counter(by_oxigraph.rows)
    assert by_rdflib.rows, "a question with no answer on the article graph tests nothing"


# ------------------------------------------------------------------ the command line


def invoke(*args: str) -> tuple[int, str, str]:
    """Run the CLI in-process."""
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_list_prints_every_question_with_its_description(project: Project) -> None:
    code, out, _ = invoke("query", "--list", "--project", str(project.root))
    assert code == 0
    for question in questions(QUESTIONS):
        assert f"{question.name}" in out and question.description in out


def test_csv_output_parses_and_answers(project: Project) -> None:
    code, out, _ = invoke("query", "held-meetings", "--format", "csv")
    assert code == 0
    rows = csv_rows(out)
    assert rows[0][:3] == ["meeting", "participant1", "participant2"]
    assert {row[3] for row in rows[1:]} == {"Vienna", "Washington", "Beijing"}


def test_tsv_output_parses_with_rdflib() -> None:
    code, out, _ = invoke("query", "held-meetings", "--format", "tsv")
    assert code == 0
    result = Result.parse(io.StringIO(out), format="tsv")
    assert len(list(result)) == 3


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
def test_json_output_is_sparql_results_json(engine: str) -> None:
    code, out, _ = invoke("query", "sanctions", "--format", "json", "--engine", engine)
    assert code == 0
    document = json.loads(out)
    assert document["head"]["vars"][0] == "target"
    result = Result.parse(io.StringIO(out), format="json")
    assert {str(row[0]) for row in result} == {"Li Shangfu"}  # type: ignore[index]


def test_markdown_and_table_outputs() -> None:
    code, out, _ = invoke("query", "refusals", "--format", "md")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "### Who refused whom, and what had been asked?"
    table = [line for line in lines if line.startswith("|")]
    assert table[0].startswith("| rejecter | requester")
    assert len(table) == 2 + 3  # header, rule, and the three refusals the article reports
    code, out, _ = invoke("query", "refusals")
    assert code == 0 and "Who refused whom" in out


def test_bind_fills_a_variable() -> None:
    code, out, _ = invoke(
        "query", "offices", "--format", "csv", "--bind", "holder=person/lloyd-austin"
    )
    assert code == 0
    rows = csv_rows(out)
    assert [row[:2] for row in rows[1:]] == [["Lloyd Austin", "U.S. Defense Secretary"]]


def test_any_rq_file_runs_and_a_bad_one_names_line_and_column(tmp_path: Path) -> None:
    good = tmp_path / "count.rq"
    good.write_text(
        "# How many people?\nSELECT (COUNT(?p) AS ?n) WHERE "
        "{ ?p a <https://w3id.org/detente/ontology#Person> }\n",
        encoding="utf-8",
    )
    code, out, _ = invoke("query", str(good), "--format", "csv")
    assert code == 0 and csv_rows(out)[1] == ["13"]  # the 13 people the article names
    bad = tmp_path / "bad.rq"
    bad.write_text("# broken\nSELECT ?x WHERE {\n  ?x ?y \n}\n", encoding="utf-8")
    code, _, err = invoke("query", str(bad))
    assert code == 2
    assert re.search(rf"{re.escape(str(bad))}:\d+:\d+: SPARQL syntax error", err)


def test_unknown_question_lists_the_known_ones() -> None:
    code, _, err = invoke("query", "no-such-question")
    assert code == 2 and "held-meetings" in err


def test_closure_flag_changes_what_a_question_sees() -> None:
    # timeline selects det:Event and det:Sanction; without the closure only subclasses are typed.
    code, out, _ = invoke("query", "timeline", "--format", "csv", "--no-closure")
    assert code == 0
    assert [row[-1] for row in csv_rows(out)[1:]] == ["U.S. sanction on Li Shangfu (2018)"]
    code, out, _ = invoke("query", "timeline", "--format", "csv")
    assert code == 0 and len(csv_rows(out)) > 10
