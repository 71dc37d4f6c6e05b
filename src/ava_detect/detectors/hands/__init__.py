"""Hand-Anatomy Topology Failure: ``detector`` (the check), ``rules`` (frame-pair rules),
``details`` (supporting measurements)."""

from . import detector  # noqa: F401  (registers the check)
