"""``python -m mohlat``: the command line."""

from mohlat.cli import main

main()
