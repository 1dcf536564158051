"""Fuzzing every input posecheck reads, through the real command line.

Each case is one ``posecheck`` run in its own process, in its own folder holding a copy of a
history with two real sessions, on one damaged input: random or truncated bytes, wrong types,
zero or huge sizes, crafted names. It passes when posecheck answers with the exit code
documented for that input and, on an error, one ``posecheck: error:`` line; with no
traceback, no control character or camera password on the terminal, no hang past the
timeout, and every session the history held before the run still there (for a damaged
history given as the history, every session that could be read from it before).

``tests/test_input_fuzz.py`` runs a few dozen cases with a fixed seed; ``bench/fuzz_inputs.py``
runs more and prints the table of the README's reliability section.
"""

from __future__ import annotations

import dataclasses
import io
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

HISTORY = "history.sqlite"
PASSWORD = "pw-Fz9q"
CASE_TIMEOUT_S = 60.0
KINDS = (
    "video",
    "GIF",
    "image",
    "landmark track",
    "history",
    "history values (JSON)",
    "camera URL",
    "file name",
)


@dataclasses.dataclass(frozen=True)
class Seeds:
    """The real inputs the cases are made from."""

    folder: Path
    video: Path  # a few seconds of a corpus clip with a person
    track: Path  # its landmark track
    history: Path  # a history holding two sessions of it
    session_ids: tuple[int, ...]


@dataclasses.dataclass(frozen=True)
class Case:
    kind: str
    name: str
    arguments: tuple[str | bytes, ...]  # run in the case's folder; --db is added
    exit_codes: frozenset[int]
    files: dict[str | bytes, bytes] = dataclasses.field(default_factory=dict)
    sparse_sizes: dict[str, int] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Outcome:
    case: Case
    exit_code: int | None  # None: killed after the timeout
    as_expected: bool
    traceback: bool
    sessions_lost: bool
    problem: str
    seconds: float


def _posecheck(arguments: list[str | bytes], cwd: Path, timeout_s: float) -> tuple[int | None, bytes, bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "posecheck", *arguments],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        stdout, stderr = process.communicate()
        return None, stdout, stderr
    return process.returncode, stdout, stderr


def make_seeds(folder: Path, clip: Path, seconds: float = 4.0) -> Seeds:
    """An excerpt of ``clip``, its track and a history of two sessions (runs the model once)."""
    from posecheck.pipeline.source import write_excerpt

    folder.mkdir(parents=True, exist_ok=True)
    video = write_excerpt(clip, seconds, folder / "seed.mp4")
    history, track = folder / "seed.sqlite", folder / "seed.npz"
    first = ["analyze", str(video), "-e", "prone_press_up", "--no-progress", "--save-track", str(track)]
    for arguments in (first, ["replay", str(track), "-e", "prone_press_up", "--save"]):
        code, _, stderr = _posecheck([*arguments, "--db", str(history)], folder, 300.0)
        assert code == 0, stderr.decode(errors="replace")
    with sqlite3.connect(history) as connection:
        ids = tuple(row[0] for row in connection.execute("SELECT id FROM sessions ORDER BY id"))
    assert len(ids) == 2, ids
    return Seeds(folder, video, track, history, ids)


# --- damage ---------------------------------------------------------------------------------------


def _random_bytes(rng: random.Random, size: int) -> bytes:
    return rng.randbytes(size)


def _truncated(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(0, max(1, len(data)))]


def _flipped(rng: random.Random, data: bytes, flips: int = 20) -> bytes:
    damaged = bytearray(data)
    for _ in range(flips):
        damaged[rng.randrange(len(damaged))] = rng.randrange(256)
    return bytes(damaged)


def _spliced(rng: random.Random, data: bytes) -> bytes:
    """The start of a real file followed by noise: a recording cut and overwritten."""
    cut = rng.randrange(len(data) // 8, len(data))
    return data[:cut] + rng.randbytes(rng.randrange(1, 64 * 1024))


def _damaged_bytes(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    how = rng.choice(("random", "truncated", "flipped", "spliced", "zero"))
    if how == "random":
        return how, _random_bytes(rng, rng.choice((1, 7, 512, 40_000)))
    if how == "truncated":
        return how, _truncated(rng, data)
    if how == "flipped":
        return how, _flipped(rng, data, rng.choice((1, 20, 500)))
    if how == "spliced":
        return how, _spliced(rng, data)
    return how, b""


# --- cases per input kind -------------------------------------------------------------------------

ANALYZE = ("-e", "prone_press_up", "--no-progress")
READ_VIDEO = frozenset({0, 4, 5})  # analysed (a cut that still reads), damaged, or nobody in it


def video_case(rng: random.Random, seeds: Seeds) -> Case:
    data = seeds.video.read_bytes()
    if rng.random() < 0.1:
        return Case(
            "video",
            "huge sparse file",
            ("analyze", "v.mp4", *ANALYZE),
            frozenset({4}),
            sparse_sizes={"v.mp4": 3 << 30},
        )
    how, damaged = _damaged_bytes(rng, data)
    return Case(
        "video", how, ("analyze", "v.mp4", *ANALYZE, "--json", "out.json"), READ_VIDEO, {"v.mp4": damaged}
    )


def _gif(rng: random.Random) -> bytes:
    from PIL import Image

    frames = [
        Image.fromarray(np.frombuffer(rng.randbytes(64 * 48 * 3), dtype=np.uint8).reshape(48, 64, 3))
        for _ in range(rng.randrange(1, 6))
    ]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return buffer.getvalue()


def gif_case(rng: random.Random, seeds: Seeds) -> Case:
    how, data = _damaged_bytes(rng, _gif(rng))
    if rng.random() < 0.3:
        how, data = "whole, noise frames", _gif(rng)
    return Case("GIF", how, ("analyze", "clip.gif", *ANALYZE), READ_VIDEO, {"clip.gif": data})


def _image(rng: random.Random, extension: str) -> bytes:
    import cv2

    picture = np.frombuffer(rng.randbytes(40 * 30 * 3), dtype=np.uint8).reshape(30, 40, 3)
    ok, encoded = cv2.imencode(extension, picture)
    assert ok
    return encoded.tobytes()


def image_case(rng: random.Random, seeds: Seeds) -> Case:
    extension = rng.choice((".jpg", ".png"))
    data = _image(rng, extension)
    how = "whole"
    if rng.random() < 0.6:
        how, data = rng.choice((("truncated", _truncated(rng, data)), ("flipped", _flipped(rng, data, 5))))
    return Case(
        "image",
        f"{extension} {how}",
        ("analyze", f"photo{extension}", *ANALYZE),
        READ_VIDEO,
        {f"photo{extension}": data},
    )


def _npz(arrays: dict[str, object]) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # type: ignore[arg-type]
    return buffer.getvalue()


def _wrong_track(rng: random.Random, seeds: Seeds) -> tuple[str, bytes]:
    with np.load(seeds.track, allow_pickle=False) as archive:
        arrays: dict[str, object] = {name: archive[name] for name in archive.files}
    name = rng.choice(sorted(arrays))
    how = rng.choice(("text", "empty", "scalar", "huge count", "nan", "object", "missing", "shape"))
    if how == "text":
        arrays[name] = np.array(["not", "numbers"])
    elif how == "empty":
        arrays[name] = np.zeros((0,))
    elif how == "scalar":
        arrays[name] = np.float64(rng.random())
    elif how == "huge count":
        arrays["times"] = np.arange(2_000_000, dtype=np.float64)
    elif how == "nan":
        arrays[name] = np.full(np.shape(arrays[name]), np.nan)
    elif how == "object":
        return f"{how} {name}", _pickled_npz(arrays, name)
    elif how == "missing":
        del arrays[name]
    else:
        arrays[name] = np.zeros((3, 5, 7))
    return f"{how} {name}", _npz(arrays)


def _pickled_npz(arrays: dict[str, object], name: str) -> bytes:
    arrays = dict(arrays)
    arrays[name] = np.array([{"a": 1}, None], dtype=object)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # type: ignore[arg-type]
    return buffer.getvalue()


def track_case(rng: random.Random, seeds: Seeds) -> Case:
    command = ("replay", "t.npz", "-e", "prone_press_up", "--save")
    if rng.random() < 0.1:
        return Case(
            "landmark track", "huge sparse file", command, frozenset({4}), sparse_sizes={"t.npz": 3 << 30}
        )
    if rng.random() < 0.5:
        how, data = _wrong_track(rng, seeds)
    else:
        how, data = _damaged_bytes(rng, seeds.track.read_bytes())
    return Case("landmark track", how, command, frozenset({0, 4, 5}), {"t.npz": data})


HISTORY_COMMANDS = (
    ("history",),
    ("export", "--format", "json"),
    ("export", "--format", "csv"),
    ("report", "--last", "--out", "r.html"),
    ("targets", "show"),
)
READ_HISTORY = frozenset({0, 6, 8, 9})  # read, an exercise this posecheck lacks, damaged, or empty


def history_case(rng: random.Random, seeds: Seeds) -> Case:
    command = rng.choice(HISTORY_COMMANDS)
    if rng.random() < 0.1:
        return Case(
            "history",
            "huge sparse file",
            command,
            frozenset({8}),
            sparse_sizes={HISTORY: 3 << 30},
        )
    how, data = _damaged_bytes(rng, seeds.history.read_bytes())
    return Case("history", f"{how}, {command[0]}", command, READ_HISTORY, {HISTORY: data})


_WRONG_VALUES: tuple[tuple[str, str], ...] = (
    ("notes", "'{not json'"),
    ("notes", "'[1, {\"a\": null}]'"),
    ("notes", "x'ff00fe'"),
    ("started_at", "42"),
    ("started_at", "'yesterday'"),
    ("exercise", "'handstand'"),
    ("duration_s", "'long'"),
    ("frames", "-5"),
    ("title", "'[red]title\x1b[2J'"),
    ("source", "'[blink]x\x1b]8;;http://u:" + PASSWORD + "@h\x07.mp4'"),
    ("reps_target", "'many'"),
)


def history_values_case(rng: random.Random, seeds: Seeds) -> Case:
    """A history whose values (its notes are JSON) were changed by something else than posecheck."""
    column, value = rng.choice(_WRONG_VALUES)
    table_updates = [f"UPDATE sessions SET {column} = {value}"]
    if rng.random() < 0.4:
        blob = rng.choice(("x'00'", "x'789c'", "zeroblob(9)", "'text'"))
        table_updates.append(
            f"UPDATE key_angle_traces SET {rng.choice(('times', 'angles', 'phases'))} = {blob}"
        )
    data = _edited_history(seeds.history, table_updates)
    command = rng.choice(HISTORY_COMMANDS)
    name = f"{column} = {value[:20]!r}, {command[0]}"
    return Case("history values (JSON)", name, command, READ_HISTORY, {HISTORY: data})


def _edited_history(history: Path, statements: list[str]) -> bytes:
    copy = history.with_name(f".edit-{os.getpid()}-{time.monotonic_ns()}.sqlite")
    shutil.copyfile(history, copy)
    try:
        connection = sqlite3.connect(copy)
        connection.execute("PRAGMA ignore_check_constraints = ON")
        for statement in statements:
            connection.execute(statement)
        connection.commit()
        connection.execute("PRAGMA journal_mode = DELETE")
        connection.close()
        return copy.read_bytes()
    finally:
        copy.unlink(missing_ok=True)
        for suffix in ("-wal", "-shm", "-journal"):
            copy.with_name(copy.name + suffix).unlink(missing_ok=True)


def _crafted_text(rng: random.Random) -> str:
    pieces = (
        "[red]", "[/]", "[link=http://x]", "\x1b[2J", "\x1b]8;;http://x\x07", "\r", "\n", "\t", "\x00",
        "\u202e", "\u200b", "\x9b", "é", "😀", "..", "%s", "{}", "'", '"', "\\", "*", "?", " ",
    )  # fmt: skip
    return "".join(
        rng.choice(pieces) if rng.random() < 0.4 else rng.choice("abcxyz019_-.")
        for _ in range(rng.randrange(1, 24))
    )


def camera_case(rng: random.Random, seeds: Seeds) -> Case:
    scheme = rng.choice(("http", "https", "rtsp", "rtmp", "ftp", "file", "foo", "tcp"))
    port = rng.choice((9, 1, 65535))
    host = rng.choice(("127.0.0.1", "[::1]", "127.0.0.1:99999", "", "127.0.0.1:abc"))
    path = _crafted_text(rng).replace("\x00", "")
    user = rng.choice(("", "admin:", "user:", "a@b:"))
    address = f"{scheme}://{user}{PASSWORD}@{host}{'' if ':' in host else f':{port}'}/{path}"
    if rng.random() < 0.15:
        address += "?pwd=" + PASSWORD + "&x=" + "A" * rng.choice((10, 20_000))
    command = ("live", "-e", "prone_press_up", "--camera", address, "--no-window", "--quiet")
    return Case("camera URL", f"{scheme}, {len(address)} chars", command, frozenset({4}))


def _crafted_name(rng: random.Random) -> bytes:
    name = _crafted_text(rng).replace("/", "_").replace("\x00", "").encode("utf-8", "surrogateescape")
    if rng.random() < 0.4:
        name += bytes([rng.randrange(0x80, 0x100)])  # not UTF-8
    if rng.random() < 0.1:
        name = name * (300 // max(1, len(name)) + 1)  # longer than a file name may be
    return (name or b"x").lstrip(b"-") + b".mp4"


def file_name_case(rng: random.Random, seeds: Seeds) -> Case:
    name = _crafted_name(rng)
    what = rng.choice(
        ("missing video", "empty video", "track to a crafted JSON name", "crafted output folder")
    )
    if what == "missing video":
        return Case("file name", what, ("analyze", name, *ANALYZE), frozenset({4}))
    if what == "empty video":
        files = {name: b""} if len(name) < 255 else {}
        return Case("file name", what, ("analyze", name, *ANALYZE), frozenset({4}), files)
    if what == "track to a crafted JSON name":
        files = {b"t.npz": seeds.track.read_bytes()}
        return Case(
            "file name",
            what,
            ("replay", b"t.npz", "-e", "prone_press_up", "--json", name),
            frozenset({0, 7}),
            files,
        )
    files = {b"t.npz": seeds.track.read_bytes()}
    return Case(
        "file name",
        what,
        ("replay", b"t.npz", "-e", "prone_press_up", "--json", name + b"/" + name),
        frozenset({0, 7}),
        files,
    )


MAKERS: dict[str, Callable[[random.Random, Seeds], Case]] = {
    "video": video_case,
    "GIF": gif_case,
    "image": image_case,
    "landmark track": track_case,
    "history": history_case,
    "history values (JSON)": history_values_case,
    "camera URL": camera_case,
    "file name": file_name_case,
}


def cases(seed: int, per_kind: int, seeds: Seeds) -> Iterator[Case]:
    rng = random.Random(seed)
    for _ in range(per_kind):
        for kind in KINDS:
            yield MAKERS[kind](rng, seeds)


# --- running and judging --------------------------------------------------------------------------


def _unprintable(text: str) -> list[str]:
    return sorted({repr(c) for c in text if c not in "\n" and unicodedata.category(c) in ("Cc", "Cs", "Cf")})


def run_case(case: Case, seeds: Seeds, folder: Path, timeout_s: float = CASE_TIMEOUT_S) -> Outcome:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copyfile(seeds.history, folder / HISTORY)
    for name, data in case.files.items():
        (folder / os.fsdecode(name)).write_bytes(data)
    for name, size in case.sparse_sizes.items():
        with open(folder / name, "wb") as handle:
            handle.truncate(size)
    sessions_before = _session_ids(folder / HISTORY)
    started = time.monotonic()
    code, stdout_bytes, stderr_bytes = _posecheck([*case.arguments, "--db", HISTORY], folder, timeout_s)
    seconds = time.monotonic() - started
    stdout, stderr = stdout_bytes.decode(errors="replace"), stderr_bytes.decode(errors="replace")
    problems = []
    traceback = "Traceback (most recent call last)" in stderr or "Exception ignored" in stderr
    if code is None:
        problems.append(f"no answer in {timeout_s:.0f} s")
    elif code not in case.exit_codes:
        problems.append(f"exit {code}, expected one of {sorted(case.exit_codes)}")
    own_errors = [line for line in stderr.splitlines() if line.startswith("posecheck: error:")]
    if code not in (None, 0) and len(own_errors) != 1:
        problems.append(f"{len(own_errors)} error lines")
    if _unprintable(stdout + stderr):
        problems.append(f"printed {', '.join(_unprintable(stdout + stderr))}")
    if PASSWORD in stdout + stderr:
        problems.append("printed the camera password")
    lost = not set(sessions_before) <= set(_session_ids(folder / HISTORY))
    if lost:
        problems.append("an earlier session was lost")
    if traceback:
        problems.append("traceback")
    return Outcome(
        case,
        code,
        not problems,
        traceback,
        lost,
        "; ".join(problems) + f" | {stderr[-300:]!r}" if problems else "",
        seconds,
    )


def _session_ids(history: Path) -> tuple[int, ...]:
    try:
        with sqlite3.connect(f"file:{history}?mode=ro", uri=True) as connection:
            return tuple(row[0] for row in connection.execute("SELECT id FROM sessions ORDER BY id"))
    except (sqlite3.Error, ValueError):  # a damaged file; its error text may not even be UTF-8
        return ()


def table(outcomes: list[Outcome]) -> str:
    """The README's table: per input kind, cases, errors as expected, tracebacks, hangs, sessions lost."""
    lines = [
        "| input | cases | answered as expected | tracebacks | hangs | sessions lost |",
        "|---|---|---|---|---|---|",
    ]
    counts: Counter[str] = Counter(outcome.case.kind for outcome in outcomes)
    for kind in KINDS:
        mine = [outcome for outcome in outcomes if outcome.case.kind == kind]
        if not mine:
            continue
        lines.append(
            f"| {kind} | {counts[kind]} | {sum(o.as_expected for o in mine)} "
            f"| {sum(o.traceback for o in mine)} | {sum(o.exit_code is None for o in mine)} "
            f"| {sum(o.sessions_lost for o in mine)} |"
        )
    return "\n".join(lines)
