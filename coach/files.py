"""Small file helpers shared by the commands: folders to files, content hashes."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path


def expand(paths: Iterable[Path], suffixes: Iterable[str]) -> list[Path]:
    """Files as given, and the files with one of ``suffixes`` directly inside folders."""
    wanted = tuple(s.lower() for s in suffixes)
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.iterdir() if p.suffix.lower() in wanted)
        else:
            out.append(path)
    return out


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
