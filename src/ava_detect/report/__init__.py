"""Report data (model.py) and its writers (json.py; pdf/ and ticket.py for the evidence pack)."""

from .model import CheckResult, Evidence, Finding, Report

__all__ = ["CheckResult", "Evidence", "Finding", "Report"]
