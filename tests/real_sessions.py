"""Real sessions for the history, progression and report tests: the rules run on corpus
pose tracks (cached, so the model does not run again), one of them with a real fault made
by raising the hips mid-hold (as in test_faults_on_real_tracks)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from posecheck.analysis.session import Session
from posecheck.analysis.video import analyze_track
from posecheck.evaluation.corpus import corpus_track
from posecheck.pipeline.recording import PoseTrack
from tests.rules.test_faults_on_real_tracks import _edited, _raise_hips

PRESS_UP_CLIP = "videos/prone_press_up__flowai_bhujangasana_man_side.mp4"  # one 28 s hold
SHORT_PRESS_UP_CLIP = "videos/prone_press_up__fitsens_cobra_stretch_man.mp4"  # one 8 s hold
CHILDS_POSE_CLIP = "videos/childs_pose__purecalm_balasana_rehabme.mp4"  # two holds


@dataclass(frozen=True)
class RealSessions:
    corpus: Path
    press_up_track: PoseTrack
    press_up: Session
    press_up_with_hips_lifted: Session
    short_press_up: Session
    childs_pose: Session

    @property
    def press_up_video(self) -> Path:
        return self.corpus / PRESS_UP_CLIP

    @property
    def all(self) -> dict[str, Session]:
        return {
            "press_up": self.press_up,
            "press_up_with_hips_lifted": self.press_up_with_hips_lifted,
            "short_press_up": self.short_press_up,
            "childs_pose": self.childs_pose,
        }


@functools.cache
def real_sessions(corpus: Path, model_path: Path, track_cache: Path) -> RealSessions:
    press_up_track = corpus_track(corpus / PRESS_UP_CLIP, model_path, track_cache)
    lifted = _edited(press_up_track, 40.0, 45.0, lambda pose: _raise_hips(pose, 0.35))
    return RealSessions(
        corpus=corpus,
        press_up_track=press_up_track,
        press_up=analyze_track(press_up_track, "prone_press_up"),
        press_up_with_hips_lifted=analyze_track(lifted, "prone_press_up"),
        short_press_up=analyze_track(
            corpus_track(corpus / SHORT_PRESS_UP_CLIP, model_path, track_cache), "prone_press_up"
        ),
        childs_pose=analyze_track(
            corpus_track(corpus / CHILDS_POSE_CLIP, model_path, track_cache), "childs_pose"
        ),
    )
