"""A synthetic project: made-up reports of made-up states' officials that pass `detente check`.

Every fact cites the report of its file (det:source) and quotes words that say they are
synthetic. The same seed gives the same files, byte for byte.
"""

from __future__ import annotations

import calendar
import random
import shutil
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef

from detente.kg import find_project
from detente.write import canonical_turtle

DET = Namespace("https://w3id.org/detente/ontology#")
ID = "https://w3id.org/detente/id/"
TRIPLES_PER_FILE = 1000
FIRST_REPORT_DAY = date(2021, 1, 4)
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


@dataclass(frozen=True)
class SynthSummary:
    """What `synth` wrote: the folder, its report files and their triples."""

    out: Path
    files: int
    triples: int


@dataclass(frozen=True)
class Period:
    """A dated interval as a report words it."""

    earliest: date
    latest: date
    text: str
    precision: URIRef


@dataclass
class World:
    """The made-up states and the persons introduced so far."""

    states: list[tuple[str, str]]
    persons: list[tuple[str, str]] = field(default_factory=list)


def node(kind: str, slug: str) -> URIRef:
    """The IRI id/<kind>/<slug>."""
    return URIRef(f"{ID}{kind}/{slug}")


def made_up_name(rng: random.Random) -> str:
    """A made-up capitalised word of two or three syllables."""
    parts = [rng.choice(SYLLABLES), rng.choice(MORE)]
    if rng.random() < 0.5:
        parts.append(rng.choice(SYLLABLES))
    return "".join(parts).capitalize()


def make_world(rng: random.Random) -> World:
    """Twelve made-up states with distinct names."""
    names: set[str] = set()
    while len(names) < 12:
        names.add(made_up_name(rng) + "ia")
    return World(states=[(name.lower(), name) for name in sorted(names)])


def day_period(day: date) -> Period:
    """One exact day."""
    return Period(day, day, f"on {day:%B} {day.day}, {day.year}", DET.day)


def vague_period(rng: random.Random, before: date) -> Period:
    """A whole month or ten days, entirely before a day."""
    month_start = (before.replace(day=1) - timedelta(days=1)).replace(day=1)
    for _ in range(rng.randrange(6)):
        month_start = (month_start - timedelta(days=1)).replace(day=1)
    last = calendar.monthrange(month_start.year, month_start.month)[1]
    name = f"{month_start:%B} {month_start.year}"
    part = rng.randrange(4)
    if part == 3:
        return Period(month_start, month_start.replace(day=last), f"in {name}", DET.month)
    first, end = [(1, 10), (11, 20), (21, last)][part]
    word = ["early", "mid", "late"][part]
    return Period(
        month_start.replace(day=first),
        month_start.replace(day=end),
        f"in {word} {name}",
        DET.tenDays,
    )


def some_period(rng: random.Random, report_day: date) -> Period:
    """An exact day or a vague period, never after the report's day."""
    if rng.random() < 0.5:
        return day_period(report_day - timedelta(days=rng.randrange(60)))
    return vague_period(rng, report_day)


class Report:
    """One synthetic report file being built."""

    def __init__(self, number: int, rng: random.Random, world: World) -> None:
        """Start the report's graph with the report and its outlet."""
        self.rng = rng
        self.world = world
        self.slug = f"synth-{number:05d}"
        self.report = node("report", self.slug)
        self.day = FIRST_REPORT_DAY + timedelta(days=number)
        self.graph = Graph(bind_namespaces="none")
        for name in PREFIXES:
            self.graph.bind(name, Namespace(f"{ID}{name}/"))
        self.graph.bind("det", DET)
        self.graph.bind("rdfs", RDFS)
        self.graph.bind("xsd", XSD)
        self.count = 0
        outlet_name = f"{made_up_name(rng)} Synthetic Gazette"
        outlet = node("org", f"{outlet_name.lower().replace(' ', '-')}-{number}")
        self.thing(outlet, DET.NewsOutlet, outlet_name)
        label = f"{outlet_name}, {self.day.isoformat()}: synthetic report {number}"
        self.fact(self.report, DET.NewsArticle, label, f"(synthetic) {label}")
        self.graph.add((self.report, DET.publisher, outlet))
        self.dated(self.report, day_period(self.day))

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

    def post(self, ministry: str) -> tuple[URIRef, str]:
        """A minister's post in one state's ministry, with its body and role."""
        state, name = self.state()
        body_label, post_label, role = MINISTRIES[ministry]
        slug = state.rsplit("/", 1)[-1]
        body = self.thing(
            node("org", f"{slug}-ministry-of-{ministry}"),
            DET.GovernmentBody,
            f"{body_label} of {name}",
        )
        self.add(body, DET.ofState, state)
        post = self.thing(
            node("post", f"{slug}-{ministry}-minister"), DET.Post, f"{name}'s {post_label}"
        )
        self.add(post, DET.postIn, body)
        self.add(post, DET.role, role)
        return post, f"{name}'s {post_label}"

    def person(self) -> tuple[URIRef, str]:
        """A person introduced by this or an earlier report, restated here."""
        if not self.world.persons or self.rng.random() < 0.15:
            return self.new_person()
        slug, name = self.rng.choice(self.world.persons)
        return self.thing(node("person", slug), DET.Person, name), name

    def new_person(self) -> tuple[URIRef, str]:
        """A new person with one or two successive tenures attested by this report."""
        name = f"{made_up_name(self.rng)} {made_up_name(self.rng)}"
        slug = f"{name.lower().replace(' ', '-')}-{len(self.world.persons) + 1}"
        self.world.persons.append((slug, name))
        person = self.thing(node("person", slug), DET.Person, name)
        earlier: URIRef | None = None
        ministries = self.rng.sample(sorted(MINISTRIES), self.rng.randint(1, 2))
        for ministry in ministries:
            post, post_label = self.post(ministry)
            tenure = self.fact(
                node("tenure", f"{slug}-{post.rsplit('/', 1)[-1]}"),
                DET.Tenure,
                f"{name} as {post_label}",
                f"(synthetic) {name}, {post_label}",
            )
            self.add(tenure, DET.holder, person)
            self.add(tenure, DET.post, post)
            self.add(tenure, DET.attestedBy, self.report)
            if earlier is not None:
                self.add(earlier, DET.precedes, tenure)
            earlier = tenure
        return person, name

    def status(self, event: URIRef, label: str, status: URIRef, quote: str) -> None:
        """The report's status assertion about an event, as of its day."""
        word = str(status).rsplit("#", 1)[-1]
        subject = self.fact(
            node("status", f"{event.rsplit('/', 1)[-1]}-{self.slug}"),
            DET.StatusAssertion,
            f"{label}: {word} ({self.slug})",
            quote,
        )
        self.add(subject, DET.statusOf, event)
        self.add(subject, DET.status, status)
        self.add(subject, DET.asOf, self.day)

    def meeting(self, kind: str) -> None:
        """A meeting of two persons: held, requested or refused."""
        (first, first_name), (second, second_name) = self.person(), self.person()
        if first == second:
            return
        self.count += 1
        slug = f"{self.slug}-meeting-{self.count}"
        label = f"Meeting of {first_name} and {second_name}"
        event = self.fact(
            node("meeting", slug), DET.Meeting, label, f"(synthetic) {first_name} and {second_name}"
        )
        self.add(event, DET.cameoCode, DET.cameo040)
        if kind == "held":
            self.add(event, DET.participant, first)
            self.add(event, DET.participant, second)
            self.dated(event, some_period(self.rng, self.day))
            self.status(event, label, DET.held, f"(synthetic) {first_name} met {second_name}")
            return
        self.add(event, DET.proposedParticipant, first)
        self.add(event, DET.proposedParticipant, second)
        request = self.fact(
            node("request", slug),
            DET.MeetingRequest,
            f"{first_name}'s request to meet {second_name}",
            f"(synthetic) {first_name} asked to meet {second_name}",
        )
        self.add(request, DET.requester, first)
        self.add(request, DET.addressee, second)
        self.add(request, DET.requestedMeeting, event)
        self.add(request, DET.cameoCode, DET.cameo026)
        if kind == "requested":
            self.dated(request, some_period(self.rng, self.day))
            self.status(event, label, DET.requested, f"(synthetic) {first_name} asked")
            return
        rejection = self.fact(
            node("rejection", slug),
            DET.Rejection,
            f"{second_name}'s rejection of {first_name}'s request",
            f"(synthetic) {second_name} turned the request down",
        )
        self.add(rejection, DET.rejectedRequest, request)
        self.add(rejection, DET.rejecter, second)
        self.add(rejection, DET.cameoCode, DET.cameo125)
        self.dated(rejection, some_period(self.rng, self.day))
        self.status(event, label, DET.rejected, f"(synthetic) {second_name} said no")

    def sanction(self) -> None:
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

    def statement(self) -> None:
        """A person's statement."""
        speaker, name = self.person()
        self.count += 1
        subject = self.fact(
            node("statement", f"{self.slug}-statement-{self.count}"),
            DET.Statement,
            f"{name}'s statement",
            f"(synthetic) {name} said so",
        )
        self.add(subject, DET.speaker, speaker)
        self.add(subject, DET.attributedTo, speaker)
        self.add(subject, DET.content, f"(synthetic) words of {name}")
        self.add(subject, DET.cameoCode, DET.cameo010)
        self.dated(subject, some_period(self.rng, self.day))

    def fill(self, triples: int) -> Graph:
        """Add facts until the graph holds about the given number of triples."""
        while len(self.graph) < triples:
            pick = self.rng.random()
            if pick < 0.15:
                self.new_person()
            elif pick < 0.45:
                self.meeting("held")
            elif pick < 0.6:
                self.meeting("requested")
            elif pick < 0.75:
                self.meeting("refused")
            elif pick < 0.85:
                self.sanction()
            else:
                self.statement()
        return self.graph


def copy_project_frame(out: Path) -> None:
    """Copy ontology/, shapes/, scripts/ and the data files from the real project.

    The real report files come along since background.ttl names things they label.
    """
    project = find_project(Path(__file__).parent)
    for folder in ("ontology", "shapes", "scripts"):
        shutil.copytree(project.root / folder, out / folder, dirs_exist_ok=True)
    (out / "data").mkdir(parents=True, exist_ok=True)
    for path in project.data_files:
        shutil.copyfile(path, out / "data" / path.name)


def synth(triples: int, seed: int, out: Path) -> SynthSummary:
    """Write a synthetic project of about the given number of report triples."""
    rng = random.Random(seed)
    copy_project_frame(out)
    world = make_world(rng)
    files = max(1, round(triples / TRIPLES_PER_FILE))
    per_file = triples // files
    written = 0
    for number in range(1, files + 1):
        graph = Report(number, rng, world).fill(per_file)
        header = f"# synthetic report {number} (detente synth, seed {seed}): made-up facts\n"
        text = canonical_turtle(graph, header)
        (out / "data" / f"synth-{number:05d}.ttl").write_text(text, encoding="utf-8")
        written += len(graph)
    return SynthSummary(out=out, files=files, triples=written)
