"""``python -m smstui``: the same as the ``smstui`` command."""

from smstui.main import main

main()
