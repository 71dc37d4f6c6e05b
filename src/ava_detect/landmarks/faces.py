"""Face landmarks (478 points) tracked from frame to frame, with face detection on a schedule.

MediaPipe's legacy ``FaceMesh`` runs its face detector on every frame while it tracks fewer faces
than ``max_num_faces``, so a clip with one face pays for detection on every frame when two faces
are allowed. :class:`FaceTracker` runs the same MediaPipe subgraphs (the short-range face
detector, the detection-to-crop and landmarks-to-crop steps, and the attention face landmark
model behind ``refine_landmarks=True``) with the same options, but keeps the tracking loop in
Python, where it can look for new faces only on every ``search_every``-th frame:

- every tracked face is followed with the crop its last landmarks give; a face is dropped when
  the landmark model's face-presence score falls below ``min_tracking_confidence``;
- face detection runs on every frame while no face is tracked (as the legacy graph: the cost
  is the detector's alone, and a face coming back after a cut or a faceless stretch is found on
  its first frame), and on a frame where a tracked face was lost; while some but fewer than
  ``max_faces`` faces are tracked, only on every ``search_every``-th frame;
- a detection whose crop overlaps a tracked face's crop (intersection over union above 0.5, the
  legacy graph's association threshold) is that face again and is dropped.

Where both follow a face from the same crop, the landmarks equal the legacy graph's (same model,
same crop). A face that comes into view beside a tracked one is found at most
``search_every - 1`` frames late (if the detector sees it on the frame it looks).
"""

from __future__ import annotations

import numpy as np

from ..errors import ModelError
from ._mediapipe import Graph, import_mediapipe
from .frames import N_FACE_POINTS, FacesInFrame

_IOU_SAME_FACE = 0.5  # the legacy graph's AssociationNormRectCalculator threshold

# Landmarks: picture + crop -> 478 normalised landmarks (only when the face-presence score passes
# the threshold) and the crop those landmarks give for the next frame.
_LANDMARK_GRAPH = """
input_stream: "image"
input_stream: "roi"
output_stream: "landmarks"
output_stream: "next_roi"
input_side_packet: "with_attention"
node { calculator: "ImagePropertiesCalculator" input_stream: "IMAGE:image"
  output_stream: "SIZE:size" }
node { calculator: "FaceLandmarkCpu" input_stream: "IMAGE:image" input_stream: "ROI:roi"
  input_side_packet: "WITH_ATTENTION:with_attention" output_stream: "LANDMARKS:landmarks" }
node { calculator: "FaceLandmarkLandmarksToRoi" input_stream: "LANDMARKS:landmarks"
  input_stream: "IMAGE_SIZE:size" output_stream: "ROI:next_roi" }
"""

# Detection: picture -> face detections and the landmark crop each one gives.
_DETECTION_GRAPH = """
input_stream: "image"
output_stream: "detections"
output_stream: "rois"
node { calculator: "ImagePropertiesCalculator" input_stream: "IMAGE:image"
  output_stream: "SIZE:size" }
node { calculator: "FaceDetectionShortRangeCpu" input_stream: "IMAGE:image"
  output_stream: "DETECTIONS:detections" }
node { calculator: "BeginLoopDetectionCalculator" input_stream: "ITERABLE:detections"
  input_stream: "CLONE:size" output_stream: "ITEM:detection" output_stream: "CLONE:loop_size"
  output_stream: "BATCH_END:loop_end" }
node { calculator: "FaceDetectionFrontDetectionToRoi" input_stream: "DETECTION:detection"
  input_stream: "IMAGE_SIZE:loop_size" output_stream: "ROI:roi" }
node { calculator: "EndLoopNormalizedRectCalculator" input_stream: "ITEM:roi"
  input_stream: "BATCH_END:loop_end" output_stream: "ITERABLE:rois" }
"""

# Expanded node names whose options carry the two confidence settings (as in the legacy graph).
_DETECTION_SCORE_NODE = (
    "facedetectionshortrangecpu__facedetectionshortrange__facedetection__"
    "TensorsToDetectionsCalculator"
)
_PRESENCE_NODE = "facelandmarkcpu__ThresholdingCalculator"


def _iou(a, b) -> float:
    """Intersection over union of two NormalizedRects' upright boxes (rotation ignored)."""
    ax0, ax1 = a.x_center - a.width / 2, a.x_center + a.width / 2
    ay0, ay1 = a.y_center - a.height / 2, a.y_center + a.height / 2
    bx0, bx1 = b.x_center - b.width / 2, b.x_center + b.width / 2
    by0, by1 = b.y_center - b.height / 2, b.y_center + b.height / 2
    w = min(ax1, bx1) - max(ax0, bx0)
    h = min(ay1, by1) - max(ay0, by0)
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    union = a.width * a.height + b.width * b.height - inter
    return inter / union if union > 0 else 0.0


class FaceTracker:
    """Face mesh with iris (478 points) in tracking mode, face detection every n-th frame.

    Parameters
    ----------
    max_faces
        At most this many faces are tracked.
    min_detection_confidence, min_tracking_confidence
        As MediaPipe's ``FaceMesh``: the detector's score for a new face, the landmark model's
        face-presence score for keeping a tracked face.
    search_every
        While at least one but fewer than ``max_faces`` faces are tracked, look for more faces
        on every n-th frame only (and on a frame where a tracked face was lost); with no face
        tracked, on every frame. 1 = every frame, as the legacy graph.
    """

    def __init__(
        self,
        *,
        max_faces: int = 2,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
        search_every: int = 4,
    ):
        if search_every < 1:
            raise ValueError("search_every must be at least 1")
        mp = import_mediapipe()
        from mediapipe.calculators.tensor import tensors_to_detections_calculator_pb2 as det_pb2
        from mediapipe.calculators.util import thresholding_calculator_pb2 as thr_pb2

        self._mp = mp
        self.max_faces = max_faces
        self.search_every = search_every
        try:
            self._landmarks = Graph(
                _LANDMARK_GRAPH, ("landmarks", "next_roi"),
                options={_PRESENCE_NODE: (thr_pb2.ThresholdingCalculatorOptions, "threshold",
                                          min_tracking_confidence)},
                side_packets={"with_attention": mp.packet_creator.create_bool(True)},
            )
            self._detector = Graph(
                _DETECTION_GRAPH, ("detections", "rois"),
                options={_DETECTION_SCORE_NODE: (det_pb2.TensorsToDetectionsCalculatorOptions,
                                                 "min_score_thresh", min_detection_confidence)},
            )
        except Exception as exc:  # noqa: BLE001 - any failure here means the model is unusable
            raise ModelError(f"MediaPipe face models could not be loaded ({exc}).") from exc
        self.reset()

    def reset(self) -> None:
        """Forget the tracking state so the next frame starts a new clip."""
        self._rois: list = []  # NormalizedRect per tracked face, for the next frame
        self._since_search = 0  # frames since the last detection
        #: Frames on which face detection ran since the last reset (for measurements).
        self.searches = 0

    def process(self, rgb: np.ndarray, full_size: tuple[int, int]) -> FacesInFrame:
        """Landmarks for one RGB frame (H, W, 3) uint8; ``full_size`` is (width, height) px."""
        image = self._landmarks.image(rgb)
        faces: list[tuple[object, object]] = []  # (landmarks, the crop they came from)
        next_rois: list = []
        lost = False
        for roi in self._distinct(self._rois):
            marks, nxt = self._track(image, roi)
            if marks is None:
                lost = True
                continue
            faces.append((marks, roi))
            next_rois.append(nxt)
        if self._should_search(len(faces), lost):
            for roi in self._search(image, [r for _, r in faces]):
                if len(faces) >= self.max_faces:
                    break
                marks, nxt = self._track(image, roi)
                if marks is not None:
                    faces.append((marks, roi))
                    next_rois.append(nxt)
        else:
            self._since_search += 1
        self._rois = next_rois
        out = FacesInFrame(points=np.full((self.max_faces, N_FACE_POINTS, 3), np.nan, np.float32))
        width, height = full_size
        for k, (marks, _roi) in enumerate(faces):
            arr = np.array([(p.x, p.y, p.z) for p in marks.landmark], dtype=np.float32)
            arr[:, 0] *= width
            arr[:, 1] *= height
            arr[:, 2] *= width
            out.points[k] = arr
        return out

    @staticmethod
    def _distinct(rois: list) -> list:
        """Tracked crops without duplicates: of two that overlap, the later one stays."""
        kept: list = []
        for roi in rois:
            kept = [k for k in kept if _iou(k, roi) <= _IOU_SAME_FACE]
            kept.append(roi)
        return kept

    def _should_search(self, tracked: int, lost: bool) -> bool:
        if tracked >= self.max_faces:
            return False
        if tracked == 0 or lost:
            return True
        return self._since_search + 1 >= self.search_every

    def _track(self, image, roi):
        """(landmarks, next crop) of the face in ``roi``, or (None, None) when it is gone."""
        mp = self._mp
        got = self._landmarks.run({"image": image, "roi": mp.packet_creator.create_proto(roi)})
        if "landmarks" not in got:
            return None, None
        return (mp.packet_getter.get_proto(got["landmarks"]),
                mp.packet_getter.get_proto(got["next_roi"]))

    def _search(self, image, tracked_rois: list) -> list:
        """Crops of detected faces that are not tracked yet, best detection first (the caller
        takes them in order until it has max_faces faces)."""
        mp = self._mp
        self.searches += 1
        self._since_search = 0
        got = self._detector.run({"image": image})
        if "rois" not in got or "detections" not in got:
            return []
        rois = mp.packet_getter.get_proto_list(got["rois"])
        scores = [max(d.score, default=0.0)
                  for d in mp.packet_getter.get_proto_list(got["detections"])]
        fresh: list = []
        for i in sorted(range(len(rois)), key=lambda i: -scores[i]):
            roi = rois[i]
            if any(_iou(roi, other) > _IOU_SAME_FACE for other in tracked_rois + fresh):
                continue  # a face already tracked (or already taken from this search)
            fresh.append(roi)
        return fresh

    def close(self) -> None:
        self._landmarks.close()
        self._detector.close()
