"""Audio-Visual Lip Sync & Phoneme Alignment Failure: ``detector`` (the lag, its uncertainty
and the verdict), ``findings`` (findings, evidence and plots)."""

from . import detector  # noqa: F401  (registers the check)
