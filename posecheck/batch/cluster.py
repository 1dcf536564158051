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

import _thread
import contextlib
import functools
import hashlib
import logging
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from posecheck.batch.runner import Finished, VideoJob, VideoOutcome, analyze_job, not_analysed, worker_died
from posecheck.errors import AnalysisCrashedError, ClusterError, ModelInvalidError, PosecheckError

if TYPE_CHECKING:
    from types import ModuleType

INSTALL_HINT = "pip install 'backcare-posecheck[cluster]'"
# A worker killed in the middle of a video (a node lost, the memory monitor) is tried once
# more; the same video taking its worker down twice is the video's fault.
RETRIES_AFTER_A_DEAD_WORKER = 1
MODEL_FOLDER = "posecheck-models"
CONNECT_TIMEOUT_S = 10.0
# Ctrl-C: each task looks for the stop this often, and the driver waits this long for the
# running videos to come back with what they recorded (a second Ctrl-C stops waiting).
STOP_POLL_S = 0.5
STOP_WAIT_S = 30.0


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


class StopFlag:
    """A Ray actor the driver sets on Ctrl-C and every task watches (``ray.cancel`` would
    discard what a running task recorded: its result becomes a cancellation)."""

    def __init__(self) -> None:
        self._set = False

    def set(self) -> None:
        self._set = True

    def is_set(self) -> bool:
        return self._set


def analyze_on_worker(job: VideoJob, model: ShippedModel, stop: Any = None) -> VideoOutcome:
    """A Ray task: ``analyze_job`` with the model from the object store. Once ``stop`` (a
    ``StopFlag`` actor) is set, a video not yet begun is left and a running one ends at
    its next frame, keeping what it recorded, as Ctrl-C does with ``--jobs``."""
    if stop is not None and _is_set(stop):
        return VideoOutcome.of(job.video, None, not_analysed(job.video))
    try:
        local_model = model_on_this_node(model)
    except PosecheckError as error:
        return VideoOutcome.of(job.video, None, error)
    outcome: VideoOutcome | None = None
    try:
        with _interrupted_once_set(stop):
            outcome = analyze_job(replace(job, model_path=local_model))
    except KeyboardInterrupt:
        pass  # the stop came as the video ended: an interrupt is acted on a moment after it is made
    return outcome if outcome is not None else VideoOutcome.of(job.video, None, not_analysed(job.video))


def _is_set(stop: Any) -> bool:
    """Whether the driver asked to stop; a flag that cannot be read (its node lost) is taken
    as not set, so that the video is still analysed."""
    import ray

    try:
        return bool(ray.get(stop.is_set.remote()))
    except ray.exceptions.RayError:
        return False


@contextlib.contextmanager
def _interrupted_once_set(stop: Any) -> Iterator[None]:
    """While the block runs, a thread looks at ``stop`` every ``STOP_POLL_S`` and, once it is
    set, interrupts the main thread as Ctrl-C would (the frame loop's own way to stop)."""
    if stop is None:
        yield
        return
    ended = threading.Event()
    # Held while interrupting, so no interrupt is made once the block has ended; one made just
    # before may still be acted on as the block ends: the caller catches it.
    running = threading.Lock()

    def watch() -> None:
        # One small actor call a task every STOP_POLL_S: light for one actor even with
        # hundreds of tasks running.
        while not ended.wait(STOP_POLL_S):
            if _is_set(stop):
                with running:
                    if not ended.is_set():
                        _thread.interrupt_main()
                return

    watcher = threading.Thread(target=watch, name="posecheck-stop-watch", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        with running:
            ended.set()


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
    ``auto``); None starts a Ray on this machine for the run. Ctrl-C starts no further
    video; running ones stop at their next frame and keep what they recorded (as with
    ``--jobs``); a task that has not answered within ``STOP_WAIT_S`` is cancelled.
    """

    def __init__(self, address: str | None = None, *, verbose: bool = False) -> None:
        self.ray = import_ray()
        self.address = address
        self.verbose = verbose

    def __call__(self, jobs: Mapping[int, VideoJob], finished: Finished) -> None:
        ray = self.ray
        with connected(ray, self.address, self.verbose):
            task = ray.remote(num_cpus=1, max_retries=RETRIES_AFTER_A_DEAD_WORKER)(analyze_on_worker)
            stop = ray.remote(num_cpus=0)(StopFlag).remote()
            models: dict[Path, ShippedModel] = {}
            pending: dict[Any, int] = {}
            for index, job in jobs.items():
                if job.model_path not in models:
                    models[job.model_path] = ShippedModel.put(ray, job.model_path)
                pending[task.remote(job, models[job.model_path], stop)] = index
            try:
                self._collect(pending, jobs, finished)
            except KeyboardInterrupt:
                stop.set.remote()
                with contextlib.suppress(KeyboardInterrupt):
                    self._collect(pending, jobs, finished, timeout_s=STOP_WAIT_S)
                for reference in pending:
                    ray.cancel(reference, force=False)
                raise

    def _collect(
        self,
        pending: dict[Any, int],
        jobs: Mapping[int, VideoJob],
        finished: Finished,
        timeout_s: float | None = None,
    ) -> None:
        """Reports each task's outcome as it comes, until none is pending or ``timeout_s`` ends."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while pending:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return
            ready, _ = self.ray.wait(list(pending), num_returns=1, timeout=left)
            for reference in ready:
                index = pending[reference]
                finished(index, self._outcome(reference, jobs[index]))
                del pending[reference]  # after: a Ctrl-C inside ``finished`` still finds it pending

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


@dataclass(frozen=True, slots=True)
class LocalCluster:
    address: str
    node_pids: tuple[int, ...]  # the ``ray start`` of each node: every Ray process descends from one
    environment: dict[str, str]  # what another process needs to join it as a driver (its token)


@contextlib.contextmanager
def local_cluster(
    workers: int, cpus_per_worker: int = 1, *, log_folder: Path | None = None
) -> Iterator[LocalCluster]:
    """A Ray cluster on this machine for as long as the block runs: a head
    that runs no task and ``workers`` worker nodes, each with its own raylet and object
    store as on separate machines (the model travels between them as it would). Every
    process it starts is stopped when the block ends, whatever happened in it. The cluster
    asks for a token of its own, set in this process's environment during the block and
    given in ``environment`` for others.

    Example::

        with local_cluster(2) as cluster:
            analyze_folder("videos/", None, model, runner=RayRunner(cluster.address))
    """
    ray_command = Path(sys.executable).with_name("ray")
    environment = {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": _local_token()}
    with contextlib.ExitStack() as stack:
        stack.enter_context(_environment_set(environment))
        ray = import_ray()
        logs = (
            log_folder if log_folder is not None else Path(stack.enter_context(tempfile.TemporaryDirectory()))
        )
        port = _free_port()
        address = f"127.0.0.1:{port}"
        common = ["--block", "--disable-usage-stats", f"--object-store-memory={LOCAL_OBJECT_STORE_BYTES}"]
        nodes = [
            [
                str(ray_command),
                "start",
                "--head",
                f"--port={port}",
                "--num-cpus=0",
                "--include-dashboard=false",
            ],
            *[[str(ray_command), "start", f"--address={address}", f"--num-cpus={cpus_per_worker}"]] * workers,
        ]
        processes: list[subprocess.Popen[bytes]] = []
        stack.callback(_stop_nodes, processes)

        def start(number: int) -> None:
            log = stack.enter_context((logs / f"ray-node-{number}.log").open("wb"))
            command = [*nodes[number], *common]
            environ = {**os.environ, **environment}
            processes.append(subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=environ))

        start(0)
        _wait_for_port(port, processes[0])
        with connected(ray, address):
            # One node at a time: raylets starting together on a busy machine time out.
            for number in range(1, len(nodes)):
                start(number)
                deadline = time.monotonic() + NODE_START_TIMEOUT_S
                while ray.cluster_resources().get("CPU", 0) < number * cpus_per_worker:
                    if time.monotonic() > deadline or any(
                        process.poll() is not None for process in processes
                    ):
                        raise ClusterError(f"the local Ray cluster did not start: see the logs in {logs}")
                    time.sleep(0.2)
        yield LocalCluster(address, tuple(process.pid for process in processes), environment)


@functools.cache
def _local_token() -> str:
    """One token for every local cluster of this process: Ray reads it once per process."""
    return secrets.token_hex(32)


@contextlib.contextmanager
def _environment_set(variables: Mapping[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


LOCAL_OBJECT_STORE_BYTES = 100 * 1024 * 1024
NODE_START_TIMEOUT_S = 60.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_port(port: int, head: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + NODE_START_TIMEOUT_S
    while time.monotonic() < deadline and head.poll() is None:
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1.0).close()
            return
        time.sleep(0.2)
    raise ClusterError("the local Ray cluster's head did not start: is `ray` installed in this environment?")


def _stop_nodes(processes: Sequence[subprocess.Popen[bytes]]) -> None:
    """``ray start --block`` stops the processes of its node when it is terminated; the
    worker nodes first, then the head."""
    for process in reversed(processes):
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
