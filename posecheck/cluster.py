"""Batch on a Ray cluster: each video one Ray task running ``batch.analyze_job``, the code
path of ``--jobs``, so a table from the cluster is the table from this machine.

The pose model needs no shared disk: its bytes go once into Ray's object store, and each
worker process writes them to its node's temporary folder after checking their SHA-256.
Videos are read from their paths as the workers see them (a shared mount); a video a worker
cannot read is that video's error. A worker that dies in the middle of a video has the
video run again; a video that takes its worker down twice is reported as that video's error.

Ray is an optional extra (``pip install 'backcare-posecheck[cluster]'``); this module
imports it only when a runner runs.

Example::

    outcomes = analyze_folder("videos/", "prone_press_up", model, runner=RayRunner("10.0.0.5:6379"))
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import socket
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from posecheck.batch import Finished, VideoJob, VideoOutcome, analyze_job, not_analysed, worker_died
from posecheck.errors import AnalysisCrashedError, ClusterError, ModelInvalidError, PosecheckError

if TYPE_CHECKING:
    from types import ModuleType

INSTALL_HINT = "pip install 'backcare-posecheck[cluster]'"
# A worker killed in the middle of a video (a node lost, the memory monitor) is tried once
# more; the same video taking its worker down twice is the video's fault.
RETRIES_AFTER_A_DEAD_WORKER = 1
MODEL_FOLDER = "posecheck-models"
CONNECT_TIMEOUT_S = 10.0


def import_ray() -> ModuleType:
    """Ray, or one line saying how to install it."""
    try:
        import ray
    except ImportError:
        raise ClusterError(f"--ray needs Ray, which is not installed: {INSTALL_HINT}") from None
    return ray


@dataclass(frozen=True, slots=True)
class ShippedModel:
    """The pose model as it travels: its file name, its SHA-256, and its bytes' place in the
    object store (inside a list, so that Ray hands a task the reference, not the bytes)."""

    name: str
    sha256: str
    bytes_ref: list[Any]

    @classmethod
    def put(cls, ray: ModuleType, model_path: Path) -> ShippedModel:
        try:
            data = model_path.read_bytes()
        except OSError as error:
            raise ModelInvalidError(
                f"cannot read the pose model {model_path} ({error.strerror}): "
                "run `posecheck models install` to get a working one"
            ) from None
        return cls(model_path.name, hashlib.sha256(data).hexdigest(), [ray.put(data)])


_models_here: dict[str, Path] = {}  # in a worker process: SHA-256 -> the checked local copy


def model_on_this_node(shipped: ShippedModel) -> Path:
    """The model as a file on this node, fetched from the object store and checked against
    its SHA-256 the first time this process needs it (a copy already there is checked too)."""
    if shipped.sha256 in _models_here:
        return _models_here[shipped.sha256]
    folder = Path(tempfile.gettempdir()) / MODEL_FOLDER
    local = folder / f"{shipped.sha256[:16]}-{shipped.name}"
    if not (local.is_file() and _sha256(local.read_bytes()) == shipped.sha256):
        import ray

        data = ray.get(shipped.bytes_ref[0])
        arrived = _sha256(data)
        if arrived != shipped.sha256:
            raise ModelInvalidError(
                f"the pose model {shipped.name} arrived damaged on this node (SHA-256 {arrived[:12]}... "
                f"instead of {shipped.sha256[:12]}...): run the batch again"
            )
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=f".{local.name}.", delete=False) as handle:
            handle.write(data)
        os.replace(handle.name, local)
    _models_here[shipped.sha256] = local
    return local


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def analyze_on_worker(job: VideoJob, model: ShippedModel) -> VideoOutcome:
    """A Ray task: ``analyze_job`` with the model from the object store."""
    try:
        local_model = model_on_this_node(model)
    except PosecheckError as error:
        return VideoOutcome.of(job.video, None, error)
    return analyze_job(replace(job, model_path=local_model))


@contextlib.contextmanager
def connected(ray: ModuleType, address: str | None, verbose: bool = False) -> Iterator[None]:
    """Connected to the cluster at ``address``, or to a Ray started here for the run (None).
    A connection the caller already made is used as it is, and left open."""
    if ray.is_initialized():
        yield
        return
    # Ray's own log lines, and its workers' (MediaPipe's), only with --verbose.
    level = logging.INFO if verbose else logging.ERROR
    logging.getLogger("ray").setLevel(level)
    settings: dict[str, Any] = {"log_to_driver": verbose, "logging_level": level}
    if address is None:
        settings.update(address="local", include_dashboard=False)
    else:
        _check_reachable(address)
        settings.update(address=address)
    try:
        ray.init(**settings)
    except (ConnectionError, RuntimeError, ValueError) as error:
        ray.shutdown()
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise _unreachable(address, reason) from None
    try:
        yield
    finally:
        ray.shutdown()


def _check_reachable(address: str) -> None:
    """A HOST:PORT nobody listens on fails here, at once: Ray itself keeps trying for minutes."""
    host, colon, port = address.removeprefix("ray://").rpartition(":")
    if not colon or not port.isdigit():
        return  # "auto", or a form Ray resolves itself
    try:
        socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT_S).close()
    except OSError as error:
        raise _unreachable(address, error.strerror or type(error).__name__) from None


def _unreachable(address: str | None, reason: str) -> ClusterError:
    where = f"the Ray cluster at {address}" if address else "a Ray on this machine"
    return ClusterError(
        f"cannot connect to {where} ({reason}): start it with `ray start --head`, "
        "or check the address (HOST:6379, or ray://HOST:10001)"
    )


class RayRunner:
    """Runs each video as one Ray task needing one CPU (``analyze --ray [ADDRESS]``).

    ``address``: the cluster's (as ``ray.init`` takes it: ``HOST:6379``, ``ray://HOST:10001``,
    ``auto``); None starts a Ray on this machine for the run. Ctrl-C cancels the tasks not
    finished and keeps the outcomes that came.
    """

    def __init__(self, address: str | None = None, *, verbose: bool = False) -> None:
        self.ray = import_ray()
        self.address = address
        self.verbose = verbose

    def __call__(self, jobs: Mapping[int, VideoJob], finished: Finished) -> None:
        ray = self.ray
        with connected(ray, self.address, self.verbose):
            task = ray.remote(num_cpus=1, max_retries=RETRIES_AFTER_A_DEAD_WORKER)(analyze_on_worker)
            models: dict[Path, ShippedModel] = {}
            pending: dict[Any, int] = {}
            for index, job in jobs.items():
                if job.model_path not in models:
                    models[job.model_path] = ShippedModel.put(ray, job.model_path)
                pending[task.remote(job, models[job.model_path])] = index
            try:
                while pending:
                    ready, _ = ray.wait(list(pending), num_returns=1)
                    for reference in ready:
                        index = pending.pop(reference)
                        finished(index, self._outcome(reference, jobs[index]))
            except KeyboardInterrupt:
                for reference in pending:
                    ray.cancel(reference, force=False)
                raise

    def _outcome(self, reference: Any, job: VideoJob) -> VideoOutcome:
        exceptions = self.ray.exceptions
        try:
            outcome: VideoOutcome = self.ray.get(reference)
        except exceptions.TaskCancelledError:
            return VideoOutcome.of(job.video, None, not_analysed(job.video))
        except (exceptions.WorkerCrashedError, exceptions.NodeDiedError, exceptions.ObjectLostError):
            return VideoOutcome.of(job.video, None, worker_died(job.video))
        except exceptions.RayTaskError as error:  # a bug met on this video stays this video's error
            cause = error.cause if error.cause is not None else error
            crash = AnalysisCrashedError(f"analysing {job.video} failed ({type(cause).__name__}: {cause})")
            return VideoOutcome.of(job.video, None, crash)
        except exceptions.RayError as error:
            crash = AnalysisCrashedError(
                f"analysing {job.video} on the cluster failed ({type(error).__name__}): "
                "run the batch again, or `posecheck --verbose analyze` that video to see why"
            )
            return VideoOutcome.of(job.video, None, crash)
        return outcome
