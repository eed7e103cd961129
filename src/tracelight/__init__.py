"""Tracelight: counter-human-trafficking intelligence from collected online posts.

The package is layered (see DESIGN.md): interfaces (``cli``) call services
(``pipeline``), which call pure analysis functions (``ingest``, ``extract``,
``link``) over the records of ``model`` and persist them through ``store``.
"""

__version__ = "0.1.0"
