"""Damaged copies of real clips, and running the CLI on them: shared by the fuzz test and
``benchmarks/fuzz_campaign.py``.

Every variant is made from a seeded :class:`random.Random`, so a seed and a count replay the same
files byte for byte. Each run happens in its own subprocess with a time limit; :func:`judge` says
whether the way it ended is acceptable (exit 0 or 1 with a report, or exit 2 with exactly one
``ava-detect: error:`` line) and :func:`outcome_label` groups endings for a campaign table.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import av

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "sample_clips").glob("*.mp4"))
DAMAGE_KINDS = ("truncate", "overwrite", "zero_header", "zero_block")


def shorten(src: Path, dst: Path, max_s: float) -> Path:
    """Copy the first ``max_s`` seconds of every audio/video stream without re-encoding."""
    with av.open(str(src)) as inp, av.open(str(dst), "w", format="mp4") as out:
        streams = [s for s in inp.streams if s.type in ("video", "audio")]
        mapping = {s.index: out.add_stream_from_template(s) for s in streams}
        for packet in inp.demux(streams):
            if packet.dts is None:
                continue
            if packet.pts is not None and float(packet.pts * packet.time_base) >= max_s:
                continue
            packet.stream = mapping[packet.stream.index]
            out.mux(packet)
    return dst


def damage(data: bytes, kind: str, rng: random.Random) -> tuple[bytes, str]:
    """Return a damaged copy of ``data`` and a short description of what was done."""
    n = len(data)
    buf = bytearray(data)
    if kind == "truncate":
        cut = rng.randint(1, n - 1)
        return bytes(buf[:cut]), f"cut at byte {cut} of {n}"
    if kind == "overwrite":
        spans = rng.randint(1, 6)
        where = []
        for _ in range(spans):
            length = rng.randint(1, 512)
            start = rng.randint(n // 10, max(n // 10, n - length - 1))
            buf[start : start + length] = rng.randbytes(length)
            where.append(f"{start}+{length}")
        return bytes(buf), "random bytes at " + ",".join(where)
    if kind == "zero_header":
        length = rng.choice([4, 8, 16, 64, 512, 4096])
        buf[:length] = bytes(length)
        return bytes(buf), f"first {length} bytes zeroed"
    if kind == "zero_block":
        length = rng.randint(1024, max(1024, n // 5))
        start = rng.randint(n // 10, max(n // 10, n - length - 1))
        buf[start : start + length] = bytes(len(buf[start : start + length]))
        return bytes(buf), f"{length} bytes zeroed at {start}"
    raise ValueError(kind)


@dataclass
class Variant:
    path: Path
    source: str
    kind: str
    detail: str


def make_variants(sources: list[Path], folder: Path, count: int, seed: int) -> list[Variant]:
    """Write ``count`` damaged variants of ``sources`` (round-robin) into ``folder``."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    blobs = [(src.name, src.read_bytes()) for src in sources]
    variants = []
    for i in range(count):
        name, data = blobs[i % len(blobs)]
        kind = DAMAGE_KINDS[rng.randrange(len(DAMAGE_KINDS))]
        damaged, detail = damage(data, kind, rng)
        path = folder / f"v{i:04d}_{kind}.mp4"
        path.write_bytes(damaged)
        variants.append(Variant(path, name, kind, detail))
    return variants


@dataclass
class Run:
    code: int | None  # None: killed after the time limit
    stdout: str
    stderr: str
    seconds: float


def run_cli(
    clip: Path, out_dir: Path, *args: str, timeout: float = 120.0, model_probe: bool = False
) -> Run:
    """Run ``python -m ava_detect.cli CLIP --out OUT_DIR -q ARGS`` in a fresh process.

    ``model_probe`` runs tests/fuzz_model_probe.py instead, so every model runs on the clip even
    for checks that have no detector yet.
    """
    module = "fuzz_model_probe" if model_probe else "ava_detect.cli"
    path = f"{ROOT / 'src'}:{ROOT / 'tests'}"
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", module, str(clip), "--out", str(out_dir), "-q", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={"PYTHONPATH": path, "PATH": "/usr/bin:/bin"},
        )
    except subprocess.TimeoutExpired as exc:
        text = (exc.stderr or b"").decode(errors="replace") if isinstance(exc.stderr, bytes) else ""
        return Run(None, "", text, time.perf_counter() - start)
    return Run(proc.returncode, proc.stdout, proc.stderr, time.perf_counter() - start)


def judge(run: Run, clip: Path, out_dir: Path) -> str | None:
    """Why the run's ending is unacceptable, or None when it is fine."""
    if run.code is None:
        return "hang: killed after the time limit"
    if "Traceback" in run.stderr + run.stdout:
        return "Python traceback printed"
    if run.code in (0, 1):
        if not (out_dir / f"{clip.stem}.json").is_file():
            return f"exit {run.code} but no report written"
        return None
    if run.code != 2:
        return f"exit code {run.code} (crash or signal)"
    lines = run.stderr.strip().splitlines()
    if len(lines) != 1 or not lines[0].startswith("ava-detect: error:"):
        return f"exit 2 without a one-line error: {run.stderr[-300:]!r}"
    if "internal error" in lines[0]:
        return f"internal error (an uncaught exception): {lines[0]}"
    return None


def outcome_label(run: Run, clip: Path) -> str:
    """Group a run's ending: 'exit 0', 'exit 1', or 'exit 2: <message without the path/numbers>'."""
    if run.code is None:
        return "hang"
    if run.code != 2:
        return f"exit {run.code}"
    line = (run.stderr.strip().splitlines() or [""])[-1]
    line = line.replace("ava-detect: error: ", "").replace(str(clip), "CLIP")
    line = re.sub(r"\d+(\.\d+)?", "N", line)
    return f"exit 2: {line[:110]}"
