"""Archive I/O at election scale: storing and reading back every hoja de vida, in segments and, for
comparison, in the former one-gzip-file-per-body layout (which the archive still reads).

    python -m benchmarks.archive_io --bodies 150000

The bodies are invented (~1.6 KB of compact JSON each, surnames from benchmarks.generate's vocabulary of
words that are not family names, DNIs 99xxxxxx). Reads run on a fresh Archive, so loading the index files is
counted, but the OS page cache is warm: a cold read is slower for both layouts, and more so for many files.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import random
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from benchmarks.generate import GIVEN_NAMES, REGIONS, SURNAMES
from pipeline.http.archive import Archive


def bodies(count: int, seed: int) -> Iterator[bytes]:
    rng = random.Random(seed)
    for n in range(count):
        document = {
            "datoGeneral": {
                "idHojaVida": 7_000_001 + n,
                "txNombres": rng.choice(GIVEN_NAMES),
                "txApellidoPaterno": rng.choice(SURNAMES),
                "txApellidoMaterno": rng.choice(SURNAMES),
                "txDocumentoIdentidad": f"99{rng.randrange(10**6):06d}",
                "txRegion": rng.choice(REGIONS),
            },
            "experienciaLaboral": [
                {"txCentroTrabajo": f"EMPRESA {rng.choice(SURNAMES)} SAC", "txCargo": "ASISTENTE", "anio": y}
                for y in rng.sample(range(1990, 2025), 8)
            ],
            "formacionAcademica": [
                {
                    "txCentroEstudio": f"UNIVERSIDAD {rng.choice(SURNAMES)}",
                    "txCarrera": "DERECHO",
                    "concluido": 1,
                }
                for _ in range(3)
            ],
            "informacionAdicional": " ".join(rng.choice(SURNAMES).lower() for _ in range(52)),
        }
        yield json.dumps(document, separators=(",", ":")).encode()


def legacy_put(root: Path, content: bytes) -> str:
    """How the archive stored a body before segments: its own gzip file, via a temp file and a rename."""
    sha = hashlib.sha256(content).hexdigest()
    path = root / sha[:2] / f"{sha}.gz"
    if path.exists():
        return sha
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(content)
    os.replace(tmp, path)
    return sha


def on_disk(root: Path) -> tuple[float, float, int]:
    """Apparent MB, allocated MB (what the file system really spends, block by block) and file count."""
    files = [p.stat() for p in root.rglob("*") if p.is_file()]
    return sum(s.st_size for s in files) / 1e6, sum(s.st_blocks * 512 for s in files) / 1e6, len(files)


def timed(label: str, count: int, step: Callable[[], object]) -> None:
    started = time.perf_counter()
    step()
    seconds = time.perf_counter() - started
    print(f"  {label:<34} {seconds:8.2f} s {count / seconds:12,.0f} bodies/s")


def run(layout: str, documents: list[bytes], root: Path) -> None:
    print(f"{layout}:")
    shas: list[str] = []
    if layout == "segments":
        archive = Archive(root)
        timed(
            "put all, close (fsync)",
            len(documents),
            lambda: (shas.extend(map(archive.put, documents)), archive.close()),
        )
    else:
        timed(
            "put all (old Archive.put)",
            len(documents),
            lambda: shas.extend(legacy_put(root, d) for d in documents),
        )
    timed(
        "get_many all (fresh Archive)",
        len(shas),
        lambda: sum(len(b) for _, b in Archive(root).get_many(shas)),
    )
    reader = Archive(root)
    timed("get one by one (fresh Archive)", len(shas), lambda: sum(len(reader.get(sha)) for sha in shas))
    apparent, allocated, files = on_disk(root)
    print(f"  on disk: {apparent:,.1f} MB in {files:,} files, {allocated:,.1f} MB allocated")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bodies", type=int, default=150_000)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--dir", type=Path, help="where to write (default: a temporary directory, removed)")
    parser.add_argument("--no-legacy", action="store_true", help="skip the one-file-per-body layout")
    args = parser.parse_args(argv)

    documents = list(bodies(args.bodies, args.seed))
    raw_mb = sum(map(len, documents)) / 1e6
    each_kb = raw_mb * 1e3 / len(documents)
    print(f"{len(documents):,} invented bodies, {raw_mb:,.1f} MB of JSON ({each_kb:.2f} KB each)")
    work = Path(tempfile.mkdtemp(dir=args.dir, prefix="archive-io-"))
    try:
        for layout in ["segments"] + ([] if args.no_legacy else ["one file per body"]):
            run(layout, documents, work / layout.replace(" ", "-"))
    finally:
        shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
