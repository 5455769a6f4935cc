"""The persistent index: what it holds, what it re-reads, and that its answers are rdflib's."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import copy_project, invoke

from detente.index import DEFAULT, Index, ensure_closure, open_index
from detente.kg import Project, find_project, load_sources
from detente.query import answer_all, answer_indexed, questions
from detente.read import InputError
from detente.reason import close

EXTRA = """@prefix det: <https://w3id.org/detente/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix person: <https://w3id.org/detente/id/person/> .
person:li-shangfu rdfs:label "Li Shangfu" .
person:made-up-for-this-test rdfs:label "A person made up for this test" .
"""


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A copy of the project, with no index yet."""
    return Project(copy_project(find_project(), tmp_path / "project"))


def test_holds_exactly_the_files_triples(project: Project) -> None:
    """The default graph holds the ontology and data files' triples, each once."""
    merged = load_sources(project).merged()
    with open_index(project) as index:
        assert index.refresh.built
        assert index.triples() == len(merged)
        names = {g.value.rsplit("/", 1)[-1] for g in index.data_graphs}
        assert names == {p.stem for p in project.data_files}


def test_opening_again_rereads_nothing(project: Project) -> None:
    """A second opening with no file changed re-reads no file."""
    with open_index(project):
        pass
    with open_index(project) as index:
        assert not index.refresh.touched


def test_opens_again_while_a_lost_iterator_still_holds_the_store(project: Project) -> None:
    """An iterator of the store caught in a reference cycle keeps it open (pyoxigraph's
    iterators hold it without a Python reference): opening the index again collects it."""
    with open_index(project) as index:
        cycle: dict[str, object] = {"quads": index.store.quads_for_pattern(None, None, None)}
        cycle["itself"] = cycle
    del cycle
    with open_index(project) as index:
        assert not index.refresh.touched


def test_rereads_only_the_changed_file(project: Project) -> None:
    """A new data file is read, and only it; removed, its triples leave, except those another
    file also says (Li Shangfu's label is the article's too)."""
    with open_index(project) as index:
        before = index.triples()
    extra = project.root / "data" / "extra.ttl"
    extra.write_text(EXTRA, encoding="utf-8")
    with open_index(project) as index:
        assert index.refresh.added == ["extra.ttl"] and not index.refresh.changed
        assert index.triples() == before + 1  # Li Shangfu's label was there already
    extra.unlink()
    with open_index(project) as index:
        assert index.refresh.removed == ["https://w3id.org/detente/id/graph/extra"]
        assert index.triples() == before
        li = ox.NamedNode("https://w3id.org/detente/id/person/li-shangfu")
        label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
        assert list(index.store.quads_for_pattern(li, label, ox.Literal("Li Shangfu"), DEFAULT))


def test_a_changed_file_is_read_again(project: Project) -> None:
    """Editing a data file brings its new triples in and its old ones out."""
    path = project.root / "data" / "extra.ttl"
    path.write_text(EXTRA, encoding="utf-8")
    with open_index(project):
        pass
    path.write_text(EXTRA.replace("made up for this test", "renamed"), encoding="utf-8")
    with open_index(project) as index:
        assert index.refresh.changed == ["extra.ttl"]
        texts = {q.object.value for q in index.store.quads_for_pattern(None, None, None, DEFAULT)}
        assert "A person renamed" in texts and "A person made up for this test" not in texts


def test_a_malformed_ontology_edit_undone_leaves_the_ontology_whole(project: Project) -> None:
    """An ontology file that cannot be read changes nothing in the index: once the edit is
    undone, the index holds the ontology's triples as before."""
    graph = ox.NamedNode("https://w3id.org/detente/id/graph/ontology")

    def held(index: Index) -> int:
        return sum(1 for _ in index.store.quads_for_pattern(None, None, None, graph))

    with open_index(project) as index:
        before = held(index)
    assert before > 0
    ontology = project.ontology_files[0]
    text = ontology.read_text(encoding="utf-8")
    ontology.write_text(text + "\n<a> <b> .\n", encoding="utf-8")
    with pytest.raises(InputError), open_index(project):
        pass
    ontology.write_text(text, encoding="utf-8")
    with open_index(project) as index:
        assert held(index) == before


def test_closure_is_rdflibs(project: Project) -> None:
    """The inferred graph holds what the closure adds to the asserted triples."""
    merged = load_sources(project).merged()
    with open_index(project) as index:
        ensure_closure(index)
        inferred = ox.NamedNode("https://w3id.org/detente/id/graph/inferred")
        count = sum(1 for _ in index.store.quads_for_pattern(None, None, None, inferred))
    assert count == len(close(merged)) - len(merged)


def test_questions_answer_as_on_the_files() -> None:
    """Every question gives the same rows (with their repeats) on the index as on the files'
    dataset; test_questions shows that dataset gives rdflib's rows."""
    project = find_project()
    chosen = questions(project.root / "scripts" / "questions")
    expected = answer_all(load_sources(project), chosen, "oxigraph", timeout=None)
    with open_index(project) as index:
        got = answer_indexed(index, chosen, timeout=None, cache=False)
    for (question, rows, _), (_, mine, _) in zip(expected, got, strict=True):
        assert mine.variables == rows.variables, question.name
        assert Counter(mine.rows) == Counter(rows.rows), question.name
        assert mine.rows, f"{question.name}: no answer on the article graph tests nothing"


def test_damaged_state_is_rebuilt(project: Project) -> None:
    """An unreadable state file makes the index build again (it is a cache)."""
    with open_index(project) as index:
        folder = index.folder
    (folder / "state.json").write_text("{not json", encoding="utf-8")
    with open_index(project) as index:
        assert index.refresh.built
        assert json.loads((folder / "state.json").read_text(encoding="utf-8"))["format"]


def test_index_command_and_project_option(project: Project) -> None:
    """`detente --project DIR index` builds, then finds the index up to date."""
    first = invoke("--project", project.root, "index")
    assert first.exit_code == 0 and "built" in first.stdout
    second = invoke("--project", project.root, "index")
    assert second.exit_code == 0 and "up to date" in second.stdout
    assert (project.root / ".cache" / "index" / "state.json").is_file()


def test_query_on_the_index_and_off_it_agree(project: Project) -> None:
    """`query` gives the same CSV with and without the index."""
    on = invoke("query", "held-meetings", "--format", "csv", "--project", project.root)
    off = invoke(
        "query", "held-meetings", "--format", "csv", "--no-index", "--project", project.root
    )
    assert on.exit_code == off.exit_code == 0
    assert sorted(on.stdout.splitlines()) == sorted(off.stdout.splitlines())
    places = {row[3] for row in list(csv.reader(io.StringIO(on.stdout)))[1:]}
    assert places == {"Vienna", "Washington", "Beijing"}  # where the article's meetings were


def test_unreadable_data_file_is_named(project: Project) -> None:
    """A malformed data file stops the index with its name, line and column; exit 2."""
    (project.root / "data" / "broken.ttl").write_text("<a> <b> .\n", encoding="utf-8")
    result = invoke("--project", project.root, "index")
    assert result.exit_code == 2
    assert "broken.ttl" in result.stderr and "Traceback" not in result.stderr


def test_closure_beyond_memory_is_a_clear_error(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With too little memory for the closure, a closure question exits 2 with one line;
    a question without the closure is still answered."""
    monkeypatch.setattr("detente.index._available_memory", lambda: 2**20)
    closed = invoke("query", "timeline", "--project", project.root)  # # closure: yes
    assert closed.exit_code == 2
    assert "closure" in closed.stderr and "GB" in closed.stderr
    plain = invoke("query", "sanctions", "--project", project.root)
    assert plain.exit_code == 0 and "Li Shangfu" in plain.stdout
