"""Voice: spoken cues, hold counts and reps, for a person lying down who cannot see the screen.

Speech runs on its own thread through espeak-ng (a local engine, started as a subprocess:
no network, no Python binding to keep in step), so the frame loop never waits for it. One
utterance at a time: while one is spoken, only the newest request waits (a count that is
late is no use), and the same sentence is not repeated within its cool-down.
"""

from __future__ import annotations

import collections
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

ENGINES = ("espeak-ng", "espeak")
WORDS_PER_MINUTE = 150


def find_speech_engine() -> str | None:
    """The path of the local speech engine, or None when none is installed."""
    for name in ENGINES:
        path = shutil.which(name)
        if path is not None:
            return path
    return None


def speak_aloud(engine: str, text: str) -> None:
    """Speaks ``text`` on the default sound device, returning when it has been said."""
    subprocess.run(
        [engine, "-s", str(WORDS_PER_MINUTE), text],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )


def render_to_wav(text: str, path: str | Path, engine: str | None = None) -> Path:
    """Writes ``text`` spoken by the local engine to a WAV file (to check speech without a
    sound device)."""
    engine = engine or find_speech_engine()
    if engine is None:
        raise FileNotFoundError("no speech engine: install espeak-ng")
    destination = Path(path)
    subprocess.run(
        [engine, "-s", str(WORDS_PER_MINUTE), "-w", str(destination), text],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
    )
    return destination


class Voice:
    """Says sentences on a background thread, one at a time, never blocking the caller.

    ``speak`` is the function that says one sentence and returns when done (by default the
    local engine on the sound device). ``cooldown_s`` is how long the same sentence stays
    silenced after it was said.
    """

    def __init__(self, speak: Callable[[str], None], cooldown_s: float = 8.0) -> None:
        self._speak = speak
        self.cooldown_s = cooldown_s
        self._pending: str | None = None
        self._kept: collections.deque[str] = collections.deque()
        self._said_at: dict[str, float] = {}
        self._condition = threading.Condition()
        self._closed = False
        self.spoken: list[str] = []
        self._thread = threading.Thread(target=self._run, name="posecheck-voice", daemon=True)
        self._thread.start()

    def say(self, text: str, cooldown_s: float | None = None, keep: bool = False) -> bool:
        """Queues ``text`` in place of any sentence still waiting; False when it was said
        within its cool-down (or is already waiting) and is skipped. A sentence to ``keep``
        (a question, what comes next) is never replaced: such sentences are said in turn,
        before any other waiting."""
        now = time.monotonic()
        cooldown = self.cooldown_s if cooldown_s is None else cooldown_s
        with self._condition:
            said = self._said_at.get(text)
            if self._closed or self._pending == text or (said is not None and now - said < cooldown):
                return False
            self._said_at[text] = now
            if keep:
                self._kept.append(text)
            else:
                self._pending = text
            self._condition.notify()
            return True

    def _run(self) -> None:
        while True:
            with self._condition:
                while self._pending is None and not self._kept and not self._closed:
                    self._condition.wait()
                if self._kept:
                    text = self._kept.popleft()
                elif self._pending is not None:
                    text, self._pending = self._pending, None
                else:
                    return
            self._speak(text)
            with self._condition:
                self.spoken.append(text)

    def close(self, finish_speaking_s: float = 3.0) -> None:
        """Lets the sentence being said (and those waiting) finish, up to ``finish_speaking_s``."""
        with self._condition:
            self._closed = True
            self._condition.notify()
        self._thread.join(timeout=finish_speaking_s)


def local_voice(cooldown_s: float = 8.0) -> Voice | None:
    """A voice on the local engine, or None (after which the caller warns) when none is
    installed."""
    engine = find_speech_engine()
    if engine is None:
        return None
    return Voice(lambda text: speak_aloud(engine, text), cooldown_s=cooldown_s)
