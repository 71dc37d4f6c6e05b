"""The shape of the code (docs/architecture.md): layers, imports, model ownership, the recipe.

Imports are read from the source with ``ast``: module-level imports (not those inside
functions or under ``if TYPE_CHECKING``) make the import graph; every import anywhere in a file
counts for the outside-library rules.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import textwrap
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
PACKAGE = SRC / "ava_detect"
SAMPLES = ROOT / "sample_clips"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _resolve(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def _imports(module: str, *, top_level_only: bool) -> set[str]:
    """Names of the modules ``module`` imports (submodules resolved where they exist)."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()

    def visit(nodes) -> None:
        for node in nodes:
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(module, path, node)
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    found.add(sub if sub in MODULES else base)
            elif isinstance(node, ast.If) and _is_type_checking(node):
                if not top_level_only:
                    visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.If | ast.Try | ast.With):
                for block in ("body", "orelse", "finalbody", "handlers"):
                    visit(getattr(node, block, []))
            elif isinstance(node, ast.ExceptHandler) or (
                not top_level_only and hasattr(node, "body")
            ):
                visit(node.body)

    visit(tree.body)
    return found


def _in(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle a depth-first walk meets in ``graph`` (module -> modules it imports)."""
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    stack: list[str] = []
    cycles: list[list[str]] = []

    def walk(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for n in sorted(graph.get(m, ())):
            if state.get(n) == 1:
                cycles.append([*stack[stack.index(n):], n])
            elif n not in state:
                walk(n)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            walk(m)
    return cycles


def test_no_import_cycle_among_module_level_imports():
    graph = {m: {i for i in _imports(m, top_level_only=True) if i in MODULES} for m in MODULES}
    assert graph["ava_detect.pipeline"], "the import graph is empty: the walker reads nothing"
    cycles = _cycles(graph)
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_the_cycle_walker_finds_the_cycle_this_project_once_had():
    graph = {
        "signals.identity": {"detectors.base"},
        "detectors.base": {"detectors"},
        "detectors": {"detectors.identity_drift"},
        "detectors.identity_drift": {"signals.identity"},
        "signals.face": set(),
    }
    assert _cycles(graph) == [["detectors", "detectors.identity_drift", "signals.identity",
                               "detectors.base", "detectors"]]


OUTSIDE = {
    "av": "ava_detect.media",
    "mediapipe": "ava_detect.landmarks",
    "dlib": "ava_detect.embedding",
    "reportlab": "ava_detect.report.pdf",
    "rich": "ava_detect.console",
    "ray": "ava_detect.batch.ray_pool",
    "sqlite3": "ava_detect.history",
    "platformdirs": "ava_detect.history",
    "pocketsphinx": "ava_detect.speech.aligner",
}
PURE = ("ava_detect.signals", "ava_detect.detectors")
FORBIDDEN_IN_PURE = {"av", "cv2", "mediapipe", "dlib", "reportlab", "rich", "pocketsphinx",
                     "ava_detect.media", "ava_detect.landmarks", "ava_detect.embedding",
                     "ava_detect.speech"}


@pytest.mark.parametrize("library", sorted(OUTSIDE))
def test_each_outside_library_has_one_home(library):
    home = OUTSIDE[library]
    users = sorted(m for m in MODULES
                   if any(i.split(".")[0] == library for i in _imports(m, top_level_only=False)))
    assert users, f"nothing imports {library}: the rule would pass vacuously"
    assert all(_in(m, home) for m in users), f"{library} imported outside {home}: {users}"


@pytest.mark.parametrize("package", PURE)
def test_signals_and_detectors_stay_pure(package):
    bad = {}
    for m in MODULES:
        if _in(m, package):
            hits = {i for i in _imports(m, top_level_only=False)
                    if any(_in(i, f) for f in FORBIDDEN_IN_PURE)}
            if hits:
                bad[m] = sorted(hits)
    assert not bad, f"impure imports: {bad}"


def test_no_module_over_400_lines():
    long = {m: n for m, p in MODULES.items() if (n := len(p.read_text().splitlines())) > 400}
    assert not long, long


@pytest.mark.parametrize("module", ["ava_detect.frame_loop", "ava_detect.pipeline",
                                    "ava_detect.report.pdf.plot", "ava_detect.report.plotdata"])
def test_frame_loop_and_plot_functions_stay_short(module):
    tree = ast.parse(MODULES[module].read_text())
    long = {node.name: node.end_lineno - node.lineno + 1 for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.end_lineno - node.lineno + 1 > 60}
    assert not long, long


def test_every_module_imports_on_its_own_in_a_fresh_interpreter():
    env = {**os.environ, "PYTHONPATH": str(SRC)}

    def load(module: str) -> tuple[str, str]:
        proc = subprocess.run([sys.executable, "-c", f"import {module}"], env=env,
                              capture_output=True, text=True)
        return module, proc.stderr.strip().splitlines()[-1] if proc.returncode else ""

    with ThreadPoolExecutor(max_workers=2) as pool:
        failed = {m: err for m, err in pool.map(load, sorted(MODULES)) if err}
    assert not failed, failed


def test_a_bad_setting_fails_before_anything_is_decoded(monkeypatch):
    from click.testing import CliRunner

    import ava_detect.media as media
    from ava_detect.cli import main

    def never(*args, **kwargs):
        raise AssertionError("the clip was opened before the settings were checked")

    monkeypatch.setattr(media, "probe", never)
    monkeypatch.setattr(media, "iter_frames", never)
    clip = str(SAMPLES / "talking_clean.mp4")
    for bad, named in [("lipsync.tolerance_standard=ebu_r73", "tolerance_standard"),
                       ("tracking.hand_model_complexity=3", "hand_model_complexity"),
                       ("identity.no_such_threshold=1", "no_such_threshold")]:
        result = CliRunner().invoke(main, [clip, "--set", bad, "-q"])
        assert result.exit_code == 2, result.output
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(lines) == 1 and named in lines[0] and "Traceback" not in result.output


def _short_face_clip(path: Path, frames: int = 20) -> Path:
    import av

    with av.open(str(SAMPLES / "talking_clean.mp4")) as src, av.open(str(path), "w") as dst:
        stream = dst.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 400, 400, "yuv420p"
        for i, frame in enumerate(src.decode(video=0)):
            if i >= frames:
                break
            for packet in stream.encode(frame.reformat(format="yuv420p")):
                dst.mux(packet)
        for packet in stream.encode():
            dst.mux(packet)
    return path


def _resources() -> tuple[int, int, int]:
    """(threads, child processes, open file descriptors) of this process."""
    me = os.getpid()
    children = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == me:
                children += 1
    return threading.active_count(), children, len(os.listdir("/proc/self/fd"))


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="needs Linux's /proc")
def test_a_worker_holds_a_flat_set_of_resources_over_20_clips(tmp_path):
    from ava_detect.pipeline import Analyzer
    from ava_detect.settings import Settings

    clip = _short_face_clip(tmp_path / "face.mp4", frames=8)  # 20 analyses of 8 frames
    analyzer = Analyzer(Settings())
    seen = []
    try:
        for i in range(20):
            report = analyzer.analyze(clip).report
            assert report.checks["identity"].status in ("pass", "inconclusive")
            if i in (1, 19):
                seen.append(_resources())
    finally:
        analyzer.close()
    after_second, after_last = seen
    assert after_last == after_second
    assert after_second[1] == 1  # the face descriptor process, once
    assert _resources()[1] == 0  # closed with the analyser


TOY_MODE = '''
    "toy": FailureMode(
        key="toy",
        technical_term="Toy Brightness Failure",
        severity="minor",
        symptoms=("the picture is bright",),
        plain_name="Toy",
        subject="picture",
        ticket_sentence="The picture becomes bright.",
        method=("Mean brightness per frame against a threshold.",),
        limits=("A toy.",),
    ),
'''

TOY_DETECTOR = '''
    """A toy check: the picture's mean brightness over a threshold."""

    from ...report import CheckResult, Evidence, Finding
    from ...signals.segments import hysteresis_segments
    from ..plots import PlotSeries
    from ..registry import register


    @register
    class ToyDetector:
        mode = "toy"
        needs_hands = needs_faces = needs_audio = False

        def analysers(self, settings):
            return ("toy_brightness",)

        def detect(self, signals, settings):
            level = signals.measured["toy_brightness.mean"]
            plot = PlotSeries("mean brightness", "0-255", signals.t_s, level, 1.0, "toy")
            details = {"signals": {"brightness": plot.to_dict()}}
            segments = hysteresis_segments(level, signals.t_s, on=1.0, off=0.5)
            if not segments:
                return CheckResult("pass", details=details)
            seg = segments[0]
            finding = Finding(mode="toy", kind="too_bright", first_s=seg.start_s,
                              start_s=seg.start_s, end_s=seg.end_s, confidence=1.0,
                              description="The picture is brighter than 1 grey level.",
                              measured={"mean": seg.peak_value}, threshold={"mean": 1.0},
                              evidence=[Evidence(t_s=seg.start_s, label="first failure")])
            return CheckResult("fail", findings=[finding], details=details)
'''

TOY_ANALYSER = '''
    """A toy frame analyser: each frame's mean brightness."""

    import numpy as np


    class ToyBrightness:
        name = "toy_brightness"
        lane = "both"

        def begin(self, info):
            self.values = []

        def update(self, frame, hands, faces):
            self.values.append(float(frame.rgb.mean()))

        def finish(self):
            return {"toy_brightness.mean": np.asarray(self.values)}
'''


@pytest.mark.slow
def test_recipe_adds_a_failure_mode(tmp_path):
    """docs/architecture.md's recipe, steps 1-4, on a copy of the package: the CLI then runs
    the new check, and its finding reaches the JSON, the summary and the PDF."""
    src = tmp_path / "src"
    shutil.copytree(PACKAGE, src / "ava_detect",
                    ignore=shutil.ignore_patterns("__pycache__"))
    pkg = src / "ava_detect"

    def edit(rel: str, old: str, new: str) -> None:
        path = pkg / rel
        text = path.read_text()
        assert old in text, f"{rel}: the recipe's anchor {old!r} is gone"
        path.write_text(text.replace(old, new, 1))

    # 1. words
    edit("catalog.py", "\n}\n\nCHECK_NAMES", "\n" + TOY_MODE.rstrip() + "\n}\n\nCHECK_NAMES")
    edit("catalog.py", "KIND_WORDING: dict[str, str] = {",
         'KIND_WORDING: dict[str, str] = {\n    "too_bright": "picture too bright",')
    # 2. detector package, 3. registered with the built-in checks
    (pkg / "detectors" / "toy").mkdir()
    (pkg / "detectors" / "toy" / "__init__.py").write_text("from . import detector  # noqa\n")
    (pkg / "detectors" / "toy" / "detector.py").write_text(textwrap.dedent(TOY_DETECTOR))
    edit("detectors/__init__.py", "from . import hands, identity, lipsync",
         "from . import hands, identity, lipsync, toy")
    # 4. a frame analyser
    (pkg / "analysers" / "toy_brightness.py").write_text(textwrap.dedent(TOY_ANALYSER))
    edit("analysers/__init__.py", "ANALYSERS: dict[str, Factory] = {",
         "ANALYSERS: dict[str, Factory] = {\n"
         '    "toy_brightness": lambda settings, models: __import__(\n'
         '        "ava_detect.analysers.toy_brightness", fromlist=["x"]).ToyBrightness(),')

    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(src)}
    proc = subprocess.run(
        [sys.executable, "-m", "ava_detect.cli", str(SAMPLES / "talking_clean.mp4"),
         "--checks", "toy", "--out", str(out)],
        env=env, capture_output=True, text=True, cwd=tmp_path,
    )
    assert proc.returncode == 1, proc.stderr
    assert "Toy Brightness Failure" in proc.stdout + proc.stderr
    import json

    report = json.loads((out / "talking_clean.json").read_text())
    assert report["checks"]["toy"]["status"] == "fail"
    assert report["findings"][0]["kind"] == "too_bright"
    assert report["findings"][0]["first_s"] == pytest.approx(0.0, abs=0.05)
    assert report["checks"]["hands"]["status"] == "skipped"
    assert (out / "talking_clean.pdf").stat().st_size > 10_000
    assert "Toy Brightness Failure" in (out / "talking_clean_ticket.txt").read_text()
