"""Synthetic contributions: valid Turtle of a chosen size, made of reports and held meetings.

Usage: python bench/synthetic.py TRIPLES > contribution.ttl
Each block is one made-up report with its outlet and one held meeting of two persons the
article graph already holds, every fact sourced, quoted and dated to the day.
"""

from __future__ import annotations

import sys

PREFIXES = """@prefix det: <https://w3id.org/detente/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix report: <https://w3id.org/detente/id/report/> .
@prefix org: <https://w3id.org/detente/id/org/> .
@prefix meeting: <https://w3id.org/detente/id/meeting/> .
@prefix person: <https://w3id.org/detente/id/person/> .
@prefix place: <https://w3id.org/detente/id/place/> .
"""
TRIPLES_PER_BLOCK = 29


def block(number: int) -> str:
    """One report, its outlet and one meeting it reports: 29 triples."""
    day = 1 + number % 28
    date = f"2023-07-{day:02d}"
    return f"""
org:synthetic-outlet-{number} a det:NewsOutlet ;
    rdfs:label "Synthetic Outlet {number}" .

report:synthetic-{number} a det:Report ;
    rdfs:label "Synthetic Outlet {number}, {date}" ;
    det:publisher org:synthetic-outlet-{number} ;
    det:source report:synthetic-{number} ;
    det:quote "Synthetic Outlet {number}, {date}" ;
    det:earliest "{date}"^^xsd:date ;
    det:latest "{date}"^^xsd:date ;
    det:dateText "on July {day}" ;
    det:datePrecision det:day .

meeting:synthetic-{number} a det:Meeting ;
    rdfs:label "Synthetic meeting {number} of Austin and Li" ;
    det:status det:held ;
    det:participant person:lloyd-austin , person:li-shangfu ;
    det:place place:singapore ;
    det:earliest "{date}"^^xsd:date ;
    det:latest "{date}"^^xsd:date ;
    det:dateText "on July {day}" ;
    det:datePrecision det:day ;
    det:cameoCode det:cameo044 ;
    det:source report:synthetic-{number} ;
    det:quote "Austin and Li met on July {day}" ;
    det:reportedIn report:synthetic-{number} ;
    det:attributedTo org:synthetic-outlet-{number} .
"""


def contribution(triples: int) -> str:
    """Turtle with at least the given number of triples (whole blocks)."""
    blocks = max(1, -(-triples // TRIPLES_PER_BLOCK))
    return PREFIXES + "".join(block(n) for n in range(blocks))


if __name__ == "__main__":
    sys.stdout.write(contribution(int(sys.argv[1]) if len(sys.argv) > 1 else 100))
