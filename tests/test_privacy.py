"""Health data kept private: what posecheck writes is readable by its owner only, a camera's
password goes nowhere, names are printed as they are, nothing is left by a command that
saved nothing, and a forgotten session is gone from the file's bytes."""

from __future__ import annotations

import dataclasses
import functools
import http.server
import json
import os
import stat
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from posecheck.credentials import redacted
from posecheck.history.store import History
from posecheck.private_files import private_folder, replacing_privately
from posecheck.terminal_text import shown
from tests.cli.test_cli import (
    COBRA_CLIP,
    Run,
    analyze,
    assert_one_error_line,
    posecheck,
    require_clip,
    require_model,
)
from tests.real_sessions import RealSessions, real_sessions

PASSWORD = "s3cr3t-Pa55"
USER = "physio-user"


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture(scope="module")
def sessions(corpus: Path, model_path: Path, track_cache: Path) -> RealSessions:
    return real_sessions(corpus, model_path, track_cache)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The common umask (022), under which files come out readable by everyone unless made private."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


# --- terminal text and addresses ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("rtsp://user:secret@cam.local:554/stream", "rtsp://***@cam.local:554/stream"),
        ("http://user:pa/ss@w@10.0.0.2/video", "http://***@10.0.0.2/video"),
        (
            "http://10.0.0.2/video.cgi?user=admin&pwd=secret&res=1",
            "http://10.0.0.2/video.cgi?user=***&pwd=***&res=1",
        ),
        ("cannot open http://a:b@h/x: plug in", "cannot open http://***@h/x: plug in"),
        ("http://cam.local/stream", "http://cam.local/stream"),
        ("/home/me/videos/press up.mp4", "/home/me/videos/press up.mp4"),
    ],
)
def test_an_address_loses_its_user_password_and_secret_parameters(address: str, expected: str) -> None:
    assert redacted(address) == expected


@pytest.mark.parametrize(
    ("text", "markup", "expected"),
    [
        ("[red]evil.mp4", False, "[red]evil.mp4"),
        ("[red]evil.mp4", True, "\\[red]evil.mp4"),
        ("a\x1b[2Jb.mp4", False, "a\\x1b[2Jb.mp4"),
        ("line\nbreak\r.mp4", False, "line\\x0abreak\\x0d.mp4"),
        ("name\u202egnp.mp4", False, "name\\u202egnp.mp4"),
        ("caf\udce9.mp4", False, "caf\\xe9.mp4"),  # a Latin-1 byte in a UTF-8 file system
        ("\x9b31m.mp4", False, "\\x9b31m.mp4"),
        ("séance ok.mp4", False, "séance ok.mp4"),
    ],
)
def test_shown_text_has_no_markup_control_character_or_undecodable_byte(
    text: str, markup: bool, expected: str
) -> None:
    assert shown(text, markup=markup) == expected
    assert shown(expected) == expected  # showing twice changes nothing


# --- owner-only files ----------------------------------------------------------------------------


def test_a_renamed_into_place_file_and_the_folders_made_for_it_are_owner_only(tmp_path: Path) -> None:
    target = tmp_path / "made" / "by" / "posecheck" / "report.json"
    with replacing_privately(target) as handle:
        handle.write("{}")
    assert mode(target) == 0o600
    for folder in (target.parent, target.parent.parent, target.parent.parent.parent):
        assert mode(folder) == 0o700


def test_an_existing_folder_keeps_its_mode(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    private_folder(tmp_path / "new")
    assert mode(tmp_path) == 0o755
    assert mode(tmp_path / "new") == 0o700


def test_the_history_its_folder_and_its_log_are_owner_only(sessions: RealSessions, tmp_path: Path) -> None:
    path = tmp_path / "data" / "posecheck" / "history.sqlite"
    with History(path) as history:
        history.save(sessions.childs_pose)
        write_ahead_log = path.with_name(path.name + "-wal")
        assert write_ahead_log.exists()
        assert mode(write_ahead_log) == 0o600
    assert mode(path) == 0o600
    assert mode(path.parent) == mode(path.parent.parent) == 0o700


@dataclasses.dataclass(frozen=True)
class PrivateRun:
    folder: Path
    outputs: Path
    analysed: Run
    report: Run
    export: Run


@pytest.fixture(scope="module")
def private_run(tmp_path_factory: pytest.TempPathFactory) -> PrivateRun:
    """The press-up clip analysed into folders posecheck creates, then its report and export."""
    require_model()
    require_clip(COBRA_CLIP)
    previous = os.umask(0o022)
    try:
        folder = tmp_path_factory.mktemp("private")
        outputs = folder / "out" / "today"
        db = folder / "data" / "history.sqlite"
        analysed = posecheck(
            *analyze(
                COBRA_CLIP,
                "--db",
                db,
                "--json",
                outputs / "session.json",
                "--annotate",
                outputs / "annotated.mp4",
                "--save-track",
                outputs / "track.npz",
            ),
            cwd=folder,
        )
        report = posecheck("report", "--db", db, "--out", outputs / "report.html", cwd=folder)
        export = posecheck(
            "export", "--format", "csv", "--db", db, "--out", outputs / "export.csv", cwd=folder
        )
    finally:
        os.umask(previous)
    return PrivateRun(folder, outputs, analysed, report, export)


@pytest.mark.parametrize(
    "name",
    ["session.json", "annotated.mp4", "track.npz", "report.html", "export.csv", "../../data/history.sqlite"],
)
def test_everything_analyze_report_and_export_write_is_owner_only(private_run: PrivateRun, name: str) -> None:
    for run in (private_run.analysed, private_run.report, private_run.export):
        assert run.exit_code == 0, run.stderr
    assert mode(private_run.outputs / name) == 0o600


def test_the_folders_posecheck_made_for_its_outputs_are_owner_only(private_run: PrivateRun) -> None:
    assert private_run.analysed.exit_code == 0, private_run.analysed.stderr
    assert mode(private_run.outputs) == mode(private_run.outputs.parent) == 0o700
    assert mode(private_run.folder / "data") == 0o700
    assert not [path.name for path in private_run.outputs.iterdir() if path.name.startswith(".")]


def test_a_history_others_can_read_gets_one_warning_line_naming_chmod(
    sessions: RealSessions, tmp_path: Path
) -> None:
    path = tmp_path / "history.sqlite"
    with History(path) as history:
        history.save(sessions.short_press_up)
    path.chmod(0o644)
    run = posecheck("history", "--db", path, cwd=tmp_path)
    assert run.exit_code == 0, run.stderr
    warnings = [line for line in run.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1, run.stderr
    assert "other users" in warnings[0] and f"chmod 600 {path}" in warnings[0]
    path.chmod(0o600)
    assert posecheck("history", "--db", path, cwd=tmp_path).stderr == ""


# --- nothing left by a command that saved nothing -------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ("live", "-e", "prone_press_up", "--camera", "http://127.0.0.1:9/stream", "--no-window", "--quiet"),
        ("live", "-e", "prone_press_up", "--camera", "no-such-clip.mp4", "--no-window", "--quiet"),
        ("analyze", "no-such-clip.mp4", "-e", "prone_press_up", "--no-progress"),
        ("history",),
        ("targets", "show"),
        ("export", "--format", "json"),
    ],
)
def test_a_command_with_nothing_to_save_creates_no_history_nor_its_folder(
    command: tuple[str, ...], tmp_path: Path
) -> None:
    db = tmp_path / "not-yet" / "history.sqlite"
    run = posecheck(*command, "--db", db, cwd=tmp_path)
    assert "Traceback" not in run.stderr
    assert not db.parent.exists(), run.stderr


# --- camera passwords ------------------------------------------------------------------------------


def test_a_camera_password_is_not_printed_when_the_camera_cannot_be_opened(tmp_path: Path) -> None:
    address = f"http://{USER}:{PASSWORD}@127.0.0.1:9/stream"
    for verbose in ((), ("--verbose",)):
        run = posecheck(
            *verbose,
            "live",
            "-e",
            "prone_press_up",
            "--camera",
            address,
            "--no-window",
            "--quiet",
            cwd=tmp_path,
        )
        assert_one_error_line(run, 4, "http://***@127.0.0.1:9/stream")
        assert PASSWORD not in run.stdout + run.stderr and USER not in run.stdout + run.stderr


@functools.cache
def _stream_clip(folder: Path) -> Path:
    """Five seconds of the press-up clip with the person in view, as an MPEG-TS stream file."""
    import imageio_ffmpeg

    clip = folder / "clip.ts"
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-v",
            "error",
            "-ss",
            "2",
            "-t",
            "5",
            "-i",
            str(COBRA_CLIP),
            "-an",
            "-c:v",
            "mpeg4",
            "-q:v",
            "4",
            "-f",
            "mpegts",
            str(clip),
        ],
        check=True,
        timeout=120,
    )
    return clip


class _QuietFiles(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def streamed_session(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A live session from an HTTP stream whose address carries a user and password, saved
    to the history, then reported and exported."""
    require_model()
    require_clip(COBRA_CLIP)
    folder = tmp_path_factory.mktemp("stream")
    served = folder / "served"
    served.mkdir()
    _stream_clip(served)
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietFiles, directory=str(served))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        address = f"http://{USER}:{PASSWORD}@127.0.0.1:{server.server_address[1]}/clip.ts"
        db = folder / "history.sqlite"
        live = posecheck(
            "live", "-e", "prone_press_up", "--camera", address, "--no-window", "--quiet",
            "--json", "live.json", "--db", db, cwd=folder,
        )  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
    runs = {
        "live": live,
        "report": posecheck("report", "--db", db, "--out", "report.html", cwd=folder),
        "export json": posecheck("export", "--format", "json", "--db", db, cwd=folder),
        "export csv": posecheck("export", "--format", "csv", "--db", db, "--out", "export.csv", cwd=folder),
        "history": posecheck("history", "--db", db, cwd=folder),
    }
    return {"folder": folder, "db": db, "runs": runs}


def test_a_camera_password_reaches_no_output_history_report_or_export(streamed_session: dict) -> None:
    folder, db, runs = streamed_session["folder"], streamed_session["db"], streamed_session["runs"]
    assert "Saved as session" in runs["live"].stdout, runs["live"].stdout + runs["live"].stderr
    stored = json.loads((folder / "live.json").read_text())["source"]
    assert stored.startswith("http://***@127.0.0.1:") and stored.endswith("/clip.ts")
    for name, run in runs.items():
        assert "Traceback" not in run.stderr, (name, run.stderr)
        assert PASSWORD not in run.stdout + run.stderr and USER not in run.stdout + run.stderr, name
    assert "http://***@127.0.0.1" in runs["history"].stdout
    files = [
        db,
        db.with_name(db.name + "-wal"),
        folder / "live.json",
        folder / "report.html",
        folder / "export.csv",
    ]
    for path in files:
        if path.exists():
            data = path.read_bytes()
            assert PASSWORD.encode() not in data and USER.encode() not in data, path
    assert (folder / "report.html").exists() and (folder / "export.csv").exists()


def _camera_file(folder: Path, file_mode: int) -> Path:
    path = folder / "camera"
    path.write_text(f"http://{USER}:{PASSWORD}@127.0.0.1:9/stream\n")
    path.chmod(file_mode)
    return path


def test_a_camera_file_others_can_read_is_refused_naming_chmod(tmp_path: Path) -> None:
    camera = _camera_file(tmp_path, 0o644)
    run = posecheck(
        "live", "-e", "prone_press_up", "--camera-file", camera, "--no-window", "--quiet", cwd=tmp_path
    )
    assert_one_error_line(run, 4, f"chmod 600 {camera}")
    assert PASSWORD not in run.stderr


def test_an_owner_only_camera_file_and_the_environment_give_the_address_unprinted(tmp_path: Path) -> None:
    from tests.cli.test_cli import cli_environment

    camera = _camera_file(tmp_path, 0o600)
    from_file = posecheck(
        "live", "-e", "prone_press_up", "--camera-file", camera, "--no-window", "--quiet", cwd=tmp_path
    )
    from_environment = posecheck(
        "live", "-e", "prone_press_up", "--no-window", "--quiet", cwd=tmp_path,
        environment=cli_environment(POSECHECK_CAMERA=camera.read_text().strip()),
    )  # fmt: skip
    for run in (from_file, from_environment):
        assert_one_error_line(run, 4, "cannot open http://***@127.0.0.1:9/stream")
        assert PASSWORD not in run.stdout + run.stderr


# --- names printed as they are ----------------------------------------------------------------------


def test_the_history_lists_a_name_with_markup_and_escapes_as_it_is(
    sessions: RealSessions, tmp_path: Path
) -> None:
    path = tmp_path / "history.sqlite"
    with History(path) as history:
        history.save(dataclasses.replace(sessions.short_press_up, source="[red]evil\x1b]8;;http://x\x07.mp4"))
    run = posecheck("history", "--db", path, cwd=tmp_path)
    assert run.exit_code == 0, run.stderr
    assert "[red]evil\\x1b]8;;http://x\\x07.mp4" in run.stdout
    assert "\x1b" not in run.stdout and "\x07" not in run.stdout


def test_an_error_about_a_crafted_name_is_one_line_without_control_characters(tmp_path: Path) -> None:
    name = "[bold]x\x1b[2J\nfake line.mp4"
    run = posecheck(*analyze(name), cwd=tmp_path)
    line = assert_one_error_line(run, 4, "video not found")
    assert "[bold]x\\x1b[2J\\x0afake line.mp4" in line
    assert "\x1b" not in run.stderr


# --- forgetting -------------------------------------------------------------------------------------


def _history_bytes(path: Path) -> bytes:
    return b"".join(
        candidate.read_bytes()
        for candidate in (path, path.with_name(path.name + "-wal"))
        if candidate.exists()
    )


def test_a_forgotten_session_is_gone_from_the_file_and_the_others_stay(
    sessions: RealSessions, tmp_path: Path
) -> None:
    path = tmp_path / "history.sqlite"
    with History(path) as history:
        kept = history.save(dataclasses.replace(sessions.childs_pose, source="kept-session-marker.mp4"))
        gone = history.save(dataclasses.replace(sessions.press_up, source="forget-me-marker.mp4"))
    assert b"forget-me-marker" in _history_bytes(path)
    run = posecheck("history", "--db", path, "--forget", str(gone), cwd=tmp_path)
    assert run.exit_code == 0, run.stderr
    assert f"Removed session {gone}" in run.stdout
    assert b"forget-me-marker" not in _history_bytes(path)
    with History(path) as history:
        assert [stored.id for stored in history.sessions()] == [kept]
        assert history.connection.execute(
            "SELECT COUNT(*) FROM holds WHERE session_id = ?", (gone,)
        ).fetchone() == (0,)


def test_forget_all_removes_every_session_and_target_from_the_bytes(
    sessions: RealSessions, tmp_path: Path
) -> None:
    path = tmp_path / "history.sqlite"
    with History(path) as history:
        history.save(dataclasses.replace(sessions.childs_pose, source="first-marker.mp4"))
        history.save(dataclasses.replace(sessions.press_up, source="second-marker.mp4"))
    assert (
        posecheck("targets", "set", "prone_press_up", "--hold", "17", "--db", path, cwd=tmp_path).exit_code
        == 0
    )
    title = sessions.childs_pose.title.encode()
    assert title in _history_bytes(path)
    run = posecheck("history", "--db", path, "--forget", "--all", cwd=tmp_path)
    assert run.exit_code == 0, run.stderr
    assert "Removed 2 sessions" in run.stdout
    data = _history_bytes(path)
    assert b"first-marker" not in data and b"second-marker" not in data
    assert title not in data
    with History(path) as history:
        assert history.sessions() == [] and history.targets() == {}


@pytest.mark.parametrize(
    ("options", "exit_code", "mention"),
    [(("--forget", "99"), 9, "posecheck history"), (("--forget",), 2, "--all"), (("--all",), 2, "--forget")],
)
def test_forget_without_a_session_to_remove_is_one_error_line(
    sessions: RealSessions, tmp_path: Path, options: tuple[str, ...], exit_code: int, mention: str
) -> None:
    path = tmp_path / "history.sqlite"
    with History(path) as history:
        history.save(sessions.short_press_up)
    run = posecheck("history", "--db", path, *options, cwd=tmp_path)
    assert_one_error_line(run, exit_code, mention)
    with History(path) as history:
        assert len(history.sessions()) == 1
