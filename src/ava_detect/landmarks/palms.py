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
from ._mediapipe import expanded_graph
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
            mp, config = expanded_graph(_GRAPH, options)
            self._mp = mp
            self._graph = mp.CalculatorGraph(graph_config=config)
            self._got: list = []
            self._graph.observe_output_stream(
                "rects", lambda _stream, packet: self._got.append(packet)
            )
            self._graph.start_run(
                {"model_complexity": mp.packet_creator.create_int(int(model_complexity))}
            )
        except ModelError:
            raise
        except Exception as exc:  # noqa: BLE001 - any failure means the detector is unusable
            raise ModelError(f"MediaPipe palm detector could not be loaded ({exc}).") from exc
        self._ts = 0

    def detect(self, rgb: np.ndarray) -> list[Roi]:
        """Crops of the palms in ``rgb`` (H, W, 3) uint8, in detection-score order."""
        mp = self._mp
        self._ts += 1
        self._got.clear()
        packet = mp.packet_creator.create_image_frame(
            image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb)
        )
        self._graph.add_packet_to_input_stream("image", packet.at(self._ts))
        self._graph.wait_until_idle()
        if not self._got:
            return []
        height, width = rgb.shape[:2]
        return [
            Roi(r.x_center * width, r.y_center * height, r.width * width, r.rotation)
            for r in mp.packet_getter.get_proto_list(self._got[-1])
        ]

    def close(self) -> None:
        self._graph.close()
