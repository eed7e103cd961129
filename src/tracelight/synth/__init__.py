"""Seeded synthetic corpus: posts, images and the ground truth behind them.

Used by ``tracelight demo``, the tests and the benchmarks. Nothing in it is real
personal data: names are common first names, phones come from ranges reserved
for fiction (see :mod:`tracelight.synth.phones`), emails and sites use reserved
domains. The same ``(posts, seed)`` always gives byte-identical files.

``generate_corpus(out_dir, posts, seed)`` writes:

* ``posts.jsonl``: the scrape, one post per line, as :mod:`tracelight.ingest` reads it;
* ``images/``: the image files the posts reference;
* ``ground_truth.jsonl``: per post, its kind, group, poster, contacts (normalised value,
  disguise used and text as written), persona, stated age, city, cues and images;
* ``groups.json``: per group (agency, spam, network, job fraud), its posts, phones,
  cities in order of movement, personas and photos.
"""

from tracelight.synth.corpus import CorpusSummary, generate_corpus, plan
from tracelight.synth.disguise import DISGUISES, PLAIN_NAMES
from tracelight.synth.kinds import KINDS

__all__ = ["DISGUISES", "KINDS", "PLAIN_NAMES", "CorpusSummary", "generate_corpus", "plan"]
