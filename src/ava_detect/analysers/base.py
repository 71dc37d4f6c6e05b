"""What a frame analyser is: per-frame work that needs pixels, inside the one frame loop."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np

    from ..types import ClipInfo, FacesInFrame, Frame, HandsInFrame


class FrameAnalyzer(Protocol):
    """Per-frame work that needs pixels, run inside the one frame loop.

    ``lane`` says which landmarks it needs: ``"hands"`` (run in the hand lane, ``faces`` is
    None), ``"faces"`` (the face lane, ``hands`` is None) or ``"both"`` (the loop turns serial
    and passes both). ``begin`` is called once before the clip's first frame: ``frame.rgb``
    may be downscaled, while landmarks are in pixels of ``info.display_size``. ``update`` sees
    every analysed frame in order; ``finish`` returns (N, ...) arrays for ``signals.measured``,
    keyed ``"<name>.<array>"``. Models an analyser uses are passed in and owned by the
    pipeline, which closes them; an analyser holds no model of its own.
    """

    name: str
    lane: str

    def begin(self, info: ClipInfo) -> None: ...

    def update(
        self, frame: Frame, hands: HandsInFrame | None, faces: FacesInFrame | None
    ) -> None: ...

    def finish(self) -> dict[str, np.ndarray]: ...
