"""
Private parts of the routing family (:mod:`leadcore.routing`).

* :mod:`~leadcore._routing.rules`: eligibility, cool-downs and round robin (RTE-4, RTE-5).
* :mod:`~leadcore._routing.inputs`: checking the inputs of the routing rules.
* :mod:`~leadcore._routing.dispatch`: the dispatch state machine (RTE-2, RTE-3).
* :mod:`~leadcore._routing.fast`: incremental eligibility for long replays.

Their public names are the internal API that :mod:`leadcore.simulation` (an engine that
replays a day through these rules) and the protocol use.
"""
