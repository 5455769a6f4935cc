"""The naive pipeline `detente check` is measured against: owlrl closure, then pySHACL."""

from __future__ import annotations

import sys
from pathlib import Path

import owlrl
from pyshacl import validate
from rdflib import Graph


def main(root: Path) -> int:
    """Parse ontology + data, close with owlrl OWL-RL, validate with pySHACL; 0 if it conforms."""
    graph = Graph()
    for folder in ("ontology", "data"):
        for path in sorted((root / folder).glob("*.ttl")):
            graph.parse(path)
    shapes = Graph()
    for path in sorted((root / "shapes").glob("*.ttl")):
        shapes.parse(path)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    conforms, _, _ = validate(graph, shacl_graph=shapes, inference="none", advanced=True)
    return 0 if conforms else 1


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd()))
