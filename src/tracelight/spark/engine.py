"""The Spark engine behind :class:`tracelight.pipeline.engine.Engine`.

``analyze`` pages posts out of the store and hands them to an engine batch by batch;
this engine sends a window of those batches to Spark as one job and yields the results
in input order, so the store is written by the same code, in the same order, with the
same idempotent ``replace_mentions`` as under the local engines, and results are
identical. The extract stage runs through ``mapInArrow`` (Arrow in, Arrow out, no
per-row Python); any other pure stage runs as one Spark task per batch.

This path ships posts from the driver to the executors, which is right for a store on
one machine. For corpora that live in Parquet or PostgreSQL, the stage functions in
:mod:`tracelight.spark.extract` and :mod:`tracelight.spark.graph` read partitions
directly where the data is.

Linking runs on Spark too (:meth:`SparkEngine.link_posts`, which ``analyze`` calls
instead of the in-process linker when the engine offers it): near-duplicates, hub
verdicts, components and per-region clustering are Spark stages
(:mod:`tracelight.spark.link`); the driver only receives the networks to store.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import TYPE_CHECKING, Any, TypeVar, cast

import pyarrow as pa

from tracelight.extract import extract_batch
from tracelight.link.graph import DEFAULT_MAX_DEGREE
from tracelight.link.networks import LinkPost
from tracelight.model import Mention, Post
from tracelight.spark.arrow import arrow_to_results, posts_to_arrow
from tracelight.spark.extract import ArrowStage, extract_arrow, extract_frame
from tracelight.spark.link import LinkSettings, SparkLinkOutput, link_on_spark
from tracelight.spark.progress import ProgressCallback, watch
from tracelight.spark.session import SparkConfig, spark_session

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

In = TypeVar("In")
Out = TypeVar("Out")

Results = list[tuple[str, list[Mention]]]


class SparkEngine:
    """Stages over Spark partitions, a bounded window of batches per Spark job.

    ``batches_per_job`` bounds what the driver holds (that many input batches and their
    results) and amortises Spark's per-job scheduling cost (tens of milliseconds) over
    many batches. The session is started on first use, so building the engine is cheap
    and a missing Java or pyspark is reported by :func:`check_spark` before any work.

    ``progress``, when set, receives each Spark stage's task counts as they change (the
    CLI prints them above its progress bar). ``arrow_extract`` is the ``mapInArrow``
    function of the extract stage: :func:`extract_arrow` unless a test wraps it.
    """

    name = "spark"

    def __init__(
        self,
        config: SparkConfig | None = None,
        batches_per_job: int | None = None,
        *,
        progress: ProgressCallback | None = None,
        arrow_extract: ArrowStage = extract_arrow,
    ):
        self.config = config or SparkConfig()
        self.batches_per_job = max(1, batches_per_job or 4 * self.config.partitions)
        self._spark: SparkSession | None = None
        self.jobs = 0
        self.link_jobs = 0
        self.progress = progress
        self.arrow_extract = arrow_extract

    @property
    def spark(self) -> SparkSession:
        if self._spark is None:
            self._spark = spark_session(self.config)
        return self._spark

    def map_batches(self, stage: Callable[[In], Out], batches: Iterable[In]) -> Iterator[Out]:
        source = iter(batches)
        while window := list(islice(source, self.batches_per_job)):
            self.jobs += 1
            if stage is extract_batch:
                results = self._extract(cast(list[Sequence[Post]], window))
                yield from cast(list[Out], results)
            else:
                yield from self._generic(stage, window)

    def _extract(self, window: list[Sequence[Post]]) -> list[Results]:
        """One ``mapInArrow`` job over a window of batches, results regrouped by batch.

        Rows come back grouped by partition, not necessarily in input order, so they are
        put back by post id (a batch may, in principle, repeat an id: each occurrence
        takes the next result for it).
        """
        posts = [post for batch in window for post in batch]
        if not posts:
            return [[] for _ in window]
        table = pa.Table.from_batches([posts_to_arrow(posts)])
        slices = max(1, min(self.config.partitions, len(posts)))
        frame = self.spark.createDataFrame(table)
        if frame.rdd.getNumPartitions() != slices:
            frame = frame.repartition(slices)
        found: dict[str, deque[list[Mention]]] = defaultdict(deque)
        with watch(self.spark, self.progress):
            extracted = extract_frame(frame, self.arrow_extract).toArrow()
        for post_id, mentions in arrow_to_results(extracted):
            found[post_id].append(mentions)
        return [[(post.id, found[post.id].popleft()) for post in batch] for batch in window]

    def _generic(self, stage: Callable[[In], Out], window: list[In]) -> list[Out]:
        """Any picklable pure stage: one task per batch, collected in input order."""
        rdd: Any = self.spark.sparkContext.parallelize(window, len(window))
        with watch(self.spark, self.progress):
            return cast(list[Out], rdd.map(stage).collect())

    def link_posts(
        self, posts: Sequence[LinkPost], *, max_degree: int = DEFAULT_MAX_DEGREE
    ) -> SparkLinkOutput:
        """:func:`tracelight.link.link_posts` of ``posts`` (a full relink), on Spark:
        the same networks, evidence, hubs and boilerplate groups."""
        self.link_jobs += 1
        with watch(self.spark, self.progress):
            return link_on_spark(self.spark, posts, LinkSettings(max_degree=max_degree))

    def close(self) -> None:
        """Stop the session this engine started (a shared one is stopped too: Spark has
        one session per driver process)."""
        if self._spark is not None:
            self._spark.stop()
            self._spark = None
