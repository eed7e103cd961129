"""The synthetic corpus must exercise what later stages are tested on.

One 2,000-post corpus is generated per module and read back from disk; the
checks are on the files, the way extraction, linking and scoring will see them.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import phonenumbers
import pytest
from PIL import Image

from tracelight.ingest.records import post_from_record
from tracelight.synth import DISGUISES, KINDS, PLAIN_NAMES, CorpusSummary, generate_corpus
from tracelight.synth.places import CITIES

POSTS = 2000
CITY = {city.name: city for city in CITIES}
RESERVED_TLDS = (".example", ".test", "example.com", "example.net", "example.org")


@dataclass(frozen=True)
class Corpus:
    summary: CorpusSummary
    posts: list[dict[str, Any]]
    truth: list[dict[str, Any]]
    groups: list[dict[str, Any]]

    def text(self, index: int) -> str:
        post = self.posts[index]
        return f"{post.get('title') or ''}\n{post.get('body') or ''}"

    def members(self, kind: str) -> dict[str, list[int]]:
        out: dict[str, list[int]] = defaultdict(list)
        for i, truth in enumerate(self.truth):
            if truth["kind"] == kind:
                out[truth["group"]].append(i)
        return out


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def _load(summary: CorpusSummary) -> Corpus:
    groups = json.loads(summary.groups_path.read_text(encoding="utf-8"))["groups"]
    return Corpus(
        summary, _read_jsonl(summary.posts_path), _read_jsonl(summary.ground_truth_path), groups
    )


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    return _load(generate_corpus(tmp_path_factory.mktemp("synth") / "corpus", POSTS, seed=7))


def _parse_time(value: str) -> datetime:
    assert value.endswith("Z"), value
    return datetime.fromisoformat(value[:-1] + "+00:00")


def _digest_tree(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


# --- shape of the output ---------------------------------------------------------------


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    first = generate_corpus(tmp_path / "a", 250, seed=3)
    second = generate_corpus(tmp_path / "b", 250, seed=3)
    other = generate_corpus(tmp_path / "c", 250, seed=4)
    assert _digest_tree(tmp_path / "a") == _digest_tree(tmp_path / "b")
    assert first.counts == second.counts
    assert first.image_files > 0
    assert other.posts_path.read_bytes() != first.posts_path.read_bytes(), (
        "a different seed must give a different corpus"
    )


def test_rerun_into_the_same_folder_replaces_the_old_corpus(tmp_path: Path) -> None:
    generate_corpus(tmp_path / "x", 200, seed=1)
    summary = generate_corpus(tmp_path / "x", 80, seed=2)
    generate_corpus(tmp_path / "y", 80, seed=2)
    assert _digest_tree(tmp_path / "x") == _digest_tree(tmp_path / "y")
    assert len(summary.posts_path.read_text(encoding="utf-8").splitlines()) == 80


@pytest.mark.parametrize("posts", [0, 1, 7, 61])
def test_exact_number_of_posts_for_small_corpora(tmp_path: Path, posts: int) -> None:
    summary = generate_corpus(tmp_path, posts, seed=11)
    assert len(summary.posts_path.read_text(encoding="utf-8").splitlines()) == posts
    assert len(summary.ground_truth_path.read_text(encoding="utf-8").splitlines()) == posts
    assert sum(summary.counts.values()) == posts
    json.loads(summary.groups_path.read_text(encoding="utf-8"))


def test_exact_count_and_kind_shares(corpus: Corpus) -> None:
    assert len(corpus.posts) == POSTS == len(corpus.truth)
    kinds = Counter(t["kind"] for t in corpus.truth)
    assert dict(kinds) == dict(corpus.summary.counts)
    assert set(kinds) == set(KINDS)
    assert 0.40 * POSTS <= kinds["independent"] <= 0.50 * POSTS
    assert 0.18 * POSTS <= kinds["trafficking"] <= 0.26 * POSTS
    jobs = kinds["job_legit"] + kinds["job_fraud"]
    assert 0.12 * POSTS <= jobs <= 0.18 * POSTS
    assert 0.2 <= kinds["job_fraud"] / jobs <= 0.45


def test_records_are_well_formed(corpus: Corpus) -> None:
    ids = [post["id"] for post in corpus.posts]
    assert len(set(ids)) == len(ids)
    start, end = corpus.summary.period_start, corpus.summary.period_end
    for post, truth in zip(corpus.posts, corpus.truth, strict=True):
        assert post["id"] == truth["id"] and post["source"] == truth["source"]
        assert post.get("title") or post.get("body")
        posted, collected = _parse_time(post["posted_at"]), _parse_time(post["collected_at"])
        assert start <= posted <= end
        assert collected >= posted
        assert re.fullmatch(r"https://[a-z0-9.-]+\.(example|test)/\S+", post["url"])
        assert re.fullmatch(r"[A-Z]{2}", post["country"])
        assert post["language"] in {"en", "es", "fr", "pt", "de"}
        assert isinstance(post["images"], list)
        assert post["location"]


def test_ingest_accepts_every_record(corpus: Corpus) -> None:
    base = corpus.summary.posts_path.parent
    extra_fields: Counter[str] = Counter()
    for n, record in enumerate(corpus.posts, 1):
        post, blobs = post_from_record(
            record, origin="posts.jsonl", locator=f"line {n}", base_dir=base, default_source="x"
        )
        assert post.external_id == record["id"]
        assert {ref.status for ref in post.images} <= {"local", "remote"}
        assert len(blobs) == sum(ref.status == "local" for ref in post.images)
        extra_fields.update(post.metadata.keys())
    assert {"category", "age_field", "scraper_version"} <= set(extra_fields)


def test_places_and_languages(corpus: Corpus) -> None:
    cities = {t["city"] for t in corpus.truth}
    countries = {t["country"] for t in corpus.truth}
    languages = Counter(t["language"] for t in corpus.truth)
    assert len(cities) >= 20
    assert len(countries) >= 6
    assert {"en", "es", "fr"} <= set(languages) and len(languages) >= 3
    assert len({post["source"] for post in corpus.posts}) >= 5
    for post, truth in zip(corpus.posts, corpus.truth, strict=True):
        city = CITY[truth["city"]]
        assert city.country == truth["country"] == post["country"]
        assert city.speaks(truth["language"]), (truth["city"], truth["language"])
    written = {post["location"] for post in corpus.posts}
    assert any(" - " in loc or "(" in loc for loc in written), "neighbourhoods in location"
    assert {"NYC", "CDMX"} & written or {"LA", "MTL", "BCN"} & written


# --- contacts ---------------------------------------------------------------------------


def test_contacts_are_written_in_their_post(corpus: Corpus) -> None:
    for i, truth in enumerate(corpus.truth):
        assert truth["contacts"], truth["id"]
        text = corpus.text(i)
        for contact in truth["contacts"]:
            assert (contact["kind"], contact["disguise"]) in DISGUISES
            assert contact["text"] in text, (truth["id"], contact)


def test_phones_are_valid_and_plain_ones_are_found(corpus: Corpus) -> None:
    plain_phones = 0
    for i, truth in enumerate(corpus.truth):
        post = corpus.posts[i]
        found: set[str] | None = None
        for contact in truth["contacts"]:
            if contact["kind"] != "phone":
                continue
            number = phonenumbers.parse(contact["value"])
            assert phonenumbers.is_valid_number(number), contact
            assert (
                phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
                == contact["value"]
            )
            if ("phone", contact["disguise"]) not in PLAIN_NAMES:
                continue
            plain_phones += 1
            if found is None:
                found = {
                    phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164)
                    for m in phonenumbers.PhoneNumberMatcher(corpus.text(i), post["country"])
                }
            assert contact["value"] in found, (truth["id"], contact, corpus.text(i))
    assert plain_phones > 0.4 * POSTS


FICTION_RANGES = {
    "+1": r"\+1\d{3}55501\d{2}",  # NXX-555-0100..0199
    "+44": r"\+44(2079460|1\d{2}49[68]0|2896496|2920180|8081570|9098790|3069990)\d{3}",
    "+33": r"\+33(19900|26191|35301|46571|53649)\d{4}",
    "+49": r"\+49(3023125|4066969|8999998|2214710|6990009)\d{3}",
}


def test_phones_come_from_fiction_ranges_where_there_are_some(corpus: Corpus) -> None:
    outside = set()
    for truth in corpus.truth:
        for contact in truth["contacts"]:
            value = contact["value"]
            if contact["kind"] != "phone":
                continue
            code = next((c for c in FICTION_RANGES if value.startswith(c)), None)
            if code is None:
                assert value.startswith(("+34", "+52", "+55")), value  # ES, MX, BR: no range
                outside.add(value)
            else:
                assert re.fullmatch(FICTION_RANGES[code], value), value
    # A phone can be allocated and never shown (an employer's line left out of its ads).
    assert 0 < len(outside) <= corpus.summary.phones_outside_reserved


def test_plain_emails_and_handles(corpus: Corpus) -> None:
    handles: Counter[str] = Counter()
    for truth in corpus.truth:
        for contact in truth["contacts"]:
            if contact["kind"] == "email":
                assert contact["value"] == contact["value"].lower()
                assert contact["value"].endswith(RESERVED_TLDS), contact
                if contact["disguise"] == "plain":
                    assert contact["text"].lower() == contact["value"]
                else:
                    assert "@" not in contact["text"] or " @ " in contact["text"]
            elif contact["kind"] == "handle":
                platform, _, handle = contact["value"].partition(":")
                handles[platform] += 1
                assert handle and handle == handle.lower()
                assert handle in contact["text"].lower()
    assert set(handles) >= {"snapchat", "instagram", "telegram"}


def test_disguises_mix_plain_and_hidden(corpus: Corpus) -> None:
    phone = Counter(
        c["disguise"] for t in corpus.truth for c in t["contacts"] if c["kind"] == "phone"
    )
    total = sum(phone.values())
    hidden = sum(n for name, n in phone.items() if ("phone", name) not in PLAIN_NAMES)
    assert 0.12 <= hidden / total <= 0.45, phone
    assert len([name for name in phone if ("phone", name) not in PLAIN_NAMES]) >= 8
    emails = Counter(
        c["disguise"] for t in corpus.truth for c in t["contacts"] if c["kind"] == "email"
    )
    assert emails["plain"] > 0 and len(emails) >= 3


@pytest.mark.parametrize(
    ("disguise", "pattern"),
    [
        ("letters", r"[OolI]"),
        ("keycap", "\u20e3"),
        ("fullwidth", "[０-９]"),
        ("circled", "[⓪①-⑨]"),
        ("line_split", "\n"),
        ("wa_link", r"wa\.me/\d{10,}"),
        ("spelled", r"[a-zà-ü]{3,}"),
    ],
)
def test_hidden_phones_look_like_their_trick(corpus: Corpus, disguise: str, pattern: str) -> None:
    texts = [
        c["text"]
        for t in corpus.truth
        for c in t["contacts"]
        if c["kind"] == "phone" and c["disguise"] == disguise
    ]
    assert texts, f"no {disguise} phone in the corpus"
    for text in texts:
        assert re.search(pattern, text, re.IGNORECASE), (disguise, text)


def test_numeric_decoys_are_present_and_not_contacts(corpus: Corpus) -> None:
    text = "\n".join(corpus.text(i) for i in range(len(corpus.posts)))
    assert re.search(r"\b3\d-2\d-[34]\d\b", text), "imperial measurements"
    assert re.search(r"\b(8\d|9\d|1\d\d)-[56]\d-(8\d|9\d|10\d)\b", text), "metric measurements"
    assert re.search(r"\$\d{2,3}/hr|\d{2,3} roses", text), "prices"
    assert re.search(r"\b\d{1,2}(am|pm)\b", text), "times"
    assert re.search(r"5'\d", text), "heights"
    assert re.search(r"#\d{6,}|Ref\. \d{6,}", text), "reference numbers"


# --- kinds ----------------------------------------------------------------------------------


def test_groups_file_matches_ground_truth(corpus: Corpus) -> None:
    by_group: dict[str, list[str]] = defaultdict(list)
    for truth in corpus.truth:
        if truth["kind"] in ("independent", "job_legit"):
            assert truth["group"] is None
        else:
            assert truth["group"]
            by_group[truth["group"]].append(truth["id"])
    pattern = {
        "trafficking": r"net-\d{4}",
        "agency": r"agency-\d{2,}",
        "spam": r"spam-\d{2,}",
        "job_fraud": r"jobfraud-\d{2,}",
    }
    assert {g["id"] for g in corpus.groups} == set(by_group)
    for group in corpus.groups:
        assert re.fullmatch(pattern[group["kind"]], group["id"])
        assert sorted(group["posts"]) == sorted(by_group[group["id"]])
    assert corpus.summary.groups == len(corpus.groups)


def test_independents_have_one_persona_and_their_own_phone(corpus: Corpus) -> None:
    owner: dict[str, set[str | None]] = defaultdict(set)
    for truth in corpus.truth:
        for contact in truth["contacts"]:
            owner[contact["value"]].add(truth["group"] or f"solo:{truth['persona']}")
    for truth in corpus.truth:
        if truth["kind"] != "independent":
            continue
        assert truth["persona"]
        for contact in truth["contacts"]:
            assert owner[contact["value"]] == {f"solo:{truth['persona']}"}, contact


def test_agency_hub_spans_personas_texts_and_cities(corpus: Corpus) -> None:
    agencies = corpus.members("agency")
    assert agencies
    spans_cities = 0
    for indexes in agencies.values():
        hubs = [
            {c["value"] for c in corpus.truth[i]["contacts"] if c["kind"] == "phone"}
            for i in indexes
        ]
        shared = set.intersection(*hubs)
        assert len(shared) == 1, "one hub phone on every post of the agency"
        assert len({corpus.truth[i]["persona"] for i in indexes}) >= 2
        assert len({corpus.posts[i]["body"] for i in indexes}) == len(indexes)
        spans_cities += len({corpus.truth[i]["city"] for i in indexes}) >= 2
    assert spans_cities >= 1


def test_spam_shares_boilerplate_not_contacts(corpus: Corpus) -> None:
    spam = [g for g in corpus.groups if g["kind"] == "spam"]
    assert spam
    for group in spam:
        boilerplate = group["boilerplate"]
        assert len(boilerplate) >= 200
        indexes = corpus.members("spam")[group["id"]]
        assert len(indexes) >= 3
        values = [c["value"] for i in indexes for c in corpus.truth[i]["contacts"]]
        assert len(values) == len(set(values)), "every spam poster has her own contacts"
        for i in indexes:
            assert boilerplate in corpus.posts[i]["body"]
    assert len({g["boilerplate"] for g in spam}) == len(spam)


def test_networks_move_rotate_phones_and_share_a_template(corpus: Corpus) -> None:
    networks = [g for g in corpus.groups if g["kind"] == "trafficking"]
    assert len(networks) >= 5
    youth_cue = 0
    for group in networks:
        indexes = corpus.members("trafficking")[group["id"]]
        assert len(indexes) >= 5
        ordered = sorted(indexes, key=lambda i: corpus.posts[i]["posted_at"])
        personas = {corpus.truth[i]["persona"] for i in indexes}
        assert len(personas) >= 2
        assert len({corpus.truth[i]["age"] for i in indexes} | {None}) >= 2
        moves = [k for k, _ in itertools.groupby(corpus.truth[i]["city"] for i in ordered)]
        assert len(set(moves)) >= 2
        assert moves == group["cities"]
        phones = [
            [c["value"] for c in corpus.truth[i]["contacts"] if c["kind"] == "phone"]
            for i in ordered
        ]
        own = set(group["phones"]) - {group["hub"]}
        assert 2 <= len(own) <= 4
        assert all(1 <= len(set(p) & own) <= 2 for p in phones)
        assert phones[0][0] != phones[-1][0], "phones change over time"
        days = {corpus.posts[i]["posted_at"][:10] for i in indexes}
        assert len(indexes) / len(days) > 1.0, "several posts a day"
        youth_cue += any("youth" in corpus.truth[i]["cues"] for i in indexes)
    assert youth_cue >= len(networks) // 3
    ages = [corpus.truth[i]["age"] for ix in corpus.members("trafficking").values() for i in ix]
    assert any(18 <= age <= 21 for age in ages)
    cues = Counter(c for t in corpus.truth if t["kind"] == "trafficking" for c in t["cues"])
    assert {"new_in_town", "just_arrived", "youth", "third_person"} <= set(cues)
    assert any(not t["cues"] for t in corpus.truth if t["kind"] == "trafficking") or min(
        cues.values()
    ) < len(ages), "not every post has every cue"


def test_network_template_makes_posts_near_duplicates(corpus: Corpus) -> None:
    def shingles(text: str) -> set[str]:
        words = re.findall(r"\w+", text.lower())
        return {" ".join(words[i : i + 3]) for i in range(len(words) - 2)}

    def jaccard(a: str, b: str) -> float:
        sa, sb = shingles(a), shingles(b)
        return len(sa & sb) / max(1, len(sa | sb))

    inside, outside = [], []
    networks = list(corpus.members("trafficking").values())
    for indexes in networks:
        bodies = [corpus.posts[i]["body"] for i in indexes[:6]]
        inside += [jaccard(a, b) for a, b in itertools.combinations(bodies, 2)]
    for left, right in itertools.pairwise(networks):
        outside.append(jaccard(corpus.posts[left[0]]["body"], corpus.posts[right[0]]["body"]))
    assert statistics.mean(inside) > 2 * statistics.mean(outside)


def test_networks_reuse_photos_across_personas(corpus: Corpus) -> None:
    reusing = 0
    with_images = 0
    for indexes in corpus.members("trafficking").values():
        shown_by: dict[str, set[str]] = defaultdict(set)
        for i in indexes:
            for image in corpus.truth[i]["images"]:
                shown_by[image["photo"]].add(corpus.truth[i]["persona"])
        if shown_by:
            with_images += 1
            reusing += any(len(personas) >= 2 for personas in shown_by.values())
    assert with_images >= 5
    assert reusing == with_images


def test_jobs_legit_and_fraud(corpus: Corpus) -> None:
    legit = [t for t in corpus.truth if t["kind"] == "job_legit"]
    fraud = corpus.members("job_fraud")
    assert legit and fraud
    assert all(any(c["kind"] == "email" for c in t["contacts"]) for t in legit)
    assert all(t["persona"] is None and t["group"] is None for t in legit)
    cues = Counter(c for ix in fraud.values() for i in ix for c in corpus.truth[i]["cues"])
    assert {"fee", "visa", "housing", "passport", "unrealistic_pay"} <= set(cues)
    shared = 0
    for indexes in fraud.values():
        phones = Counter(
            c["value"] for i in indexes for c in corpus.truth[i]["contacts"] if c["kind"] == "phone"
        )
        shared += max(phones.values()) >= 2
    assert shared >= len(fraud) // 2


# --- images ---------------------------------------------------------------------------------


def test_referenced_images_exist_and_are_bounded(corpus: Corpus) -> None:
    root = corpus.summary.posts_path.parent
    local, remote = set(), 0
    for post in corpus.posts:
        for uri in post["images"]:
            if uri.startswith("https://"):
                assert re.match(r"https://[a-z0-9.-]+\.(example|test)/", uri)
                remote += 1
            else:
                assert re.fullmatch(r"images/[0-9a-f]{12}\.(jpg|png)", uri)
                assert (root / uri).is_file()
                local.add(uri)
    files = list(corpus.summary.images_dir.iterdir())
    assert len(files) == corpus.summary.image_files == len(local)
    assert {f.suffix for f in files} == {".jpg", ".png"}
    assert remote > 0
    assert sum(1 for p in corpus.posts if not p["images"]) > 0.4 * POSTS
    for path in files[:50]:
        with Image.open(path) as image:
            assert 64 <= image.width <= 256 and 64 <= image.height <= 256


def _dhash(path: Path) -> list[bool]:
    with Image.open(path) as image:
        small = image.convert("L").resize((9, 8), Image.Resampling.BILINEAR)
        px = small.tobytes()
    return [px[r * 9 + c] > px[r * 9 + c + 1] for r in range(8) for c in range(8)]


def test_copies_of_a_photo_look_alike_and_photos_differ(corpus: Corpus) -> None:
    root = corpus.summary.posts_path.parent
    files: dict[str, set[str]] = defaultdict(set)
    for truth in corpus.truth:
        for image in truth["images"]:
            if image["variant"] != "remote":
                files[image["photo"]].add(image["uri"])
    photos = sorted(files)[:150]
    hashes = {photo: [_dhash(root / u) for u in sorted(files[photo])] for photo in photos}

    def distance(a: list[bool], b: list[bool]) -> int:
        return sum(x != y for x, y in zip(a, b, strict=True))

    same = [distance(a, b) for hs in hashes.values() for a, b in itertools.combinations(hs, 2)]
    firsts = [hs[0] for hs in hashes.values()][:120]
    different = [distance(a, b) for a, b in itertools.combinations(firsts, 2)]
    assert same and different
    assert statistics.mean(same) < 8 < 20 < statistics.mean(different)


def test_image_cap_is_respected(tmp_path: Path) -> None:
    summary = generate_corpus(tmp_path, 600, seed=5, max_images=15)
    files = list(summary.images_dir.iterdir())
    assert 0 < len(files) <= 15
    for record in _read_jsonl(summary.posts_path):
        for uri in record["images"]:
            assert uri.startswith("https://") or (tmp_path / uri).is_file()
