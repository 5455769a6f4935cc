"""Safe reading on pyoxigraph's public parser: the line of every triple, limits while streaming."""

from __future__ import annotations

from dataclasses import replace

import pytest
from rdflib import URIRef
from rdflib.namespace import RDF

from detente.read import CONTRIBUTION_LIMITS, InputError, Limits, parse_rdf
from detente.write import canonical_text

EX = "http://example.org/"
TURTLE = """@prefix ex: <http://example.org/> .
ex:a ex:p ex:b ;
    ex:q "x" ,
        "y" .
ex:c ex:r ( ex:first
    ex:second
    ex:third ) .
ex:d ex:s [ ex:t 1 ;
    ex:u 2 ] .
"""


def lines_of(text: str) -> dict[tuple[str, str, str], int]:
    """Each triple of a Turtle text (IRIs and literals as strings) with its line."""
    parsed = parse_rdf(text, "t.ttl", "turtle", CONTRIBUTION_LIMITS)
    return {(str(s), str(p), str(o)): line for (s, p, o), line in parsed.lines.items()}


def test_each_object_of_a_list_has_its_own_line() -> None:
    lines = lines_of(TURTLE)
    assert lines[(EX + "a", EX + "p", EX + "b")] == 2
    assert lines[(EX + "a", EX + "q", "x")] == 3
    assert lines[(EX + "a", EX + "q", "y")] == 4


def test_items_of_an_rdf_collection_have_their_own_lines() -> None:
    parsed = parse_rdf(TURTLE, "t.ttl", "turtle", CONTRIBUTION_LIMITS)
    items = {
        str(o): line
        for (s, p, o), line in parsed.lines.items()
        if p == RDF.first and isinstance(o, URIRef)
    }
    assert items == {EX + "first": 5, EX + "second": 6, EX + "third": 7}


def test_prefixes_are_kept() -> None:
    parsed = parse_rdf(TURTLE, "t.ttl", "turtle", CONTRIBUTION_LIMITS)
    assert ("ex", URIRef(EX)) in set(parsed.graph.namespaces())


def test_a_statement_over_the_limit_is_refused_at_its_line() -> None:
    text = "".join(f"<{EX}s{n}> <{EX}p> <{EX}o> .\n" for n in range(30))
    with pytest.raises(InputError) as raised:
        parse_rdf(text, "many.nt", "nt", replace(CONTRIBUTION_LIMITS, max_triples=20))
    assert raised.value.line == 21
    assert "more than 20 statements" in raised.value.message


def test_the_project_reads_its_own_files_without_limits() -> None:
    text = f'<file:///tmp/x> <{EX}p> "{"x" * 30_000}" .\n'
    parsed = parse_rdf(text, "own.nt", "nt", Limits())
    assert len(parsed.graph) == 1
    with pytest.raises(InputError, match="scheme file"):
        parse_rdf(text, "contribution.nt", "nt", CONTRIBUTION_LIMITS)


def test_literals_are_kept_as_written_and_written_back_as_such() -> None:
    text = (
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        f'<{EX}a> <{EX}p> "01"^^xsd:integer , "1"^^xsd:boolean .\n'
    )
    parsed = parse_rdf(text, "l.ttl", "turtle")
    assert sorted(str(o) for o in parsed.graph.objects()) == ["01", "1"]
    written = canonical_text(text, "l.ttl")
    assert '"01"^^xsd:integer' in written and '"1"^^xsd:boolean' in written


@pytest.mark.parametrize(
    ("data", "rdf_format", "expected"),
    [
        ("<a> <http://x/p> <http://x/o> .".encode("utf-16-le"), "turtle", "UTF-16"),
        (b"\xff\xfe<\x00", "turtle", "UTF-16"),
        (
            '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE x [<!ENTITY a "b">]><x/>'.encode(
                "utf-16"
            ),
            "xml",
            "DOCTYPE",  # the XML parser stops at the declaration, whatever the encoding
        ),
        (b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "b">]><x/>', "xml", "DOCTYPE"),
    ],
)
def test_hostile_bytes_are_refused_before_parsing(
    data: bytes, rdf_format: str, expected: str
) -> None:
    with pytest.raises(InputError) as raised:
        parse_rdf(data, "hostile", rdf_format, CONTRIBUTION_LIMITS)
    assert expected in raised.value.message
