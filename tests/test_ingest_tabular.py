"""JSON Lines, CSV and Parquet readers, format detection and reject handling."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from helpers import ad, write_jsonl
from tracelight.ingest import ReadOptions, detect, read_source
from tracelight.ingest.base import Item
from tracelight.model import ImageBlob, Post, Reject, post_id_for, sha256_hex
from tracelight.pipeline import reports
from tracelight.pipeline.ingest import ingest_sources
from tracelight.store.workspace import Workspace


def split(items: list[Item]) -> tuple[list[Post], list[ImageBlob], list[Reject]]:
    posts = [i for i in items if isinstance(i, Post)]
    blobs = [i for i in items if isinstance(i, ImageBlob)]
    rejects = [i for i in items if isinstance(i, Reject)]
    return posts, blobs, rejects


def test_jsonl_fields_metadata_and_identity(tmp_path: Path) -> None:
    record = ad(1, category="escort", scraper={"version": 3}, collected_at="2026-01-03T00:00:00")
    path = write_jsonl(tmp_path / "scrape.jsonl", [record])
    posts, _, rejects = split(list(read_source(path)))
    assert rejects == []
    (post,) = posts
    assert post.id == post_id_for("testsite", "ad-1", None, None, None)
    assert post.title == "Sweet girl 1" and post.country == "US" and post.language == "en"
    assert post.posted_at is not None and post.posted_at.isoformat() == "2026-01-02T03:04:05+00:00"
    assert post.collected_at is not None and post.collected_at.tzinfo is not None
    assert post.metadata == {"category": "escort", "scraper": {"version": 3}}
    assert post.origin == str(path) and post.locator == "line 1"
    line = path.read_bytes().strip()
    assert post.raw_sha256 == sha256_hex(line)


def test_identity_without_id_is_content_addressed(tmp_path: Path) -> None:
    a = {"source": "s", "url": "https://s.example/1", "body": "same text"}
    b = {"source": "s", "url": "https://s.example/1", "body": "same text, edited"}
    path = write_jsonl(tmp_path / "a.jsonl", [a, a, b])
    posts, _, _ = split(list(read_source(path)))
    assert posts[0].id == posts[1].id != posts[2].id
    assert posts[0].id == post_id_for("s", None, "https://s.example/1", None, "same text")


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"body": "x",', "bad JSON"),
        (b'{"body": "caf\xe9"}', "undecodable bytes"),
        ('{"title": 5, "body": ["list"]}', "body: expected text"),
        ('{"url": "https://x.example"}', "missing text"),
        ('["not", "an", "object"]', "expected an object"),
        ('{"body": "x", "posted_at": "yesterday"}', "posted_at: not an ISO 8601 time"),
        ('{"body": "x", "country": "USA"}', "country: expected an ISO 3166-1 alpha-2"),
        ('{"body": "x", "images": 7}', "images: expected a list"),
    ],
)
def test_malformed_lines_become_rejects_with_reasons(
    tmp_path: Path, line: str | bytes, reason: str
) -> None:
    path = write_jsonl(tmp_path / "bad.jsonl", [ad(1), line, ad(2)])
    posts, _, rejects = split(list(read_source(path)))
    assert [p.external_id for p in posts] == ["ad-1", "ad-2"]
    (rejected,) = rejects
    assert rejected.origin == str(path)
    assert rejected.locator == "line 2"
    assert reason in rejected.reason


def test_five_percent_corrupted_lines_ingest_the_rest(
    sqlite_workspace: Workspace, tmp_path: Path
) -> None:
    lines: list[dict[str, object] | str | bytes] = []
    bad_lines = set()
    for n in range(1, 401):
        if n % 20 == 0:
            bad_lines.add(n)
            lines.append(b"\xff\xfe garbage" if n % 40 == 0 else '{"id": "broken", "body": ')
        else:
            lines.append(ad(n))
    path = write_jsonl(tmp_path / "scrape.jsonl", lines)
    summary = ingest_sources(sqlite_workspace, [path])
    assert (summary.accepted, summary.duplicate, summary.rejected) == (380, 0, 20)
    assert summary.rejects_file is not None
    listed = [json.loads(x) for x in Path(summary.rejects_file).read_text().splitlines()]
    assert {r["locator"] for r in listed} == {f"line {n}" for n in bad_lines}
    assert all(r["reason"] and r["origin"] == str(path) for r in listed)
    assert reports.stats(sqlite_workspace)["rejected"] == 20
    # A rerun adds nothing and does not count the same bad lines twice in the store.
    again = ingest_sources(sqlite_workspace, [path])
    assert (again.accepted, again.duplicate, again.rejected) == (0, 380, 20)
    assert reports.stats(sqlite_workspace)["rejected"] == 20
    assert reports.stats(sqlite_workspace)["posts"] == 380


def test_csv_reader_with_quoted_multiline_fields_and_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "source", "title", "body", "country", "images", "extra_col"])
        writer.writerow(
            ["1", "site", "Hi", "line one\nline two (415) 555-0123", "US", "a.jpg|b.jpg", "x"]
        )
        writer.writerow(["2", "site", "", "", "US", "", ""])
        writer.writerow(["3", "site", "Ok", "fine", "us", "", ""])
        handle.write("4,site,too,many,columns,here,x,y\n")
    posts, _, rejects = split(list(read_source(path)))
    assert [p.external_id for p in posts] == ["1", "3"]
    assert posts[0].body == "line one\nline two (415) 555-0123"
    assert [i.uri for i in posts[0].images] == ["a.jpg", "b.jpg"]
    assert all(i.status == "missing" for i in posts[0].images)
    assert posts[0].metadata == {"extra_col": "x"}
    assert posts[1].country == "US"
    assert [(r.locator, r.reason) for r in rejects] == [
        ("row 2 (line 4)", "missing text: neither 'title' nor 'body' is present"),
        ("row 4 (line 6)", "expected 7 columns, found 8"),
    ]


def test_csv_undecodable_line_is_rejected_and_reading_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(b"id,body\n1,good\n2,bad \xff byte\n3,also good\n")
    posts, _, rejects = split(list(read_source(path)))
    assert [p.body for p in posts] == ["good", "also good"]
    assert len(rejects) == 1 and "undecodable" in rejects[0].reason
    assert rejects[0].locator == "row 2 (line 3)"


def test_parquet_reader_streams_rows_and_keeps_unknown_columns(tmp_path: Path) -> None:
    table = pa.table(
        {
            "id": ["p1", "p2", "p3"],
            "body": ["call (415) 555-0123", None, "hello"],
            "title": ["t1", None, None],
            "images": [["img/x.png"], [], None],
            "score": [0.5, 0.1, 0.9],
            "posted_at": ["2026-01-01T00:00:00Z", None, "not a date"],
        }
    )
    path = tmp_path / "export.parquet"
    pq.write_table(table, path)
    assert detect(path) is not None and detect(path).name == "parquet"  # type: ignore[union-attr]
    posts, _, rejects = split(list(read_source(path, ReadOptions(default_country="us"))))
    assert [p.external_id for p in posts] == ["p1"]
    assert posts[0].metadata == {"score": 0.5}
    assert posts[0].country == "US"
    assert [(r.locator, r.reason.split(":")[0]) for r in rejects] == [
        ("row 2", "missing text"),
        ("row 3", "posted_at"),
    ]


def test_images_beside_the_source_are_read_urls_are_never_fetched(tmp_path: Path) -> None:
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "a.png").write_bytes(b"\x89PNG fake image bytes")
    secret = tmp_path.parent / "secret.txt"
    secret.write_text("not evidence")
    record = ad(1, images=["img/a.png", "https://cdn.example/x.jpg", "../secret.txt", "gone.jpg"])
    path = write_jsonl(tmp_path / "s.jsonl", [record])
    posts, blobs, _ = split(list(read_source(path)))
    statuses = [(i.uri, i.status) for i in posts[0].images]
    assert statuses == [
        ("img/a.png", "local"),
        ("https://cdn.example/x.jpg", "remote"),
        ("../secret.txt", "refused"),
        ("gone.jpg", "missing"),
    ]
    assert [b.sha256 for b in blobs] == [sha256_hex(b"\x89PNG fake image bytes")]
    assert posts[0].images[0].sha256 == blobs[0].sha256


def test_folder_sources_detect_each_file_and_reject_unknown_ones(tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    write_jsonl(folder / "a.jsonl", [ad(1)])
    (folder / "b.csv").write_text("id,body\n2,hello\n", encoding="utf-8")
    (folder / "page.html").write_text(
        "<html><head><title>Ad</title></head><body><article>Call (415) 555-0123"
        "</article></body></html>",
        encoding="utf-8",
    )
    (folder / "notes.bin").write_bytes(b"\x00\x01\x02")
    (folder / "photo.jpg").write_bytes(b"jpeg")
    posts, _, rejects = split(list(read_source(folder)))
    assert sorted(p.title or p.body or "" for p in posts) == ["Ad", "Sweet girl 1", "hello"]
    assert [(Path(r.origin).name, r.reason.split(" (")[0]) for r in rejects] == [
        ("notes.bin", "unrecognised format")
    ]


def test_missing_source_is_a_reject_not_a_crash(tmp_path: Path) -> None:
    items = list(read_source(tmp_path / "nope.jsonl"))
    assert len(items) == 1 and isinstance(items[0], Reject)
    assert items[0].reason == "no such file or folder"
