"""``python -m smstui``: the same as the ``smstui`` command."""

from smstui.cli import main

main()
