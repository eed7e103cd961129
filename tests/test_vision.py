"""Safe decoding, EXIF evidence, PDQ hashing, the near-duplicate index and clustering."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from tracelight.vision import Decoded, DecodeLimits, Rejected, decode_image, hamming, pdq_hash
from tracelight.vision.cluster import image_clusters
from tracelight.vision.face_index import ExactFaceIndex, IvfFaceIndex, build_face_index
from tracelight.vision.index import PdqIndex, brute_force, hashes_to_array
from tracelight.vision.pdq import PDQ_MATCH_THRESHOLD, PDQ_MIN_QUALITY
from vision_images import encode, photo, png_bomb


def rejected(result: Decoded | Rejected) -> Rejected:
    assert isinstance(result, Rejected), result
    return result


# -- decoding ----------------------------------------------------------------------------


def test_decompression_bomb_is_refused_before_decoding() -> None:
    data = png_bomb(40_000, 40_000)
    assert len(data) < 200  # 1.6 billion pixels declared in a few dozen bytes
    result = rejected(decode_image(data, media_type="image/png"))
    assert result.code == "bomb"
    assert "1600000000 pixels" in result.reason  # Pillow's own guard fires first here
    # Below Pillow's hard limit, ours still refuses from the header alone.
    result = rejected(decode_image(png_bomb(12_000, 12_000), media_type="image/png"))
    assert result.code == "bomb"
    assert "12000x12000 = 144,000,000 pixels" in result.reason


def test_pixel_limit_is_per_call() -> None:
    data = encode(photo(1, (200, 200)), "PNG")
    assert isinstance(decode_image(data), Decoded)
    assert rejected(decode_image(data, limits=DecodeLimits(max_pixels=10_000))).code == "bomb"
    assert rejected(decode_image(data, limits=DecodeLimits(max_bytes=100))).code == "too_large"


def test_truncated_file_is_rejected_with_a_reason() -> None:
    data = encode(photo(2), "JPEG", quality=90)
    result = rejected(decode_image(data[: len(data) // 2]))
    assert result.code == "truncated"
    assert "truncated" in result.reason


def test_file_lying_about_its_type_is_rejected() -> None:
    png = encode(photo(3), "PNG")
    assert rejected(decode_image(png, media_type="image/jpeg")).code == "type_mismatch"
    assert rejected(decode_image(png, name="https://x.example/pic.jpg")).code == "type_mismatch"
    assert isinstance(decode_image(png, name="pic.png"), Decoded)
    assert rejected(decode_image(b"<html>not a photo</html>", name="a.jpg")).code == "not_image"
    assert rejected(decode_image(b"")).code == "empty"


def test_formats_outside_the_allow_list_are_not_opened() -> None:
    tiff = encode(photo(4), "TIFF")
    assert rejected(decode_image(tiff)).code == "not_image"
    allowed = DecodeLimits(formats=frozenset({"TIFF"}))
    assert isinstance(decode_image(tiff, limits=allowed), Decoded)


def test_transparent_and_palette_images_decode_to_rgb() -> None:
    rgba = photo(5).convert("RGBA")
    rgba.putalpha(128)
    for data in (encode(rgba, "PNG"), encode(photo(5).convert("P"), "GIF")):
        result = decode_image(data)
        assert isinstance(result, Decoded)
        assert result.image.mode == "RGB"


# -- EXIF ------------------------------------------------------------------------------


def _with_exif(orientation: int = 1) -> bytes:
    image = photo(6, (300, 200))
    exif = Image.Exif()
    exif[0x010F] = "TestMaker"  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0x0112] = orientation
    exif.get_ifd(0x8769)[0x9003] = "2025:03:04 05:06:07"  # DateTimeOriginal
    gps = exif.get_ifd(0x8825)
    gps[1] = "S"
    gps[2] = (33.0, 52.0, 4.8)
    gps[3] = "E"
    gps[4] = (151.0, 12.0, 36.0)
    return encode(image, "JPEG", exif=exif.tobytes())


def test_exif_camera_time_and_gps_are_extracted() -> None:
    result = decode_image(_with_exif())
    assert isinstance(result, Decoded)
    assert result.exif is not None
    assert result.exif.camera == "TestMaker Model X"
    assert result.exif.captured_at == "2025:03:04 05:06:07"
    assert result.exif.gps_lat == pytest.approx(-33.868)
    assert result.exif.gps_lon == pytest.approx(151.21)
    assert result.exif.tags["gps"] == [result.exif.gps_lat, result.exif.gps_lon]


def test_exif_orientation_is_applied_and_no_exif_is_none() -> None:
    rotated = decode_image(_with_exif(orientation=6))
    assert isinstance(rotated, Decoded)
    assert (rotated.width, rotated.height) == (200, 300)
    plain = decode_image(encode(photo(7), "PNG"))
    assert isinstance(plain, Decoded)
    assert plain.exif is None


# -- PDQ ---------------------------------------------------------------------------------


def _hash(data: bytes) -> tuple[str, int, tuple[str, ...]]:
    result = decode_image(data)
    assert isinstance(result, Decoded)
    digest = pdq_hash(result.image, dihedral=True)
    return digest.hex, digest.quality, digest.dihedral


def test_pdq_matches_resized_recompressed_copies_not_other_photos() -> None:
    original, quality, _ = _hash(encode(photo(10, (640, 480)), "PNG"))
    assert quality >= PDQ_MIN_QUALITY
    assert len(original) == 64
    smaller, _, _ = _hash(encode(photo(10, (640, 480)).resize((200, 150)), "JPEG", quality=40))
    assert hamming(original, smaller) <= PDQ_MATCH_THRESHOLD
    for seed in (11, 12, 13):
        other, _, _ = _hash(encode(photo(seed, (640, 480)), "PNG"))
        assert hamming(original, other) > 64


def test_mirrored_copy_is_found_through_the_dihedral_hashes() -> None:
    image = photo(14, (400, 300))
    original, _, variants = _hash(encode(image, "PNG"))
    mirrored, _, _ = _hash(encode(image.transpose(Image.Transpose.FLIP_LEFT_RIGHT), "PNG"))
    assert hamming(original, mirrored) > PDQ_MATCH_THRESHOLD
    assert min(hamming(v, mirrored) for v in variants) <= PDQ_MATCH_THRESHOLD


def test_flat_image_has_low_quality() -> None:
    _, quality, _ = _hash(encode(Image.new("RGB", (200, 200), (120, 130, 140)), "PNG"))
    assert quality < PDQ_MIN_QUALITY


# -- the index -------------------------------------------------------------------------


def _planted(n: int, seed: int) -> tuple[np.ndarray, list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    words = rng.integers(0, 2**64 - 1, size=(n, 4), dtype=np.uint64, endpoint=True)
    queries = []
    for k in range(30):
        query = words[k * 7].copy()
        for bit in rng.choice(256, size=int(rng.integers(0, 40)), replace=False):
            query[bit // 64] ^= np.uint64(1) << np.uint64(bit % 64)
        queries.append(query)
    return words, queries


@pytest.mark.parametrize("radius", [0, 10, 31])
def test_multi_index_search_equals_a_full_scan(radius: int) -> None:
    words, queries = _planted(5_000, seed=radius)
    index = PdqIndex(words)
    found = 0
    for query in queries:
        expected = brute_force(words, query, radius)
        assert index.search(query, radius) == expected
        found += len(expected)
    assert found > 0  # the planted neighbours within the radius were found


def test_index_takes_hex_and_rejects_radii_it_cannot_answer() -> None:
    hexes = ["00" * 32, "ff" * 32, "0f" + "00" * 31]
    index = PdqIndex(hexes)
    assert index.search("00" * 32, 31) == [(0, 0), (2, 4)]
    assert (hashes_to_array(hexes) == index.words).all()
    with pytest.raises(ValueError):
        index.search("00" * 32, 32)


def test_clusters_join_near_duplicates_and_grow_incrementally() -> None:
    a, b, c = "00" * 32, "0f" + "00" * 31, "ff" * 32
    first = image_clusters([("s2", a, None, None), ("s9", c, None, None)])
    assert first == {"s2": "s2", "s9": "s9"}
    second = image_clusters([("s2", a, None, "s2"), ("s9", c, None, "s9"), ("s1", b, None, None)])
    assert second == {"s1": "s1", "s2": "s1"}  # the smallest member names the cluster


# -- the face index --------------------------------------------------------------------


def test_face_index_exact_and_approximate_find_the_same_close_faces() -> None:
    rng = np.random.default_rng(0)
    people = rng.normal(size=(300, 128)).astype(np.float32) * 0.1
    vectors = np.repeat(people, 4, axis=0) + rng.normal(size=(1200, 128)).astype(np.float32) * 0.01
    exact = ExactFaceIndex(vectors)
    approx = IvfFaceIndex(vectors, cells=40, nprobe=6)
    for person in (0, 17, 299):
        hits = exact.search(vectors[person * 4], 0.3)
        assert [i for i, _ in hits][:1] == [person * 4]
        assert sorted(i for i, _ in hits) == list(range(person * 4, person * 4 + 4))
        assert {i for i, _ in approx.search(vectors[person * 4], 0.3)} <= {i for i, _ in hits}
    assert isinstance(build_face_index(vectors), ExactFaceIndex)
    assert isinstance(build_face_index(vectors, approx_min=100), IvfFaceIndex)
