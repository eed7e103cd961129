"""The records that flow through Tracelight, free of any storage or I/O concern."""

from tracelight.model.ids import post_id_for, sha256_hex
from tracelight.model.mention import Mention
from tracelight.model.network import Network, SelectorKey
from tracelight.model.post import ImageBlob, ImageRef, Post, Reject

__all__ = [
    "ImageBlob",
    "ImageRef",
    "Mention",
    "Network",
    "Post",
    "Reject",
    "SelectorKey",
    "post_id_for",
    "sha256_hex",
]
