"""Folder runs on a Ray cluster: the only module that imports Ray (the `ray` extra).

:class:`RayPool` has the local :class:`~ava_detect.batch.pool.WorkerPool`'s interface (a context
manager whose ``run(jobs)`` yields start and finish events), so the folder run around it, its
reports, summary, resume and exit code, is the same code. Each Ray actor holds one loaded
:class:`~ava_detect.pipeline.Analyzer` and analyses one clip at a time, reusing its models for
every clip it is given. Ray restarts an actor whose process died and retries its clip once
(``max_restarts=1``, ``max_task_retries=1``); a clip that kills it again, or runs past
``--timeout-per-clip``, becomes an error row and a fresh actor takes the next clip.

Files are not shipped: every node reads the clips and writes the reports at the same paths, so
the folder and ``--out`` must be on storage every node mounts at the same place. Each actor
checks that before the first clip, and the run stops with one clear line if a node cannot.
"""

from __future__ import annotations

import contextlib
import os
import time
import traceback
from collections import deque
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..errors import AvaError, ConfigError
from ..settings import Settings
from .plan import Job
from .pool import Event

_POLL_S = 0.2


_LOOPBACK = ("127.", "localhost", "[::1]", "::1")


def import_ray(address: str | None = None):
    """The ``ray`` module (a clear error when the extra is missing).

    Two things Ray reads at import are set first. A head on this machine's loopback address
    (``127.0.0.1:PORT``) is a one-machine cluster: Ray would otherwise swap the loopback address
    for this machine's network address, where such a head does not listen. And when this
    machine holds a Ray auth token (``ray start`` turns token authentication on when one
    exists) and ``RAY_AUTH_MODE`` is unset, the driver uses it, as Ray itself does for
    ``auto``; otherwise the head refuses the connection.
    """
    if address and address.removeprefix("ray://").startswith(_LOOPBACK):
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    if address not in (None, "local", "auto") and "RAY_AUTH_MODE" not in os.environ:
        token = os.environ.get("RAY_AUTH_TOKEN_PATH") or str(Path.home() / ".ray" / "auth_token")
        if os.environ.get("RAY_AUTH_TOKEN") or Path(token).is_file():
            os.environ["RAY_AUTH_MODE"] = "token"
    try:
        import ray
    except ImportError as exc:
        raise ConfigError(
            "--ray needs Ray, an optional extra: pip install 'ava-detect[ray]'"
        ) from exc
    return ray


class _ClipWorker:
    """One Ray actor: an Analyzer with its models, loaded once (see :func:`_actor_class`)."""

    def __init__(self, settings: Settings, user: dict):
        from ..pipeline import Analyzer, load_plugins

        load_plugins(settings)
        self.settings, self.user = settings, user
        self.analyzer = Analyzer(settings)

    def where(self, folder: str, out_dir: str) -> str | None:
        """None when this node can read ``folder`` and write into ``out_dir``, else why not."""
        import socket

        node = socket.gethostname()
        if not os.access(folder, os.R_OK | os.X_OK):
            return f"a Ray worker on {node} cannot read the folder {folder}"
        probe = Path(out_dir) / f".ava-ray-probe-{os.getpid()}"
        try:
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            return f"a Ray worker on {node} cannot write into {out_dir} ({exc.strerror})"
        return None

    def analyse(self, clip: str, folder: str, stem: str) -> str | None:
        """Analyse one clip and write its files; None, or the one-line error."""
        from ..output.clip_job import run_clip_job
        from ..output.paths import OutputPaths

        try:
            run_clip_job(clip, folder, self.settings, user=self.user, analyzer=self.analyzer,
                         paths=OutputPaths(folder=Path(folder), stem=stem))
        except AvaError as exc:
            return str(exc)
        except Exception as exc:  # noqa: BLE001 - one clip's bug must not stop the batch
            where = traceback.extract_tb(exc.__traceback__)[-1]
            return (f"internal error: {type(exc).__name__}: {exc} "
                    f"(at {Path(where.filename).name}:{where.lineno})")
        return None

    def pid(self) -> int:
        return os.getpid()


_ACTOR: dict[str, object] = {}


def _actor_class(ray):
    """The Ray actor class of :class:`_ClipWorker` (made once per process)."""
    if "cls" not in _ACTOR:
        _ACTOR["cls"] = ray.remote(num_cpus=1, max_restarts=1, max_task_retries=1)(_ClipWorker)
    return _ACTOR["cls"]


class RayPool:
    """Runs clip jobs on Ray actors; use as a context manager.

    Parameters
    ----------
    address
        ``"local"`` (a private Ray instance on this machine for the run), ``"auto"`` (the
        cluster ``RAY_ADDRESS`` names, or the one running here), or ``"HOST:PORT"``.
    settings, user
        Passed to every analysis.
    workers
        Actors to start; default: one per CPU the cluster has.
    timeout_s
        Wall seconds one clip may take before its actor is killed.
    folder, out_dir
        Checked from every actor before the first clip (shared storage).
    """

    def __init__(self, address: str, settings: Settings, *, user: dict | None = None,
                 workers: int | None = None, timeout_s: float = 600.0,
                 folder: Path | None = None, out_dir: Path | None = None):
        self.ray = import_ray(address)
        self.address = address
        self.settings, self.user = settings, user or {}
        self.workers, self.timeout_s = workers, float(timeout_s)
        self.folder, self.out_dir = folder, out_dir
        self._actors: list = []
        self._running: dict = {}  # ObjectRef -> (job, actor index, start time)
        self._started_ray = False

    def __enter__(self) -> RayPool:
        self._connect()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _connect(self) -> None:
        ray = self.ray
        options = {"include_dashboard": False, "log_to_driver": False,
                   "configure_logging": False}
        if self.address not in ("local", "auto"):
            _check_reachable(self.address)  # Ray itself retries an absent head for minutes
        try:
            if self.address == "local":
                ray.init(num_cpus=self.workers or os.cpu_count() or 1, **options)
            else:
                ray.init(address=self.address, **options)
        except (ConnectionError, ValueError, RuntimeError) as exc:
            raise ConfigError(
                f"--ray {self.address}: cannot connect to a Ray cluster ({exc}). Start one with "
                "`ray start --head`, or use --ray local."
            ) from exc
        self._started_ray = True

    def _size(self) -> int:
        if self.workers:
            return int(self.workers)
        return max(1, int(self.ray.cluster_resources().get("CPU", 1)))

    def _new_actor(self):
        return _actor_class(self.ray).remote(self.settings, self.user)

    def _check_storage(self) -> None:
        if self.folder is None or self.out_dir is None:
            return
        refs = [a.where.remote(str(self.folder.resolve()), str(self.out_dir.resolve()))
                for a in self._actors]
        try:
            problems = [p for p in self.ray.get(refs) if p]
        except self.ray.exceptions.RayError as exc:
            raise AvaError(f"a Ray worker could not start: {_ray_reason(exc)}") from exc
        if problems:
            raise ConfigError(f"{problems[0]}; the folder and --out must be on storage every "
                              "node mounts at the same path (see docs/batch.md).")

    def run(self, jobs: Sequence[Job]) -> Iterator[Event]:
        """Analyse ``jobs``; yield an Event for each start and finish."""
        pending = deque(jobs)
        self._actors = [self._new_actor() for _ in range(min(self._size(), len(pending)))]
        self._check_storage()
        idle = list(range(len(self._actors)))
        while pending or self._running:
            while idle and pending:
                i, job = idle.pop(), pending.popleft()
                ref = self._actors[i].analyse.remote(str(job.clip), str(job.paths.folder),
                                                     job.paths.stem)
                self._running[ref] = (job, i, time.monotonic())
                yield Event("start", job)
            done, _ = self.ray.wait(list(self._running), num_returns=1, timeout=_POLL_S)
            for ref in done:
                job, i, _ = self._running.pop(ref)
                error = self._result(ref, i)
                idle.append(i)
                yield Event("finish", job, error=error)
            for ref, (job, i, started) in list(self._running.items()):
                if time.monotonic() - started > self.timeout_s:
                    self._running.pop(ref)
                    self._replace(i)
                    idle.append(i)
                    yield Event("finish", job, error=(
                        f"the analysis took longer than --timeout-per-clip {self.timeout_s:g} s "
                        "and was stopped"))

    def _result(self, ref, i: int) -> str | None:
        ray = self.ray
        try:
            return ray.get(ref)
        except ray.exceptions.RayActorError as exc:
            self._replace(i)  # its restart and the retry are used up
            return f"the analysis crashed (its Ray worker died twice: {_ray_reason(exc)})"
        except ray.exceptions.RayError as exc:
            return f"the analysis failed on Ray: {_ray_reason(exc)}"

    def _replace(self, i: int) -> None:
        with contextlib.suppress(Exception):
            self.ray.kill(self._actors[i], no_restart=True)
        self._actors[i] = self._new_actor()

    def close(self) -> None:
        """Cancel what is still running, stop the actors, disconnect (and stop a local Ray)."""
        ray = self.ray
        for ref in list(self._running):
            with contextlib.suppress(Exception):
                ray.cancel(ref, force=True)
        self._running.clear()
        for actor in self._actors:
            with contextlib.suppress(Exception):
                ray.kill(actor, no_restart=True)
        self._actors = []
        if self._started_ray:
            with contextlib.suppress(Exception):
                ray.shutdown()
            self._started_ray = False


def _check_reachable(address: str, timeout_s: float = 5.0) -> None:
    """A clear error at once when nothing listens at ``HOST:PORT``."""
    import socket

    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        raise ConfigError(f"--ray {address}: give HOST:PORT (e.g. 10.0.0.5:6379), 'auto' or "
                          "'local'.")
    try:
        with socket.create_connection((host, int(port)), timeout=timeout_s):
            pass
    except OSError as exc:
        raise ConfigError(
            f"--ray {address}: no Ray head answers there ({exc.strerror or exc}). Start one with "
            "`ray start --head`, check the address, or use --ray local."
        ) from exc


def _ray_reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
