"""Face descriptors in the child process, and the bisection that locates a face switch."""

from __future__ import annotations

import numpy as np
import pytest

from ava_detect.analysers.face_identity import FaceAnalyzer, _Track
from ava_detect.embedding import CHIP_SIZE, EMBEDDING_DIM, DlibFaceEmbedder
from ava_detect.errors import ModelError
from ava_detect.settings import IdentitySettings


def _chips(n: int, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, (CHIP_SIZE, CHIP_SIZE, 3), dtype=np.uint8) for _ in range(n)]


@pytest.fixture(scope="module")
def embedders():
    child, local = DlibFaceEmbedder(), DlibFaceEmbedder(separate_process=False)
    yield child, local
    child.close()


def test_child_process_gives_the_same_descriptors(embedders):
    child, local = embedders
    chips = _chips(3)
    ours = child.embed(chips)
    assert ours.shape == (3, EMBEDDING_DIM) and ours.dtype == np.float32
    assert np.array_equal(ours, local.embed(chips))
    assert child.embed([]).shape == (0, EMBEDDING_DIM)


def test_a_dead_child_process_is_a_clear_model_error():
    embedder = DlibFaceEmbedder()
    embedder.embed(_chips(1))
    embedder._child._proc.kill()
    embedder._child._proc.wait()
    with pytest.raises(ModelError, match="face descriptor process stopped"):
        embedder.embed(_chips(1))


class _CountingEmbedder:
    """Stands in for dlib: a chip's 'descriptor' is the person id painted into it."""

    dim = EMBEDDING_DIM

    def __init__(self):
        self.calls = 0

    def embed(self, chips):
        self.calls += len(chips)
        return np.array([np.full(EMBEDDING_DIM, c[0, 0, 0] / 10.0) for c in chips], np.float32)


@pytest.mark.parametrize("switch", [1, 5, 11, 12])
def test_bisection_finds_the_switch_between_two_sparse_embeddings(switch):
    """Frames 0..12: person 0 before ``switch``, person 10 (descriptor 1.0 away per unit) from
    it. Frame 0 and frame 12 were embedded; the 11 frames between sit in the buffer."""
    fake = _CountingEmbedder()
    analyzer = FaceAnalyzer(IdentitySettings(), max_faces=1, embedder=fake)
    analyzer._emb = [np.full((1, EMBEDDING_DIM), np.nan, np.float32) for _ in range(13)]
    person = [0 if j < switch else 10 for j in range(13)]
    track = _Track(24)
    for j in range(1, 12):
        track.buffer.append((j, np.full((CHIP_SIZE, CHIP_SIZE, 3), person[j], np.uint8)))
    track.last_index, track.last_embedding = 0, np.zeros(EMBEDDING_DIM, np.float32)
    analyzer._refine(0, track, np.full(EMBEDDING_DIM, 1.0, np.float32))

    embedded = [j for j in range(13) if not np.isnan(analyzer._emb[j][0, 0])]
    assert fake.calls <= 4  # log2(12) rounded up, not 11
    known = sorted({0, 12, *embedded})
    # the switch lies between two neighbouring known frames: the last before it and the first
    # from it are both known
    before = max(j for j in known if person[j] == 0)
    after = min(j for j in known if person[j] == 10)
    assert (before, after) == (switch - 1, switch)
    assert not track.buffer
