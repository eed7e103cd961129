"""Linking: tying posts together through the selectors they share."""

from tracelight.link.selectors import LinkResult, build_networks, network_id_for

__all__ = ["LinkResult", "build_networks", "network_id_for"]
