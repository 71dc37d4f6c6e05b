"""Run the frame loop once per clip and keep what the lip-sync detector reads.

``load_signals(path, cache_dir)`` returns the clip's :class:`ClipSignals` (face landmarks, frame
times, audio), analysing the clip only when ``cache_dir`` has no entry for it yet. The cache
holds numpy arrays (``np.savez``) and the probe facts as JSON, keyed by the clip's file name and
size; delete the folder to start again. Never commit a cache: it is derived from the media.

    python benchmarks/lipsync_cache.py CLIP... [--cache /tmp/lipsync/cache]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from ava_detect.settings import Settings
from ava_detect.signals import ClipSignals
from ava_detect.signals.clip import FaceArrays
from ava_detect.types import ClipInfo

_ANALYZER = None


def _key(path: Path, cache_dir: Path) -> Path:
    return cache_dir / f"{path.parent.name}__{path.stem}_{path.stat().st_size}"


def load_signals(path: Path, cache_dir: Path | None) -> ClipSignals:
    """The clip's signals for the lip-sync check, from the cache when it holds them."""
    global _ANALYZER
    path = Path(path)
    key = _key(path, cache_dir) if cache_dir is not None else None
    if key is not None and key.with_suffix(".npz").exists():
        data = np.load(key.with_suffix(".npz"))
        info = ClipInfo(**json.loads(key.with_suffix(".json").read_text()))
        audio = data["audio"] if data["has_audio"] else None
        return ClipSignals(info=info, t_s=data["t_s"], frame_size=tuple(data["frame_size"]),
                           faces=FaceArrays(points=data["points"]), audio=audio,
                           audio_sr=int(data["audio_sr"]))
    if _ANALYZER is None:
        from ava_detect.pipeline import Analyzer

        _ANALYZER = Analyzer(Settings(checks=("lipsync",)))
    sig = _ANALYZER.analyze(path).signals
    if key is not None:
        key.parent.mkdir(parents=True, exist_ok=True)
        np.savez(key.with_suffix(".npz"), t_s=sig.t_s, frame_size=np.array(sig.frame_size),
                 points=sig.faces.points, has_audio=sig.audio is not None,
                 audio=sig.audio if sig.audio is not None else np.zeros(0, np.float32),
                 audio_sr=sig.audio_sr)
        key.with_suffix(".json").write_text(json.dumps(sig.info.to_dict()))
    return sig


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("clips", nargs="+", type=Path)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/lipsync/cache"))
    args = parser.parse_args()
    for clip in args.clips:
        sig = load_signals(clip, args.cache)
        print(clip.name, sig.n_frames, "frames", flush=True)


if __name__ == "__main__":
    main()
