"""The answers the index keeps: read back as the engine gave them, and never for other files."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import copy_project, invoke
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

import detente.query
from detente.index import open_index
from detente.kg import Project, find_project
from detente.query import (
    Results,
    answer_indexed,
    answer_key,
    answer_record,
    find_question,
    keepable,
    kept_results,
    questions,
)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A copy of the project, with no index yet."""
    return Project(copy_project(find_project(), tmp_path / "project"))


def engine_not_asked(*_: Any, **__: Any) -> Any:
    """Stands in for the engine where an answer must be read back."""
    raise AssertionError("the engine was asked for an answer the index keeps")


def test_every_kept_answer_reads_back_as_the_engine_gave_it(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each question's answer, kept then read back without asking the engine, has the same
    variables and rows in the same order, term for term (languages, datatypes, unbound
    values), as the engine's; and an answer asked afresh has the same rows."""
    chosen = questions(project.root / "scripts" / "questions")
    with open_index(project) as index:
        first = answer_indexed(index, chosen, timeout=None)
        fresh = answer_indexed(index, chosen, timeout=None, cache=False)
        monkeypatch.setattr(detente.query, "run_within", engine_not_asked)
        kept = answer_indexed(index, chosen, timeout=None)
    kinds = set()
    for (question, engine, _), (_, again, _), (_, read_back, _) in zip(
        first, fresh, kept, strict=True
    ):
        assert read_back.variables == engine.variables, question.name
        assert read_back.rows == engine.rows, question.name
        assert [[type(t) for t in row] for row in read_back.rows] == [
            [type(t) for t in row] for row in engine.rows
        ], question.name
        assert Counter(again.rows) == Counter(engine.rows), question.name
        kinds |= {
            (type(t).__name__, getattr(t, "datatype", None)) for row in engine.rows for t in row
        }
    # The article's answers hold IRIs, plain literals, dates, booleans and unbound values.
    assert {
        ("URIRef", None),
        ("Literal", None),
        ("Literal", XSD.date),
        ("Literal", XSD.boolean),
        ("NoneType", None),
    } <= kinds


def test_every_kind_of_term_is_kept_as_it_is(project: Project) -> None:
    """Blank nodes, languages, and literals as written (not normalised) come back equal."""
    terms = [
        BNode("b0"),
        Literal("Verteidigungsminister", lang="de"),
        Literal("01", datatype=XSD.integer, normalize=False),
        Literal("1", datatype=XSD.boolean, normalize=False),
        Literal("2023-05", datatype=XSD.gYearMonth),
        URIRef("https://w3id.org/detente/id/person/li-shangfu"),
        Literal("plain"),
    ]
    results = Results(["x", "y"], [(term, None) for term in terms] + [(None, terms[0])])
    with open_index(project) as index:
        index.keep("made-up", answer_record(results))
        read_back = kept_results(index, "made-up")
    assert read_back is not None and read_back.variables == ["x", "y"]
    for mine, theirs in zip(read_back.rows, results.rows, strict=True):
        assert [
            (type(t), str(t), getattr(t, "language", None), getattr(t, "datatype", None))
            for t in mine
        ] == [
            (type(t), str(t), getattr(t, "language", None), getattr(t, "datatype", None))
            for t in theirs
        ]


def test_a_change_to_the_files_empties_the_kept_answers(project: Project) -> None:
    """Biden's presidency is a background fact: with background.ttl gone, offices no longer
    lists it, though its answer with the file was kept."""
    offices = find_question(project, "offices")
    with open_index(project) as index:
        ((_, before, _),) = answer_indexed(index, [offices])
        assert list(index.answers.glob("*.json"))
    assert ("Biden", "President of the United States") in {
        (str(row[0]), str(row[1])) for row in before.rows
    }
    (project.root / "data" / "background.ttl").unlink()
    with open_index(project) as index:
        assert not index.answers.exists()
        ((_, after, _),) = answer_indexed(index, [offices])
        ((_, fresh, _),) = answer_indexed(index, [offices], cache=False)
    assert "Biden" not in {str(row[0]) for row in after.rows}
    assert Counter(after.rows) == Counter(fresh.rows)


def test_a_damaged_kept_answer_is_asked_again(project: Project) -> None:
    """A kept answer that cannot be read is no answer: the engine is asked, and its answer
    kept in its place."""
    offices = find_question(project, "offices")
    with open_index(project) as index:
        ((_, engine, _),) = answer_indexed(index, [offices])
        (path,) = index.answers.glob("*.json")
        damages = (
            "{not json",
            "[]",
            "[" * 100_000 + "]" * 100_000,  # too deep for the JSON reader
            '{"variables": ["x"], "terms": [], "rows": [[3]]}',  # no such term
            '{"variables": ["x", "y"], "terms": [["uri", "x", null, null]], "rows": [[0]]}',
            '{"variables": "person", "terms": [], "rows": []}',
            '{"variables": ["x"], "terms": [["literal", "1", null, 7]], "rows": [[0]]}',
        )
        for damage in damages:
            path.write_text(damage, encoding="utf-8")
            ((_, again, _),) = answer_indexed(index, [offices])
            assert again.rows == engine.rows
            assert path.read_text(encoding="utf-8") != damage


def test_bound_questions_are_kept_apart(project: Project) -> None:
    """Li Shangfu's offices, asked with --bind, are kept apart from everyone's: he held two
    posts, as defence minister and head of the Equipment Development Department."""
    everyone = invoke("query", "offices", "--format", "csv", "--project", project.root)
    bound = ["--bind", "holder=person/li-shangfu"]
    his = invoke("query", "offices", *bound, "--format", "csv", "--project", project.root)
    again = invoke("query", "offices", *bound, "--format", "csv", "--project", project.root)
    assert everyone.exit_code == his.exit_code == again.exit_code == 0
    assert his.stdout == again.stdout
    assert len(his.stdout.splitlines()) == 3  # header and his two tenures
    assert len(everyone.stdout.splitlines()) > 3
    assert len(list((project.root / ".cache" / "index" / "answers").glob("*.json"))) == 2


def test_no_cache_asks_the_engine_and_keeps_nothing(project: Project) -> None:
    """`--no-cache` gives the same answer as a kept one and writes no answer."""
    asked = invoke("query", "refusals", "--format", "csv", "--no-cache", "--project", project.root)
    assert asked.exit_code == 0
    assert not (project.root / ".cache" / "index" / "answers").exists()
    kept = invoke("query", "refusals", "--format", "csv", "--project", project.root)
    read_back = invoke("query", "refusals", "--format", "csv", "--project", project.root)
    assert asked.stdout == kept.stdout == read_back.stdout


def test_index_answers_keeps_every_answer_and_names_those_it_cannot_keep(
    project: Project,
) -> None:
    """`index --answers` keeps an answer for each question; one that cannot be answered is
    named with its place, the others kept still, exit 2."""
    count = len(questions(project.root / "scripts" / "questions"))
    result = invoke("--project", project.root, "index", "--answers")
    assert result.exit_code == 0, result.stderr
    assert f"answers: {count} of {count} questions kept" in result.stdout
    answers = project.root / ".cache" / "index" / "answers"
    assert len(list(answers.glob("*.json"))) == count
    broken = project.root / "scripts" / "questions" / "broken.rq"
    broken.write_text("SELECT ?x WHERE { ?x ?y }\n", encoding="utf-8")
    result = invoke("--project", project.root, "index", "--answers")
    assert result.exit_code == 2
    assert f"answers: {count} of {count + 1} questions kept" in result.stdout
    assert "broken.rq:1:" in result.stderr and "Traceback" not in result.stderr


def test_an_endpoint_takes_no_cache_option(project: Project) -> None:
    """The store behind --endpoint answers for itself: --no-cache is refused, exit 2."""
    result = invoke(
        "query",
        "offices",
        "--endpoint",
        "http://127.0.0.1:9/query",
        "--no-cache",
        "--project",
        project.root,
    )
    assert result.exit_code == 2
    assert "--cache/--no-cache" in result.stderr


def test_an_answer_kept_for_other_files_is_never_read(project: Project) -> None:
    """Answers kept before background.ttl was removed, put back in the folder, are not read:
    their key names the files they were asked of."""
    offices = find_question(project, "offices")
    with open_index(project) as index:
        answer_indexed(index, [offices])
        saved = {path.name: path.read_bytes() for path in index.answers.glob("*.json")}
    (project.root / "data" / "background.ttl").unlink()
    with open_index(project) as index:
        index.answers.mkdir()
        for name, content in saved.items():
            (index.answers / name).write_bytes(content)
        ((_, after, _),) = answer_indexed(index, [offices])
    assert "Biden" not in {str(row[0]) for row in after.rows}


def test_a_changed_ontology_empties_the_kept_answers(project: Project) -> None:
    """Any change to an ontology file, be it only a comment, leaves no answer kept."""
    offices = find_question(project, "offices")
    with open_index(project) as index:
        answer_indexed(index, [offices])
        before = index.holding()
    ontology = project.ontology_files[0]
    ontology.write_text(ontology.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    with open_index(project) as index:
        assert not index.answers.exists()
        assert index.holding() != before


def test_the_kept_answer_is_read_and_no_cache_reads_none(project: Project) -> None:
    """With an answer of no rows put in the kept one's place, `query` gives no rows, and
    `--no-cache` the engine's rows still."""
    refusals = find_question(project, "refusals")
    with open_index(project) as index:
        ((_, engine, _),) = answer_indexed(index, [refusals])
        (path,) = index.answers.glob("*.json")
        empty = Results(engine.variables, [])
        path.write_text(json.dumps(answer_record(empty)), encoding="utf-8")
        ((_, read_back, _),) = answer_indexed(index, [refusals])
        ((_, fresh, _),) = answer_indexed(index, [refusals], cache=False)
    assert read_back.rows == [] and engine.rows
    assert Counter(fresh.rows) == Counter(engine.rows)


def test_answers_on_and_off_the_closure_are_kept_apart(project: Project) -> None:
    """The same text asked on the closure and off it is kept twice; the reasoner tells apart
    only answers on the closure."""
    offices = find_question(project, "offices")
    with open_index(project) as index:
        answer_indexed(index, [offices], closure=False)
        answer_indexed(index, [offices], closure=True)
        assert len(list(index.answers.glob("*.json"))) == 2
        keys = {
            (on, reasoner): answer_key(index, offices.text, on, reasoner)
            for on in (True, False)
            for reasoner in ("reasonable", "owlrl")
        }
    assert keys[True, "reasonable"] != keys[True, "owlrl"]
    assert keys[False, "reasonable"] == keys[False, "owlrl"]
    assert keys[True, "reasonable"] != keys[False, "reasonable"]


def test_a_query_whose_answer_changes_each_time_is_not_kept(
    project: Project, tmp_path: Path
) -> None:
    """A query that asks the time or a random number is answered afresh each time."""
    script = tmp_path / "now.rq"
    script.write_text("SELECT ?t ?r WHERE { BIND (NOW() AS ?t) BIND (RAND() AS ?r) }\n")
    first = invoke("query", script, "--format", "csv", "--project", project.root)
    second = invoke("query", script, "--format", "csv", "--project", project.root)
    assert first.exit_code == second.exit_code == 0
    assert first.stdout != second.stdout
    assert not list((project.root / ".cache" / "index" / "answers").glob("*.json"))
    assert keepable("# NOW() in a comment only\nSELECT * WHERE { ?s ?p ?o }")
    assert not keepable("SELECT (struuid () AS ?u) WHERE {}")


def test_an_answer_that_cannot_be_kept_is_still_given(project: Project) -> None:
    """Where the answers folder cannot be made (a file stands in its place), `query` answers
    and keeps nothing."""
    invoke("--project", project.root, "index")
    (project.root / ".cache" / "index" / "answers").write_text("in the way\n")
    result = invoke("query", "refusals", "--format", "csv", "--project", project.root)
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) > 1


def test_index_answers_refuses_another_reasoner(project: Project) -> None:
    """`query` asks on reasonable's closure: answers kept for owlrl's would never be read."""
    result = invoke("--project", project.root, "index", "--answers", "--reasoner", "owlrl")
    assert result.exit_code == 2
    assert "--reasoner owlrl" in result.stderr and "Traceback" not in result.stderr
