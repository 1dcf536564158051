"""Speech: the local engine renders real audio; the voice never blocks and never repeats."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from posecheck.live.voice import Voice, find_speech_engine, render_to_wav


@pytest.mark.skipif(find_speech_engine() is None, reason="no speech engine: apt-get install espeak-ng")
def test_a_cue_rendered_to_wav_is_speech_not_silence(tmp_path: Path) -> None:
    path = render_to_wav("Ten, lower slowly.", tmp_path / "cue.wav")
    with wave.open(str(path)) as audio:
        rate, samples = audio.getframerate(), audio.readframes(audio.getnframes())
        assert audio.getsampwidth() == 2
    signal = np.frombuffer(samples, dtype=np.int16).astype(float)
    assert 0.8 < len(signal) / rate < 4.0  # a short sentence
    rms = np.sqrt(np.mean(signal**2))
    assert rms > 500, f"RMS {rms:.0f}: silent"
    # Speech has pauses between words: the loudness varies over 50 ms windows.
    window = rate // 20
    loudness = [np.sqrt(np.mean(signal[i : i + window] ** 2)) for i in range(0, len(signal) - window, window)]
    assert min(loudness) < 0.2 * max(loudness)


class _SlowSpeaker:
    """Says each sentence in ``seconds``; records the order and any overlap."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.said: list[str] = []
        self.speaking = 0
        self.overlapped = False
        self.lock = threading.Lock()

    def __call__(self, text: str) -> None:
        with self.lock:
            self.speaking += 1
            self.overlapped |= self.speaking > 1
        time.sleep(self.seconds)
        with self.lock:
            self.speaking -= 1
            self.said.append(text)


def test_saying_never_blocks_and_one_sentence_is_said_at_a_time() -> None:
    speaker = _SlowSpeaker(0.3)
    voice = Voice(speaker, cooldown_s=5.0)
    voice.say("Hold.")
    time.sleep(0.1)  # being said now
    started = time.monotonic()
    for text in ("Five.", "Keep your hips and pelvis on the mat.", "Ten, lower slowly."):
        voice.say(text)
    assert time.monotonic() - started < 0.05
    voice.close(finish_speaking_s=2.0)
    assert not speaker.overlapped
    # The first is said; of those queued meanwhile only the newest waits.
    assert speaker.said == ["Hold.", "Ten, lower slowly."]


def test_the_same_cue_is_not_repeated_within_its_cool_down() -> None:
    speaker = _SlowSpeaker(0.0)
    voice = Voice(speaker, cooldown_s=0.5)
    assert voice.say("Keep your hips and pelvis on the mat.")
    time.sleep(0.1)
    assert not voice.say("Keep your hips and pelvis on the mat.")
    time.sleep(0.5)
    assert voice.say("Keep your hips and pelvis on the mat.")
    voice.close()
    assert speaker.said == ["Keep your hips and pelvis on the mat."] * 2


def test_a_missing_speech_engine_is_a_one_line_warning(
    corpus: Path, model_path: Path, tmp_path: Path
) -> None:
    from posecheck.pipeline.source import write_excerpt

    excerpt = write_excerpt(
        corpus / "videos/prone_press_up__fitsens_cobra_stretch_man.mp4", 1.0, tmp_path / "a.mp4"
    )
    env = {**os.environ, "PATH": str(Path(sys.executable).parent)}
    run = subprocess.run(
        [sys.executable, "-m", "posecheck", "live", "-e", "prone_press_up", "--camera", str(excerpt),
         "--no-window", "--model", str(model_path)],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stderr.strip() == (
        "posecheck: warning: no speech engine (install espeak-ng): cues are shown, not spoken"
    )
    assert "Prone press-up" in run.stdout


def test_kept_sentences_are_all_said_in_turn_while_others_make_way() -> None:
    speaker = _SlowSpeaker(0.2)
    voice = Voice(speaker, cooldown_s=5.0)
    voice.say("Hold.")
    time.sleep(0.05)  # being said now
    voice.say("How much does your back hurt?", cooldown_s=0.0, keep=True)
    voice.say("Five.")
    voice.say("Exercise one: prone press-up.", cooldown_s=0.0, keep=True)
    voice.say("Ten.")  # replaces "Five." still waiting
    voice.close(finish_speaking_s=3.0)
    assert speaker.said == ["Hold.", "How much does your back hurt?", "Exercise one: prone press-up.", "Ten."]
    assert not speaker.overlapped
