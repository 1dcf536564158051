"""A batch on a real Ray cluster started here (a head and two one-CPU worker nodes, each its
own raylet and object store): the same table, reports and exit status as ``--jobs``, a
worker killed in the middle of a video, a video that kills its worker every time, Ctrl-C
(the running video keeping what it recorded), and each patient's sessions in their own
history. Real model, real corpus clips (their first seconds, every second frame, to keep
the run short)."""

from __future__ import annotations

import importlib.util
import json
import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from posecheck.batch.cluster import LocalCluster, RayRunner, local_cluster
from posecheck.batch.runner import analyze_videos
from posecheck.history.store import History
from posecheck.pipeline.source import write_excerpt
from posecheck.rules.registry import exercise_named
from tests.analysis.test_hard_inputs import rewrite
from tests.batch.test_batch import BROKEN, CLIPS, EXERCISE, CrashingPath

if importlib.util.find_spec("ray") is None:  # imported later: the cluster sets Ray's token first
    pytest.skip("Ray comes with the cluster extra: pip install '.[cluster]'", allow_module_level=True)

SHARED = Path(__file__).resolve().parents[3] / "shared"
CLIP_SECONDS = 7.5
LONG_CLIP_PLAYS = 2  # the 12 s clip twice: still running well after a 7.5 s clip is done
STRIDE = "2"
RUN_TIMEOUT_S = 300.0
TASK_TITLE = "ray::analyze_on_worker"  # a Ray worker's process title while it runs the task


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two short real clips and a text file named like a video."""
    for clip in CLIPS:
        if not clip.is_file():
            pytest.skip(f"the corpus clip {clip} is absent")
    folder = tmp_path_factory.mktemp("videos")
    for clip in CLIPS:
        write_excerpt(clip, CLIP_SECONDS, folder / clip.name)
    (folder / BROKEN).write_text("this is a text file, not a video\n")
    return folder


@pytest.fixture(scope="module")
def long_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not CLIPS[0].is_file():
        pytest.skip(f"the corpus clip {CLIPS[0]} is absent")
    target = tmp_path_factory.mktemp("long") / "long.mp4"
    return rewrite(CLIPS[0], target, seconds=math.inf, loops=LONG_CLIP_PLAYS)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    with local_cluster(2, log_folder=tmp_path_factory.mktemp("ray-logs")) as started:
        yield started
        ray_processes = [pid for pid in _processes() if _descends_from(pid, started.node_pids)]
    assert len(ray_processes) > 3, "the raylets, the head's services and the workers were not found"
    time.sleep(2.0)  # a worker notices its raylet is gone within a second or so
    leftovers = [pid for pid in ray_processes if _alive(pid)]
    assert not leftovers, f"Ray processes still running after the cluster stopped: {leftovers}"


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str


def posecheck(
    arguments: list[str | Path], model_path: Path, cluster: LocalCluster | None = None, **popen: object
) -> subprocess.Popen[str]:
    environment = {
        **os.environ,
        "POSECHECK_MODEL": str(model_path),
        **(cluster.environment if cluster else {}),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "posecheck", *map(str, arguments), "--no-progress"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,  # type: ignore[call-overload]
    )


def finish(process: subprocess.Popen[str]) -> Run:
    stdout, stderr = process.communicate(timeout=RUN_TIMEOUT_S)
    return Run(process.returncode, stdout, stderr)


def reports(folder: Path) -> dict[str, dict[str, object]]:
    """Each JSON report but for the wall-clock time of its analysis."""
    found = {}
    for path in sorted(folder.iterdir()):
        report = json.loads(path.read_text())
        for session in [report, *report.get("exercises", [])]:
            session.pop("started_at", None)
        found[path.name] = report
    return found


def _processes() -> list[int]:
    return [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting for its parent to read its exit."""
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _ray_processes() -> list[int]:
    """Processes whose title is a Ray task's (the worker running it)."""
    found = []
    for pid in _processes():
        try:
            title = (Path("/proc") / str(pid) / "cmdline").read_bytes().split(b"\0")[0]
        except OSError:
            continue
        if title.decode(errors="replace").startswith(TASK_TITLE):
            found.append(pid)
    return found


def _descends_from(pid: int, ancestors: tuple[int, ...]) -> bool:
    while pid > 1:
        if pid in ancestors:
            return True
        try:
            pid = int((Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            return False
    return False


def _running_task(cluster: LocalCluster, timeout_s: float) -> int | None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        ours = [pid for pid in _ray_processes() if _descends_from(pid, cluster.node_pids)]
        if ours:
            return ours[0]
        time.sleep(0.05)
    return None


@pytest.fixture(scope="module")
def jobs_run(folder: Path, model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, Path]:
    out = tmp_path_factory.mktemp("jobs") / "reports"
    arguments = ["analyze", folder, "-e", EXERCISE, "--jobs", "2", "--stride", STRIDE, "--json", out]
    return finish(posecheck([*arguments, "--no-history"], model_path)), out


@pytest.fixture(scope="module")
def ray_run(
    folder: Path, model_path: Path, cluster: LocalCluster, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Run, Path]:
    out = tmp_path_factory.mktemp("ray") / "reports"
    arguments = [
        "analyze",
        folder,
        "-e",
        EXERCISE,
        "--ray",
        cluster.address,
        "--stride",
        STRIDE,
        "--json",
        out,
    ]
    return finish(posecheck([*arguments, "--no-history"], model_path, cluster)), out


def test_ray_gives_the_table_reports_and_exit_status_of_jobs(
    jobs_run: tuple[Run, Path], ray_run: tuple[Run, Path]
) -> None:
    (jobs, jobs_reports), (ray, ray_reports) = jobs_run, ray_run
    assert ray.exit_code == jobs.exit_code == 4, ray.stderr
    assert ray.stdout.replace(str(ray_reports), "OUT") == jobs.stdout.replace(str(jobs_reports), "OUT")
    assert ray.stderr == jobs.stderr
    assert reports(ray_reports) == reports(jobs_reports)
    assert len(reports(ray_reports)) == len(CLIPS)


def test_a_file_a_worker_cannot_read_is_its_one_line_error_and_the_rest_are_analysed(
    ray_run: tuple[Run, Path],
) -> None:
    run, _ = ray_run
    rows = run.stdout.splitlines()[1:4]
    assert rows[0].split()[0] == BROKEN and "cannot read" in rows[0], run.stdout
    assert all("error" not in row and "cannot" not in row for row in rows[1:]), run.stdout
    assert run.stderr.count("\n") == 1 and "1 of 3 videos failed" in run.stderr, run.stderr
    assert "Traceback" not in run.stdout + run.stderr


def test_a_worker_killed_in_the_middle_of_a_video_has_it_analysed_again_with_the_same_result(
    long_clip: Path, model_path: Path, cluster: LocalCluster, tmp_path: Path
) -> None:
    options = ["-e", EXERCISE, "--stride", STRIDE, "--no-history"]
    jobs = finish(posecheck(["analyze", long_clip.parent, *options, "--json", tmp_path / "jobs"], model_path))
    assert jobs.exit_code == 0, jobs.stderr
    process = posecheck(
        ["analyze", long_clip.parent, *options, "--ray", cluster.address, "--json", tmp_path / "ray"],
        model_path,
        cluster,
    )
    worker = _running_task(cluster, timeout_s=120)
    assert worker is not None, "the video's task never started"
    time.sleep(1.0)  # the model loaded, frames under way
    os.kill(worker, signal.SIGKILL)
    run = finish(process)
    assert run.exit_code == 0, run.stderr
    assert reports(tmp_path / "ray") == reports(tmp_path / "jobs")
    assert reports(tmp_path / "ray")["long.json"]["holds"], "the clip's hold is missing"


def test_a_video_that_kills_its_worker_twice_is_its_error_and_the_others_finish(
    folder: Path, model_path: Path, cluster: LocalCluster
) -> None:
    crashing = CrashingPath(folder / "crash.mp4")  # its worker dies as it receives the video
    videos = [crashing, folder / CLIPS[0].name]
    exercise = exercise_named(EXERCISE)
    crashed, analysed = analyze_videos(
        videos, [exercise, exercise], model_path, runner=RayRunner(cluster.address), stride=int(STRIDE)
    )
    assert crashed.exit_code == 4 and crashed.session is None
    assert crashed.error is not None and "crash.mp4 died" in crashed.error, crashed.error
    assert analysed.exit_code == 0 and analysed.session is not None, analysed.error


def test_ctrl_c_stops_the_running_video_keeping_what_it_recorded_and_keeps_the_finished_one(
    folder: Path, long_clip: Path, model_path: Path, cluster: LocalCluster, tmp_path: Path
) -> None:
    videos = tmp_path / "videos"
    videos.mkdir()
    (videos / "a_long.mp4").symlink_to(long_clip)
    (videos / "b_short.mp4").symlink_to(folder / CLIPS[0].name)
    out = tmp_path / "reports"
    process = posecheck(
        ["analyze", videos, "-e", EXERCISE, "--ray", cluster.address, "--json", out, "--no-history"],
        model_path,
        cluster,
    )
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while not (out / "b_short.json").exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.poll() is None, "the run ended before the long video could be interrupted"
    process.send_signal(signal.SIGINT)
    run = finish(process)
    assert run.exit_code == 130, run.stderr
    rows = run.stdout.splitlines()
    assert rows[1].startswith("a_long.mp4") and "interrupted at" in rows[1], run.stdout
    assert rows[2].startswith("b_short.mp4") and "interrupted" not in rows[2], run.stdout
    stopped = reports(out)["a_long.json"]
    assert stopped["interrupted"] is True
    # Stopped part-way: some of the long video was recorded, not the whole of it.
    assert 0.0 < float(stopped["duration_s"]) < LONG_CLIP_PLAYS * 12.0, stopped["duration_s"]
    assert "b_short.json" in reports(out)
    assert "Traceback" not in run.stderr
    time.sleep(3.0)  # a cancelled task's worker goes back to idle
    assert not [pid for pid in _ray_processes() if _descends_from(pid, cluster.node_pids)]


def test_each_patients_sessions_go_to_their_own_history(
    folder: Path, model_path: Path, cluster: LocalCluster, tmp_path: Path
) -> None:
    manifest = tmp_path / "clinic.csv"
    manifest.write_text(
        "video,exercise,patient\n"
        f"{folder / CLIPS[0].name},{EXERCISE},alice\n"
        f"{folder / CLIPS[1].name},{EXERCISE},bob\n"
        "/nowhere/bob-missing.mp4,,bob\n"
    )
    histories = tmp_path / "histories"
    arguments = ["analyze", manifest, "--ray", cluster.address, "--stride", STRIDE, "--db-dir", histories]
    run = finish(posecheck(arguments, model_path, cluster))
    assert run.exit_code == 4, run.stderr
    rows = run.stdout.splitlines()[1:4]
    assert [row.split()[0] for row in rows] == [
        f"alice/{CLIPS[0].name}",
        f"bob/{CLIPS[1].name}",
        "bob/bob-missing.mp4",
    ], run.stdout
    assert "/nowhere/bob-missing.mp4" in rows[2], rows[2]
    assert sorted(path.name for path in histories.glob("*.sqlite")) == ["alice.sqlite", "bob.sqlite"]
    for patient, clip in (("alice", CLIPS[0]), ("bob", CLIPS[1])):
        with History(histories / f"{patient}.sqlite") as history:
            stored = history.sessions(with_traces=False)
        assert [Path(session.video_path or "").name for session in stored] == [clip.name], patient
