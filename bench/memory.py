"""Peak memory of analysing long videos: 1, 10 and 60 minutes of one corpus clip, looped.

    python bench/memory.py [--minutes 1 10 60] [--stride 10] [--clip NAME]

The clip is looped into each length without re-encoding (FFmpeg's stream copy, through the
imageio-ffmpeg binary of the dev extra), then each long video is analysed by the whole
``analyze`` pipeline in a fresh process, whose peak resident memory is printed. Every frame
is decoded; ``--stride`` sends every n-th frame to the model so that an hour of video is
measured in minutes: what could grow with the video's length (the session's holds, events
and per-frame counts, the decoder's buffers) grows with the frames read, not with the model.
Flat memory means the 60-minute peak is close to the 1-minute one.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import imageio_ffmpeg

from posecheck.analysis.video import analyze_video
from posecheck.pipeline import model_files as models

CORPUS_VIDEOS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "videos"
DEFAULT_CLIP = "prone_press_up__flowai_bhujangasana_man_side.mp4"


def looped(video: Path, minutes: float, target: Path) -> Path:
    """``video`` repeated until it lasts ``minutes``, packets copied as they are."""
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            *("-v", "error", "-y", "-stream_loop", "-1", "-i", str(video)),
            *("-t", f"{minutes * 60:.0f}", "-map", "0:v:0", "-c", "copy", str(target)),
        ],
        check=True,
    )
    return target


def analyse_once(video: Path, stride: int) -> dict[str, float]:
    """One analysis in this process: its wall time, frames, holds and peak memory."""
    start = time.perf_counter()
    session = analyze_video(video, "prone_press_up", models.find_model(), stride=stride)
    return {
        "seconds": time.perf_counter() - start,
        "video_s": session.duration_s,
        "holds": len(session.holds),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, nargs="*", default=[1.0, 10.0, 60.0])
    parser.add_argument("--stride", type=int, default=10)
    parser.add_argument("--clip", default=DEFAULT_CLIP)
    parser.add_argument("--video", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.video is not None:
        print(json.dumps(analyse_once(arguments.video, arguments.stride)))
        return 0
    print(f"{arguments.clip}, looped; every frame decoded, every {arguments.stride}th analysed")
    print(f"{'minutes':>7} {'video s':>8} {'holds':>5} {'wall s':>7} {'peak MB':>8}")
    with tempfile.TemporaryDirectory() as folder:
        for minutes in arguments.minutes:
            video = looped(CORPUS_VIDEOS / arguments.clip, minutes, Path(folder) / f"{minutes:g}min.mp4")
            output = subprocess.run(
                [sys.executable, __file__, "--video", str(video), "--stride", str(arguments.stride)],
                capture_output=True,
                text=True,
                check=True,
            )
            figures = json.loads(output.stdout.strip().splitlines()[-1])
            print(
                f"{minutes:7g} {figures['video_s']:8.0f} {figures['holds']:5d} "
                f"{figures['seconds']:7.0f} {figures['peak_mb']:8.0f}"
            )
            video.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
