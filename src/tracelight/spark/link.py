"""Exact linking on Spark: the local linker's networks, computed with DataFrame operations.

:func:`tracelight.link.link_posts` reads three corpus-wide facts (the near-duplicate
links, found by an LSH bucket rule over the *whole* corpus in arrival order; each
selector's degree, which decides hubs and rarity weights; and the ``diverse`` hub
verdict, which reads the signatures and names of all of a selector's posts). Everything
else it does is local to a component of *H*, the graph of usable selectors and verified
text links (see :mod:`tracelight.link.cluster`). So the Spark job is:

1. **signatures** (``mapInArrow``, narrow): each post's shingle set, MinHash signature
   and band keys, by the linker's own :func:`~tracelight.link.text.shingle_hashes`,
   :func:`~tracelight.link.text.signatures` and :func:`~tracelight.link.text.band_keys`;
2. **candidates** (one shuffle by ``(band, key)``): ``row_number`` over corpus order
   inside each bucket reproduces :func:`~tracelight.link.text.bucket_pairs` exactly (the
   first ``bucket_cap`` members all paired, later members chained to their predecessor),
   as a self-join bounded by ``bucket_cap`` squared per bucket and a ``lag``;
3. **verification**, the two halves of :func:`~tracelight.link.text.verify_pairs` in
   ``mapInArrow``: both posts' signatures joined to every candidate for the MinHash
   pre-filter (:func:`~tracelight.link.text.likely_pairs`), then both shingle sets only
   to the pairs that pass, for the exact Jaccard and its rounding
   (:func:`~tracelight.link.text.exact_links`), so both are the linker's;
4. **selectors** (one shuffle by ``(kind, value)``, :mod:`tracelight.spark.graph`): global
   degree, ``degree``/``placeholder`` hubs; the ``diverse`` verdict by
   :func:`~tracelight.link.graph.assess` over each candidate selector's posts (grouped
   by a hash of the selector, one ``assess`` call per group); rarity weights by
   :func:`~tracelight.link.graph.rarity_weight` on the global degree;
5. **components** of usable selectors and verified links (large-star / small-star);
6. **clustering**: components are hashed into ``regions`` and each region (a union of
   components, posts in corpus order) goes through
   :func:`~tracelight.link.cluster.cluster_region` in ``groupBy(region).applyInArrow``:
   one vectorised call per region instead of one Python call per component.

The driver only collects the networks (members, evidence, shared selectors), the hubs
and the boilerplate groups, and builds the records ``analyze`` stores; ids are assigned
by the store as for the local engine (:mod:`tracelight.link.identity`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from tracelight.link.cluster import (
    DEFAULT_MIN_WEIGHT,
    DEFAULT_SPLIT_ABOVE,
    RegionSelector,
    cluster_region,
)
from tracelight.link.graph import DEFAULT_MAX_DEGREE, DIVERSE_MIN_POSTS, assess, rarity_weight
from tracelight.link.networks import Boilerplate, Evidence, Hub, LinkedNetwork, LinkPost
from tracelight.link.text import (
    BANDS,
    BUCKET_CAP,
    DEFAULT_THRESHOLD,
    NUM_PERM,
    Shingled,
    band_keys,
    exact_links,
    likely_pairs,
    shingle_hashes,
    signatures,
)
from tracelight.model import SelectorKey
from tracelight.spark.graph import connected_components, selector_edges, selector_groups

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

ArrowFn = Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]

SIGNATURE_DDL = "post long, sig binary, shingles binary, bands array<long>"
LINK_DDL = "a long, b long, jaccard double"
VERDICT_DDL = "kind string, value string, verdict string, cohesion double"
WEIGHT_DDL = (
    "kind string, value string, degree long, first long, hub string, cohesion double, weight double"
)
CLUSTER_DDL = (
    "rtype int, net long, seq int, post long, kind string, value string, weight double, "
    "b long, identities int"
)
"""Flat rows out of the clustering stage (no nested types, which every Arrow path of
Spark handles): ``rtype`` 0 a network member, 1 an evidence link (``post``-``b``, in
the order the spanning forest chose it, ``seq``), 2 a shared selector, 3 a member of a
boilerplate group (``net``: the group's smallest post)."""

MEMBER, EVIDENCE, SHARED, BOILER = 0, 1, 2, 3
POST_ROW, SELECTOR_ROW, TEXT_ROW = 0, 1, 2


@dataclass(frozen=True, slots=True)
class LinkSettings:
    """The linker's parameters (those of :func:`tracelight.link.link_posts`) and how the
    clustering is cut: ``regions`` groups of components, each clustered in one call
    (0: four per shuffle partition)."""

    max_degree: int = DEFAULT_MAX_DEGREE
    text_threshold: float = DEFAULT_THRESHOLD
    min_weight: float = DEFAULT_MIN_WEIGHT
    split_above: int = DEFAULT_SPLIT_ABOVE
    bucket_cap: int = BUCKET_CAP
    regions: int = 0


# -- Arrow helpers -----------------------------------------------------------------------


def _column(data: pa.RecordBatch | pa.Table, name: str) -> pa.Array:
    col = data.column(name)
    return col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col


def _longs(data: pa.RecordBatch | pa.Table, name: str) -> npt.NDArray[np.int64]:
    return np.asarray(_column(data, name).to_numpy(zero_copy_only=False), dtype=np.int64)


def _binary_rows(col: pa.Array) -> tuple[npt.NDArray[np.int64], bytes]:
    """Byte offsets (rebased to 0) and the bytes of a binary column without nulls, read
    from its buffers (no Python object per row)."""
    width = np.int64 if pa.types.is_large_binary(col.type) else np.int32
    buffers = col.buffers()
    offsets = np.frombuffer(buffers[1], dtype=width)[col.offset : col.offset + len(col) + 1]
    offsets = offsets.astype(np.int64)
    data = buffers[2].to_pybytes()[offsets[0] : offsets[-1]] if buffers[2] is not None else b""
    return offsets - offsets[0], data


def _binary_array(offsets: npt.NDArray[np.int64], data: bytes) -> pa.Array:
    return pa.Array.from_buffers(
        pa.binary(),
        len(offsets) - 1,
        [None, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(data)],
    )


def _sig_matrix(col: pa.Array) -> npt.NDArray[np.uint32]:
    _, data = _binary_rows(col)
    return np.frombuffer(data, dtype=np.uint32).reshape(len(col), NUM_PERM)


def _shingled(col: pa.Array) -> Shingled:
    offsets, data = _binary_rows(col)
    return Shingled(np.frombuffer(data, dtype=np.uint32), offsets // 4)


# -- 1. signatures -------------------------------------------------------------------------


def signature_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """``mapInArrow``: ``(post, text)`` in; ``(post, sig, shingles, bands)`` out.

    Signatures are a function of each text alone (the token hash is a keyed BLAKE2, the
    MinHash seed fixed), so any cut of the corpus into batches gives the rows a
    whole-corpus run gives. Posts without a shingle get no band keys: the linker keeps
    them out of every bucket."""
    for batch in batches:
        if not batch.num_rows:
            continue
        texts = pc.fill_null(_column(batch, "text"), "").to_pylist()
        shingled = shingle_hashes(texts)
        sig = signatures(shingled)
        valid = shingled.offsets[1:] > shingled.offsets[:-1]
        keys = band_keys(sig).view(np.int64)
        n = len(texts)
        band_offsets = np.zeros(n + 1, dtype=np.int32)
        np.cumsum(np.where(valid, BANDS, 0), out=band_offsets[1:])
        bands = pa.ListArray.from_arrays(
            pa.array(band_offsets, pa.int32()), pa.array(keys[valid].ravel(), pa.int64())
        )
        sig_offsets = np.arange(n + 1, dtype=np.int64) * (NUM_PERM * 4)
        yield pa.RecordBatch.from_arrays(
            [
                _column(batch, "post").cast(pa.int64()),
                _binary_array(sig_offsets, np.ascontiguousarray(sig).tobytes()),
                _binary_array(shingled.offsets * 4, shingled.hashes.astype(np.uint32).tobytes()),
                bands,
            ],
            names=["post", "sig", "shingles", "bands"],
        )


def signature_frame(posts: DataFrame) -> DataFrame:
    """Signature rows of ``posts`` (``post``, ``text``), cached: the band shuffle, the
    verification joins and the hub assessment all read them."""
    return posts.select("post", "text").mapInArrow(signature_batches, SIGNATURE_DDL).cache()


# -- 2. candidate pairs --------------------------------------------------------------------


def candidate_pairs(sigs: DataFrame, bucket_cap: int = BUCKET_CAP) -> DataFrame:
    """``(a, b)``, ``a < b``, distinct: the pairs :func:`tracelight.link.text.candidate_pairs`
    proposes for the whole corpus, posts numbered in arrival order.

    In each band bucket (members in arrival order, ``rank`` from 0) a member pairs with
    every earlier one while ``rank < bucket_cap`` and only with its predecessor after
    that. The first part is a self-join of the early members only (at most
    ``bucket_cap``\u00b2 rows per bucket, so an oversized boilerplate bucket never
    squares); the chain is a ``lag`` over the same window. Singleton buckets, nearly
    all of them, are dropped before the join."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    bands = sigs.select("post", F.posexplode("bands").alias("band", "key"))
    bucket = Window.partitionBy("band", "key")
    ordered = bucket.orderBy("post")
    ranked = bands.select(
        "band",
        "key",
        "post",
        (F.row_number().over(ordered) - 1).alias("rank"),
        F.lag("post").over(ordered).alias("prev"),
        F.count("*").over(bucket).alias("size"),
    ).where(F.col("size") >= 2)
    early = ranked.where(F.col("rank") < bucket_cap).select("band", "key", "post", "rank")
    x, y = early.alias("x"), early.alias("y")
    squared = x.join(
        y,
        (F.col("x.band") == F.col("y.band"))
        & (F.col("x.key") == F.col("y.key"))
        & (F.col("x.rank") < F.col("y.rank")),
    ).select(F.col("x.post").alias("a"), F.col("y.post").alias("b"))
    chained = ranked.where(F.col("rank") >= bucket_cap).select(
        F.col("prev").alias("a"), F.col("post").alias("b")
    )
    return squared.union(chained).distinct()


# -- 3. verification -----------------------------------------------------------------------


def _prefilter(threshold: float) -> ArrowFn:
    """The pairs :func:`~tracelight.link.text.likely_pairs` keeps, from their two
    signatures alone."""

    def keep(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            m = batch.num_rows
            if not m:
                continue
            sig = np.concatenate(
                [_sig_matrix(_column(batch, "sig_a")), _sig_matrix(_column(batch, "sig_b"))]
            )
            at = np.arange(m, dtype=np.int64)
            which = likely_pairs(sig, np.stack([at, at + m], axis=1), threshold)
            yield pa.RecordBatch.from_arrays(
                [
                    pa.array(_longs(batch, "a")[which], pa.int64()),
                    pa.array(_longs(batch, "b")[which], pa.int64()),
                ],
                names=["a", "b"],
            )

    return keep


def _verifier(threshold: float) -> ArrowFn:
    """The pairs :func:`~tracelight.link.text.exact_links` keeps, from their two
    shingle sets."""

    def verify(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            m = batch.num_rows
            if not m:
                continue
            left = _shingled(_column(batch, "sh_a"))
            right = _shingled(_column(batch, "sh_b"))
            # One row space: the pairs' first posts 0..m-1, their second posts m..2m-1.
            rows = Shingled(
                np.concatenate([left.hashes, right.hashes]),
                np.concatenate([left.offsets[:-1], right.offsets + left.offsets[-1]]),
            )
            at = np.arange(m, dtype=np.int64)
            kept = exact_links(rows, np.stack([at, at + m], axis=1), threshold)
            which = kept[:, 0].astype(np.int64)
            yield pa.RecordBatch.from_arrays(
                [
                    pa.array(_longs(batch, "a")[which], pa.int64()),
                    pa.array(_longs(batch, "b")[which], pa.int64()),
                    pa.array(kept[:, 2], pa.float64()),
                ],
                names=["a", "b", "jaccard"],
            )

    return verify


def verified_links(
    sigs: DataFrame, pairs: DataFrame, threshold: float = DEFAULT_THRESHOLD
) -> DataFrame:
    """``(a, b, jaccard)``: the candidate pairs :func:`~tracelight.link.text.verify_pairs`
    keeps, in its two steps. The MinHash pre-filter sees only the two signatures of
    each candidate; the shingle sets, as large as the signatures, are joined only to the
    pairs that pass it (about a third), which is what the verification shuffle, the
    largest of the job, mostly carries."""
    from pyspark.sql import functions as F

    def side(name: str, column: str, alias: str) -> DataFrame:
        return sigs.select(F.col("post").alias(name), F.col(column).alias(f"{alias}_{name}"))

    likely = (
        pairs.join(side("a", "sig", "sig"), "a")
        .join(side("b", "sig", "sig"), "b")
        .select("a", "b", "sig_a", "sig_b")
        .mapInArrow(_prefilter(threshold), "a long, b long")
    )
    joined = likely.join(side("a", "shingles", "sh"), "a").join(side("b", "shingles", "sh"), "b")
    return joined.select("a", "b", "sh_a", "sh_b").mapInArrow(_verifier(threshold), LINK_DDL)


# -- 4. selectors --------------------------------------------------------------------------


def _diverse_verdicts(max_degree: int) -> Callable[[pa.Table], pa.Table]:
    """``applyInArrow`` over a group of selectors: :func:`~tracelight.link.graph.assess`
    on all of them at once, posts renumbered in corpus order (the only order it reads)."""

    def judge(table: pa.Table) -> pa.Table:
        post = _longs(table, "post")
        kinds = _column(table, "kind").to_pylist()
        values = _column(table, "value").to_pylist()
        _, first, local = np.unique(post, return_index=True, return_inverse=True)
        sig = _sig_matrix(_column(table, "sig").take(pa.array(first)))
        raw_names = _column(table, "names").take(pa.array(first)).to_pylist()
        names = [frozenset(n.casefold() for n in (ns or ())) for ns in raw_names]
        selector_posts: dict[SelectorKey, list[int]] = {}
        for k, v, p in zip(kinds, values, local.tolist(), strict=True):
            selector_posts.setdefault((k, v), []).append(p)
        infos = assess(selector_posts, sig, names, max_degree=max_degree)
        return pa.table(
            {
                "kind": pa.array([i.key[0] for i in infos], pa.string()),
                "value": pa.array([i.key[1] for i in infos], pa.string()),
                "verdict": pa.array([i.hub for i in infos], pa.string()),
                "cohesion": pa.array([i.cohesion for i in infos], pa.float64()),
            }
        )

    return judge


def _weigh(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Rarity weight on the global degree, by the linker's own function."""
    for batch in batches:
        kinds = _column(batch, "kind").to_pylist()
        degrees = _longs(batch, "degree").tolist()
        weight = [rarity_weight(k, d) for k, d in zip(kinds, degrees, strict=True)]
        yield pa.RecordBatch.from_arrays(
            [*batch.select(SELECTOR_COLUMNS).columns, pa.array(weight, pa.float64())],
            names=[*SELECTOR_COLUMNS, "weight"],
        )


SELECTOR_COLUMNS = ["kind", "value", "degree", "first", "hub", "cohesion"]


def assessed_selectors(
    selectors: DataFrame,
    posts: DataFrame,
    sigs: DataFrame,
    *,
    max_degree: int = DEFAULT_MAX_DEGREE,
    groups_of: int = 8,
) -> DataFrame:
    """``kind, value, degree, first, hub, weight, cohesion``: every selector as the
    linker weighs and judges it over the whole corpus. ``degree`` and ``placeholder``
    come from :func:`tracelight.spark.graph.selector_groups`; the selectors still
    eligible and on at least ``DIVERSE_MIN_POSTS`` posts (at most ``max_degree``, so a
    bounded group) are brought together with their posts' signatures and names and
    judged by :func:`~tracelight.link.graph.assess`."""
    from pyspark.sql import functions as F

    groups = selector_groups(selectors, max_degree)
    eligible = groups.where(F.col("hub").isNull() & (F.col("degree") >= DIVERSE_MIN_POSTS))
    members = (
        selectors.join(eligible.select("kind", "value"), ["kind", "value"])
        .join(sigs.select("post", "sig"), "post")
        .join(posts.select("post", "names"), "post")
        .withColumn("group", F.pmod(F.xxhash64("kind", "value"), F.lit(groups_of)))
    )
    verdicts = members.groupBy("group").applyInArrow(_diverse_verdicts(max_degree), VERDICT_DDL)
    judged = groups.join(verdicts, ["kind", "value"], "left").select(
        "kind",
        "value",
        "degree",
        "first",
        F.coalesce("hub", "verdict").alias("hub"),
        "cohesion",
    )
    return judged.mapInArrow(_weigh, WEIGHT_DDL)


# -- 6. clustering per region --------------------------------------------------------------


def _clusterer(min_weight: float, split_above: int) -> Callable[[pa.Table], pa.Table]:
    """``applyInArrow`` over one region: its posts (``rtype`` 0, with whether each carries
    any selector), its usable selectors' incidence (1) and its text links (2), to
    :func:`~tracelight.link.cluster.cluster_region`, with positions mapped back."""

    def cluster(table: pa.Table) -> pa.Table:
        rtype = _column(table, "rtype").to_numpy(zero_copy_only=False)
        post = _longs(table, "post")
        is_post = rtype == POST_ROW
        order = np.argsort(post[is_post], kind="stable")
        region = post[is_post][order]
        carries = (
            _column(table, "carries")
            .filter(pa.array(is_post))
            .to_numpy(zero_copy_only=False)[order]
        )
        sel = table.filter(pa.array(rtype == SELECTOR_ROW)).sort_by(
            [("kind", "ascending"), ("value", "ascending"), ("post", "ascending")]
        )
        selectors: list[RegionSelector] = []
        if sel.num_rows:
            kinds = _column(sel, "kind").to_pylist()
            values = _column(sel, "value").to_pylist()
            weights = _column(sel, "weight").to_pylist()
            at = np.searchsorted(region, _longs(sel, "post")).tolist()
            start = 0
            for i in range(1, len(kinds) + 1):
                if i == len(kinds) or kinds[i] != kinds[start] or values[i] != values[start]:
                    selectors.append(
                        RegionSelector((kinds[start], values[start]), at[start:i], weights[start])
                    )
                    start = i
        text = table.filter(pa.array(rtype == TEXT_ROW))
        links = np.column_stack(
            [
                np.searchsorted(region, _longs(text, "post")).astype(np.float64),
                np.searchsorted(region, _longs(text, "b")).astype(np.float64),
                _column(text, "jaccard").to_numpy(zero_copy_only=False).astype(np.float64),
            ]
        )
        found = cluster_region(
            len(region),
            selectors,
            links,
            has_selector=np.asarray(carries, dtype=bool),
            min_weight=min_weight,
            split_above=split_above,
        )
        out: dict[str, list[Any]] = {name: [] for name in CLUSTER_COLUMNS}

        def row(rt: int, net: int, **fields: Any) -> None:
            out["rtype"].append(rt)
            out["net"].append(net)
            for name in CLUSTER_COLUMNS[2:]:
                out[name].append(fields.get(name))

        for members, evidence, shared in zip(
            found.networks, found.evidence, found.shared, strict=True
        ):
            net = int(region[members[0]])
            for p in members:
                row(MEMBER, net, post=int(region[p]))
            for seq, link in enumerate(evidence):
                row(
                    EVIDENCE,
                    net,
                    seq=seq,
                    post=int(region[link.a]),
                    b=int(region[link.b]),
                    kind=link.kind,
                    value=link.value,
                    weight=link.weight,
                )
            for kind, value in shared:
                row(SHARED, net, kind=kind, value=value)
        for group, identities in zip(found.boilerplate, found.boilerplate_identities, strict=True):
            net = int(region[group[0]])
            for p in group:
                row(BOILER, net, post=int(region[p]), identities=identities)
        return pa.table(out, schema=CLUSTER_SCHEMA)

    return cluster


CLUSTER_SCHEMA = pa.schema(
    [
        ("rtype", pa.int32()),
        ("net", pa.int64()),
        ("seq", pa.int32()),
        ("post", pa.int64()),
        ("kind", pa.string()),
        ("value", pa.string()),
        ("weight", pa.float64()),
        ("b", pa.int64()),
        ("identities", pa.int32()),
    ]
)
CLUSTER_COLUMNS = CLUSTER_SCHEMA.names


def region_rows(
    selectors: DataFrame,
    table: DataFrame,
    links: DataFrame,
    components: DataFrame,
    *,
    min_weight: float,
    regions: int,
) -> DataFrame:
    """The long-format input of the clustering stage, one ``region`` per row: posts of
    every component (with ``carries``: on any selector at all, hubs included, which the
    boilerplate rule counts), usable selectors' incidence and verified links."""
    from pyspark.sql import functions as F

    placed = components.withColumn(
        "region", F.pmod(F.xxhash64("component"), F.lit(regions))
    ).select("post", "region")
    carriers = selectors.select("post").distinct().withColumn("carries", F.lit(True))
    none_s, none_l, none_d = (
        F.lit(None).cast("string"),
        F.lit(None).cast("long"),
        F.lit(None).cast("double"),
    )
    post_rows = placed.join(carriers, "post", "left").select(
        "region",
        F.lit(POST_ROW).alias("rtype"),
        "post",
        F.coalesce("carries", F.lit(False)).alias("carries"),
        none_s.alias("kind"),
        none_s.alias("value"),
        none_d.alias("weight"),
        none_l.alias("b"),
        none_d.alias("jaccard"),
    )
    usable = table.where(
        F.col("hub").isNull() & (F.col("degree") >= 2) & (F.col("weight") >= min_weight)
    )
    selector_rows = (
        selectors.join(usable.select("kind", "value", "weight"), ["kind", "value"])
        .join(placed, "post")
        .select(
            "region",
            F.lit(SELECTOR_ROW).alias("rtype"),
            "post",
            F.lit(None).cast("boolean").alias("carries"),
            "kind",
            "value",
            "weight",
            none_l.alias("b"),
            none_d.alias("jaccard"),
        )
    )
    text_rows = links.join(placed.withColumnRenamed("post", "a"), "a").select(
        "region",
        F.lit(TEXT_ROW).alias("rtype"),
        F.col("a").alias("post"),
        F.lit(None).cast("boolean").alias("carries"),
        none_s.alias("kind"),
        none_s.alias("value"),
        none_d.alias("weight"),
        "b",
        "jaccard",
    )
    return post_rows.unionByName(selector_rows).unionByName(text_rows)


# -- the whole stage -----------------------------------------------------------------------


@dataclass(slots=True)
class LinkFrames:
    """The stage's DataFrames, for callers that keep working on Spark (write Parquet,
    count, join back) rather than collecting."""

    links: DataFrame
    selectors: DataFrame
    components: DataFrame
    clusters: DataFrame
    cached: list[DataFrame] = field(default_factory=list)
    """Everything this stage cached, to be unpersisted when the caller is done."""

    def release(self) -> None:
        for frame in self.cached:
            frame.unpersist()


StepHook = Callable[[str, "DataFrame"], None]
"""Called with each cached step's name and frame as soon as it is defined (the
benchmark materialises and times it there)."""


def link_frames(
    posts: DataFrame,
    selectors: DataFrame,
    settings: LinkSettings | None = None,
    *,
    on_step: StepHook | None = None,
) -> LinkFrames:
    """Networks of the corpus ``posts`` (``post`` in arrival order, ``text``, ``names``)
    with selector incidence ``selectors`` (``post, kind, value``), as flat cluster rows
    (:data:`CLUSTER_DDL`). Nothing is collected here; the verified links and selector
    table are cached since three later steps read each."""
    from pyspark.sql import functions as F

    settings = settings or LinkSettings()
    spark = posts.sparkSession
    regions = settings.regions or 4 * int(spark.conf.get("spark.sql.shuffle.partitions") or 4)
    step = on_step or (lambda name, frame: None)
    selectors = selectors.select("post", "kind", "value").distinct().cache()
    step("post-selectors", selectors)
    sigs = signature_frame(posts)
    step("signatures", sigs)
    pairs = candidate_pairs(sigs, settings.bucket_cap)
    cached = [selectors, sigs]
    if on_step is not None:
        # Read once by verification; cached only when a caller looks at it on its own.
        pairs = pairs.cache()
        cached.append(pairs)
        step("candidates", pairs)
    links = verified_links(sigs, pairs, settings.text_threshold).cache()
    step("text-links", links)
    table = assessed_selectors(selectors, posts, sigs, max_degree=settings.max_degree).cache()
    step("selectors", table)
    usable = table.where(F.col("weight") >= settings.min_weight)
    edges = selector_edges(selectors, usable).union(
        links.select(F.col("a").alias("u"), F.col("b").alias("v"))
    )
    components = connected_components(edges).cache()
    step("components", components)
    rows = region_rows(
        selectors, table, links, components, min_weight=settings.min_weight, regions=regions
    )
    clusters = rows.groupBy("region").applyInArrow(
        _clusterer(settings.min_weight, settings.split_above), CLUSTER_DDL
    )
    return LinkFrames(
        links=links,
        selectors=table,
        components=components,
        clusters=clusters,
        cached=[*cached, links, table, components],
    )


@dataclass(slots=True)
class SparkLinkOutput:
    """What ``analyze`` reads of a linking run, as :class:`tracelight.link.LinkOutput`
    offers it; there is no near-duplicate index to save (a Spark run always links the
    whole corpus)."""

    networks: list[LinkedNetwork]
    hubs: list[Hub]
    boilerplate: list[Boilerplate]
    text_links: int
    stats: dict[str, int] = field(default_factory=dict)
    index: None = None


def collect_output(frames: LinkFrames, ids: Sequence[str] | Mapping[int, str]) -> SparkLinkOutput:
    """The networks, hubs and boilerplate groups as records (``ids``: post id by
    ``post``, a list when posts are numbered ``0..n-1``, else a mapping; networks'
    ``members`` are ``post`` numbers). Only results reach the driver: cluster rows,
    hubs and two counts."""
    from pyspark.sql import functions as F

    rows = frames.clusters.toArrow()
    hubs_rows = (
        frames.selectors.where(F.col("hub").isNotNull() & (F.col("degree") >= 2))
        .select("kind", "value", "degree", "hub", "cohesion")
        .toArrow()
        .to_pylist()
    )
    hubs = sorted(
        (
            Hub(
                (r["kind"], r["value"]),
                int(r["degree"]),
                str(r["hub"]),
                None if r["cohesion"] is None else float(r["cohesion"]),
            )
            for r in hubs_rows
        ),
        key=lambda h: (-h.posts, h.key),
    )
    text_links = frames.links.count()
    rtype = rows.column("rtype").to_numpy()
    net = rows.column("net").to_numpy()
    post = rows.column("post").to_pylist()
    seq = rows.column("seq").to_pylist()
    kind = rows.column("kind").to_pylist()
    value = rows.column("value").to_pylist()
    weight = rows.column("weight").to_pylist()
    other = rows.column("b").to_pylist()
    identities = rows.column("identities").to_pylist()
    members: dict[int, list[int]] = {}
    evidence: dict[int, list[tuple[int, Evidence]]] = {}
    shared: dict[int, list[SelectorKey]] = {}
    boiler: dict[int, list[int]] = {}
    boiler_ids: dict[int, int] = {}
    for i, (rt, n) in enumerate(zip(rtype.tolist(), net.tolist(), strict=True)):
        if rt == MEMBER:
            members.setdefault(n, []).append(post[i])
        elif rt == EVIDENCE:
            ev = Evidence(kind[i], value[i], weight[i], (ids[post[i]], ids[other[i]]))
            evidence.setdefault(n, []).append((seq[i], ev))
        elif rt == SHARED:
            shared.setdefault(n, []).append((kind[i], value[i]))
        else:
            boiler.setdefault(n, []).append(post[i])
            boiler_ids[n] = identities[i]
    networks: list[LinkedNetwork] = []
    for n, group in members.items():
        ordered = sorted(group, key=ids.__getitem__)
        networks.append(
            LinkedNetwork(
                post_ids=tuple(ids[p] for p in ordered),
                selectors=tuple(sorted(shared.get(n, []))),
                evidence=[e for _, e in sorted(evidence.get(n, []), key=lambda se: se[0])],
                members=tuple(ordered),
            )
        )
    networks.sort(key=lambda nw: (-len(nw.post_ids), nw.id))
    boilerplate = [
        Boilerplate(tuple(ids[p] for p in sorted(g)), boiler_ids[n])
        for n, g in sorted(boiler.items())
    ]
    sizes = [len(nw.post_ids) for nw in networks]
    return SparkLinkOutput(
        networks=networks,
        hubs=hubs,
        boilerplate=boilerplate,
        text_links=text_links,
        stats={
            "text_links": text_links,
            "hubs": len(hubs),
            "boilerplate_groups": len(boilerplate),
            "posts_indexed_now": len(ids),
            "networks": len(networks),
            "largest": max(sizes, default=0),
            "graph_reused": 0,
        },
    )


def posts_frames(spark: SparkSession, posts: Sequence[LinkPost]) -> tuple[DataFrame, DataFrame]:
    """``(post, post_id, text, names)`` and ``(post, kind, value)`` of posts held by the
    driver (``analyze`` reads them from the store), ``post`` their position."""
    n = len(posts)
    frame = spark.createDataFrame(
        pa.table(
            {
                "post": pa.array(range(n), pa.int64()),
                "post_id": pa.array([p.id for p in posts], pa.string()),
                "text": pa.array([p.text for p in posts], pa.string()),
                "names": pa.array([list(p.names) for p in posts], pa.list_(pa.string())),
            }
        )
    )
    incidence = [(i, k, v) for i, p in enumerate(posts) for k, v in dict.fromkeys(p.selectors)]
    selectors = spark.createDataFrame(
        pa.table(
            {
                "post": pa.array([i for i, _, _ in incidence], pa.int64()),
                "kind": pa.array([k for _, k, _ in incidence], pa.string()),
                "value": pa.array([v for _, _, v in incidence], pa.string()),
            }
        )
    )
    return frame, selectors


def link_on_spark(
    spark: SparkSession, posts: Sequence[LinkPost], settings: LinkSettings | None = None
) -> SparkLinkOutput:
    """:func:`tracelight.link.link_posts` of ``posts`` (a full run), computed on Spark."""
    frame, selectors = posts_frames(spark, posts)
    frames = link_frames(frame, selectors, settings)
    try:
        return collect_output(frames, [p.id for p in posts])
    finally:
        frames.release()


def corpus_frames(posts: DataFrame, mentions: DataFrame) -> tuple[DataFrame, DataFrame]:
    """The linking input of a corpus kept in Spark: ``posts`` with ``post`` (arrival
    order), ``id``, ``title``, ``body``; ``mentions`` as written by
    :func:`tracelight.spark.extract.extract_parquet`. Texts are joined as the store's
    loader joins them (title, newline, body); names are the ``name`` mentions; selectors
    the mention kinds of :data:`tracelight.spark.graph.MENTION_SELECTOR_KINDS`."""
    from pyspark.sql import functions as F

    from tracelight.spark.graph import post_selectors

    numbered = posts.select(F.col("id").alias("post_id"), "post", "title", "body")
    names = (
        mentions.where(F.col("kind") == "name")
        .groupBy("post_id")
        .agg(F.array_sort(F.collect_set("value")).alias("names"))
    )
    frame = numbered.join(names, "post_id", "left").select(
        "post",
        "post_id",
        F.concat(F.coalesce("title", F.lit("")), F.lit("\n"), F.coalesce("body", F.lit(""))).alias(
            "text"
        ),
        F.coalesce("names", F.array().cast("array<string>")).alias("names"),
    )
    return frame, post_selectors(mentions, numbered.select("post_id", "post"))
