"""Shared fixtures: the real test media folder and small generated clips."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def pytest_xdist_auto_num_workers(config) -> int:
    """``-n auto`` (pyproject's addopts): one worker per core this process may run on, at most
    4. Each worker loads the models (0.5 GB and more); a container whose CPU count shows the host's
    cores must not start dozens of them."""
    return max(1, min(len(os.sched_getaffinity(0)), 4))


@pytest.fixture(scope="session", autouse=True)
def _private_user_data(tmp_path_factory):
    """Tests that run the command record into a history of their own, never the user's.

    XDG_DATA_HOME is where platformdirs puts the default history on Linux; subprocesses the
    tests start inherit it.
    """
    old = os.environ.get("XDG_DATA_HOME")
    os.environ["XDG_DATA_HOME"] = str(tmp_path_factory.mktemp("user-data"))
    yield
    if old is None:
        os.environ.pop("XDG_DATA_HOME", None)
    else:
        os.environ["XDG_DATA_HOME"] = old


@pytest.fixture(scope="session")
def media_dir() -> Path:
    """The real media folder named by AVA_TEST_MEDIA; the test is skipped when it is unset."""
    value = os.environ.get("AVA_TEST_MEDIA")
    if not value:
        pytest.skip("AVA_TEST_MEDIA is not set: real-media tests need ../shared/media")
    path = Path(value)
    if not path.is_dir():
        pytest.skip(f"AVA_TEST_MEDIA={value} is not a folder")
    return path


@pytest.fixture(scope="session")
def hands_analysis():
    """``run(path) -> Analysis`` with the hand check only, each clip analysed once per session
    (shared by the real-media hand tests)."""
    from functools import cache

    from ava_detect.pipeline import Analyzer
    from ava_detect.settings import Settings

    analyzer = Analyzer(Settings(checks=("hands",)))
    yield cache(analyzer.analyze)
    analyzer.close()
