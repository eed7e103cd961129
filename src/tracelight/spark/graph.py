"""The selector graph at scale: selector groups, hubs by degree, connected components.

Everything here is Spark DataFrame operations; the graph is never collected to the
driver. Posts are numbered (``post``: a ``long``, the store's ``seq`` or any unique
number) and a selector is its ``(kind, value)``.

* **Selector groups** are one shuffle by ``(kind, value)``: each selector's degree (its
  distinct posts) and first post.
* **Hubs** are decided on those global counts with the linker's own rules
  (:data:`tracelight.link.graph.DEFAULT_MAX_DEGREE`, :func:`~tracelight.link.graph.
  is_placeholder`, applied through ``mapInArrow`` so the rule is not re-implemented).
  A hub's posts may fall into different components below, which is why hub verdicts
  must be computed here, over all posts, and never inside one component.
* **Components** of the graph whose edges are the non-hub selectors (a star from each
  selector's first post) plus any extra links (verified near-duplicate pairs), by the
  large-star / small-star algorithm (Kiveris et al., "Connected Components in MapReduce
  and Beyond", SoCC 2014): O(log^2 n) rounds of joins and aggregations, each round's
  edges checkpointed so the query plan does not grow with the rounds. Every network the
  linker can form lies inside one such component (its links are a subset of these
  edges), so components bound the work of the exact linker (see docs/spark.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pyarrow as pa

from tracelight.link.graph import DEFAULT_MAX_DEGREE, is_placeholder

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

MENTION_SELECTOR_KINDS = ("email", "handle", "phone", "wallet")
"""Selector kinds that come from mentions (images and faces come from the vision stage)."""

MAX_ROUNDS = 64
"""Large-star/small-star needs O(log^2 n) rounds; 64 is far beyond any real graph, and
reaching it means something is wrong, not that more rounds would help."""

SELECTOR_DDL = "kind string, value string, degree long, first long, hub string"


def post_selectors(mentions: DataFrame, posts: DataFrame) -> DataFrame:
    """``(post, kind, value)``, distinct, from mention rows and ``(post_id, post)``."""
    from pyspark.sql import functions as F

    return (
        mentions.where(F.col("kind").isin(*MENTION_SELECTOR_KINDS))
        .join(posts.select("post_id", "post"), "post_id")
        .select("post", "kind", "value")
        .distinct()
    )


def _hub_marker(
    max_degree: int,
) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    def mark(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            kinds = batch.column("kind").to_pylist()
            values = batch.column("value").to_pylist()
            degrees = batch.column("degree").to_pylist()
            hub = [
                "placeholder" if is_placeholder((k, v)) else "degree" if d > max_degree else None
                for k, v, d in zip(kinds, values, degrees, strict=True)
            ]
            yield pa.RecordBatch.from_arrays(
                [
                    *batch.select(["kind", "value", "degree", "first"]).columns,
                    pa.array(hub, pa.string()),
                ],
                names=["kind", "value", "degree", "first", "hub"],
            )

    return mark


def selector_groups(selectors: DataFrame, max_degree: int = DEFAULT_MAX_DEGREE) -> DataFrame:
    """One row per selector: ``kind, value, degree, first, hub`` (``hub`` is ``degree``,
    ``placeholder`` or null). The ``diverse`` hub test needs text signatures and stays
    with the linker, inside the component (its selectors are edges here)."""
    from pyspark.sql import functions as F

    groups = selectors.groupBy("kind", "value").agg(
        F.count_distinct("post").alias("degree"), F.min("post").alias("first")
    )
    return groups.mapInArrow(_hub_marker(max_degree), SELECTOR_DDL)


def selector_edges(selectors: DataFrame, groups: DataFrame) -> DataFrame:
    """``(u, v)``: a star from each non-hub selector's first post to its other posts."""
    from pyspark.sql import functions as F

    usable = groups.where(F.col("hub").isNull() & (F.col("degree") >= 2))
    return (
        selectors.join(usable.select("kind", "value", "first"), ["kind", "value"])
        .where(F.col("post") != F.col("first"))
        .select(F.col("first").alias("u"), F.col("post").alias("v"))
    )


def _both_ways(edges: DataFrame) -> DataFrame:
    from pyspark.sql import functions as F

    return edges.select("u", "v").union(edges.select(F.col("v").alias("u"), F.col("u").alias("v")))


def _large_star(edges: DataFrame) -> DataFrame:
    """Every node hooks its larger neighbours onto the smallest node of its neighbourhood."""
    from pyspark.sql import functions as F

    both = _both_ways(edges)
    smallest = both.groupBy("u").agg(F.least(F.min("v"), F.col("u")).alias("m"))
    return (
        both.where(F.col("v") > F.col("u"))
        .join(smallest, "u")
        .select(F.col("v").alias("u"), F.col("m").alias("v"))
        .distinct()
    )


def _small_star(edges: DataFrame) -> DataFrame:
    """Every node hooks itself and its smaller neighbours onto the smallest of them."""
    from pyspark.sql import functions as F

    down = edges.select(F.greatest("u", "v").alias("u"), F.least("u", "v").alias("v"))
    smallest = down.groupBy("u").agg(F.min("v").alias("m"))
    joined = down.join(smallest, "u")
    return (
        joined.where(F.col("v") != F.col("m"))
        .select(F.col("v").alias("u"), F.col("m").alias("v"))
        .union(joined.select("u", F.col("m").alias("v")))
        .distinct()
    )


def _fingerprint(edges: DataFrame) -> tuple[int, int]:
    """Size and order-free hash sum of a (distinct) edge set: one small job per round
    tells whether a round changed anything, instead of a set difference (two shuffles).
    Two different edge sets agree on both only by a 64-bit hash collision."""
    from pyspark.sql import functions as F

    row = edges.agg(
        F.count("*").alias("n"),
        F.sum(F.xxhash64(F.least("u", "v"), F.greatest("u", "v")).cast("decimal(38,0)")).alias("h"),
    ).first()
    assert row is not None
    return int(row["n"]), int(row["h"] or 0)


def connected_components(edges: DataFrame, max_rounds: int = MAX_ROUNDS) -> DataFrame:
    """``(post, component)`` for every post on an edge; ``component`` is the smallest post.

    Converged when a round leaves the edge set unchanged: every component is then a star
    around its smallest post. Rounds are checkpointed (``localCheckpoint``, or a reliable
    ``checkpoint`` when the context has a checkpoint directory, as a cluster should) so
    each round's plan is two joins deep, whatever the number of rounds.
    """
    from pyspark.sql import functions as F

    spark = edges.sparkSession
    reliable = spark.sparkContext.getCheckpointDir() is not None

    def settle(frame: DataFrame) -> DataFrame:
        return frame.checkpoint(eager=True) if reliable else frame.localCheckpoint(eager=True)

    current = settle(
        edges.where(F.col("u") != F.col("v"))
        .select(F.least("u", "v").alias("u"), F.greatest("u", "v").alias("v"))
        .distinct()
    )
    seen = _fingerprint(current)
    for _ in range(max_rounds):
        nxt = settle(_small_star(_large_star(current)))
        now = _fingerprint(nxt)
        current = nxt
        if now == seen:
            break
        seen = now
    else:
        raise RuntimeError(f"connected components did not converge in {max_rounds} rounds")
    both = _both_ways(current)
    labels = both.groupBy("u").agg(F.least(F.min("v"), F.col("u")).alias("component"))
    return labels.select(F.col("u").alias("post"), "component")


def component_sizes(components: DataFrame) -> DataFrame:
    """``(component, posts)``: how the linking work is cut, largest first."""
    from pyspark.sql import functions as F

    return (
        components.groupBy("component")
        .agg(F.count("*").alias("posts"))
        .orderBy(F.desc("posts"), "component")
    )
