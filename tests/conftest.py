"""Shared fixtures: the project, its graphs, and the source article."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph

from detente.kg import Project, Sources, find_project, load_sources
from detente.reason import close

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = ROOT.parent / "shared" / "source" / "000_f14e525a7fdb3016.txt"


@pytest.fixture(scope="session")
def project() -> Project:
    """The detente project this test suite belongs to."""
    return find_project(ROOT)


@pytest.fixture(scope="session")
def sources(project: Project) -> Sources:
    """The project's ontology, data and shapes graphs."""
    return load_sources(project)


@pytest.fixture(scope="session")
def closed(sources: Sources) -> Graph:
    """The OWL 2 RL closure of ontology + data."""
    return close(sources.merged())


@pytest.fixture(scope="session")
def article_text() -> str:
    """The source article, whitespace collapsed to single spaces."""
    return re.sub(r"\s+", " ", ARTICLE.read_text(encoding="utf-8"))
