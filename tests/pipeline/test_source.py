"""The frame source on files the tests encode themselves: true timestamps, rotation, stride, errors.

Clips are written with the ffmpeg binary of ``imageio-ffmpeg`` (the dev extra), which can set
per-frame presentation times and display-rotation metadata. Each frame of a "level" clip is a
flat grey whose brightness encodes its index, so a test can tell which frame it was given.
"""

from __future__ import annotations

import struct
import subprocess
import tracemalloc
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path

import cv2
import numpy as np
import pytest

from posecheck.errors import PosecheckError, VideoNotFoundError, VideoUnreadableError
from posecheck.pipeline.source import Frame, VideoFileSource

SHARED = Path(__file__).resolve().parents[3] / "shared"
CORPUS_CLIP = SHARED / "corpus" / "videos" / "prone_press_up__fitsens_cobra_stretch_man.mp4"
NEEDS_CORPUS = pytest.mark.skipif(
    not CORPUS_CLIP.is_file(), reason=f"the shared corpus clip {CORPUS_CLIP} is absent"
)

LEVEL_SIZE = (64, 48)  # (width, height); even, as yuv420p needs
VARIABLE_TIMES_S = (0.0, 0.04, 0.14, 0.17, 0.42, 0.47, 0.5, 0.9)


# --- making clips ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def ffmpeg() -> str:
    imageio_ffmpeg = pytest.importorskip(
        "imageio_ffmpeg", reason="imageio-ffmpeg is not installed (pip install -e '.[dev]')"
    )
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError as error:
        pytest.skip(f"imageio-ffmpeg has no ffmpeg binary for this platform: {error}")


def run_ffmpeg(ffmpeg: str, *args: str, stdin: bytes | None = None) -> None:
    subprocess.run([ffmpeg, "-hide_banner", "-loglevel", "error", "-y", *args], input=stdin, check=True)


def level_of(index: int) -> int:
    return 10 + 9 * (index % 25)


def index_of(image: np.ndarray) -> int:
    """The index (modulo 25) of a frame made by ``level_frames``."""
    return round((float(image.mean()) - 10) / 9)


def level_frames(count: int, size: tuple[int, int] = LEVEL_SIZE) -> list[np.ndarray]:
    width, height = size
    return [np.full((height, width, 3), level_of(index), np.uint8) for index in range(count)]


def encode(
    ffmpeg: str,
    images: Sequence[np.ndarray],
    out: Path,
    *,
    fps: int = 25,
    times_s: Sequence[float] | None = None,
) -> Path:
    """H.264 MP4 of ``images``: at ``fps``, or shown at exactly ``times_s`` (variable frame rate)."""
    height, width = images[0].shape[:2]
    timing: list[str] = []
    if times_s is not None:
        # setpts has no lookup table: nest one if() per frame, in milliseconds.
        pts = "0"
        for index in reversed(range(len(times_s))):
            pts = f"if(eq(N,{index}),{round(times_s[index] * 1000)},{pts})"
        timing = ["-vf", f"settb=1/1000,setpts='{pts}'"]
        timing += ["-fps_mode", "passthrough", "-enc_time_base", "1/1000"]
    run_ffmpeg(
        ffmpeg,
        *("-f", "rawvideo", "-pix_fmt", "bgr24", "-s", f"{width}x{height}", "-r", str(fps), "-i", "-"),
        *timing,
        *("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(out)),
        stdin=b"".join(image.tobytes() for image in images),
    )
    return out


def moving_pattern_clip(
    ffmpeg: str, out: Path, seconds: float, *, faststart: bool, size: str = "160x120"
) -> Path:
    """A moving test pattern at 25 fps, so its bytes spread evenly over its length."""
    layout = ["-movflags", "+faststart"] if faststart else []
    run_ffmpeg(
        ffmpeg,
        *("-f", "lavfi", "-i", f"testsrc2=size={size}:rate=25", "-t", str(seconds)),
        *("-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p", *layout, str(out)),
    )
    return out


def top_level_boxes(path: Path) -> list[bytes]:
    """The MP4 top-level box types in file order (``moov`` before ``mdat`` means faststart)."""
    data, offset, boxes = path.read_bytes(), 0, []
    while offset + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if size == 1:
            size = struct.unpack(">Q", data[offset + 8 : offset + 16])[0]
        boxes.append(kind)
        if size < 8:
            break
        offset += size
    return boxes


def cut(path: Path, fraction: float, out: Path) -> Path:
    data = path.read_bytes()
    out.write_bytes(data[: int(len(data) * fraction)])
    return out


def read_all(path: Path, stride: int = 1) -> tuple[VideoFileSource, list[Frame]]:
    with VideoFileSource(path, stride=stride) as source:
        return source, list(source)


@pytest.fixture(scope="session")
def constant_clip(ffmpeg: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return encode(ffmpeg, level_frames(25), tmp_path_factory.mktemp("cfr") / "constant_25fps.mp4")


@pytest.fixture(scope="session")
def variable_clip(ffmpeg: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("vfr") / "variable.mp4"
    return encode(ffmpeg, level_frames(len(VARIABLE_TIMES_S)), out, times_s=VARIABLE_TIMES_S)


# --- timestamps -----------------------------------------------------------------------------


def test_constant_frame_rate_gives_one_frame_every_period(constant_clip: Path) -> None:
    source, frames = read_all(constant_clip)
    assert [frame.index for frame in frames] == list(range(25))
    assert [index_of(frame.image) for frame in frames] == list(range(25))
    assert [frame.timestamp_s for frame in frames] == pytest.approx([i * 0.04 for i in range(25)], abs=1e-6)
    assert source.info.fps == pytest.approx(25.0)
    assert source.info.frame_count == 25
    assert source.info.duration_s == pytest.approx(1.0)
    assert not source.ended_early()


def test_variable_frame_rate_keeps_the_files_own_timestamps(variable_clip: Path) -> None:
    source, frames = read_all(variable_clip)
    assert [index_of(frame.image) for frame in frames] == list(range(len(VARIABLE_TIMES_S)))
    assert [frame.timestamp_s for frame in frames] == pytest.approx(VARIABLE_TIMES_S, abs=1e-6)
    # The container's rate is only an average: index / fps would put these frames elsewhere.
    index_times = [frame.index / source.info.fps for frame in frames]
    assert max(abs(a - b) for a, b in zip(index_times, VARIABLE_TIMES_S, strict=True)) > 0.1
    assert not source.ended_early()


# --- stride ---------------------------------------------------------------------------------


def test_stride_keeps_every_nth_frame_with_its_own_timestamp(constant_clip: Path) -> None:
    source, frames = read_all(constant_clip, stride=3)
    assert [frame.index for frame in frames] == list(range(0, 25, 3))
    assert [index_of(frame.image) for frame in frames] == list(range(0, 25, 3))
    expected_times_s = [index * 0.04 for index in range(0, 25, 3)]
    assert [frame.timestamp_s for frame in frames] == pytest.approx(expected_times_s, abs=1e-6)
    assert source.frames_decoded == 9


def test_stride_on_variable_frame_rate_keeps_the_kept_frames_own_timestamps(variable_clip: Path) -> None:
    _, frames = read_all(variable_clip, stride=2)
    assert [frame.index for frame in frames] == [0, 2, 4, 6]
    assert [index_of(frame.image) for frame in frames] == [0, 2, 4, 6]
    assert [frame.timestamp_s for frame in frames] == pytest.approx(VARIABLE_TIMES_S[::2], abs=1e-6)


def test_a_large_stride_over_a_whole_file_does_not_count_as_ending_early(ffmpeg: str, tmp_path: Path) -> None:
    clip = encode(ffmpeg, level_frames(75, (16, 16)), tmp_path / "three_seconds.mp4")
    source, frames = read_all(clip, stride=40)
    assert [frame.timestamp_s for frame in frames] == pytest.approx([0.0, 1.6], abs=1e-6)
    assert not source.ended_early()


def test_stride_below_one_is_refused(constant_clip: Path) -> None:
    with pytest.raises(ValueError, match="stride"):
        VideoFileSource(constant_clip, stride=0)


# --- rotation -------------------------------------------------------------------------------


def corner_marked_landscape(width: int = 160, height: int = 96) -> np.ndarray:
    """Grey, with a white square top-left and a black square bottom-right."""
    image = np.full((height, width, 3), 128, np.uint8)
    image[:24, :24] = 255
    image[-24:, -24:] = 0
    return image


def corner_levels(image: np.ndarray) -> dict[str, int]:
    grey = image.mean(axis=2)
    corners = {
        "top_left": grey[:12, :12],
        "top_right": grey[:12, -12:],
        "bottom_left": grey[-12:, :12],
        "bottom_right": grey[-12:, -12:],
    }
    return {name: round(float(patch.mean())) for name, patch in corners.items()}


@pytest.mark.parametrize(
    ("clockwise_degrees", "portrait", "white_corner", "black_corner"),
    [
        # A phone held upright records landscape pixels tagged "rotate 90 clockwise".
        (90, True, "top_right", "bottom_left"),
        (270, True, "bottom_left", "top_right"),
        (180, False, "bottom_right", "top_left"),
    ],
)
def test_rotation_metadata_turns_the_frames_upright(
    ffmpeg: str, tmp_path: Path, clockwise_degrees: int, portrait: bool, white_corner: str, black_corner: str
) -> None:
    landscape = encode(ffmpeg, [corner_marked_landscape()] * 3, tmp_path / "landscape.mp4")
    tagged = tmp_path / f"rotated_{clockwise_degrees}.mp4"
    # -display_rotation counts anticlockwise; remux (-c copy) so ffmpeg does not turn the pixels itself.
    anticlockwise = str((360 - clockwise_degrees) % 360)
    run_ffmpeg(ffmpeg, "-display_rotation", anticlockwise, "-i", str(landscape), "-c", "copy", str(tagged))

    source, frames = read_all(tagged)
    assert len(frames) == 3
    assert (source.info.width, source.info.height) == ((96, 160) if portrait else (160, 96))
    for frame in frames:
        assert frame.size == (source.info.width, source.info.height)
        levels = corner_levels(frame.image)
        assert levels[white_corner] > 240, levels
        assert levels[black_corner] < 15, levels


# --- truncated files ------------------------------------------------------------------------


def test_truncated_faststart_video_decodes_partway_and_ends_early(ffmpeg: str, tmp_path: Path) -> None:
    whole = moving_pattern_clip(ffmpeg, tmp_path / "whole.mp4", 4, faststart=True)
    assert top_level_boxes(whole).index(b"moov") < top_level_boxes(whole).index(b"mdat")
    source, frames = read_all(cut(whole, 0.4, tmp_path / "cut.mp4"))
    assert 0 < len(frames) < 100
    assert [frame.timestamp_s for frame in frames] == pytest.approx([i * 0.04 for i in range(len(frames))])
    assert source.info.duration_s == pytest.approx(4.0)
    assert source.ended_early()


def test_truncated_video_with_its_index_at_the_end_cannot_be_opened(ffmpeg: str, tmp_path: Path) -> None:
    whole = moving_pattern_clip(ffmpeg, tmp_path / "whole.mp4", 4, faststart=False)
    assert top_level_boxes(whole)[-1] == b"moov"
    with pytest.raises(VideoUnreadableError) as caught:
        VideoFileSource(cut(whole, 0.8, tmp_path / "cut.mp4"))
    assert_one_line_naming(caught.value, "cut.mp4", "re-export")


def test_video_cut_right_after_its_index_refuses_to_yield_nothing(ffmpeg: str, tmp_path: Path) -> None:
    whole = moving_pattern_clip(ffmpeg, tmp_path / "whole.mp4", 1, faststart=True)
    data = whole.read_bytes()
    header = tmp_path / "header_only.mp4"
    header.write_bytes(data[: data.index(b"mdat") + 4])
    with VideoFileSource(header) as source, pytest.raises(VideoUnreadableError) as caught:
        list(source)
    assert_one_line_naming(caught.value, "header_only.mp4", "re-export or copy it again")


@NEEDS_CORPUS
def test_truncated_corpus_clip_decodes_partway_or_is_refused(tmp_path: Path) -> None:
    truncated = cut(CORPUS_CLIP, 0.1, tmp_path / CORPUS_CLIP.name)
    boxes = top_level_boxes(CORPUS_CLIP)
    if boxes.index(b"moov") > boxes.index(b"mdat"):
        with pytest.raises(VideoUnreadableError):
            VideoFileSource(truncated)
        return
    source, frames = read_all(truncated)
    assert 0 < len(frames) < source.info.frame_count
    assert source.ended_early()


@NEEDS_CORPUS
def test_whole_corpus_clip_does_not_end_early() -> None:
    with VideoFileSource(CORPUS_CLIP, stride=30) as source:
        kept = sum(1 for _ in source)
        assert kept == -(-source.info.frame_count // 30)
        assert not source.ended_early()


# --- errors a user can make -----------------------------------------------------------------


def assert_one_line_naming(error: PosecheckError, file_name: str, fix: str) -> None:
    message = str(error)
    assert "\n" not in message
    assert file_name in message
    assert fix in message


def write_still(suffix: str) -> Callable[[Path, str], Path]:
    def make(folder: Path, name: str) -> Path:
        path = folder / name
        ok, encoded = cv2.imencode(suffix, corner_marked_landscape())
        assert ok
        path.write_bytes(encoded.tobytes())
        return path

    return make


def write_text(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_text("my exercise video\n")
    return path


def write_empty(folder: Path, name: str) -> Path:
    path = folder / name
    path.touch()
    return path


def make_folder(folder: Path, name: str) -> Path:
    path = folder / name
    path.mkdir()
    return path


@pytest.mark.parametrize(
    ("name", "make", "error_type", "fix"),
    [
        ("missing.mp4", None, VideoNotFoundError, "check the path"),
        ("videos", make_folder, VideoUnreadableError, "give one video file"),
        ("empty.mp4", write_empty, VideoUnreadableError, "export the video again"),
        ("notes.mp4", write_text, VideoUnreadableError, "give an MP4/MOV/AVI file"),
        ("photo.jpg", write_still(".jpg"), VideoUnreadableError, "give a video file"),
        ("photo.png", write_still(".png"), VideoUnreadableError, "give a video file"),
        ("photo_renamed.mp4", write_still(".jpg"), VideoUnreadableError, "give a video file"),
    ],
)
def test_unusable_input_raises_one_line_error_naming_the_fix(
    tmp_path: Path,
    name: str,
    make: Callable[[Path, str], Path] | None,
    error_type: type[PosecheckError],
    fix: str,
) -> None:
    path = make(tmp_path, name) if make else tmp_path / name
    with pytest.raises(error_type) as caught:
        VideoFileSource(path)
    assert_one_line_naming(caught.value, name, fix)


def test_still_image_is_refused_as_a_still_image(tmp_path: Path) -> None:
    path = write_still(".jpg")(tmp_path, "photo.jpg")
    with pytest.raises(VideoUnreadableError, match="still JPEG image, not a video"):
        VideoFileSource(path)


@pytest.mark.parametrize("name", ["voice_note.m4a", "soundtrack.mp4", "recording.wav"])
def test_audio_only_file_raises_one_line_error_naming_the_fix(ffmpeg: str, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    codec = ["-c:a", "pcm_s16le"] if name.endswith(".wav") else ["-c:a", "aac"]
    run_ffmpeg(ffmpeg, "-f", "lavfi", "-i", "sine=frequency=440:duration=1", *codec, str(path))
    with pytest.raises(VideoUnreadableError) as caught:
        VideoFileSource(path)
    assert_one_line_naming(caught.value, name, "give an MP4/MOV/AVI file")


# --- memory ---------------------------------------------------------------------------------


def test_frames_are_decoded_one_at_a_time_and_not_kept(ffmpeg: str, tmp_path: Path) -> None:
    clip = moving_pattern_clip(ffmpeg, tmp_path / "long.mp4", 8, faststart=True, size="320x240")
    frame_bytes = 320 * 240 * 3
    with VideoFileSource(clip) as source:
        frames = iter(source)
        first = next(frames)
        assert source.frames_decoded == 1
        previous = weakref.ref(first.image)
        del first
        tracemalloc.start()
        try:
            for frame in frames:
                assert previous() is None, "the source still holds an earlier frame"
                previous = weakref.ref(frame.image)
            del frame
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert source.frames_decoded == 200
    assert peak < 4 * frame_bytes
