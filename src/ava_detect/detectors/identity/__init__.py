"""Facial Identity Drift: ``detector`` (the check, its findings and plots)."""

from . import detector  # noqa: F401  (registers the check)
