"""The `detente` command line: thin wrappers that parse arguments and call one function."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from detente import __version__
from detente.io import InputError, canonical_form, write_atomically
from detente.kg import find_project
from detente.reason import REASONERS
from detente.report import FORMATS, as_json, as_turtle, print_text, summary_line
from detente.validate import check_project

EXIT_OK, EXIT_FAIL, EXIT_ERROR = 0, 1, 2


def _fail(message: str) -> None:
    """Print an error to standard error and exit 2 (could not run)."""
    click.echo(f"detente: {message}", err=True)
    sys.exit(EXIT_ERROR)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="detente")
def main() -> None:
    """detente: a knowledge graph of diplomatic and military contacts between states.

    Exit codes of every command: 0 success (the graph conforms, files are canonical),
    1 the input was judged and found wanting (violations, non-canonical files),
    2 the command could not run (an unreadable or malformed file, a bad option).
    """


@main.command()
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text: findings per node; json: findings as JSON; "
    "turtle: the standard SHACL validation report.",
)
@click.option(
    "--reasoner",
    type=click.Choice(REASONERS),
    default="reasonable",
    show_default=True,
    help="OWL 2 RL engine for the closure: reasonable (fast, Rust) or owlrl (the reference).",
)
@click.option(
    "--project",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Project folder (default: the one around the working folder).",
)
def check(output_format: str, reasoner: str, project_dir: Path | None) -> None:
    """Validate the whole graph: ontology + data, OWL-RL closure, SHACL shapes.

    Prints each offending node with the rule's message, the path, the value and the
    shape, then a one-line summary. Exits 0 if the graph conforms, 1 if it has
    violations or inconsistencies, 2 if it could not be read.
    """
    try:
        project = find_project(project_dir)
        result = check_project(project, reasoner)  # type: ignore[arg-type]
    except (InputError, FileNotFoundError) as err:
        _fail(str(err))
        return
    if output_format == "json":
        click.echo(as_json(result))
    elif output_format == "turtle":
        click.echo(as_turtle(result), nl=False)
        click.echo(f"# {summary_line(result)}", err=True)
    else:
        print_text(result, Console(highlight=False, soft_wrap=True))
    sys.exit(EXIT_OK if result.outcome.conforms else EXIT_FAIL)


@main.command()
@click.option("--check", "check_only", is_flag=True, help="Only report files that are not canonical.")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
def fmt(check_only: bool, files: tuple[Path, ...]) -> None:
    """Rewrite Turtle files in canonical form (default: every project file).

    Canonical: the file's own prefixes, subjects and predicates sorted, its opening
    comment block kept. A file is never written if the formatted graph would differ.
    With --check nothing is written; exits 1 if any file is not canonical.
    """
    try:
        paths = list(files) or find_project().turtle_files
        changed = []
        for path in paths:
            canonical = canonical_form(path)
            if path.read_text(encoding="utf-8") != canonical:
                changed.append(path)
                if not check_only:
                    write_atomically(path, canonical)
    except (InputError, FileNotFoundError) as err:
        _fail(str(err))
        return
    verb = "not canonical" if check_only else "reformatted"
    for path in changed:
        click.echo(f"{verb}: {path}")
    click.echo(f"{len(paths) - len(changed)} of {len(paths)} files canonical", err=True)
    sys.exit(EXIT_FAIL if check_only and changed else EXIT_OK)
