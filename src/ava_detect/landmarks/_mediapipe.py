"""Importing MediaPipe quietly, finding its bundled models, and building small graphs.

Everything here is shared by the trackers and model runners of this package; no other module of
ava-detect imports MediaPipe.
"""

from __future__ import annotations

import importlib.util
import os
import sys

from ..errors import ModelError

_QUIET_ENV = {"GLOG_minloglevel": "2", "TF_CPP_MIN_LOG_LEVEL": "3", "ABSL_MIN_LOG_LEVEL": "2"}
_native_silenced = False


def silence_native_logs() -> None:
    """Keep MediaPipe's C++ and TFLite log lines off the terminal.

    They are written straight to file descriptor 2, from graph threads, whenever a model first
    runs, so Python-level filters cannot stop them. We point descriptor 2 at /dev/null and give
    Python's ``sys.stderr`` a duplicate of the real terminal, so ava-detect's own messages,
    warnings and tracebacks still show. Set ``AVA_NATIVE_LOGS=1`` to see the native logs.

    The command calls this first thing, before any terminal display exists: a display made
    earlier would keep writing to descriptor 2, now /dev/null (a progress bar frozen at its
    first frame, the cursor left hidden). When ``sys.stderr`` is not descriptor 2 (a test
    runner capturing it) nothing is changed.
    """
    global _native_silenced
    if _native_silenced or os.environ.get("AVA_NATIVE_LOGS"):
        return
    try:
        if sys.stderr.fileno() != 2:
            return  # stderr is not the process's own (a test runner captures it): leave it
        sys.stderr.flush()
        real = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
        sys.stderr = os.fdopen(real, "w", buffering=1, encoding="utf-8", errors="replace")
    except (OSError, AttributeError, ValueError):
        return
    _native_silenced = True


def import_mediapipe():
    """The ``mediapipe`` module, imported with its native logging silenced."""
    for key, value in _QUIET_ENV.items():
        os.environ.setdefault(key, value)
    silence_native_logs()
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


def _package_dir() -> str:
    spec = importlib.util.find_spec("mediapipe")
    if spec is None or spec.origin is None:  # pragma: no cover - depends on the installation
        raise ModelError(
            "MediaPipe is not installed. Reinstall with: pip install 'mediapipe==0.10.21'"
        )
    return os.path.dirname(spec.origin)


def landmark_model_path(complexity: int) -> str:
    """The hand landmark model shipped in the wheel: full (1) or lite (0)."""
    name = "hand_landmark_full.tflite" if complexity else "hand_landmark_lite.tflite"
    return os.path.join(_package_dir(), "modules", "hand_landmark", name)


def expanded_graph(text: str, options: dict[str, tuple[type, str, float]] | None = None):
    """A graph config from text, with MediaPipe's registered subgraphs expanded in place.

    Parameters
    ----------
    text
        The graph in protobuf text format; it may use subgraphs such as ``PalmDetectionCpu``.
    options
        ``{node name: (options message class, field, value)}`` set on nodes of the expanded
        graph (names are ``subgraph__Calculator`` in lower-case-prefixed MediaPipe style).

    Subgraphs load their models by paths relative to the site-packages folder, so MediaPipe's
    resource folder is pointed there (what ``mp.solutions`` does too).
    """
    mp = import_mediapipe()
    from google.protobuf import text_format
    from mediapipe.framework import calculator_pb2
    from mediapipe.python._framework_bindings import resource_util, validated_graph_config

    resource_util.set_resource_dir(os.path.dirname(_package_dir()))
    config = text_format.Parse(text, calculator_pb2.CalculatorGraphConfig())
    validated = validated_graph_config.ValidatedGraphConfig()
    validated.initialize(graph_config=config)
    full = calculator_pb2.CalculatorGraphConfig()
    full.ParseFromString(validated.binary_config)
    for name, (cls, field, value) in (options or {}).items():
        node = next((n for n in full.node if n.name == name), None)
        if node is None:
            raise ModelError(f"MediaPipe graph has no node {name}; is mediapipe 0.10.21 installed?")
        packed = next((o for o in node.node_options if o.Is(cls.DESCRIPTOR)), None)
        if packed is not None:
            msg = cls()
            packed.Unpack(msg)
            setattr(msg, field, value)
            packed.Pack(msg)
        else:
            setattr(node.options.Extensions[cls.ext], field, value)
    return mp, full


class Graph:
    """A small MediaPipe graph (see :func:`expanded_graph`) run one timestamp at a time.

    Parameters
    ----------
    text, options
        As for :func:`expanded_graph`.
    outputs
        The output streams to collect.
    side_packets
        Input side packets by name, given when the graph starts.
    """

    def __init__(self, text: str, outputs: tuple[str, ...], *,
                 options: dict[str, tuple[type, str, float]] | None = None,
                 side_packets: dict | None = None):
        self.mp, config = expanded_graph(text, options)
        self._got: dict[str, object] = {}
        self._graph = self.mp.CalculatorGraph(graph_config=config)
        for name in outputs:
            self._graph.observe_output_stream(
                name, lambda _stream, packet, name=name: self._got.__setitem__(name, packet)
            )
        self._graph.start_run(side_packets or {})
        self._ts = 0

    def run(self, inputs: dict) -> dict:
        """Feed one packet per input stream; returns the output packets produced, by name
        (a stream that produced nothing at this timestamp is missing)."""
        self._ts += 1
        self._got.clear()
        for name, packet in inputs.items():
            self._graph.add_packet_to_input_stream(name, packet.at(self._ts))
        self._graph.wait_until_idle()
        return dict(self._got)

    def image(self, rgb):
        """An image packet of an (H, W, 3) uint8 RGB picture, for :meth:`run`."""
        import numpy as np

        return self.mp.packet_creator.create_image_frame(
            image_format=self.mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb)
        )

    def close(self) -> None:
        self._graph.close()
