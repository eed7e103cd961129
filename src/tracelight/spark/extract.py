"""The extract stage on Spark: :func:`tracelight.extract.extract_batch` over partitions.

Each partition's posts reach Python as Arrow batches through ``mapInArrow``; the batch
is turned into posts, extracted by exactly the function the local engines run, and
returned as one row per post with its mentions. No row crosses a shuffle: extraction
is a narrow stage, so a failed task is simply recomputed from its input partition and
its output replaces the lost attempt's (Spark keeps one successful attempt per task).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pyarrow as pa

from tracelight.extract import extract_batch
from tracelight.spark.arrow import RESULT_DDL, arrow_to_posts, results_to_arrow
from tracelight.spark.progress import ProgressCallback, watch

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


def extract_arrow(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """The ``mapInArrow`` function: Arrow posts in, Arrow ``(post_id, mentions)`` out."""
    for batch in batches:
        if batch.num_rows:
            yield results_to_arrow(extract_batch(arrow_to_posts(batch)))


ArrowStage = Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]


def extract_frame(posts: DataFrame, function: ArrowStage = extract_arrow) -> DataFrame:
    """Mentions of every post of ``posts`` (columns of ``POST_SCHEMA``), one row per post.

    Extra input columns (``seq``, positions) are dropped; join them back on ``post_id``.
    ``function`` is :func:`extract_arrow` except where a caller wraps it (the tests make
    a task fail on its first attempt to show that a retry leaves one copy of each row).
    """
    return posts.mapInArrow(function, RESULT_DDL)


def mention_rows(results: DataFrame) -> DataFrame:
    """The per-post result exploded to the store's ``mentions`` columns, one row each."""
    from pyspark.sql import functions as F

    return results.select("post_id", F.explode("mentions").alias("m")).select(
        "post_id",
        "m.kind",
        "m.value",
        "m.field",
        "m.span_start",
        "m.span_end",
        "m.text",
        "m.method",
        "m.confidence",
    )


def extract_parquet(
    spark: SparkSession,
    posts_path: str,
    mentions_path: str,
    *,
    partitions: int | None = None,
    progress: ProgressCallback | None = None,
    function: ArrowStage = extract_arrow,
) -> int:
    """Extract a Parquet corpus of posts into a Parquet dataset of mentions.

    The output is written with ``mode("overwrite")`` through Spark's output committer,
    so a retried task or a rerun of the whole job leaves exactly one copy of every row.
    Returns the number of mentions written. ``progress`` receives each stage's task
    counts as they change (:mod:`tracelight.spark.progress`).
    """
    posts = spark.read.parquet(posts_path)
    if partitions:
        posts = posts.repartition(partitions)
    rows = mention_rows(extract_frame(posts, function))
    with watch(spark, progress):
        rows.write.mode("overwrite").parquet(mentions_path)
    return int(spark.read.parquet(mentions_path).count())
