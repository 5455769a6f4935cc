"""detente synth: a synthetic project that conforms, of the size asked, the same for a seed."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Namespace

from detente.kg import Project
from detente.synth import synth
from detente.validate import check_project

DET = Namespace("https://w3id.org/detente/ontology#")


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic project of about 3,000 report triples, seed 1."""
    out = tmp_path_factory.mktemp("synth") / "one"
    synth(3000, seed=1, out=out)
    return out


def synth_files(folder: Path) -> list[Path]:
    """The synthetic report files of a folder."""
    return sorted((folder / "data").glob("synth-*.ttl"))


def test_conforms(made: Path) -> None:
    """The whole synthetic project passes detente check with no finding."""
    result = check_project(Project(made))
    assert result.outcome.conforms
    assert result.outcome.findings == []


def test_size_near_target(made: Path) -> None:
    """The synthetic reports hold within 20 % of the 3,000 triples asked for."""
    graph = Graph()
    for path in synth_files(made):
        graph.parse(path, format="turtle")
    assert 2400 <= len(graph) <= 3600


def test_same_seed_same_bytes(made: Path, tmp_path: Path) -> None:
    """A second run with seed 1 writes byte-identical report files."""
    synth(3000, seed=1, out=tmp_path)
    first, second = synth_files(made), synth_files(tmp_path)
    assert [p.name for p in first] == [p.name for p in second]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(first, second, strict=True))


def test_other_seed_other_data(made: Path, tmp_path: Path) -> None:
    """Seed 2 writes different reports."""
    synth(3000, seed=2, out=tmp_path)
    assert synth_files(made)[0].read_bytes() != synth_files(tmp_path)[0].read_bytes()


def test_quotes_say_synthetic(made: Path) -> None:
    """Every quote in the synthetic reports says it is synthetic, and there are quotes."""
    quotes = []
    for path in synth_files(made):
        quotes += [str(q) for q in Graph().parse(path, format="turtle").objects(None, DET.quote)]
    assert len(quotes) > 100
    assert all("synthetic" in quote for quote in quotes)
