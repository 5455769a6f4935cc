"""Run the command line as `python -m detente`."""

from detente.cli import main

main()
