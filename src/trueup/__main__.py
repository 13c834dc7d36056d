"""`python -m trueup`: the same as the `trueup` command."""

from trueup.entrypoints.cli import main

main()
