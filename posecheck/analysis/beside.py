"""The rules beside the model: a recorded video's rules run in a process of their own.

The pose model works in native code and leaves the interpreter free while it runs, but the
rules are Python, and one interpreter runs Python on one core at a time: in the model's
process the rules wait for the model and the model waits for the rules (3 ms a frame at
1280x720, a sixth of the model's own time). In a process of their own they judge frame N on
the second core while the model reads frame N+1. They receive the same poses in the same
order, so the session is the same; ``bench/speed.py`` measures what it gains.

Used where nothing needs the rules' answer before the next frame: not with the adaptive
stride (it asks the rules how fast the body moves) nor while drawing an annotated copy.
Two threads move the messages, so Ctrl-C, heard only by the main thread, never cuts one in
half, and a large message one way never waits on one the other way.

Usage::

    with RulesBeside(AnalysisRecipe(exercise, "clip.mp4"), on_hold_finished=save) as rules:
        ...  # the frame loop feeds ``rules`` as it would an ExerciseAnalysis
        session = rules.finish(frame_period_s)
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Protocol

from posecheck.analysis.other_people import OtherPeople
from posecheck.closing import Closing
from posecheck.errors import AnalysisCrashedError
from posecheck.pipeline.pose import Pose
from posecheck.pipeline.smoothing import OneEuroParameters
from posecheck.rules.vocabulary import Exercise

HoldListener = Callable[[Any], None]
"""Hears the session so far each time a hold ends (to save it as it grows)."""


class FinishingSink(Protocol):
    """What runs in the rules' process: an ``ExerciseAnalysis`` or a ``RecognisedAnalysis``."""

    def feed(self, time_s: float, pose: Pose | None) -> object: ...

    def note_other_people(self, found: OtherPeople) -> None: ...

    def finish(self, frame_period_s: float, ended_early: bool = False, interrupted: bool = False) -> Any: ...


class SinkRecipe(Protocol):
    """How the rules' process builds its sink (sent to it, so it must pickle), given the
    listener for finished holds (None: nobody listens)."""

    def __call__(self, on_hold_finished: HoldListener | None) -> FinishingSink: ...


@dataclass(frozen=True, slots=True)
class AnalysisRecipe:
    """An ``ExerciseAnalysis`` of one exercise."""

    exercise: Exercise
    source: str
    smoothing: OneEuroParameters | None = None

    def __call__(self, on_hold_finished: HoldListener | None) -> FinishingSink:
        from posecheck.analysis.stages import ExerciseAnalysis

        return ExerciseAnalysis(self.exercise, self.source, self.smoothing, on_hold_finished)


@dataclass(frozen=True, slots=True)
class RecognisedRecipe:
    """A ``RecognisedAnalysis``: the exercises recognised as they come."""

    source: str
    exercises: Mapping[str, Exercise] | None = None

    def __call__(self, on_hold_finished: HoldListener | None) -> FinishingSink:
        from posecheck.analysis.recognised import RecognisedAnalysis

        return RecognisedAnalysis(self.source, exercises=self.exercises)


def second_core_free() -> bool:
    """Whether this process may use two cores (on one, the rules beside would only take
    turns with the model, at the cost of the messages)."""
    return len(os.sched_getaffinity(0)) >= 2


class RulesBeside(Closing):
    """A sink whose rules run in their own process: ``feed`` and ``note_other_people`` post
    and return at once; ``finish`` waits for the session. A hold listener is called in this
    process, on the thread that feeds, with the session so far."""

    def __init__(self, recipe: SinkRecipe, on_hold_finished: HoldListener | None = None) -> None:
        self.on_hold_finished = on_hold_finished
        self._process, self._to_rules, self._from_rules = _start_rules_process()
        self._to_rules.send((recipe, on_hold_finished is not None))
        self._outbox: queue.SimpleQueue[tuple[Any, ...] | None] = queue.SimpleQueue()
        self._inbox: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        self._sender = threading.Thread(target=self._send_all, name="posecheck-rules-out", daemon=True)
        self._receiver = threading.Thread(target=self._receive_all, name="posecheck-rules-in", daemon=True)
        self._sender.start()
        self._receiver.start()
        self._result: Any = None

    @property
    def pid(self) -> int:
        """The rules' process."""
        return self._process.pid

    def feed(self, time_s: float, pose: Pose | None) -> None:
        self._outbox.put(("feed", time_s, pose))
        self._take_news()

    def note_other_people(self, found: OtherPeople) -> None:
        self._outbox.put(("others", found))

    def finish(self, frame_period_s: float, ended_early: bool = False, interrupted: bool = False) -> Any:
        """The sink's result once every frame posted is judged (a first Ctrl-C meanwhile is
        held back: what was recorded is not lost)."""
        self._outbox.put(("finish", frame_period_s, ended_early, interrupted))
        while self._result is None:
            self._take(self._wait_for_news())
        return self._result

    def close(self) -> None:
        """Ends the process (asked to finish, it has; otherwise its end of the pipe closes)."""
        self._outbox.put(None)
        self._sender.join(timeout=5)
        self._to_rules.close()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._receiver.join(timeout=5)
        self._from_rules.close()

    def _wait_for_news(self) -> tuple[str, Any]:
        """The next message; a first Ctrl-C meanwhile waits on for the session on its way
        (what was recorded), a second one stops waiting."""
        heard_ctrl_c = False
        while True:
            try:
                return self._inbox.get(timeout=0.5)
            except queue.Empty:
                continue
            except KeyboardInterrupt:
                if heard_ctrl_c:
                    raise
                heard_ctrl_c = True

    def _take_news(self) -> None:
        while True:
            try:
                news = self._inbox.get_nowait()
            except queue.Empty:
                return
            self._take(news)

    def _take(self, news: tuple[str, Any]) -> None:
        kind, value = news
        if kind == "held" and self.on_hold_finished is not None:
            self.on_hold_finished(value)
        elif kind == "result":
            self._result = value
        elif kind == "failed":
            raise value
        elif kind == "ended":
            try:
                code: int | None = self._process.wait(timeout=1)
            except subprocess.TimeoutExpired:
                code = None
            raise AnalysisCrashedError(
                f"the rules' process ended unexpectedly (exit code {code}): "
                "run again; if it happens again, report it with the video"
            )

    def _send_all(self) -> None:
        while (message := self._outbox.get()) is not None:
            try:
                self._to_rules.send(message)
            except (BrokenPipeError, OSError):
                return

    def _receive_all(self) -> None:
        while True:
            try:
                self._inbox.put(self._from_rules.recv())
            except (EOFError, OSError):
                self._inbox.put(("ended", None))
                return


def _start_rules_process() -> tuple[subprocess.Popen[bytes], Connection, Connection]:
    """A fresh interpreter running ``serve_rules`` (not a fork of this process, whose model
    threads may hold locks; not multiprocessing's spawn, which runs the caller's script
    again), with this process's import path, in a session of its own so that Ctrl-C at the
    terminal reaches only its owner. Returns the process and the pipe ends to and from it."""
    to_rules_read, to_rules_write = os.pipe()
    from_rules_read, from_rules_write = os.pipe()
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join(path for path in sys.path if path))
    process = subprocess.Popen(
        [sys.executable, "-m", "posecheck.analysis.beside", str(to_rules_read), str(from_rules_write)],
        pass_fds=(to_rules_read, from_rules_write),
        env=environment,
        start_new_session=True,
    )
    os.close(to_rules_read)
    os.close(from_rules_write)
    return process, Connection(to_rules_write, readable=False), Connection(from_rules_read, writable=False)


def serve_rules(inbox: Connection, outbox: Connection) -> None:
    """The rules' process: builds the sink from the first message, then feeds it every
    message in order until asked to finish."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        recipe, listen = inbox.recv()
        sink = recipe((lambda session: outbox.send(("held", session))) if listen else None)
        while True:
            message = inbox.recv()
            if message[0] == "feed":
                sink.feed(message[1], message[2])
            elif message[0] == "others":
                sink.note_other_people(message[1])
            elif message[0] == "finish":
                _, frame_period_s, ended_early, interrupted = message
                outbox.send(("result", sink.finish(frame_period_s, ended_early, interrupted)))
                return
    except EOFError:
        return  # the owner is gone
    except Exception as error:  # any failure of the rules is the owner's to report
        outbox.send(("failed", _portable(error)))


def _portable(error: Exception) -> Exception:
    """The error as it can cross to the owner (one that does not pickle, as its text)."""
    import pickle

    try:
        pickle.loads(pickle.dumps(error))
    except Exception:  # whatever stops it crossing, its text still can
        return AnalysisCrashedError(f"the rules failed ({type(error).__name__}: {error})")
    return error


class RulesHere(Closing):
    """The same sink in this process: where something reads the rules' answer before the
    next frame (``sink``), or no second core is free."""

    def __init__(self, recipe: SinkRecipe, on_hold_finished: HoldListener | None = None) -> None:
        self.sink = recipe(on_hold_finished)

    def feed(self, time_s: float, pose: Pose | None) -> object:
        return self.sink.feed(time_s, pose)

    def note_other_people(self, found: OtherPeople) -> None:
        self.sink.note_other_people(found)

    def finish(self, frame_period_s: float, ended_early: bool = False, interrupted: bool = False) -> Any:
        return self.sink.finish(frame_period_s, ended_early=ended_early, interrupted=interrupted)

    def close(self) -> None:
        return None


def rules_for(
    recipe: SinkRecipe, on_hold_finished: HoldListener | None = None, *, beside: bool = True
) -> RulesBeside | RulesHere:
    """The rules beside the model when ``beside`` and a second core is free, else here."""
    if beside and second_core_free() and sys.executable:
        try:
            return RulesBeside(recipe, on_hold_finished)
        except OSError:  # no process can be started here (a limit on processes, say)
            pass
    return RulesHere(recipe, on_hold_finished)


if __name__ == "__main__":
    serve_rules(Connection(int(sys.argv[1]), writable=False), Connection(int(sys.argv[2]), readable=False))
    os._exit(0)  # all is sent: the interpreter's tidying up would only keep the owner waiting
