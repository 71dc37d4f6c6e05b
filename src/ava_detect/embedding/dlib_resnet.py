"""dlib's ResNet face descriptor: the only module that imports dlib.

dlib's ResNet face descriptor (``dlib_face_recognition_resnet_model_v1``, 128 numbers, two
photos of one person are usually closer than Euclidean 0.6) from the ``face_recognition_models``
package. The descriptor expects a 150x150 chip aligned the way dlib aligns faces from its 5-point
shape (outer and inner corner of each eye, base of the nose). We build that shape from MediaPipe
face-mesh points instead of running dlib's own face detector and shape predictor, which would
cost about 130 ms a frame; on still photos the two alignments give descriptors within ~0.05-0.09
of each other.

The model files are located with :mod:`importlib.resources`: ``face_recognition_models``' own
helpers import ``pkg_resources``, which new Python environments may not have.
"""

from __future__ import annotations

import contextlib
import importlib.resources
import os
import struct
import sys
from pathlib import Path

import numpy as np

from ..errors import ModelError

CHIP_SIZE = 150  # the descriptor network's input, pixels
CHIP_PADDING = 0.25  # dlib's default margin around the aligned face
EMBEDDING_DIM = 128

# dlib's 5-point order, as MediaPipe face-mesh indices: the eye on the image's right (outer,
# inner corner), the eye on the image's left (outer, inner corner), the base of the nose.
MESH_FIVE_POINTS = (263, 362, 33, 133, 2)

_DESCRIPTOR_FILE = "dlib_face_recognition_resnet_model_v1.dat"


def _import_dlib():
    try:
        import dlib
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ModelError(
            f"dlib is not installed or failed to import ({exc}). "
            "Reinstall with: pip install dlib-bin face_recognition_models"
        ) from exc
    return dlib


def model_path(name: str = _DESCRIPTOR_FILE) -> Path:
    """Path of one model file shipped in the ``face_recognition_models`` package."""
    try:
        root = importlib.resources.files("face_recognition_models") / "models"
    except ModuleNotFoundError as exc:
        raise ModelError(
            "the face_recognition_models package is missing; install it with "
            "pip install face_recognition_models"
        ) from exc
    path = Path(str(root / name))
    if not path.is_file():
        raise ModelError(f"face model file {name} is missing from {root}; reinstall "
                         "face_recognition_models.")
    return path


def five_points(points: np.ndarray) -> np.ndarray:
    """dlib's 5-point shape from one face's mesh: (478, 3) or (478, 2) -> (5, 2) pixels."""
    return np.asarray(points)[list(MESH_FIVE_POINTS), :2].astype(np.float64)


def _load_network():
    dlib = _import_dlib()
    try:
        return dlib.face_recognition_model_v1(str(model_path()))
    except RuntimeError as exc:
        raise ModelError(f"dlib face descriptor model could not be loaded ({exc}).") from exc


def _descriptors(net, chips: list[np.ndarray]) -> np.ndarray:
    out = net.compute_face_descriptor([np.ascontiguousarray(c) for c in chips])
    return np.array([np.array(v) for v in out], dtype=np.float32).reshape(-1, EMBEDDING_DIM)


class DlibFaceEmbedder:
    """Aligns faces and computes their 128-d identity descriptors (a :class:`FaceEmbedder`).

    Loading the network takes about a second; a descriptor 90-140 ms per face on one core.
    dlib holds Python's global lock while it computes one (measured: another Python thread ran
    at 6 % of its speed meanwhile), which would stall the frame loop's other lanes; so by
    default the descriptors are computed in a child process (:class:`DescriptorProcess`) and
    this process only waits for them, with the lock released. ``separate_process=False``, or a
    child that cannot be started, computes them here.
    """

    name = "dlib_resnet_v1"
    dim = EMBEDDING_DIM
    metric = "euclidean"
    #: Two photos of one person are usually closer than this (dlib's calibration on LFW).
    same_person_below = 0.6

    def __init__(self, *, separate_process: bool = True) -> None:
        dlib = _import_dlib()
        self._dlib = dlib
        self._child: DescriptorProcess | None = None
        self._net = None
        if separate_process:
            try:
                self._child = DescriptorProcess()
            except OSError:
                self._child = None
        if self._child is None:
            self._net = _load_network()

    def chip(self, rgb: np.ndarray, mesh: np.ndarray) -> np.ndarray | None:
        """The aligned (150, 150, 3) uint8 chip of one face, or None if the points are unusable.

        Parameters
        ----------
        rgb
            (H, W, 3) uint8 frame.
        mesh
            (478, 2 or 3) float face-mesh landmarks in ``rgb``'s pixels.
        """
        return self.chip_from_five(rgb, five_points(mesh))

    def chip_from_five(self, rgb: np.ndarray, five: np.ndarray) -> np.ndarray | None:
        """As :meth:`chip`, from (5, 2) pixel points in :data:`MESH_FIVE_POINTS` order."""
        if not np.all(np.isfinite(five)):
            return None
        dlib = self._dlib
        pts = [dlib.point(int(round(x)), int(round(y))) for x, y in five]
        x0, y0 = np.floor(five.min(axis=0)).astype(int)
        x1, y1 = np.ceil(five.max(axis=0)).astype(int)
        if x1 - x0 < 2 or y1 - y0 < 2:
            return None
        shape = dlib.full_object_detection(dlib.rectangle(int(x0), int(y0), int(x1), int(y1)),
                                           pts)
        return dlib.get_face_chip(np.ascontiguousarray(rgb), shape, size=CHIP_SIZE,
                                  padding=CHIP_PADDING)

    def embed(self, chips: list[np.ndarray]) -> np.ndarray:
        """Descriptors of aligned chips: list of (150, 150, 3) uint8 -> (M, 128) float32."""
        if not chips:
            return np.zeros((0, EMBEDDING_DIM), np.float32)
        if self._child is not None:
            return self._child.embed(chips)
        return _descriptors(self._net, chips)

    def distance(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Euclidean distance between descriptors: (..., 128), (..., 128) -> (...)."""
        return np.linalg.norm(np.asarray(a, np.float64) - np.asarray(b, np.float64), axis=-1)

    def close(self) -> None:
        """Stop the child process, if any (it also stops by itself when this process ends)."""
        if self._child is not None:
            self._child.close()
            self._child = None


class DescriptorProcess:
    """dlib's descriptor network in a child process (``-m ava_detect.embedding.dlib_resnet``).

    Protocol over the child's stdin/stdout: the parent writes a 4-byte little-endian chip
    count n, then n chips of 150 x 150 x 3 uint8; the child answers with a 4-byte int32 (n on
    success) and n x 128 float32, or -1, a 4-byte length and an error message. The child
    exits when its stdin closes, so it never outlives this process.
    """

    def __init__(self) -> None:
        import subprocess

        import ava_detect

        env = dict(os.environ)
        src = str(Path(ava_detect.__file__).resolve().parents[1])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "ava_detect.embedding.dlib_resnet"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
        )

    def embed(self, chips: list[np.ndarray]) -> np.ndarray:
        """(M, 128) float32 descriptors of M aligned chips."""
        data = np.stack([np.ascontiguousarray(c, dtype=np.uint8) for c in chips])
        if data.shape[1:] != (CHIP_SIZE, CHIP_SIZE, 3):
            raise ValueError(f"chips must be {CHIP_SIZE} x {CHIP_SIZE} x 3, got {data.shape}")
        try:
            self._proc.stdin.write(struct.pack("<I", len(data)) + data.tobytes())
            self._proc.stdin.flush()
            status = struct.unpack("<i", self._read(4))[0]
            if status < 0:
                size = struct.unpack("<I", self._read(4))[0]
                raise ModelError(f"dlib face descriptor failed: {self._read(size).decode()}")
            raw = self._read(status * EMBEDDING_DIM * 4)
        except (OSError, EOFError) as exc:
            code = self._proc.poll()
            raise ModelError(
                f"the face descriptor process stopped (exit code {code}); re-run, or reinstall "
                "dlib-bin and face_recognition_models if it keeps failing."
            ) from exc
        return np.frombuffer(raw, np.float32).reshape(status, EMBEDDING_DIM).copy()

    def _read(self, n: int) -> bytes:
        data = _read_exactly(self._proc.stdout, n)
        if data is None:
            raise EOFError("descriptor process closed its output")
        return data

    def close(self) -> None:
        if self._proc.poll() is None:
            with contextlib.suppress(OSError):
                self._proc.stdin.close()
            try:
                self._proc.wait(timeout=5)
            except Exception:  # noqa: BLE001 - it did not stop by itself: make it
                self._proc.kill()
                self._proc.wait()


def _read_exactly(stream, n: int) -> bytes | None:
    """``n`` bytes from a binary stream, or None if it ends first."""
    chunks, left = [], n
    while left:
        part = stream.read(left)
        if not part:
            return None
        chunks.append(part)
        left -= len(part)
    return b"".join(chunks)


def _serve(stdin, stdout) -> None:
    """The child's loop: read chips, write descriptors, until stdin closes."""
    net = _load_network()
    while (head := _read_exactly(stdin, 4)) is not None:
        n = struct.unpack("<I", head)[0]
        raw = _read_exactly(stdin, n * CHIP_SIZE * CHIP_SIZE * 3)
        if raw is None:
            return
        chips = np.frombuffer(raw, np.uint8).reshape(n, CHIP_SIZE, CHIP_SIZE, 3)
        try:
            out = _descriptors(net, list(chips)).tobytes()
            stdout.write(struct.pack("<i", n) + out)
        except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
            message = str(exc).encode()
            stdout.write(struct.pack("<iI", -1, len(message)) + message)
        stdout.flush()


if __name__ == "__main__":
    _serve(sys.stdin.buffer, sys.stdout.buffer)
