"""Hand and face landmarks per frame: the only module that imports MediaPipe.

Uses MediaPipe's legacy ``mp.solutions`` API in tracking mode (``static_image_mode=False``), whose
models ship inside the ``mediapipe==0.10.21`` wheel, so nothing is downloaded.

Coordinates are pixels of the full-resolution, upright picture (rotation applied), whatever size
the frame was analysed at: ``x`` to the right, ``y`` down, ``z`` depth in the same pixel scale
(MediaPipe's relative depth times the picture width; smaller is nearer the camera).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import numpy as np

from .errors import ModelError

N_HAND_POINTS = 21
N_FACE_POINTS = 478  # 468 mesh points + 10 iris points (refine_landmarks=True)

_QUIET_ENV = {"GLOG_minloglevel": "2", "TF_CPP_MIN_LOG_LEVEL": "3", "ABSL_MIN_LOG_LEVEL": "2"}
_native_silenced = False


def _silence_native_logs() -> None:
    """Keep MediaPipe's C++ and TFLite log lines off the terminal.

    They are written straight to file descriptor 2, from graph threads, whenever a model first
    runs, so Python-level filters cannot stop them. We point descriptor 2 at /dev/null and give
    Python's ``sys.stderr`` a duplicate of the real terminal, so ava-detect's own messages,
    warnings and tracebacks still show. Set ``AVA_NATIVE_LOGS=1`` to see the native logs.
    """
    global _native_silenced
    if _native_silenced or os.environ.get("AVA_NATIVE_LOGS"):
        return
    try:
        sys.stderr.flush()
        real = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
        sys.stderr = os.fdopen(real, "w", buffering=1, encoding="utf-8", errors="replace")
    except (OSError, AttributeError, ValueError):
        return
    _native_silenced = True


def _import_mediapipe():
    for key, value in _QUIET_ENV.items():
        os.environ.setdefault(key, value)
    _silence_native_logs()
    try:
        import absl.logging

        absl.logging.set_verbosity(absl.logging.ERROR)
        import mediapipe as mp
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ModelError(
            "MediaPipe is not installed or failed to import "
            f"({exc}). Reinstall with: pip install 'mediapipe==0.10.21'"
        ) from exc
    return mp


@dataclass
class HandsInFrame:
    """Hands found in one frame, padded to ``max_hands`` rows with NaN.

    image: (max_hands, 21, 3) float32, pixels of the full-resolution upright frame.
    world: (max_hands, 21, 3) float32, metres, origin at the hand's centre (MediaPipe world).
    handedness: (max_hands,) float32, MediaPipe's raw label: +1 "Right", -1 "Left", NaN absent.
        The model assumes a mirrored (selfie) picture, so on ordinary footage "Left" is usually
        the person's right hand.
    score: (max_hands,) float32, the label's confidence in [0, 1], NaN absent.
    """

    image: np.ndarray
    world: np.ndarray
    handedness: np.ndarray
    score: np.ndarray

    @property
    def count(self) -> int:
        return int(np.sum(~np.isnan(self.score)))


@dataclass
class FacesInFrame:
    """Faces found in one frame, padded to ``max_faces`` rows with NaN.

    points: (max_faces, 478, 3) float32, pixels of the full-resolution upright frame.
    """

    points: np.ndarray

    @property
    def count(self) -> int:
        return int(np.sum(~np.isnan(self.points[:, 0, 0])))


def _to_pixels(landmarks, width: int, height: int) -> np.ndarray:
    arr = np.array([(p.x, p.y, p.z) for p in landmarks.landmark], dtype=np.float32)
    arr[:, 0] *= width
    arr[:, 1] *= height
    arr[:, 2] *= width
    return arr


class HandTracker:
    """MediaPipe Hands in tracking mode: feed frames in order, get :class:`HandsInFrame`."""

    def __init__(
        self,
        *,
        max_hands: int = 2,
        model_complexity: int = 1,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
    ):
        mp = _import_mediapipe()
        self.max_hands = max_hands
        try:
            self._model = mp.solutions.hands.Hands(
                static_image_mode=False,
                max_num_hands=max_hands,
                model_complexity=model_complexity,
                min_detection_confidence=min_detection_confidence,
                min_tracking_confidence=min_tracking_confidence,
            )
        except Exception as exc:  # noqa: BLE001 - any failure here means the model is unusable
            raise ModelError(f"MediaPipe hand model could not be loaded ({exc}).") from exc

    def process(self, rgb: np.ndarray, full_size: tuple[int, int]) -> HandsInFrame:
        """Landmarks for one RGB frame (H, W, 3) uint8; ``full_size`` is (width, height) px."""
        out = HandsInFrame(
            image=np.full((self.max_hands, N_HAND_POINTS, 3), np.nan, np.float32),
            world=np.full((self.max_hands, N_HAND_POINTS, 3), np.nan, np.float32),
            handedness=np.full(self.max_hands, np.nan, np.float32),
            score=np.full(self.max_hands, np.nan, np.float32),
        )
        result = self._run(rgb)
        if not result.multi_hand_landmarks:
            return out
        width, height = full_size
        worlds = result.multi_hand_world_landmarks or []
        labels = result.multi_handedness or []
        for k, marks in enumerate(result.multi_hand_landmarks[: self.max_hands]):
            out.image[k] = _to_pixels(marks, width, height)
            if k < len(worlds):
                out.world[k] = np.array(
                    [(p.x, p.y, p.z) for p in worlds[k].landmark], dtype=np.float32
                )
            if k < len(labels):
                cls = labels[k].classification[0]
                out.handedness[k] = 1.0 if cls.label == "Right" else -1.0
                out.score[k] = cls.score
            else:
                out.score[k] = 0.0
        return out

    def _run(self, rgb: np.ndarray):
        return self._model.process(np.ascontiguousarray(rgb))

    def reset(self) -> None:
        """Forget the tracking state so the next frame starts a new clip."""
        self._model.reset()

    def close(self) -> None:
        self._model.close()


class FaceTracker:
    """MediaPipe Face Mesh with iris (478 points) in tracking mode."""

    def __init__(
        self,
        *,
        max_faces: int = 2,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
    ):
        mp = _import_mediapipe()
        self.max_faces = max_faces
        try:
            self._model = mp.solutions.face_mesh.FaceMesh(
                static_image_mode=False,
                max_num_faces=max_faces,
                refine_landmarks=True,
                min_detection_confidence=min_detection_confidence,
                min_tracking_confidence=min_tracking_confidence,
            )
        except Exception as exc:  # noqa: BLE001
            raise ModelError(f"MediaPipe face mesh could not be loaded ({exc}).") from exc

    def process(self, rgb: np.ndarray, full_size: tuple[int, int]) -> FacesInFrame:
        """Landmarks for one RGB frame (H, W, 3) uint8; ``full_size`` is (width, height) px."""
        out = FacesInFrame(points=np.full((self.max_faces, N_FACE_POINTS, 3), np.nan, np.float32))
        result = self._model.process(np.ascontiguousarray(rgb))
        if not result.multi_face_landmarks:
            return out
        width, height = full_size
        for k, marks in enumerate(result.multi_face_landmarks[: self.max_faces]):
            out.points[k] = _to_pixels(marks, width, height)
        return out

    def reset(self) -> None:
        """Forget the tracking state so the next frame starts a new clip."""
        self._model.reset()

    def close(self) -> None:
        self._model.close()


# Landmarks the hand tracker uses to place its crop (wrist, thumb base, the knuckles and the
# joints above them), as in MediaPipe's landmarks-to-rectangle step.
_ROI_POINTS = (0, 1, 2, 3, 5, 6, 9, 10, 13, 14, 17, 18)
_ROI_SCALE = 2.0  # the crop is twice the hand's extent ...
_ROI_SHIFT_Y = -0.1  # ... moved a tenth of its side towards the fingers
_LANDMARK_INPUT = 224  # the landmark model's input side, pixels


@dataclass
class HandRerun:
    """What the hand landmark model says about one crop.

    presence: the model's hand-presence probability in [0, 1] (the score MediaPipe's tracker
        compares with ``min_tracking_confidence`` and then hides).
    left: probability that the hand is labelled "Left" (MediaPipe's selfie convention).
    points: (21, 3) float32 landmarks in the same pixel frame as the landmarks given.
    """

    presence: float
    left: float
    points: np.ndarray


def _landmark_model_path(complexity: int) -> str:
    import importlib.util

    spec = importlib.util.find_spec("mediapipe")
    if spec is None or spec.origin is None:  # pragma: no cover - depends on the installation
        raise ModelError(
            "MediaPipe is not installed. Reinstall with: pip install 'mediapipe==0.10.21'"
        )
    name = "hand_landmark_full.tflite" if complexity else "hand_landmark_lite.tflite"
    return os.path.join(os.path.dirname(spec.origin), "modules", "hand_landmark", name)


def tracker_crop(points: np.ndarray) -> tuple[np.ndarray, float, float]:
    """The rotated square crop MediaPipe's tracker cuts around a hand for the next frame.

    Parameters
    ----------
    points
        (21, 2+) landmarks, pixels.

    Returns
    -------
    centre (2,) pixels, side in pixels, rotation in radians (the crop's up axis points from the
    wrist to the knuckles).
    """
    p = np.asarray(points, dtype=np.float64)[:, :2]
    knuckles = ((p[5] + p[13]) / 2 + p[9]) / 2
    rot = np.pi / 2 - np.arctan2(-(knuckles[1] - p[0, 1]), knuckles[0] - p[0, 0])
    cos, sin = np.cos(rot), np.sin(rot)
    to_hand = np.array([[cos, sin], [-sin, cos]])
    sub = p[list(_ROI_POINTS)]
    mean = sub.mean(axis=0)
    local = (sub - mean) @ to_hand.T
    lo, hi = local.min(axis=0), local.max(axis=0)
    centre = mean + ((lo + hi) / 2) @ to_hand
    side = float(max(hi - lo) * _ROI_SCALE)
    centre = centre + np.array([-sin, cos]) * (_ROI_SHIFT_Y * side)
    return centre, side, float(rot)


class _TfliteGraph:
    """A TFLite model run by MediaPipe's own inference calculator (TFLite with XNNPACK).

    A minimal MediaPipe graph: picture -> tensor (values 0-1, no resampling when the picture
    already has the model's input size) -> model -> each output tensor as a flat float list.
    About four times faster than OpenCV's DNN module on the hand landmark model (5-6 ms
    against 22 ms of CPU per run), and it releases Python's global lock while it runs.
    """

    def __init__(self, model_path: str, side: int, n_outputs: int):
        mp = _import_mediapipe()
        from google.protobuf import text_format
        from mediapipe.framework import calculator_pb2

        outs = [f"out{i}" for i in range(n_outputs)]
        ranges = " ".join(f"ranges {{ begin: {i} end: {i + 1} }}" for i in range(n_outputs))
        text = f"""
        input_stream: "image"
        {" ".join(f'output_stream: "{o}"' for o in outs)}
        node {{ calculator: "ImageToTensorCalculator" input_stream: "IMAGE:image"
          output_stream: "TENSORS:input"
          options {{ [mediapipe.ImageToTensorCalculatorOptions.ext] {{
            output_tensor_width: {side} output_tensor_height: {side} keep_aspect_ratio: false
            output_tensor_float_range {{ min: 0.0 max: 1.0 }} }} }} }}
        node {{ calculator: "InferenceCalculator" input_stream: "TENSORS:input"
          output_stream: "TENSORS:output"
          options {{ [mediapipe.InferenceCalculatorOptions.ext] {{
            model_path: "{model_path}" delegate {{ xnnpack {{}} }} }} }} }}
        node {{ calculator: "SplitTensorVectorCalculator" input_stream: "output"
          {" ".join(f'output_stream: "t{i}"' for i in range(n_outputs))}
          options {{ [mediapipe.SplitVectorCalculatorOptions.ext] {{ {ranges} }} }} }}
        """ + "".join(
            f'node {{ calculator: "TensorsToFloatsCalculator" input_stream: "TENSORS:t{i}" '
            f'output_stream: "FLOATS:{o}" }}\n'
            for i, o in enumerate(outs)
        )
        self._mp = mp
        self._outs = outs
        self._got: dict[str, object] = {}
        try:
            config = text_format.Parse(text, calculator_pb2.CalculatorGraphConfig())
            self._graph = mp.CalculatorGraph(graph_config=config)
            for name in outs:
                self._graph.observe_output_stream(
                    name, lambda _stream, packet, name=name: self._got.__setitem__(name, packet)
                )
            self._graph.start_run({})
        except Exception as exc:  # noqa: BLE001 - any failure means this runner is unusable
            raise ModelError(f"model {model_path} could not be loaded ({exc}).") from exc
        self._ts = 0

    def run(self, rgb: np.ndarray) -> list[np.ndarray]:
        """Outputs for one (side, side, 3) uint8 RGB picture, each a flat float32 array."""
        mp = self._mp
        self._ts += 1
        self._got.clear()
        packet = mp.packet_creator.create_image_frame(
            image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb)
        )
        self._graph.add_packet_to_input_stream("image", packet.at(self._ts))
        self._graph.wait_until_idle()
        return [
            np.asarray(mp.packet_getter.get_float_list(self._got[o]), np.float32)
            for o in self._outs
        ]

    def close(self) -> None:
        self._graph.close()


class HandLandmarkRerun:
    """Runs MediaPipe's hand landmark model once more on the tracker's crop of a hand.

    The legacy ``mp.solutions.hands`` API drops the model's hand-presence score; this runs the
    same TFLite model (from the installed MediaPipe wheel) on the crop the tracker would use,
    and returns the score. It does not touch :class:`HandTracker`. The model runs in a small
    MediaPipe graph (XNNPACK, about 5 ms a hand on one core, 224 x 224, full model); with
    ``backend="opencv"`` (or if that graph cannot be built) through OpenCV's DNN module
    (about 22 ms). The two agree on presence to about 0.001 (at most 0.012 over 120 real
    crops): the same weights, different arithmetic.
    """

    def __init__(self, *, model_complexity: int = 1, backend: str = "mediapipe"):
        import cv2

        self._cv2 = cv2
        path = _landmark_model_path(model_complexity)
        self._graph: _TfliteGraph | None = None
        if backend == "mediapipe":
            try:
                self._graph = _TfliteGraph(path, _LANDMARK_INPUT, 3)
            except ModelError:
                self._graph = None  # fall back to OpenCV below
        if self._graph is None:
            try:
                self._net = cv2.dnn.readNetFromTFLite(path)
            except cv2.error as exc:
                raise ModelError(
                    f"hand landmark model {path} could not be loaded ({exc})."
                ) from exc
            self._outputs = list(self._net.getUnconnectedOutLayersNames())

    def _infer(self, crop: np.ndarray) -> tuple[np.ndarray, float, float]:
        """(21, 3) landmarks in crop pixels, presence, left-hand probability."""
        if self._graph is not None:
            marks, presence, left = self._graph.run(crop)
            return marks.reshape(21, 3).astype(np.float64), float(presence[0]), float(left[0])
        tensor = (crop.astype(np.float32) / 255.0).transpose(2, 0, 1)[None]
        self._net.setInput(tensor)
        out = dict(zip(self._outputs, self._net.forward(self._outputs), strict=True))
        return (
            out["Identity"].reshape(21, 3).astype(np.float64),
            float(out["Identity_1"].ravel()[0]),
            float(out["Identity_2"].ravel()[0]),
        )

    def run(self, rgb: np.ndarray, points: np.ndarray, scale: float = 1.0) -> HandRerun:
        """Score the crop around ``points`` in ``rgb``.

        Parameters
        ----------
        rgb
            (H, W, 3) uint8 picture.
        points
            (21, 2+) landmarks in pixels of the full-resolution frame, which is ``rgb`` scaled by
            ``1 / scale`` (``scale = rgb width / full-resolution width``).
        """
        n = _LANDMARK_INPUT
        centre, side, rot = tracker_crop(np.asarray(points)[:, :2] * scale)
        cos, sin = np.cos(rot), np.sin(rot)
        k = side / n
        lin = np.array([[cos * k, -sin * k], [sin * k, cos * k]])
        shift = centre - lin @ np.array([n / 2, n / 2])
        warp = np.hstack([lin, shift[:, None]])
        cv2 = self._cv2
        crop = cv2.warpAffine(np.ascontiguousarray(rgb), warp, (n, n),
                              flags=cv2.WARP_INVERSE_MAP | cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_CONSTANT)
        marks, presence, left = self._infer(crop)
        xy = (marks[:, :2] @ lin.T + shift) / scale
        z = marks[:, 2:] * k / scale
        return HandRerun(presence=presence, left=left, points=np.hstack([xy, z]).astype(np.float32))
