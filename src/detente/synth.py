"""A synthetic project: made-up reports of made-up states' officials that pass `detente check`,
and made-up contributions to it, accepted ones and ones with one known defect each.

Every fact cites the report of its file (det:source) and quotes words that say they are
synthetic. The same seed gives the same files, byte for byte. The contributions go to
contributions/valid/ and contributions/defective/, with contributions/manifest.json saying
what judging each must give (its findings, inconsistencies and exit code), worked out from
how its defect was made.
"""

from __future__ import annotations

import calendar
import json
import logging
import random
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

from rdflib import DCTERMS, OWL, RDF, RDFS, SKOS, XSD, Graph, Literal, Namespace, URIRef

from detente.kg import find_project
from detente.validate import CHECK, POLICY
from detente.write import canonical_turtle, leading_comments

DET = Namespace("https://w3id.org/detente/ontology#")
DSH = Namespace("https://w3id.org/detente/shapes#")
ID = "https://w3id.org/detente/id/"
TRIPLES_PER_FILE = 1000
FIRST_REPORT_DAY = date(2021, 1, 4)
CONTRIBUTION_GAP = 40  # days from the last report of the graph to the contributions' reports
VALID_PER_SIZE = 3
SINGLE_HOLDER = "defence"  # a state's defence minister: one holder at a time (background)
SYLLABLES = ["al", "bor", "cas", "dun", "el", "fen", "gar", "hol", "ist", "jor", "kel", "lun"]
MORE = ["ma", "nor", "os", "pel", "quin", "ros", "sil", "tor", "ul", "ver", "wen", "zan"]
MINISTRIES = {
    "defence": ("Ministry of Defence", "defence minister", DET.defenceMinister),
    "foreign": ("Ministry of Foreign Affairs", "foreign minister", DET.foreignMinister),
    "commerce": ("Ministry of Commerce", "commerce minister", DET.commerceMinister),
}
PREFIXES = [
    "meeting",
    "org",
    "person",
    "post",
    "rejection",
    "report",
    "request",
    "sanction",
    "state",
    "statement",
    "status",
    "tenure",
]
VOCABULARIES = [
    (prefix, str(namespace))
    for prefix, namespace in (
        ("dcterms", DCTERMS),
        ("det", DET),
        ("owl", OWL),
        ("rdfs", RDFS),
        ("skos", SKOS),
        ("xsd", XSD),
    )
]
SHORT = [(name, f"{ID}{name}/") for name in PREFIXES] + [
    ("det", str(DET)),
    ("dsh", str(DSH)),
    ("check", str(CHECK)),
    ("policy", str(POLICY)),
]
WARNINGS = {
    CHECK["duplicate-tenure-violation"],
    CHECK["held-despite-rejection-violation"],
    CHECK["single-holder-possible-overlap-violation"],
    CHECK["status-tie-violation"],
}
BACKGROUND_HEADER = (
    "# detente synth background: general knowledge about the made-up states, from no report.\n"
)
WIKIDATA_PAGE = URIRef("https://www.wikidata.org/wiki/Q4115189")  # the sandbox item's page
Agent = tuple[URIRef, str]
T = TypeVar("T")


@dataclass(frozen=True)
class SynthSummary:
    """What `synth` wrote: the folder, its report files and their triples, the contributions."""

    out: Path
    files: int
    triples: int
    valid: int = 0
    defective: int = 0
    contribution_triples: int = 0


@dataclass(frozen=True)
class Period:
    """A dated interval as a report words it."""

    earliest: date
    latest: date
    text: str
    precision: URIRef


@dataclass(frozen=True)
class TenureRecord:
    """A tenure of the graph: who held which post, attested by the report of which day."""

    tenure: URIRef
    label: str
    holder: Agent
    post: URIRef
    ministry: str
    state: str
    day: date


@dataclass(frozen=True)
class MeetingRecord:
    """A meeting of the graph: held, requested, refused or granted (requested, then held)."""

    meeting: URIRef
    label: str
    kind: str
    first: Agent
    second: Agent
    request: URIRef | None
    as_of: date


@dataclass
class World:
    """The made-up states and what the reports written so far say."""

    states: list[tuple[str, str]]
    persons: list[tuple[str, str]] = field(default_factory=list)
    numbered: int = 0
    tenures: list[TenureRecord] = field(default_factory=list)
    meetings: list[MeetingRecord] = field(default_factory=list)
    reports: list[tuple[URIRef, date]] = field(default_factory=list)
    single_holder: set[URIRef] = field(default_factory=set)

    def copy(self) -> World:
        """A copy to which new reports can be added without changing this one."""
        return World(
            states=list(self.states),
            persons=list(self.persons),
            numbered=self.numbered,
            tenures=list(self.tenures),
            meetings=list(self.meetings),
            reports=list(self.reports),
            single_holder=set(self.single_holder),
        )


def node(kind: str, slug: str) -> URIRef:
    """The IRI id/<kind>/<slug>."""
    return URIRef(f"{ID}{kind}/{slug}")


def slug_of(subject: URIRef) -> str:
    """The last segment of an IRI."""
    return subject.rsplit("/", 1)[-1]


def post_node(state: str, ministry: str) -> URIRef:
    """The minister's post of a ministry of a state."""
    return node("post", f"{state}-{ministry}-minister")


def made_up_name(rng: random.Random) -> str:
    """A made-up capitalised word of two or three syllables."""
    parts = [rng.choice(SYLLABLES), rng.choice(MORE)]
    if rng.random() < 0.5:
        parts.append(rng.choice(SYLLABLES))
    return "".join(parts).capitalize()


TRIPLES_PER_STATE = 5000  # a larger graph speaks of more states, not of more ministers each


def states_for(triples: int) -> int:
    """How many states a graph of that many report triples speaks of: one per 5,000 triples,
    at least 12, at most 190 (about as many as there are); each post then has tens of
    successive holders, not hundreds."""
    return min(190, max(12, triples // TRIPLES_PER_STATE))


def make_world(rng: random.Random, states: int = 12) -> World:
    """Made-up states with distinct names."""
    names: set[str] = set()
    while len(names) < states:
        names.add(made_up_name(rng) + "ia")
    return World(states=[(name.lower(), name) for name in sorted(names)])


def day_period(day: date) -> Period:
    """One exact day."""
    return Period(day, day, f"on {day:%B} {day.day}, {day.year}", DET.day)


def month_start_before(day: date) -> date:
    """The first day of the month before a day's month."""
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def month_period(start: date) -> Period:
    """A whole calendar month."""
    last = calendar.monthrange(start.year, start.month)[1]
    return Period(start, start.replace(day=last), f"in {start:%B} {start.year}", DET.month)


def vague_period(rng: random.Random, before: date) -> Period:
    """A whole month or ten days, entirely before a day."""
    month_start = month_start_before(before)
    for _ in range(rng.randrange(6)):
        month_start = month_start_before(month_start)
    last = calendar.monthrange(month_start.year, month_start.month)[1]
    part = rng.randrange(4)
    if part == 3:
        return month_period(month_start)
    first, end = [(1, 10), (11, 20), (21, last)][part]
    word = ["early", "mid", "late"][part]
    return Period(
        month_start.replace(day=first),
        month_start.replace(day=end),
        f"in {word} {month_start:%B} {month_start.year}",
        DET.tenDays,
    )


def some_period(rng: random.Random, report_day: date) -> Period:
    """An exact day or a vague period, never after the report's day."""
    if rng.random() < 0.5:
        return day_period(report_day - timedelta(days=rng.randrange(60)))
    return vague_period(rng, report_day)


def pick(rng: random.Random, items: Sequence[T], what: str) -> T:
    """One of the items, or an error saying the graph is too small to have any."""
    if not items:
        raise ValueError(f"the synthetic graph has no {what} to build a contribution on")
    return rng.choice(items)


class Report:
    """One synthetic report file being built: a report of the graph, or a contribution."""

    def __init__(
        self, rng: random.Random, world: World, slug: str, day: date, title: str, suffix: str
    ) -> None:
        """Start the report's graph with the report and its outlet."""
        self.rng = rng
        self.world = world
        self.slug = slug
        self.report = node("report", slug)
        self.day = day
        self.graph = Graph(bind_namespaces="none")
        for name in PREFIXES:
            self.graph.bind(name, Namespace(f"{ID}{name}/"))
        for prefix, namespace in VOCABULARIES:
            self.graph.bind(prefix, Namespace(namespace))
        self.count = 0
        self.avoid: set[URIRef] = set()  # existing nodes the body leaves alone
        self.held: set[URIRef] = set()  # single-holder posts given a tenure here
        outlet_name = f"{made_up_name(rng)} Synthetic Gazette"
        outlet = node("org", f"{outlet_name.lower().replace(' ', '-')}-{suffix}")
        self.thing(outlet, DET.NewsOutlet, outlet_name)
        label = f"{outlet_name}, {day.isoformat()}: {title}"
        self.fact(self.report, DET.NewsArticle, label, f"(synthetic) {label}")
        self.graph.add((self.report, DET.publisher, outlet))
        self.dated(self.report, day_period(day))

    @classmethod
    def numbered(cls, number: int, rng: random.Random, world: World) -> Report:
        """Report number N of the synthetic graph."""
        day = FIRST_REPORT_DAY + timedelta(days=number)
        title = f"synthetic report {number}"
        return cls(rng, world, f"synth-{number:05d}", day, title, str(number))

    def add(self, subject: URIRef, predicate: URIRef, value: URIRef | str | date | bool) -> None:
        """Add one triple; strings, days and booleans become literals."""
        if isinstance(value, URIRef):
            obj: URIRef | Literal = value
        elif isinstance(value, bool):
            obj = Literal(value)
        elif isinstance(value, date):
            obj = Literal(value.isoformat(), datatype=XSD.date)
        else:
            obj = Literal(value)
        self.graph.add((subject, predicate, obj))

    def thing(self, subject: URIRef, kind: URIRef, label: str) -> URIRef:
        """A typed, labelled thing."""
        self.add(subject, RDF.type, kind)
        self.add(subject, RDFS.label, label)
        return subject

    def fact(self, subject: URIRef, kind: URIRef, label: str, quote: str) -> URIRef:
        """A fact of this report: typed, labelled, sourced and quoted."""
        self.thing(subject, kind, label)
        self.add(subject, DET.source, self.report)
        self.add(subject, DET.quote, quote)
        return subject

    def dated(self, subject: URIRef, period: Period) -> None:
        """Give a fact its bounds, words and precision."""
        self.add(subject, DET.earliest, period.earliest)
        self.add(subject, DET.latest, period.latest)
        self.add(subject, DET.dateText, period.text)
        self.add(subject, DET.datePrecision, period.precision)

    def state(self) -> tuple[URIRef, str]:
        """A made-up state, restated here."""
        slug, name = self.rng.choice(self.world.states)
        return self.thing(node("state", slug), DET.State, name), name

    def state_name(self, slug: str) -> str:
        """The name of a made-up state."""
        return dict(self.world.states)[slug]

    def post(self, ministry: str, slug: str) -> tuple[URIRef, str]:
        """A minister's post in one state's ministry, with its body and role, restated here."""
        name = self.state_name(slug)
        state = self.thing(node("state", slug), DET.State, name)
        body_label, post_label, role = MINISTRIES[ministry]
        body = self.thing(
            node("org", f"{slug}-ministry-of-{ministry}"),
            DET.GovernmentBody,
            f"{body_label} of {name}",
        )
        self.add(body, DET.ofState, state)
        post = self.thing(post_node(slug, ministry), DET.Post, f"{name}'s {post_label}")
        self.add(post, DET.postIn, body)
        self.add(post, DET.role, role)
        return post, f"{name}'s {post_label}"

    def free(self, post: URIRef) -> bool:
        """Whether the body may give a post a new holder here."""
        return post not in self.avoid and post not in self.held

    def restate(self, agent: Agent) -> Agent:
        """A person of the graph, restated here."""
        self.thing(agent[0], DET.Person, agent[1])
        return agent

    def person(self) -> Agent:
        """A person introduced by this or an earlier report (not one to avoid), restated here."""
        if not self.world.persons or self.rng.random() < 0.15:
            return self.new_person()
        for _ in range(100):
            slug, name = self.rng.choice(self.world.persons)
            if node("person", slug) not in self.avoid:
                return self.restate((node("person", slug), name))
        return self.new_person()

    def made_up_person(self, label: bool = True) -> Agent:
        """A new person with no tenure, whom the rest of the report does not name."""
        name = f"{made_up_name(self.rng)} {made_up_name(self.rng)}"
        self.world.numbered += 1
        person = node("person", f"{name.lower().replace(' ', '-')}-{self.world.numbered}")
        self.add(person, RDF.type, DET.Person)
        if label:
            self.add(person, RDFS.label, name)
        return person, name

    def new_person(self, ministries: list[str] | None = None) -> Agent:
        """A new person with one or two successive tenures attested by this report."""
        name = f"{made_up_name(self.rng)} {made_up_name(self.rng)}"
        self.world.numbered += 1
        slug = f"{name.lower().replace(' ', '-')}-{self.world.numbered}"
        self.world.persons.append((slug, name))
        person = self.thing(node("person", slug), DET.Person, name)
        earlier: URIRef | None = None
        if ministries is None:
            ministries = self.rng.sample(sorted(MINISTRIES), self.rng.randint(1, 2))
        for ministry in ministries:
            states = [s for s in self.world.states if self.free(post_node(s[0], ministry))]
            if not states:
                continue
            post, post_label = self.post(ministry, self.rng.choice(states)[0])
            tenure = self.tenure((person, name), post, post_label, self.report)
            if ministry == SINGLE_HOLDER:
                self.held.add(post)
            if earlier is not None:
                self.add(earlier, DET.precedes, tenure)
            earlier = tenure
        return person, name

    def tenure(
        self, holder: Agent, post: URIRef, post_label: str, attested: URIRef, slug: str = ""
    ) -> URIRef:
        """A tenure of this report: a holder in a post, attested by a fact."""
        person, name = holder
        slug = slug or f"{slug_of(person)}-{slug_of(post)}"
        label = f"{name} as {post_label}"
        tenure = self.fact(node("tenure", slug), DET.Tenure, label, f"(synthetic) {post_label}")
        self.add(tenure, DET.holder, person)
        self.add(tenure, DET.post, post)
        self.add(tenure, DET.attestedBy, attested)
        state, ministry = slug_of(post).removesuffix("-minister").rsplit("-", 1)
        record = TenureRecord(tenure, label, holder, post, ministry, state, self.day)
        self.world.tenures.append(record)
        return tenure

    def status(
        self, event: URIRef, label: str, status: URIRef, quote: str, as_of: date | None = None
    ) -> URIRef:
        """The report's status assertion about an event, as of its day (or another)."""
        word = str(status).rsplit("#", 1)[-1]
        subject = self.fact(
            node("status", f"{slug_of(event)}-{self.slug}"),
            DET.StatusAssertion,
            f"{label}: {word} ({self.slug})",
            quote,
        )
        self.add(subject, DET.statusOf, event)
        self.add(subject, DET.status, status)
        self.add(subject, DET.asOf, as_of or self.day)
        return subject

    def meeting(self, kind: str) -> MeetingRecord | None:
        """A meeting of two persons: held, requested, refused, or granted (asked for, held)."""
        first, second = self.person(), self.person()
        if first[0] == second[0]:
            return None
        self.count += 1
        slug = f"{self.slug}-meeting-{self.count}"
        label = f"Meeting of {first[1]} and {second[1]}"
        event = self.fact(
            node("meeting", slug), DET.Meeting, label, f"(synthetic) {first[1]} and {second[1]}"
        )
        self.add(event, DET.cameoCode, DET.cameo040)
        held = kind in ("held", "granted")
        for person in (first[0], second[0]):
            self.add(event, DET.participant if held else DET.proposedParticipant, person)
        if held:
            self.dated(event, some_period(self.rng, self.day))
        request = None if kind == "held" else self.request(slug, first, second, event)
        if kind in ("requested", "granted"):
            self.dated(request, some_period(self.rng, self.day))  # type: ignore[arg-type]
        if held:
            self.status(event, label, DET.held, f"(synthetic) {first[1]} met {second[1]}")
        elif kind == "requested":
            self.status(event, label, DET.requested, f"(synthetic) {first[1]} asked")
        else:
            self.rejection(node("rejection", slug), request, first, second)  # type: ignore[arg-type]
            self.status(event, label, DET.rejected, f"(synthetic) {second[1]} said no")
        record = MeetingRecord(event, label, kind, first, second, request, self.day)
        self.world.meetings.append(record)
        return record

    def meeting_of(self, kind: str) -> MeetingRecord:
        """A meeting of two different persons (asking again while both were one)."""
        for _ in range(100):
            made = self.meeting(kind)
            if made is not None:
                return made
        raise ValueError("could not find two different persons for a meeting")

    def request(self, slug: str, first: Agent, second: Agent, event: URIRef) -> URIRef:
        """The first person's request to meet the second."""
        request = self.fact(
            node("request", slug),
            DET.MeetingRequest,
            f"{first[1]}'s request to meet {second[1]}",
            f"(synthetic) {first[1]} asked to meet {second[1]}",
        )
        self.add(request, DET.requester, first[0])
        self.add(request, DET.addressee, second[0])
        self.add(request, DET.requestedMeeting, event)
        self.add(request, DET.cameoCode, DET.cameo026)
        return request

    def rejection(self, subject: URIRef, request: URIRef, first: Agent, second: Agent) -> URIRef:
        """The second person's rejection of the first's request, dated."""
        self.fact(
            subject,
            DET.Rejection,
            f"{second[1]}'s rejection of {first[1]}'s request",
            f"(synthetic) {second[1]} turned the request down",
        )
        self.add(subject, DET.rejectedRequest, request)
        self.add(subject, DET.rejecter, second[0])
        self.add(subject, DET.cameoCode, DET.cameo125)
        self.dated(subject, some_period(self.rng, self.day))
        return subject

    def sanction(self) -> URIRef:
        """A state's sanction on a person."""
        state, state_name = self.state()
        target, target_name = self.person()
        self.count += 1
        subject = self.fact(
            node("sanction", f"{self.slug}-sanction-{self.count}"),
            DET.Sanction,
            f"{state_name}'s sanction on {target_name}",
            f"(synthetic) {state_name} sanctioned {target_name}",
        )
        self.add(subject, DET.imposedBy, state)
        self.add(subject, DET.target, target)
        self.add(subject, DET.reason, "(synthetic) a made-up reason")
        self.add(subject, DET.cameoCode, DET.cameo163)
        self.dated(subject, some_period(self.rng, self.day))
        return subject

    def statement(
        self, speaker: Agent | None = None, period: Period | None = None, subject: str = ""
    ) -> URIRef:
        """A person's statement, dated."""
        person, name = speaker or self.person()
        self.count += 1
        default = node("statement", f"{self.slug}-statement-{self.count}")
        made = self.fact(
            URIRef(subject) if subject else default,
            DET.Statement,
            f"{name}'s statement",
            f"(synthetic) {name} said so",
        )
        self.add(made, DET.speaker, person)
        self.add(made, DET.attributedTo, person)
        self.add(made, DET.content, f"(synthetic) words of {name}")
        self.add(made, DET.cameoCode, DET.cameo010)
        self.dated(made, period or some_period(self.rng, self.day))
        return made

    def opening(self) -> None:
        """One fact of each kind, so that every report has some: a defence minister too."""
        self.new_person([SINGLE_HOLDER, "foreign"])
        for kind in ("held", "requested", "refused", "granted"):
            self.meeting_of(kind)
        self.sanction()
        self.statement()

    def fill(self, triples: int) -> Graph:
        """Add facts until the graph holds about the given number of triples."""
        while len(self.graph) < triples:
            pick = self.rng.random()
            if pick < 0.15:
                self.new_person()
            elif pick < 0.45:
                self.meeting("held")
            elif pick < 0.55:
                self.meeting("requested")
            elif pick < 0.68:
                self.meeting("refused")
            elif pick < 0.75:
                self.meeting("granted")
            elif pick < 0.85:
                self.sanction()
            else:
                self.statement()
        return self.graph

    def usable(self, record: MeetingRecord) -> bool:
        """Whether the body may speak of a meeting of the graph."""
        return not {record.meeting, record.first[0], record.second[0]} & self.avoid

    def held_at_last(self) -> None:
        """A requested meeting of the graph, held by this report's day: its participants and
        status (a later report updates the graph)."""
        choices = [m for m in self.world.meetings if m.kind == "requested" and self.usable(m)]
        if not choices:
            return
        record = self.rng.choice(choices)
        first, second = self.restate(record.first), self.restate(record.second)
        quote = f"(synthetic) {first[1]} and {second[1]} met at last"
        self.fact(record.meeting, DET.Meeting, record.label, quote)
        for person in (first[0], second[0]):
            self.add(record.meeting, DET.participant, person)
        self.status(record.meeting, record.label, DET.held, quote)

    def body(self, triples: int) -> Graph:
        """A contribution's body: a meeting of the graph held at last, then new facts."""
        self.held_at_last()
        return self.fill(triples)


# ------------------------------------------------------------------ defects


@dataclass(frozen=True)
class Expected:
    """What judging a contribution must give, worked out from how it was made.

    Each finding is (rule, focus, contributed): contributed is whether the contribution
    mentions the focus (as subject or object), as `detente check FILE` reports it.
    """

    about: str
    findings: list[tuple[URIRef, URIRef, bool]] = field(default_factory=list)
    inconsistent: list[URIRef] = field(default_factory=list)
    neighbour: bool = False

    @property
    def exit(self) -> int:
        """1 when a violation or an inconsistency rejects the contribution, else 0."""
        rejected = self.inconsistent or any(rule not in WARNINGS for rule, _, _ in self.findings)
        return 1 if rejected else 0


def tenures_of(r: Report, single: bool | None = None) -> list[TenureRecord]:
    """The graph's tenures (in single-holder posts, in others, or all)."""
    return [
        t for t in r.world.tenures if single is None or (t.post in r.world.single_holder) == single
    ]


def meetings_of(r: Report, kind: str) -> list[MeetingRecord]:
    """The graph's meetings of one kind."""
    return [m for m in r.world.meetings if m.kind == kind]


def after_report(r: Report) -> Expected:
    """A new statement dated after its own report."""
    made = r.statement(period=day_period(r.day + timedelta(days=3)))
    return Expected(
        "a new statement dated three days after its report",
        [(CHECK["after-report-violation"], made, True)],
    )


def padded_date(r: Report) -> Expected:
    """A new statement "in <month>" fixed to the month's first day."""
    start = month_start_before(r.day)
    made = r.statement(period=Period(start, start, month_period(start).text, DET.month))
    return Expected(
        "a new statement whose words name a month, its bounds one day",
        [
            (DSH["VagueDateShape-earliest"], made, True),
            (CHECK["padded-date-violation"], made, True),
        ],
    )


def precision_bounds(r: Report) -> Expected:
    """A new statement "in early <month>" whose bounds run into mid-month."""
    start = month_start_before(r.day)
    text = f"in early {start:%B} {start.year}"
    period = Period(start + timedelta(days=4), start + timedelta(days=14), text, DET.tenDays)
    made = r.statement(period=period)
    return Expected(
        "a new statement of ten-day precision whose bounds span two ten-day parts",
        [(CHECK["precision-bounds-violation"], made, True)],
    )


def source_missing(r: Report) -> Expected:
    """A new statement with no det:source."""
    made = r.statement()
    r.graph.remove((made, DET.source, None))
    return Expected("a new statement without det:source", [(DSH.SourcedFactShape, made, True)])


def untyped_thing(r: Report) -> Expected:
    """A new person IRI with only an alternative name: no type, no label."""
    person, name = r.made_up_person()
    r.graph.remove((person, None, None))
    r.add(person, SKOS.altLabel, f"(synthetic) {name}")
    return Expected(
        "a new id/person/ thing with neither type nor label",
        [(POLICY.iri, person, True), (CHECK["missing-label-violation"], person, True)],
    )


def missing_label(r: Report) -> Expected:
    """A new person without a label, speaking."""
    person = r.made_up_person(label=False)
    r.statement(speaker=person)
    return Expected("a new person without rdfs:label", [(DSH["NamedShape-label"], person[0], True)])


def class_value(r: Report) -> Expected:
    """A new meeting said to be at a conference that is a meeting of the graph."""
    other = pick(r.rng, meetings_of(r, "held"), "held meeting")
    r.avoid.add(other.meeting)
    made = r.meeting_of("held")
    r.add(made.meeting, DET.atConference, other.meeting)
    return Expected(
        "a new meeting whose det:atConference is a meeting of the graph (sh:class)",
        [(DSH["EventShape-atConference"], made.meeting, True)],
    )


def min_count(r: Report) -> Expected:
    """A new statement without its content."""
    made = r.statement()
    r.graph.remove((made, DET.content, None))
    return Expected(
        "a new statement without det:content (sh:minCount)",
        [(DSH["StatementShape-content"], made, True)],
    )


def other_posts(r: Report, holder: URIRef | None = None) -> list[tuple[str, str]]:
    """(ministry, state) of posts with no single holder that the body may use and a holder
    does not hold."""
    held = {t.post for t in r.world.tenures if t.holder[0] == holder}
    return [
        (ministry, state)
        for ministry in sorted(MINISTRIES)
        if ministry != SINGLE_HOLDER
        for state, _ in r.world.states
        if r.free(post_node(state, ministry)) and post_node(state, ministry) not in held
    ]


def max_count(r: Report) -> Expected:
    """A new tenure in two posts."""
    person = r.made_up_person()
    choices = other_posts(r)
    first = pick(r.rng, choices, "post")
    second = pick(r.rng, [c for c in choices if c != first], "second post")
    post, label = r.post(*first)
    other, _ = r.post(*second)
    r.avoid |= {post, other}
    made = r.tenure(person, post, label, r.report)
    r.add(made, DET.post, other)
    return Expected(
        "a new tenure with two det:post values (sh:maxCount)",
        [(DSH["TenureShape-post"], made, True)],
    )


def datatype(r: Report) -> Expected:
    """A new sanction whose reason carries a language tag."""
    made = r.sanction()
    r.graph.remove((made, DET.reason, None))
    r.graph.add((made, DET.reason, Literal("(synthetic) a made-up reason", lang="en")))
    return Expected(
        "a new sanction whose det:reason is a language-tagged string (sh:datatype xsd:string)",
        [(DSH["SanctionShape-reason"], made, True)],
    )


def ill_typed_date(lexical: str) -> Literal:
    """An xsd:date literal that is no date, made without rdflib's warning about it."""
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        return Literal(lexical, datatype=XSD.date)
    finally:
        logger.setLevel(level)


def ill_typed(r: Report) -> Expected:
    """A new statement "in February" whose det:latest is February 30."""
    year = r.day.year if r.day.month > 2 else r.day.year - 1
    made = r.statement(period=month_period(date(year, 2, 1)))
    r.graph.remove((made, DET.latest, None))
    r.graph.add((made, DET.latest, ill_typed_date(f"{year}-02-30")))
    return Expected(
        "a new statement whose det:latest is February 30 (an ill-typed xsd:date)",
        [(CHECK["ill-typed-literal"], made, True)],
    )


def disjoint_classes(r: Report) -> Expected:
    """A person of the graph said to be an organisation too."""
    slug, name = pick(r.rng, r.world.persons, "person")
    person = r.restate((node("person", slug), name))[0]
    r.add(person, RDF.type, DET.Organization)
    r.avoid.add(person)
    return Expected(
        "a person of the graph typed det:Organization too (disjoint classes)",
        inconsistent=[person],
        neighbour=True,
    )


def conflict(r: Report) -> Expected:
    """A tenure of the graph restated in another post (det:post takes one value)."""
    tenure = pick(r.rng, tenures_of(r, single=False), "tenure")
    ministry, state = pick(r.rng, other_posts(r, tenure.holder[0]), "post")
    other, _ = r.post(ministry, state)
    r.fact(tenure.tenure, DET.Tenure, tenure.label, "(synthetic) a post the graph does not say")
    r.add(tenure.tenure, DET.post, other)
    r.avoid |= {tenure.post, other, tenure.holder[0]}
    return Expected(
        "a tenure of the graph restated with a second det:post",
        [(POLICY.conflict, tenure.tenure, True)],
        neighbour=True,
    )


def background_only(r: Report) -> Expected:
    """A post of the graph said to have a single holder (background knowledge only)."""
    tenure = pick(r.rng, tenures_of(r, single=False), "tenure")
    post, _ = r.post(tenure.ministry, tenure.state)
    r.add(post, DET.singleHolder, True)
    r.avoid.add(post)
    return Expected(
        "det:singleHolder true on a post of the graph",
        [(POLICY["background-only"], post, True)],
        neighbour=True,
    )


def same_as(r: Report) -> Expected:
    """Two persons of the graph said to be one."""
    first, second = (node("person", slug) for slug, _ in r.rng.sample(r.world.persons, 2))
    r.add(first, OWL.sameAs, second)
    r.avoid |= {first, second}
    return Expected(
        "owl:sameAs between two persons of the graph",
        [(POLICY["same-as"], first, True)],
        neighbour=True,
    )


def link_out(r: Report) -> Expected:
    """A person of the graph linked to a Wikidata page, not an entity."""
    slug, name = pick(r.rng, r.world.persons, "person")
    person = r.restate((node("person", slug), name))[0]
    r.add(person, SKOS.exactMatch, WIKIDATA_PAGE)
    r.avoid.add(person)
    return Expected(
        "skos:exactMatch from a person of the graph to a Wikidata page",
        [(POLICY["link-out"], person, True)],
        neighbour=True,
    )


def undefined_term(r: Report) -> Expected:
    """A new statement with a misspelt det:quote."""
    made = r.statement()
    r.add(made, DET.qoute, "(synthetic) misspelt")
    return Expected(
        "a misspelt property det:qoute on a new statement",
        [(POLICY["undefined-term"], DET.qoute, True)],
    )


def tbox(r: Report) -> Expected:
    """A schema axiom: meetings made statements."""
    r.graph.add((DET.Meeting, RDFS.subClassOf, DET.Statement))
    return Expected(
        "det:Meeting rdfs:subClassOf det:Statement (a TBox axiom)",
        [(POLICY.tbox, DET.Meeting, True)],
    )


def ontology_term(r: Report) -> Expected:
    """A comment on a term of the ontology."""
    r.add(DET.Meeting, RDFS.comment, "(synthetic) a meeting")
    return Expected(
        "rdfs:comment on det:Meeting (a triple about the ontology's term)",
        [(POLICY["ontology-term"], DET.Meeting, True)],
    )


def bad_iri(r: Report) -> Expected:
    """A new statement whose IRI's slug is not kebab-case."""
    made = r.statement(subject=f"{ID}statement/Synthetic_Words_{r.rng.randrange(1000)}")
    return Expected(
        "a new statement whose IRI's slug has capitals and underscores",
        [(POLICY.iri, made, True)],
    )


def outside_term(r: Report) -> Expected:
    """A new statement with a predicate from outside the ontology."""
    made = r.statement()
    r.add(made, DCTERMS.subject, "(synthetic) talks")
    return Expected(
        "dcterms:subject on a new statement (a predicate from outside the ontology)",
        [(POLICY["outside-term"], made, True)],
    )


def not_a_class(r: Report) -> Expected:
    """A new statement typed with a concept, det:held."""
    made = r.statement()
    r.add(made, RDF.type, DET.held)
    return Expected(
        "a new statement typed det:held (a concept, not a class)",
        [(POLICY["not-a-class"], made, True)],
    )


def several_reports(r: Report) -> Expected:
    """A new statement citing a report of the graph, not the contribution's report."""
    report, day = pick(r.rng, r.world.reports, "report")
    made = r.statement(period=some_period(r.rng, day))
    r.graph.remove((made, DET.source, None))
    r.add(made, DET.source, report)
    return Expected(
        "a new statement citing another report of the graph (det:source)",
        [(POLICY["several-reports"], made, True)],
    )


def duplicate_tenure(r: Report) -> Expected:
    """A second tenure node of a holder of the graph in the same post, unordered."""
    tenure = pick(r.rng, tenures_of(r, single=False), "tenure")
    post, label = r.post(tenure.ministry, tenure.state)
    holder = r.restate(tenure.holder)
    r.tenure(holder, post, label, r.report, slug=f"{slug_of(tenure.tenure)}-again")
    r.avoid |= {post, holder[0]}
    return Expected(
        "a new tenure duplicating one of the graph (same holder and post, no det:precedes)",
        [(CHECK["duplicate-tenure-violation"], tenure.tenure, False)],
        neighbour=True,
    )


def held_despite_rejection(r: Report) -> Expected:
    """A new rejection of the request for a meeting the graph says was held."""
    granted = pick(r.rng, meetings_of(r, "granted"), "granted meeting")
    r.avoid.add(granted.meeting)
    subject = node("rejection", f"{slug_of(granted.meeting)}-{r.slug}")
    r.rejection(subject, granted.request, r.restate(granted.first), r.restate(granted.second))  # type: ignore[arg-type]
    return Expected(
        "a new rejection of the request for a meeting the graph says was held",
        [(CHECK["held-despite-rejection-violation"], granted.meeting, False)],
        neighbour=True,
    )


def held_without_participant(r: Report) -> Expected:
    """A requested meeting of the graph said to be held, with no participant named."""
    meeting = pick(r.rng, meetings_of(r, "requested"), "requested meeting")
    r.avoid.add(meeting.meeting)
    r.status(meeting.meeting, meeting.label, DET.held, "(synthetic) the meeting took place")
    return Expected(
        "a new status assertion: a requested meeting of the graph held, no participant",
        [(CHECK["held-meeting-without-participant-violation"], meeting.meeting, True)],
        neighbour=True,
    )


def participant_not_held(r: Report) -> Expected:
    """A held meeting of the graph said to be cancelled: its participants stay."""
    meeting = pick(r.rng, meetings_of(r, "held"), "held meeting")
    r.avoid.add(meeting.meeting)
    r.status(meeting.meeting, meeting.label, DET.cancelled, "(synthetic) it was called off")
    rule = CHECK["participant-not-held-violation"]
    return Expected(
        "a new status assertion: a held meeting of the graph cancelled (two participants)",
        [(rule, meeting.meeting, True), (rule, meeting.meeting, True)],
        neighbour=True,
    )


def status_tie(r: Report) -> Expected:
    """A requested meeting of the graph said to be rejected as of the same day."""
    meeting = pick(r.rng, meetings_of(r, "requested"), "requested meeting")
    r.avoid.add(meeting.meeting)
    quote = "(synthetic) the request was turned down that day"
    r.status(meeting.meeting, meeting.label, DET.rejected, quote, as_of=meeting.as_of)
    rule = CHECK["status-tie-violation"]
    return Expected(
        "a new status assertion: rejected, as of the day the graph says requested",
        [(rule, meeting.meeting, True), (rule, meeting.meeting, True)],
        neighbour=True,
    )


def rival_holder(r: Report, tenure: TenureRecord, attested: URIRef, person: Agent) -> URIRef:
    """A new person's tenure of a single-holder post of the graph, attested by a fact."""
    post, label = r.post(tenure.ministry, tenure.state)
    r.avoid.add(post)
    return r.tenure(person, post, label, attested)


def single_holder_overlap(r: Report) -> Expected:
    """A new holder of a single-holder post on the very day the graph has another."""
    tenure = pick(r.rng, tenures_of(r, single=True), "single-holder tenure")
    r.avoid.add(tenure.post)
    person = r.made_up_person()
    other = r.person()
    r.count += 1
    label = f"Meeting of {person[1]} and {other[1]}"
    meeting = r.fact(
        node("meeting", f"{r.slug}-meeting-{r.count}"), DET.Meeting, label, "(synthetic) met"
    )
    r.add(meeting, DET.cameoCode, DET.cameo040)
    for agent in (person[0], other[0]):
        r.add(meeting, DET.participant, agent)
    r.dated(meeting, day_period(tenure.day))
    r.status(meeting, label, DET.held, f"(synthetic) {person[1]} met {other[1]}")
    made = rival_holder(r, tenure, meeting, person)
    rule = CHECK["single-holder-overlap-violation"]
    return Expected(
        "a new holder of a single-holder post, attested on the day the graph has another",
        [(rule, made, True), (rule, tenure.tenure, False)],
        neighbour=True,
    )


def single_holder_possible_overlap(r: Report) -> Expected:
    """A new holder of a single-holder post attested "in <month>" when the graph has others."""
    tenure = pick(r.rng, tenures_of(r, single=True), "single-holder tenure")
    r.avoid.add(tenure.post)
    person = r.made_up_person()
    period = month_period(tenure.day.replace(day=1))
    statement = r.statement(speaker=person, period=period)
    rivals = [
        t
        for t in tenures_of(r, single=True)
        if t.post == tenure.post and period.earliest <= t.day <= period.latest
    ]
    made = rival_holder(r, tenure, statement, person)
    rule = CHECK["single-holder-possible-overlap-violation"]
    findings = [f for t in rivals for f in ((rule, made, True), (rule, t.tenure, False))]
    return Expected(
        "a new holder of a single-holder post, attested in a month in which the graph has "
        f"{len(rivals)} other holder(s)",
        findings,
        neighbour=True,
    )


def post_in_state(r: Report) -> Expected:
    """A ministry of the graph said to be a state: its posts are then in a state."""
    tenure = pick(r.rng, tenures_of(r), "tenure")
    body_label = MINISTRIES[tenure.ministry][0]
    body = node("org", f"{tenure.state}-ministry-of-{tenure.ministry}")
    r.thing(body, DET.GovernmentBody, f"{body_label} of {r.state_name(tenure.state)}")
    r.add(body, RDF.type, DET.State)
    r.avoid.add(tenure.post)
    return Expected(
        "a ministry of the graph typed det:State: its post's det:postIn is then a state (sh:not)",
        [(DSH["PostShape-postIn"], tenure.post, False)],
        neighbour=True,
    )


# One contribution per kind of finding a contribution can bring. Of the SPARQL checks, three
# never show in a judgement of a contribution: fact-without-source restates the shapes
# dsh:SourcedFactShape and dsh:FactShape-source, which report every case it finds first;
# source-graph cannot fire, since a contribution's triples go to the graph of the one report
# its facts cite, and a det:source naming another report is policy:several-reports, which
# puts the whole contribution in id/graph/unsourced (no source graph); undocumented-term is
# about the ontology's own terms, which policy:tbox and policy:ontology-term keep out (and
# undefined-term is reported as policy:undefined-term, its check's finding left out).
# missing-label shows only for a thing no shape targets: a new IRI with no type.
DEFECTS: dict[str, Callable[[Report], Expected]] = {
    "after-report": after_report,
    "background-only": background_only,
    "bad-iri": bad_iri,
    "class-value": class_value,
    "conflict": conflict,
    "datatype": datatype,
    "disjoint-classes": disjoint_classes,
    "duplicate-tenure": duplicate_tenure,
    "held-despite-rejection": held_despite_rejection,
    "held-meeting-without-participant": held_without_participant,
    "ill-typed-literal": ill_typed,
    "link-out": link_out,
    "max-count": max_count,
    "min-count": min_count,
    "missing-label": missing_label,
    "not-a-class": not_a_class,
    "ontology-term": ontology_term,
    "outside-term": outside_term,
    "padded-date": padded_date,
    "participant-not-held": participant_not_held,
    "post-in-state": post_in_state,
    "precision-bounds": precision_bounds,
    "same-as": same_as,
    "several-reports": several_reports,
    "single-holder-overlap": single_holder_overlap,
    "single-holder-possible-overlap": single_holder_possible_overlap,
    "source-missing": source_missing,
    "status-tie": status_tie,
    "tbox": tbox,
    "undefined-term": undefined_term,
    "untyped-thing": untyped_thing,
}


# ------------------------------------------------------------------ writing


def short(subject: URIRef) -> str:
    """An IRI with the prefix `detente check --format json` gives it."""
    for prefix, namespace in SHORT:
        if str(subject).startswith(namespace):
            return f"{prefix}:{str(subject)[len(namespace) :]}"
    return f"<{subject}>"


def entry(path: str, kind: str, size: int, graph: Graph, expected: Expected) -> dict[str, Any]:
    """The manifest's record of one contribution file."""
    findings = sorted(
        (short(rule), short(focus), contributed) for rule, focus, contributed in expected.findings
    )
    return {
        "file": path,
        "kind": kind,
        "size": size,
        "triples": len(graph),
        "about": expected.about,
        "exit": expected.exit,
        "neighbour": expected.neighbour,
        "findings": [{"rule": r, "focus": f, "contributed": c} for r, f, c in findings],
        "inconsistencies": sorted({short(n) for n in expected.inconsistent}),
    }


def write_contribution(
    folder: Path, name: str, report: Report, seed: int, expected: Expected
) -> None:
    """Write one contribution in canonical Turtle."""
    header = (
        f"# synthetic contribution (detente synth, seed {seed}): made-up facts of a made-up\n"
        f"# report. {expected.about[0].upper()}{expected.about[1:]}.\n"
    )
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(canonical_turtle(report.graph, header), encoding="utf-8")


def contribution(world: World, seed: int, day: date, slug: str, title: str) -> Report:
    """A new report of the graph's world, drawn from its own seed, about the graph as it is."""
    rng = random.Random(f"{seed}:{slug}")
    return Report(rng, world.copy(), slug, day, title, slug)


def write_contributions(
    out: Path, world: World, seed: int, day: date, sizes: Sequence[int]
) -> list[dict[str, Any]]:
    """Write the valid and defective contributions of each size, and their manifest."""
    folder = out / "contributions"
    shutil.rmtree(folder, ignore_errors=True)  # an earlier run's, about another graph
    if not sizes:
        return []
    entries = []
    for size in sorted(set(sizes)):
        for number in range(1, VALID_PER_SIZE + 1):
            slug = f"synth-valid-{size}-{number}"
            report = contribution(world, seed, day, slug, f"synthetic contribution {slug}")
            report.body(size)
            expected = Expected("an accepted contribution that updates a meeting of the graph")
            name = f"valid/{size}-{number}.ttl"
            write_contribution(folder, name, report, seed, expected)
            entries.append(entry(name, "valid", size, report.graph, expected))
        for kind, defect in DEFECTS.items():
            slug = f"synth-defect-{size}-{kind}"
            report = contribution(world, seed, day, slug, f"synthetic contribution {slug}")
            expected = defect(report)
            report.body(size)
            name = f"defective/{size}-{kind}.ttl"
            write_contribution(folder, name, report, seed, expected)
            entries.append(entry(name, kind, size, report.graph, expected))
    manifest = {"seed": seed, "report_day": day.isoformat(), "files": entries}
    text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    (folder / "manifest.json").write_text(text, encoding="utf-8")
    return entries


def copy_project_frame(out: Path, article: bool = True) -> None:
    """Copy ontology/, shapes/, scripts/ and (with the article) the data files from the real
    project.

    The real report files come along with background.ttl, since it names things they label.
    """
    project = find_project(Path(__file__).parent)
    for folder in ("ontology", "shapes", "scripts"):
        shutil.copytree(project.root / folder, out / folder, dirs_exist_ok=True)
    (out / "data").mkdir(parents=True, exist_ok=True)
    for path in project.data_files if article else []:
        shutil.copyfile(path, out / "data" / path.name)


def write_background(out: Path, world: World, article: bool) -> None:
    """Add to background.ttl (the article's, or a new one) that the defence ministers' posts
    have one holder at a time."""
    path = out / "data" / "background.ttl"
    text = path.read_text(encoding="utf-8") if article else BACKGROUND_HEADER
    graph = Graph(bind_namespaces="none").parse(data=text, format="turtle")
    for prefix, namespace in (("dcterms", DCTERMS), ("det", DET), ("post", f"{ID}post/")):
        graph.bind(prefix, namespace, override=False)
    for post in sorted(world.single_holder):
        graph.add((post, RDF.type, DET.Post))
        graph.add((post, DCTERMS.type, DET.Background))
        graph.add((post, DET.singleHolder, Literal(True)))
    header = leading_comments(text) + (
        "# detente synth adds: each made-up state's defence minister's post has one holder at "
        "a time.\n"
    )
    path.write_text(canonical_turtle(graph, header), encoding="utf-8")


def synth(
    triples: int,
    seed: int,
    out: Path,
    contribution_sizes: Sequence[int] = (500,),
    article: bool = True,
) -> SynthSummary:
    """Write a synthetic project of about the given number of report triples, and its
    contributions of the given sizes (none for an empty list); with the article's own data
    files, or (article=False) synthetic reports only."""
    rng = random.Random(seed)
    copy_project_frame(out, article)
    world = make_world(rng, states_for(triples))
    files = max(1, round(triples / TRIPLES_PER_FILE))
    per_file = triples // files
    written = 0
    for number in range(1, files + 1):
        report = Report.numbered(number, rng, world)
        report.opening()
        graph = report.fill(per_file)
        header = f"# synthetic report {number} (detente synth, seed {seed}): made-up facts\n"
        text = canonical_turtle(graph, header)
        (out / "data" / f"synth-{number:05d}.ttl").write_text(text, encoding="utf-8")
        world.reports.append((report.report, report.day))
        written += len(graph)
    world.single_holder = {t.post for t in world.tenures if t.ministry == SINGLE_HOLDER}
    write_background(out, world, article)
    day = FIRST_REPORT_DAY + timedelta(days=files + CONTRIBUTION_GAP)
    entries = write_contributions(out, world, seed, day, contribution_sizes)
    return SynthSummary(
        out=out,
        files=files,
        triples=written,
        valid=sum(1 for e in entries if e["kind"] == "valid"),
        defective=sum(1 for e in entries if e["kind"] != "valid"),
        contribution_triples=sum(int(e["triples"]) for e in entries),
    )
