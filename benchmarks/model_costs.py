"""CPU per frame of each model and analyser of the analysis, one at a time: the machine's floor.

The analysis runs its lanes in threads and MediaPipe runs its graphs in threads of its own, so
per-lane wall times overlap and contend, and a lane's thread CPU misses the graph threads.
This module runs the same components one after another in one process on the frames of a
clip, in order (trackers keep their tracking state), and measures each one's process CPU:

- ``decode``: decoding and converting to RGB at the analysis size (:func:`iter_frames`);
- ``hand tracker`` and ``face tracker``: the pipeline's trackers (palm / face search on their
  own schedules, landmark models on every tracked hand / face);
- every frame analyser the default checks use (``hand_presence``, ``finger_count``,
  ``hand_change``, ``hand_pose``, ``face``), fed with the trackers' output as in the pipeline;
- ``face descriptors``: the CPU of the descriptor child process while the ``face`` analyser ran
  (dlib's ResNet runs there).

Their sum is what the analysis cannot go below on this machine with these models and
schedules; divided by the cores, it bounds the wall time from below. ``benchmarks/speed.py``
prints it beside the full run of the same clip.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

#: components in the order they are printed
COMPONENTS = ("decode", "hand tracker", "face tracker", "hand_presence", "finger_count",
              "hand_change", "hand_pose", "face", "face descriptors")


def descriptor_process_cpu_s(embedder) -> float:
    """CPU seconds the face-descriptor child process has used so far (Linux /proc), or 0."""
    child = getattr(embedder, "_child", None)
    if child is None:
        return 0.0
    try:
        fields = Path(f"/proc/{child._proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def model_costs(clip: str, *assignments: str, max_frames: int = 300, warm_frames: int = 30
                ) -> dict:
    """CPU ms per frame of each component over the clip's first ``max_frames`` frames, with
    the settings changed by ``assignments`` (``"name=value"``, as the CLI's ``--set``).

    Returns {"frames": n, "ms_per_frame": {component: ms}, "runs_per_frame": {model: runs},
    "sum_ms_per_frame": ms}. Runs in the calling process (call it in a fresh child process:
    model loading and the first runs' warm-up are kept out of the figures by a warm-up pass over
    the first ``warm_frames`` frames).
    """
    from ava_detect import analysers
    from ava_detect.detectors import detector_for
    from ava_detect.frame_loop import ModelLane
    from ava_detect.media import iter_frames, probe
    from ava_detect.models import Models
    from ava_detect.pipeline import one_library_thread
    from ava_detect.settings import Settings, parse_assignment
    from ava_detect.timing import StageTimes

    one_library_thread()  # as the analysis does: one BLAS and one OpenCV thread
    settings = Settings()
    for text in assignments:
        settings = settings.with_overrides(parse_assignment(text))
    info = probe(clip)
    full = info.display_size
    cpu = time.process_time()
    frames = []
    for frame in iter_frames(clip, max_side=settings.analysis_max_side, rotation=info.rotation):
        frames.append(frame)
        if len(frames) >= max_frames:
            break
    costs = {"decode": time.process_time() - cpu}
    models = Models(settings.tracking)
    names = [n for m in settings.checks for n in detector_for(m).analysers(settings)]
    built = analysers.build(names, settings, models)
    embedder = models.embedder()
    runs: dict[str, float] = {}
    try:
        for warm in (True, False):  # the first pass loads models and warms caches
            todo = frames[:warm_frames] if warm else frames
            hand_tracker, face_tracker = models.hand_tracker(), models.face_tracker()
            hand_runs = dict(hand_tracker.runs)  # counted over the tracker's lifetime
            for a in built:
                a.begin(info)
            tracked = {}
            for name, tracker, k in (("hands", hand_tracker, settings.tracking.max_hands),
                                     ("faces", face_tracker, settings.tracking.max_faces)):
                # the pipeline's own lane, inline: tracker, then the objects in stable slots
                lane = ModelLane(name, tracker, k, full, [], False, StageTimes())
                cpu = time.process_time()
                for f in todo:
                    lane.lane.put(f)
                costs[f"{name[:-1]} tracker"] = time.process_time() - cpu
                tracked[name] = lane.rows
            hands, faces = tracked["hands"], tracked["faces"]
            measured = {}
            for a in built:
                helper, cpu = descriptor_process_cpu_s(embedder), time.process_time()
                for f, h, c in zip(todo, hands, faces, strict=True):
                    a.update(f, h if a.lane == "hands" else None, c if a.lane == "faces" else None)
                measured.update(a.finish())
                costs[a.name] = time.process_time() - cpu
                if a.name == "face":
                    costs["face descriptors"] = descriptor_process_cpu_s(embedder) - helper
            if not warm:
                runs = {f"hand {k}": v - hand_runs[k] for k, v in hand_tracker.runs.items()}
                if "hand_pose.ran" in measured:
                    runs["pose"] = float(measured["hand_pose.ran"].sum())
    finally:
        models.close()
    n = max(1, len(frames))
    per_frame = {k: 1000 * costs[k] / n for k in COMPONENTS if k in costs}
    return {
        "frames": len(frames),
        "ms_per_frame": per_frame,
        "runs_per_frame": {k: v / n for k, v in runs.items()},
        "sum_ms_per_frame": sum(per_frame.values()),
    }


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(model_costs(sys.argv[1]), indent=1))
