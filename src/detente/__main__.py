"""Run the command line as `python -m detente`."""

from detente.cli import entry

entry()
