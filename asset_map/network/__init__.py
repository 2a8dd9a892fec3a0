"""Street networks: reach as people travel, on foot, by bike and by car.

A network is read once from an OpenStreetMap extract (:mod:`.pbf`, with
the modes' rules in :mod:`.profiles`), kept in the workspace as two layers
(``network_nodes``, ``network_edges``: :mod:`.layers`), and used by every
measure through :mod:`.routing` (shortest travel times with
:mod:`scipy.sparse.csgraph`) and :mod:`.snapping` (points onto streets).
"""
