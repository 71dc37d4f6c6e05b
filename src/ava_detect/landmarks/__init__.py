"""Hand and face landmarks per frame: the only package that imports MediaPipe.

Models ship inside the ``mediapipe==0.10.21`` wheel, so nothing is downloaded. Faces use
:class:`FaceTracker`, MediaPipe's face-mesh tracking (with iris) rebuilt from its subgraphs so
that face detection runs on a schedule while a face is tracked. Hands use
:class:`HandTracker`, MediaPipe's hand tracking rebuilt from its palm detector and landmark
model so that the landmark model runs once per hand and frame and its hand-presence score is
kept. (MediaPipe's own ``mp.solutions`` trackers are the test oracles in ``tests/oracles/``.)

Coordinates are pixels of the full-resolution, upright picture (rotation applied), whatever size
the frame was analysed at: ``x`` to the right, ``y`` down, ``z`` depth in the same pixel scale
(MediaPipe's relative depth times the picture width; smaller is nearer the camera).

Modules: ``frames`` (the per-frame results), ``hands`` (the tracker), ``palms`` (palm
detection), ``hand_model`` (the landmark model on one crop), ``crops`` (crop geometry),
``rerun`` (the model on a crop placed from given landmarks), ``faces`` (the face tracker),
``tflite`` (a model in a minimal MediaPipe graph), ``_mediapipe`` (import, paths, graphs).
"""

from ._mediapipe import silence_native_logs
from .crops import Roi, tracker_crop
from .faces import FaceTracker
from .frames import N_FACE_POINTS, N_HAND_POINTS, FacesInFrame, HandsInFrame
from .hand_model import HandLandmarkModel, HandResult
from .hands import HandTracker
from .palms import PalmDetector
from .rerun import HandLandmarkRerun, HandRerun

__all__ = [
    "N_FACE_POINTS",
    "N_HAND_POINTS",
    "FaceTracker",
    "FacesInFrame",
    "HandLandmarkModel",
    "HandLandmarkRerun",
    "HandRerun",
    "HandResult",
    "HandTracker",
    "HandsInFrame",
    "PalmDetector",
    "Roi",
    "silence_native_logs",
    "tracker_crop",
]
