"""``python -m comity``: the same as the ``comity`` command."""

from comity.cli import main

main()
