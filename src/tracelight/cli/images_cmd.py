"""``tracelight images hash PATH...``: PDQ hashes of image files, decoded safely."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from tracelight.cli.common import JsonOpt, failures
from tracelight.cli.render import emit_json, stdout
from tracelight.model import sha256_hex
from tracelight.vision import Decoded, decode_image, pdq_hash

images_app = typer.Typer(
    help="Image hashes (PDQ) for matching reused photos.", no_args_is_help=True
)


@images_app.command("hash")
def hash_images(
    paths: Annotated[list[Path], typer.Argument(help="Image files.")],
    as_json: JsonOpt = False,
) -> None:
    """Print the SHA-256, PDQ hash and PDQ quality of each image (refused files: reason)."""
    with failures():
        for path in paths:
            data = path.read_bytes()
            row: dict[str, Any]
            decoded = decode_image(data, name=path.name)
            if not isinstance(decoded, Decoded):
                row = {"path": str(path), "sha256": sha256_hex(data), "error": decoded.reason}
            else:
                digest = pdq_hash(decoded.image)
                row = {
                    "path": str(path),
                    "sha256": sha256_hex(data),
                    "pdq": digest.hex,
                    "quality": digest.quality,
                }
            if as_json:
                emit_json(row)
            else:
                stdout.print(
                    f"{row.get('pdq', 'refused'):<64} "
                    f"{row.get('quality', '-')!s:>3} {path}"
                    + (f"  ({row['error']})" if "error" in row else ""),
                    markup=False,
                    highlight=False,
                )
