"""MediaPipe's palm detector on the full frame, returning the crops the tracker starts from.

A small graph of MediaPipe's own registered subgraphs: ``PalmDetectionCpu`` (the palm model on
the whole picture letterboxed to 192 x 192, anchors decoded, non-maximum suppression) and, per
palm, ``PalmDetectionDetectionToRoi`` (the crop: rotation from the wrist to the middle finger's
knuckle, the palm box shifted by half its height towards the fingers, squared, 2.6 times as
large). This is the first half of MediaPipe's ``hand_landmark_tracking_cpu`` graph.
"""

from __future__ import annotations

import numpy as np

from ..errors import ModelError
from ._mediapipe import Graph, import_mediapipe
from .crops import Roi

_GRAPH = """
input_stream: "image"
output_stream: "rects"
input_side_packet: "model_complexity"
node { calculator: "PalmDetectionCpu" input_stream: "IMAGE:image"
  output_stream: "DETECTIONS:palms" input_side_packet: "MODEL_COMPLEXITY:model_complexity" }
node { calculator: "ImagePropertiesCalculator" input_stream: "IMAGE:image"
  output_stream: "SIZE:size" }
node { calculator: "BeginLoopDetectionCalculator" input_stream: "ITERABLE:palms"
  input_stream: "CLONE:size" output_stream: "ITEM:palm" output_stream: "CLONE:palm_size"
  output_stream: "BATCH_END:palms_end" }
node { calculator: "PalmDetectionDetectionToRoi" input_stream: "DETECTION:palm"
  input_stream: "IMAGE_SIZE:palm_size" output_stream: "ROI:rect" }
node { calculator: "EndLoopNormalizedRectCalculator" input_stream: "ITEM:rect"
  input_stream: "BATCH_END:palms_end" output_stream: "ITERABLE:rects" }
"""
_SCORE_NODE = "palmdetectioncpu__TensorsToDetectionsCalculator"


class PalmDetector:
    """Palm crops for one picture, best first, in its pixels."""

    def __init__(self, *, model_complexity: int = 1, min_score: float = 0.5):
        try:
            from mediapipe.calculators.tensor import tensors_to_detections_calculator_pb2 as pb

            options = {_SCORE_NODE: (pb.TensorsToDetectionsCalculatorOptions, "min_score_thresh",
                                     min_score)}
            self._graph = Graph(_GRAPH, ("rects",), options=options, side_packets={
                "model_complexity": import_mediapipe().packet_creator.create_int(
                    int(model_complexity))})
        except ModelError:
            raise
        except Exception as exc:  # noqa: BLE001 - any failure means the detector is unusable
            raise ModelError(f"MediaPipe palm detector could not be loaded ({exc}).") from exc

    def detect(self, rgb: np.ndarray) -> list[Roi]:
        """Crops of the palms in ``rgb`` (H, W, 3) uint8, in detection-score order."""
        got = self._graph.run({"image": self._graph.image(rgb)})
        if "rects" not in got:
            return []
        height, width = rgb.shape[:2]
        return [
            Roi(r.x_center * width, r.y_center * height, r.width * width, r.rotation)
            for r in self._graph.mp.packet_getter.get_proto_list(got["rects"])
        ]

    def close(self) -> None:
        self._graph.close()
