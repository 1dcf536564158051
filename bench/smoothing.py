"""Measures the landmark smoothing on real corpus tracks: jitter left during still holds
and lag during movements, for a few One Euro settings. Prints a table.

    python bench/smoothing.py [CORPUS_DIR]

Jitter: median frame-to-frame movement of the joints (shoulders to ankles) during a still
hold, in thousandths of a torso length. Lag: the time shift that best aligns the smoothed
shoulder path with the raw one during a lift or fold, in milliseconds.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from posecheck.evaluation.corpus import corpus_track
from posecheck.pipeline import model_files as models
from posecheck.pipeline.recording import PoseTrack
from posecheck.pipeline.smoothing import OneEuroParameters, PoseSmoother

STILL = [
    ("childs_pose__yogagym_child_pose_portrait.mp4", 2.0, 18.0),
    ("prone_press_up__flowai_bhujangasana_man_side.mp4", 40.0, 55.0),
]
MOVING = [
    ("prone_press_up__flowai_bhujangasana_man_side.mp4", 28.0, 32.5),
    ("childs_pose__purecalm_balasana_rehabme.mp4", 29.0, 31.5),
]
SETTINGS = {
    "raw": None,
    "one euro 1.0 Hz, beta 4 (default)": OneEuroParameters(),
    "one euro 0.5 Hz, beta 4": OneEuroParameters(minimum_cutoff_hz=0.5),
    "one euro 2.0 Hz, beta 4": OneEuroParameters(minimum_cutoff_hz=2.0),
    "one euro 1.0 Hz, beta 0 (plain low-pass)": OneEuroParameters(speed_coefficient=0.0),
}


def _series(track: PoseTrack, parameters: OneEuroParameters | None) -> tuple[np.ndarray, np.ndarray]:
    smoother = PoseSmoother(parameters) if parameters else None
    times, points = [], []
    for frame in track:
        pose = smoother.smooth(frame.pose) if smoother and frame.pose else frame.pose
        if pose is None:
            continue
        torso = np.linalg.norm(pose.image_xy[[11, 12]].mean(0) - pose.image_xy[[23, 24]].mean(0))
        times.append(frame.timestamp_s)
        points.append(pose.image_xy[11:29] / torso)
    return np.array(times), np.array(points)


def jitter(times: np.ndarray, points: np.ndarray, start: float, end: float) -> float:
    chosen = (times >= start) & (times < end)
    steps = np.linalg.norm(np.diff(points[chosen], axis=0), axis=2)
    return float(np.median(steps)) * 1000


def lag_ms(times: np.ndarray, raw: np.ndarray, smooth: np.ndarray, start: float, end: float) -> float:
    chosen = (times >= start) & (times < end)
    raw_path, smooth_path = raw[chosen][:, 0, :], smooth[chosen][:, 0, :]
    period = float(np.median(np.diff(times)))
    errors = [
        np.mean(np.sum((smooth_path[k:] - raw_path[: len(raw_path) - k]) ** 2, axis=1)) for k in range(15)
    ]
    return int(np.argmin(errors)) * period * 1000


def main() -> int:
    corpus = (
        Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared" / "corpus"
    )
    model = models.find_model()
    cache = models.user_cache_dir() / "tracks"
    tracks = {name: corpus_track(corpus / "videos" / name, model, cache) for name, _, _ in STILL + MOVING}
    raw_series = {name: _series(track, None) for name, track in tracks.items()}
    print(f"{'smoothing':42} {'jitter in holds (1/1000 torso)':>32} {'lag in movements (ms)':>24}")
    for label, parameters in SETTINGS.items():
        series = {name: _series(track, parameters) for name, track in tracks.items()}
        jitters = [jitter(*series[name], a, b) for name, a, b in STILL]
        lags = [lag_ms(series[name][0], raw_series[name][1], series[name][1], a, b) for name, a, b in MOVING]
        jitter_column = " / ".join(f"{j:5.2f}" for j in jitters)
        lag_column = " / ".join(f"{g:4.0f}" for g in lags)
        print(f"{label:42} {jitter_column:>32} {lag_column:>24}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
