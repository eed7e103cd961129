"""Apache Spark engine: the same pure stage functions over Spark partitions.

Optional (``pip install 'tracelight[spark]'``, Java 17). Importing this package needs
only pyarrow; pyspark is imported when a session starts, so a missing install surfaces
as :class:`SparkUnavailable` with what to install. See ``docs/spark.md``.

* :class:`SparkEngine`: the engine behind ``make_engine("spark")`` (extract stage by
  ``mapInArrow``, linking by :mod:`tracelight.spark.link`), and :func:`spark_analyze`,
  ``analyze`` on it;
* :mod:`tracelight.spark.extract`: the extract stage over a DataFrame or Parquet corpus;
* :mod:`tracelight.spark.graph`: selector groups, hubs by degree and connected
  components with DataFrame operations;
* :mod:`tracelight.spark.link`: exact linking (near-duplicates, hub verdicts,
  components, per-region clustering) with the same networks as the local linker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tracelight.spark.engine import SparkEngine
from tracelight.spark.session import SparkConfig, SparkUnavailable, check_spark, spark_session

if TYPE_CHECKING:
    from tracelight.pipeline.analyze import AnalyzeSummary
    from tracelight.pipeline.progress import Reporter
    from tracelight.store.workspace import Workspace


def spark_analyze(
    workspace: Workspace,
    *,
    master: str | None = None,
    partitions: int = 4,
    reporter: Reporter | None = None,
    relink: bool = False,
) -> AnalyzeSummary:
    """``tracelight analyze`` with extraction and linking on Spark; the store is written
    exactly as under the local engines (same batches, same idempotent writes, same
    ledger leaves, the same networks)."""
    from tracelight.pipeline.analyze import analyze

    check_spark()
    engine = SparkEngine(SparkConfig(master=master or "", partitions=partitions))
    try:
        return analyze(workspace, engine, reporter, relink=relink)
    finally:
        engine.close()


__all__ = [
    "SparkConfig",
    "SparkEngine",
    "SparkUnavailable",
    "check_spark",
    "spark_analyze",
    "spark_session",
]
