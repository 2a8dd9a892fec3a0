"""``python -m asset_map``: the same as the ``asset-map`` command."""

from .cli import main

main()
