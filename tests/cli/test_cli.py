"""The command line as a person uses it: `python -m posecheck` in a subprocess, on real footage
and on broken input, judged by its exit code, its output and the files it writes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from posecheck.rules.registry import available_exercises

SHARED = Path(__file__).resolve().parents[3] / "shared"
CORPUS = SHARED / "corpus"
VIDEOS = CORPUS / "videos"
SHARED_MODEL = SHARED / "models" / "pose_landmarker_full.task"
COBRA_CLIP = VIDEOS / "prone_press_up__fitsens_cobra_stretch_man.mp4"  # 15 s, one hold at 3-11 s
LONG_CLIP = VIDEOS / "prone_press_up__flowai_bhujangasana_man_side.mp4"  # 68 s
PERSON_CLIP = VIDEOS / "confuser__flowai_cat_cow_home.mp4"  # 14.5 s, a person on all fours
EXERCISE_NAMES = tuple(available_exercises())
RUN_TIMEOUT_S = 300.0
SECONDS_ANALYSED_BEFORE_CTRL_C = 6.0
# mp4v re-encoding alone moves no pixel by this much; the overlay's panel, text and skeleton do.
OVERLAY_PIXEL_CHANGE = 40


def _pose_model() -> tuple[Path | None, str]:
    """$POSECHECK_MODEL when set, else the shared reference bundle; None, with why, when neither."""
    named = os.environ.get("POSECHECK_MODEL", "")
    if named:
        path = Path(named).expanduser()
        if path.is_file():
            return path, ""
        return None, f"$POSECHECK_MODEL names {path}, which does not exist"
    if SHARED_MODEL.is_file():
        return SHARED_MODEL, ""
    return None, f"no pose model: set POSECHECK_MODEL or put the bundle at {SHARED_MODEL}"


POSE_MODEL, NO_MODEL_REASON = _pose_model()


def require_model() -> Path:
    if POSE_MODEL is None:
        pytest.skip(NO_MODEL_REASON)
    return POSE_MODEL


def require_clip(clip: Path) -> Path:
    if not clip.is_file():
        pytest.skip(f"the shared corpus clip {clip} is absent")
    return clip


def cli_environment(**overrides: str) -> dict[str, str]:
    environment = dict(os.environ)
    environment.pop("POSECHECK_MODEL", None)
    if POSE_MODEL is not None:
        environment["POSECHECK_MODEL"] = str(POSE_MODEL)
    environment.update(overrides)
    return environment


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str


def posecheck(*arguments: str | Path, cwd: Path, environment: dict[str, str] | None = None) -> Run:
    completed = subprocess.run(
        [sys.executable, "-m", "posecheck", *map(str, arguments)],
        cwd=cwd,
        env=environment if environment is not None else cli_environment(),
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
    )
    return Run(completed.returncode, completed.stdout, completed.stderr)


def analyze(video: str | Path, *options: str | Path, exercise: str = "prone_press_up") -> list[str | Path]:
    return ["analyze", video, "--exercise", exercise, *options, "--no-progress"]


def assert_one_error_line(run: Run, exit_code: int, *mentions: str) -> str:
    """The documented exit code, no traceback, and one `posecheck: error:` line, last on stderr,
    naming the problem and its fix (``mentions``, any case)."""
    assert run.exit_code == exit_code, run.stderr
    assert "Traceback" not in run.stdout + run.stderr, run.stderr
    own_lines = [line for line in run.stderr.splitlines() if line.startswith("posecheck:")]
    assert len(own_lines) == 1, run.stderr
    (line,) = own_lines
    assert line.startswith("posecheck: error: "), line
    assert run.stderr.rstrip("\n").splitlines()[-1] == line, run.stderr
    for mention in mentions:
        assert mention.lower() in line.lower(), line
    return line


def assert_stderr_is_only_the_error_line(run: Run) -> None:
    lines = run.stderr.splitlines()
    assert len(lines) == 1, f"{len(lines)} lines on stderr:\n{run.stderr}"
    assert lines[0].startswith("posecheck: error: ")


def clip_duration_s(video: Path) -> float:
    capture = cv2.VideoCapture(str(video))
    try:
        return capture.get(cv2.CAP_PROP_FRAME_COUNT) / capture.get(cv2.CAP_PROP_FPS)
    finally:
        capture.release()


def frames(video: Path) -> Iterator[np.ndarray]:
    capture = cv2.VideoCapture(str(video))
    assert capture.isOpened(), f"OpenCV cannot open {video}"
    try:
        while True:
            ok, image = capture.read()
            if not ok:
                return
            yield image
    finally:
        capture.release()


# --- a real run -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RealRun:
    run: Run
    report: Path
    annotated: Path


@pytest.fixture(scope="module")
def cobra_run(tmp_path_factory: pytest.TempPathFactory) -> RealRun:
    """The press-up clip analysed once (about 20 s); several tests read the result."""
    require_model()
    require_clip(COBRA_CLIP)
    folder = tmp_path_factory.mktemp("cobra")
    report, annotated = folder / "out" / "session.json", folder / "out" / "annotated.mp4"
    run = posecheck(*analyze(COBRA_CLIP, "--json", report, "--annotate", annotated), cwd=folder)
    return RealRun(run, report, annotated)


def test_press_up_clip_exits_0_and_summarises_its_one_rep_and_hold(cobra_run: RealRun) -> None:
    run = cobra_run.run
    assert run.exit_code == 0, run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    assert "Reps: 1 / 10" in run.stdout
    hold_lines = [line for line in run.stdout.splitlines() if line.strip().startswith("Hold ")]
    assert len(hold_lines) == 1, run.stdout
    assert "held " in hold_lines[0] and "of 10 s" in hold_lines[0], hold_lines[0]
    assert f"Report written to {cobra_run.report}" in run.stdout
    assert f"Annotated video written to {cobra_run.annotated}" in run.stdout


REPORT_TYPES: dict[str, tuple[type, ...]] = {
    "exercise": (str,),
    "duration_s": (float,),
    "reps": (int,),
    "holds": (list,),
}
HOLD_TYPES: dict[str, tuple[type, ...]] = {
    "start_s": (float,),
    "end_s": (float,),
    "duration_s": (float,),
    "complete": (bool,),
    "side": (type(None), str),
    "target_s": (float,),
    "met": (bool,),
    "key_angle_deg": (float, type(None)),
    "faults": (list,),
}
FAULT_TYPES: dict[str, tuple[type, ...]] = {
    "kind": (str,),
    "cue": (str,),
    "start_s": (float,),
    "end_s": (float,),
}


def assert_shape(record: dict[str, Any], types: dict[str, tuple[type, ...]]) -> None:
    """Every documented key is there with its documented type (exactly: a bool is not an int)."""
    missing = set(types) - set(record)
    assert not missing, f"missing keys {sorted(missing)} in {record}"
    for key, allowed in types.items():
        assert type(record[key]) in allowed, f"{key} = {record[key]!r}, expected {allowed}"


def test_press_up_json_report_has_the_documented_keys_and_types(cobra_run: RealRun) -> None:
    assert cobra_run.run.exit_code == 0, cobra_run.run.stderr
    report = json.loads(cobra_run.report.read_text())
    assert_shape(report, REPORT_TYPES)
    assert report["exercise"] == "prone_press_up"
    assert report["reps"] == 1
    assert report["holds"], report
    for hold in report["holds"]:
        assert_shape(hold, HOLD_TYPES)
        assert hold["side"] in (None, "left", "right", "both")
        for fault in hold["faults"]:
            assert_shape(fault, FAULT_TYPES)


def test_press_up_json_report_times_the_one_hold_from_about_3_s_to_11_s(cobra_run: RealRun) -> None:
    assert cobra_run.run.exit_code == 0, cobra_run.run.stderr
    report = json.loads(cobra_run.report.read_text())
    (hold,) = report["holds"]
    assert 2.0 <= hold["start_s"] <= 4.0
    assert 10.0 <= hold["end_s"] <= 12.0
    assert hold["complete"] is True
    assert hold["duration_s"] <= hold["end_s"] - hold["start_s"] + 0.05
    assert report["duration_s"] == pytest.approx(clip_duration_s(COBRA_CLIP), abs=0.5)


def test_annotated_video_has_the_input_frames_and_size_with_the_overlay_drawn(cobra_run: RealRun) -> None:
    assert cobra_run.run.exit_code == 0, cobra_run.run.stderr
    input_count = sum(1 for _ in frames(COBRA_CLIP))
    annotated_count = sum(1 for _ in frames(cobra_run.annotated))
    assert abs(annotated_count - input_count) <= 1, (annotated_count, input_count)
    changed_fractions = []
    pairs = zip(frames(COBRA_CLIP), frames(cobra_run.annotated), strict=False)  # may differ by one
    for index, (original, annotated) in enumerate(pairs):
        assert annotated.shape == original.shape, index
        if index % 30 == 0:
            change = cv2.absdiff(original, annotated).max(axis=2)
            changed_fractions.append(float((change > OVERLAY_PIXEL_CHANGE).mean()))
    assert changed_fractions, "no frame to compare"
    assert min(changed_fractions) > 0.002, changed_fractions
    assert float(np.mean(changed_fractions)) > 0.02, changed_fractions


# --- bad input --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Inputs:
    """Broken and odd inputs, made once in a scratch folder."""

    folder: Path
    text_clip: Path
    empty_clip: Path
    blank_clip: Path
    truncated_clip: Path | None
    corrupt_model: Path
    regular_file: Path


def write_blank_video(path: Path, seconds: float = 3.0, fps: int = 25) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (320, 240))
    assert writer.isOpened(), "OpenCV cannot write mp4v here"
    for _ in range(int(seconds * fps)):
        writer.write(np.zeros((240, 320, 3), np.uint8))
    writer.release()
    return path


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Inputs:
    folder = tmp_path_factory.mktemp("bad_input")
    text_clip = folder / "clip.mp4"
    text_clip.write_text("this is a text file, not a video\n")
    empty_clip = folder / "empty.mp4"
    empty_clip.write_bytes(b"")
    truncated_clip = None
    if COBRA_CLIP.is_file():
        whole = COBRA_CLIP.read_bytes()
        truncated_clip = folder / "truncated.mp4"
        truncated_clip.write_bytes(whole[: len(whole) * 40 // 100])
    corrupt_model = folder / "corrupt.task"
    corrupt_model.write_bytes(np.random.default_rng(7).bytes(200_000))
    regular_file = folder / "a_file"
    regular_file.write_text("not a folder\n")
    return Inputs(
        folder=folder,
        text_clip=text_clip,
        empty_clip=empty_clip,
        blank_clip=write_blank_video(folder / "blank.mp4"),
        truncated_clip=truncated_clip,
        corrupt_model=corrupt_model,
        regular_file=regular_file,
    )


@dataclass(frozen=True)
class BadInput:
    name: str
    arguments: Callable[[Inputs], list[str | Path]]
    exit_code: int
    mentions: tuple[str, ...]  # the problem and its fix, as the error line must name them
    environment: dict[str, str] = field(default_factory=dict)
    needs_model: bool = True
    needs_corpus: bool = False
    prints_summary: bool | None = False  # None: either is right

    @property
    def id(self) -> str:
        return f"{self.name}_exits_{self.exit_code}"


MISSING_MODEL_MENTIONS = ("/nonexistent.task", "does not exist", "posecheck models install")

BAD_INPUTS = (
    BadInput(
        "missing_video",
        lambda inputs: analyze(inputs.folder / "missing.mp4"),
        exit_code=4,
        mentions=("missing.mp4", "not found", "check the path"),
    ),
    BadInput(
        "text_file_named_mp4",
        lambda inputs: analyze(inputs.text_clip),
        exit_code=4,
        mentions=("clip.mp4", "cannot read", "give an mp4"),
    ),
    BadInput(
        "zero_length_video",
        lambda inputs: analyze(inputs.empty_clip),
        exit_code=4,
        mentions=("empty.mp4", "0 bytes", "export the video again"),
    ),
    BadInput(
        "truncated_video",
        lambda inputs: analyze(inputs.truncated_clip or "", "--json", inputs.folder / "truncated.json"),
        exit_code=4,
        mentions=("truncated.mp4", "truncated", "re-export"),
        needs_corpus=True,
        prints_summary=True,
    ),
    BadInput(
        "video_without_a_person",
        lambda inputs: analyze(inputs.blank_clip),
        exit_code=5,
        mentions=("blank.mp4", "no person", "film the whole body"),
        prints_summary=None,
    ),
    BadInput(
        "unknown_exercise",
        lambda inputs: analyze(inputs.blank_clip, exercise="cobra"),
        exit_code=6,
        mentions=("unknown exercise", "cobra", *EXERCISE_NAMES),
        needs_model=False,
    ),
    BadInput(
        "missing_model_given_with_option",
        lambda inputs: analyze(inputs.blank_clip, "--model", "/nonexistent.task"),
        exit_code=3,
        mentions=(*MISSING_MODEL_MENTIONS, "--model"),
        needs_model=False,
    ),
    BadInput(
        "missing_model_named_by_environment",
        lambda inputs: analyze(inputs.blank_clip),
        exit_code=3,
        mentions=(*MISSING_MODEL_MENTIONS, "POSECHECK_MODEL"),
        environment={"POSECHECK_MODEL": "/nonexistent.task"},
        needs_model=False,
    ),
    BadInput(
        "corrupt_model",
        lambda inputs: analyze(inputs.blank_clip, "--model", inputs.corrupt_model),
        exit_code=3,
        mentions=("corrupt.task", "not a usable model", "posecheck models install"),
        needs_model=False,
    ),
    BadInput(
        "unwritable_json_path",
        lambda inputs: analyze(PERSON_CLIP, "--stride", "10", "--json", inputs.regular_file / "report.json"),
        exit_code=7,
        mentions=("report.json", "cannot write", "writable path"),
        needs_corpus=True,
        prints_summary=True,
    ),
)
BAD_INPUT_NAMED = {case.name: case for case in BAD_INPUTS}


@pytest.fixture(scope="module")
def bad_input_run(inputs: Inputs) -> Callable[[BadInput], Run]:
    """Runs each case once, however many tests look at it."""
    runs: dict[str, Run] = {}

    def run(case: BadInput) -> Run:
        if case.needs_model:
            require_model()
        if case.needs_corpus:
            require_clip(COBRA_CLIP)
            require_clip(PERSON_CLIP)
        if case.name not in runs:
            runs[case.name] = posecheck(
                *case.arguments(inputs), cwd=inputs.folder, environment=cli_environment(**case.environment)
            )
        return runs[case.name]

    return run


@pytest.mark.parametrize("case", BAD_INPUTS, ids=lambda case: case.id)
def test_bad_input_is_one_error_line_naming_the_fix_with_its_documented_exit_code(
    case: BadInput, bad_input_run: Callable[[BadInput], Run]
) -> None:
    run = bad_input_run(case)
    assert_one_error_line(run, case.exit_code, *case.mentions)
    if case.prints_summary is True:
        assert "Reps: " in run.stdout, run.stdout
    elif case.prints_summary is False:
        assert run.stdout == ""


@pytest.mark.parametrize("case", BAD_INPUTS, ids=lambda case: case.id)
def test_bad_input_leaves_nothing_on_stderr_but_the_error_line(
    case: BadInput, bad_input_run: Callable[[BadInput], Run]
) -> None:
    assert_stderr_is_only_the_error_line(bad_input_run(case))


def test_truncated_video_is_summarised_and_saved_up_to_where_it_breaks(
    bad_input_run: Callable[[BadInput], Run], inputs: Inputs
) -> None:
    run = bad_input_run(BAD_INPUT_NAMED["truncated_video"])
    assert run.exit_code != 0
    assert "ended early" in run.stdout, run.stdout
    report = json.loads((inputs.folder / "truncated.json").read_text())
    assert report["ended_early"] is True
    assert 0.0 < report["duration_s"] < clip_duration_s(COBRA_CLIP) * 0.8


def test_unwritable_json_path_leaves_no_report_behind(
    bad_input_run: Callable[[BadInput], Run], inputs: Inputs
) -> None:
    run = bad_input_run(BAD_INPUT_NAMED["unwritable_json_path"])
    assert run.exit_code == 7, run.stderr
    assert "Report written" not in run.stdout
    assert inputs.regular_file.read_text() == "not a folder\n"


# --- the other commands -----------------------------------------------------------------------


def test_exercises_command_lists_the_three_exercises_with_their_cues(tmp_path: Path) -> None:
    from posecheck.rules.registry import available_exercises

    run = posecheck("exercises", cwd=tmp_path)
    assert run.exit_code == 0, run.stderr
    listed = {line.split(":")[0] for line in run.stdout.splitlines() if line and not line.startswith(" ")}
    assert set(EXERCISE_NAMES) <= listed, run.stdout
    exercises = available_exercises()
    for name in EXERCISE_NAMES:
        assert exercises[name].checks, name
        for check in exercises[name].checks:
            assert f'"{check.cue}"' in run.stdout, check.cue
    assert "Keep your hips and pelvis on the mat." in run.stdout


def test_models_path_prints_the_model_named_by_the_environment(tmp_path: Path) -> None:
    model = require_model()
    run = posecheck("models", "path", cwd=tmp_path, environment=cli_environment(POSECHECK_MODEL=str(model)))
    assert run.exit_code == 0, run.stderr
    assert run.stdout.strip() == str(model)


def test_models_path_prints_the_model_given_with_the_option(tmp_path: Path) -> None:
    model = require_model()
    environment = cli_environment()
    environment.pop("POSECHECK_MODEL", None)
    run = posecheck("models", "path", "--model", model, cwd=tmp_path, environment=environment)
    assert run.exit_code == 0, run.stderr
    assert run.stdout.strip() == str(model)


# --- Ctrl-C -----------------------------------------------------------------------------------


def _default_sigint() -> None:
    """A child of a shell that ignores SIGINT would inherit that, and Python would keep ignoring it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_until(condition: Callable[[], bool], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@dataclass(frozen=True)
class InterruptedRun:
    run: Run
    report: Path
    annotated: Path


def run_and_interrupt(folder: Path, arguments: list[str | Path], ready: Callable[[int], bool]) -> Run:
    """Starts posecheck, sends SIGINT once ``ready(pid)``, and collects what it did."""
    stdout_path, stderr_path = folder / "stdout.txt", folder / "stderr.txt"
    with stdout_path.open("w") as stdout, stderr_path.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "posecheck", *map(str, arguments)],
            cwd=folder,
            env=cli_environment(),
            stdout=stdout,
            stderr=stderr,
            preexec_fn=_default_sigint,
        )
        try:
            started = wait_until(lambda: process.poll() is not None or ready(process.pid), RUN_TIMEOUT_S)
            if not started or process.poll() is not None:
                pytest.fail(f"posecheck was never ready to interrupt:\n{stderr_path.read_text()}")
            process.send_signal(signal.SIGINT)
            exit_code = process.wait(timeout=RUN_TIMEOUT_S)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    return Run(exit_code, stdout_path.read_text(), stderr_path.read_text())


@pytest.fixture(scope="module")
def interrupted_run(tmp_path_factory: pytest.TempPathFactory) -> InterruptedRun:
    """The long clip, Ctrl-C after some seconds of analysis.

    The annotated video is opened at the first analysed frame: its appearance says analysis
    has started (model loading and imports are behind it).
    """
    if sys.platform == "win32":
        pytest.skip("SIGINT to a child process is POSIX only")
    require_model()
    require_clip(LONG_CLIP)
    folder = tmp_path_factory.mktemp("interrupted")
    report, annotated = folder / "session.json", folder / "annotated.mp4"

    def analysing_for_a_while(_pid: int) -> bool:
        if not annotated.exists():
            return False
        time.sleep(SECONDS_ANALYSED_BEFORE_CTRL_C)
        return True

    arguments = analyze(LONG_CLIP, "--json", report, "--annotate", annotated)
    return InterruptedRun(run_and_interrupt(folder, arguments, analysing_for_a_while), report, annotated)


def test_ctrl_c_exits_130_with_one_line_after_printing_the_summary(interrupted_run: InterruptedRun) -> None:
    run = interrupted_run.run
    assert_one_error_line(run, 130, "interrupted")
    assert "Reps: " in run.stdout, run.stdout
    assert "interrupted" in run.stdout, run.stdout


def test_ctrl_c_saves_the_json_report_of_what_was_recorded(interrupted_run: InterruptedRun) -> None:
    assert interrupted_run.run.exit_code == 130, interrupted_run.run.stderr
    report = json.loads(interrupted_run.report.read_text())
    assert report["interrupted"] is True
    assert 0.0 < report["duration_s"] < clip_duration_s(LONG_CLIP) - 10.0
    assert_shape(report, REPORT_TYPES)
    assert sum(1 for _ in frames(interrupted_run.annotated)) > 0


def test_ctrl_c_is_not_reported_as_a_truncated_video(interrupted_run: InterruptedRun) -> None:
    assert interrupted_run.run.exit_code == 130, interrupted_run.run.stderr
    report = json.loads(interrupted_run.report.read_text())
    assert report["ended_early"] is False
    assert "ended early" not in interrupted_run.run.stdout


def test_ctrl_c_leaves_nothing_on_stderr_but_the_error_line(interrupted_run: InterruptedRun) -> None:
    assert_stderr_is_only_the_error_line(interrupted_run.run)


def rules_processes_of(pid: int) -> list[int]:
    """The rules' processes ``pid`` started (``posecheck.analysis.beside``), by their ids."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
            command = (status.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid) and b"posecheck.analysis.beside" in command:
            found.append(int(status.parent.name))
    return found


def test_ctrl_c_with_the_rules_beside_the_model_keeps_what_was_recorded_and_ends_their_process(
    tmp_path: Path,
) -> None:
    """Without a drawing to make, the rules run in a process of their own: Ctrl-C reaches
    only posecheck, which collects what the rules recorded, reports it, and ends them."""
    if not Path("/proc/self/status").is_file():
        pytest.skip("needs /proc to find the rules' process")
    require_model()
    require_clip(LONG_CLIP)
    report = tmp_path / "session.json"
    rules: list[int] = []

    def analysing_for_a_while(pid: int) -> bool:
        rules.extend(rules_processes_of(pid))
        if not rules:
            return False
        time.sleep(SECONDS_ANALYSED_BEFORE_CTRL_C)
        return True

    run = run_and_interrupt(tmp_path, analyze(LONG_CLIP, "--json", report), analysing_for_a_while)
    assert_one_error_line(run, 130, "interrupted")
    recorded = json.loads(report.read_text())
    assert recorded["interrupted"] is True and recorded["ended_early"] is False
    assert 0.0 < recorded["duration_s"] < clip_duration_s(LONG_CLIP) - 10.0
    assert not any(Path(f"/proc/{pid}").exists() for pid in rules), "the rules' process outlived posecheck"


def has_loaded_opencv(pid: int) -> bool:
    try:
        return "/cv2/" in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


def test_ctrl_c_during_start_up_is_one_line_with_exit_130(tmp_path: Path) -> None:
    if not Path("/proc/self/maps").is_file():
        pytest.skip("needs /proc to see when the process loads OpenCV")
    run = run_and_interrupt(tmp_path, analyze(tmp_path / "any.mp4"), has_loaded_opencv)
    assert run.exit_code == 130, run.stderr
    assert "Traceback" not in run.stderr, run.stderr
    own_lines = [line for line in run.stderr.splitlines() if line.startswith("posecheck:")]
    assert len(own_lines) == 1 and "interrupted" in own_lines[0], run.stderr
