"""Known dialogue: the words a clip should say, and their timing in its audio.

``words`` (pure Python) finds the words: ``--transcript``, ``--transcript-file`` or speech quoted
in ``--prompt``, normalised to the aligner's dictionary form. ``aligner`` (the only
**pocketsphinx** user) places them in the audio, phone by phone, and returns plain
:class:`~ava_detect.types.SpeechAlignment` data for the lip-sync viseme check.
"""

from __future__ import annotations

from .words import KnownWords, known_words, normalise, quoted_speech

__all__ = ["KnownWords", "known_words", "normalise", "quoted_speech"]
