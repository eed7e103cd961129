"""Linking: tying posts together into networks, with the evidence for every link.

``link_posts`` is the entry point (pure: posts in, networks, hubs and boilerplate out);
``connected_components`` is the baseline it is measured against. The older
``build_networks`` (selectors only, with a degree cut) stays for callers that only have
selectors.
"""

from tracelight.link.networks import (
    Evidence,
    LinkedNetwork,
    LinkOutput,
    LinkPost,
    connected_components,
    link_posts,
)
from tracelight.link.selectors import LinkResult, build_networks, network_id_for

__all__ = [
    "Evidence",
    "LinkOutput",
    "LinkPost",
    "LinkResult",
    "LinkedNetwork",
    "build_networks",
    "connected_components",
    "link_posts",
    "network_id_for",
]
