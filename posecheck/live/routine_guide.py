"""The routine's guide: what comes next, said so that a person lying on a mat can follow it
without looking.

Reads, per analysed frame, the exercise the recogniser names and the current exercise's
events and state; reads the person's commands (pause is the session clock's, skip, quit,
"it hurts") and answers. Gives ``Announcement``s, every one of them with words to speak,
and the lines the window shows.

The routine follows the person: when they start another exercise of the plan, that one
becomes the current one, and the one they left is kept as it stands (not done, unless its
reps held the target). A question never stops the routine: it stands until answered, and an
exercise started meanwhile is followed.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from enum import StrEnum

from posecheck.live.coaching import Announcement, Coach, number_words
from posecheck.routine.checkins import (
    PAIN_AFTER,
    PAIN_BEFORE,
    PAIN_NOW,
    CheckIns,
    Question,
    ScriptedAnswers,
    Stretch,
    pain_advice,
    pain_question,
    stretch_question,
)
from posecheck.routine.plan import Legs, RoutineStep
from posecheck.routine.record import RoutineEnding, reps_meeting
from posecheck.rules.engine import EngineState
from posecheck.rules.events import Event, Hold, HoldFinished

FIRST_QUESTION_WAIT_S = 30.0
"""The routine moves on to the first exercise if the pain question is not answered by then
(it stays open): nobody should have to answer before they may start."""
LAST_QUESTION_WAIT_S = 60.0
"""The routine ends this long after its last question if that goes unanswered."""


class Stage(StrEnum):
    CHECK_IN = "check-in"
    EXERCISE = "exercise"
    REST = "rest"
    CLOSING = "closing"
    ENDED = "ended"


def _say(time_s: float, text: str, spoken: str | None = None) -> Announcement:
    return Announcement(time_s, text, spoken if spoken is not None else text, cooldown_s=0.0, kept=True)


@dataclass
class _StepProgress:
    """What one step has seen so far: its holds, whether the person left it."""

    holds: list[Hold] = field(default_factory=list)
    skipped: bool = False
    closed: bool = False


class RoutineGuide:
    """The routine's state: which step, which question, what was answered."""

    def __init__(self, steps: tuple[RoutineStep, ...], scripted: ScriptedAnswers | None = None) -> None:
        self.steps = steps
        self.scripted = scripted or ScriptedAnswers()
        self.index = 0
        self.stage = Stage.CHECK_IN
        self.stage_since = 0.0
        self.progress = [_StepProgress() for _ in steps]
        self.coach = Coach(steps[0].exercise)
        self.question: Question | None = None
        self.question_since = 0.0
        self._queue: deque[Question] = deque()
        self.pain: dict[str, int] = {}
        self.pain_during: list[int] = []
        self.stretch: dict[str, Stretch] = {}
        self.advice: str | None = None
        self.ending: RoutineEnding | None = None

    # ----------------------------------------------------------------- reading
    @property
    def step(self) -> RoutineStep:
        return self.steps[self.index]

    @property
    def ended(self) -> bool:
        return self.stage is Stage.ENDED

    @property
    def skipped(self) -> frozenset[str]:
        return frozenset(
            step.name for step, done in zip(self.steps, self.progress, strict=True) if done.skipped
        )

    def checkins(self) -> CheckIns:
        return CheckIns(
            self.pain.get(PAIN_BEFORE), self.pain.get(PAIN_AFTER), dict(self.stretch), tuple(self.pain_during)
        )

    def lines(self) -> tuple[str, ...]:
        """What the window shows above the picture: where the routine is, and the question."""
        where = f"{self.index + 1}/{len(self.steps)} {self.step.exercise.title}"
        lines = [f"{where}: {self.stage}"] if self.stage is not Stage.EXERCISE else [where]
        if self.question is not None:
            lines.append(self.question.short)
        return tuple(lines)

    # ----------------------------------------------------------------- starting
    def start(self, time_s: float) -> list[Announcement]:
        self.stage_since = time_s
        titles = ", ".join(step.exercise.title for step in self.steps)
        said = [
            _say(
                time_s,
                f"routine: {len(self.steps)} exercises: {titles}",
                f"Today's routine has {number_words(len(self.steps))} exercises: {titles}.",
            )
        ]
        return said + self._ask(time_s, pain_question(PAIN_BEFORE))

    # ----------------------------------------------------------------- each frame
    def hear(self, time_s: float, named: str, events: list[Event], state: EngineState) -> list[Announcement]:
        """One analysed frame: ``named`` is the exercise the recogniser names now; ``events``
        and ``state`` are the current step's exercise's."""
        said: list[Announcement] = []
        if self.stage in (Stage.ENDED, Stage.CLOSING):
            return self._closing_time(time_s)
        followed = self._followed_step(named)
        if followed is not None:
            return self._follow(time_s, followed)
        if self.stage is Stage.CHECK_IN and time_s - self.stage_since >= FIRST_QUESTION_WAIT_S:
            return self._begin_step(time_s, self.index)
        if self.stage is Stage.EXERCISE:
            said += self.coach.hear(time_s, events, state)
            said += self._holds_finished(time_s, events)
        elif self.stage is Stage.REST and time_s - self.stage_since >= self.step.rest_s:
            said += self._begin_step(time_s, self.index)
        return said

    def _followed_step(self, named: str) -> int | None:
        """The step of the exercise the person has started, when it is not the current one
        (or when they start the current one before it was announced)."""
        for index, step in enumerate(self.steps):
            if step.name != named or self.progress[index].closed:
                continue
            if index != self.index or self.stage is not Stage.EXERCISE:
                return index
        return None

    def _closing_time(self, time_s: float) -> list[Announcement]:
        if self.stage is Stage.CLOSING and time_s - self.question_since >= LAST_QUESTION_WAIT_S:
            return self._end(time_s, self.ending or RoutineEnding.FINISHED)
        return []

    # ----------------------------------------------------------------- steps
    def _begin_step(self, time_s: float, index: int) -> list[Announcement]:
        self.index, self.stage, self.stage_since = index, Stage.EXERCISE, time_s
        step = self.step
        self.coach = Coach(step.exercise)
        how = " ".join(step.exercise.instructions[:3])
        times = f"Hold {number_words(round(step.hold_s))} seconds, {number_words(step.reps)} times"
        if step.legs is Legs.ALTERNATE:
            times += " on each leg, switching legs each time"
        elif step.legs is Legs.BOTH:
            times += ", both knees together"
        spoken = f"Exercise {number_words(index + 1)}: {step.exercise.title}. {how} {times}."
        return [_say(time_s, f"exercise {index + 1} of {len(self.steps)}: {step.describe()}", spoken)]

    def _follow(self, time_s: float, index: int) -> list[Announcement]:
        """The person started another exercise of the plan: it becomes the current one."""
        said: list[Announcement] = []
        if self.stage is Stage.EXERCISE and index != self.index:
            said += self._close_step(time_s, moved_on=True)
        self._next_question_if_any(time_s)
        said += self._begin_step(time_s, index)
        return said

    def _holds_finished(self, time_s: float, events: list[Event]) -> list[Announcement]:
        said: list[Announcement] = []
        for event in events:
            if not isinstance(event, HoldFinished):
                continue
            self.progress[self.index].holds.append(event.hold)
            if self._step_done():
                return said + self._close_step(time_s) + self._after_step(time_s)
            said += self._switch_legs(time_s, event.hold)
        return said

    def _step_done(self) -> bool:
        step = self.step
        return reps_meeting(tuple(self.progress[self.index].holds), step.hold_s, step.legs) >= step.reps

    def _switch_legs(self, time_s: float, hold: Hold) -> list[Announcement]:
        if self.step.legs is not Legs.ALTERNATE or not hold.complete or hold.side not in ("left", "right"):
            return []
        other = "left" if hold.side == "right" else "right"
        return [
            _say(
                time_s,
                f"switch legs: now the {other} knee",
                f"Switch legs: now bring your {other} knee to your chest.",
            )
        ]

    def _close_step(self, time_s: float, moved_on: bool = False, skipped: bool = False) -> list[Announcement]:
        """The current step ends: said how far it got; the stretch asked once it had a hold."""
        progress = self.progress[self.index]
        progress.closed = True
        step = self.step
        reps = reps_meeting(tuple(progress.holds), step.hold_s, step.legs)
        said: list[Announcement] = []
        if reps >= step.reps:
            said.append(
                _say(
                    time_s,
                    f"{step.exercise.title}: done",
                    f"Well done: that is the {step.exercise.title} done.",
                )
            )
        else:
            progress.skipped = skipped
            why = "skipped" if skipped else "left" if moved_on else "ended"
            done = sum(hold.complete for hold in progress.holds)
            reps_word = "rep" if done == 1 else "reps"
            said.append(
                _say(
                    time_s,
                    f"{step.exercise.title}: {why} after {done} {reps_word}, {reps} of {step.reps} holding "
                    f"{step.hold_s:g} s (not done)",
                    f"{step.exercise.title} {why} after {number_words(done)} {reps_word}.",
                )
            )
        if progress.holds:
            said += self._ask(time_s, stretch_question(step.name, step.exercise.title))
        return said

    def _after_step(self, time_s: float, rest: bool = True) -> list[Announcement]:
        """Rest before the next step not closed yet (none after a skip), or the end of the
        routine."""
        following = [index for index in range(len(self.steps)) if not self.progress[index].closed]
        if not following:
            return self._close_routine(time_s, RoutineEnding.FINISHED)
        finished = self.step
        later = [index for index in following if index > self.index]
        self.index = later[0] if later else following[0]
        rest_s = finished.rest_s if rest else 0.0
        self.stage, self.stage_since = Stage.REST, time_s
        if rest_s <= 0:
            return self._begin_step(time_s, self.index)
        title = self.step.exercise.title
        return [
            _say(
                time_s,
                f"rest {rest_s:g} s; next: {title}",
                f"Rest for {number_words(round(rest_s))} seconds. Next: {title}.",
            )
        ]

    # ----------------------------------------------------------------- commands
    def skip(self, time_s: float) -> list[Announcement]:
        """The person skips the current exercise (or the rest before the next)."""
        if self.stage is Stage.REST or self.stage is Stage.CHECK_IN:
            return self._begin_step(time_s, self.index)
        if self.stage is not Stage.EXERCISE:
            return []
        return self._close_step(time_s, skipped=True) + self._after_step(time_s, rest=False)

    def quit(self, time_s: float) -> list[Announcement]:
        """The person ends the routine: what was done is kept; pain is asked once more.
        Quitting again while asked ends it at once."""
        if self.stage is Stage.CLOSING:
            return self._end(time_s, RoutineEnding.QUIT)
        if self.stage is Stage.EXERCISE:
            self._close_step(time_s)
        return self._close_routine(time_s, RoutineEnding.QUIT)

    def stop(self, time_s: float, ending: RoutineEnding) -> list[Announcement]:
        """The frames ended first (the end of a file, the camera gone, Ctrl-C): the last
        check-in is asked as far as it can be answered now (answers given ahead)."""
        if self.stage in (Stage.CLOSING, Stage.ENDED):
            return []
        if self.stage is Stage.EXERCISE:
            self._close_step(time_s)
        return self._close_routine(time_s, ending)

    def it_hurts(self, time_s: float) -> list[Announcement]:
        """The person says it hurts: the pain is asked now."""
        return self._ask(time_s, pain_question(PAIN_NOW), first=True)

    def _close_routine(self, time_s: float, ending: RoutineEnding) -> list[Announcement]:
        self.ending = ending
        self.stage, self.stage_since = Stage.CLOSING, time_s
        said = [_say(time_s, "routine over", "That is the end of the routine.")]
        said += self._ask(time_s, pain_question(PAIN_AFTER))
        if self.question is None and self.stage is not Stage.ENDED:
            said += self._end(time_s, ending)
        return said

    def _end(self, time_s: float, ending: RoutineEnding) -> list[Announcement]:
        self.stage, self.ending = Stage.ENDED, ending
        self.question = None
        return [_say(time_s, f"routine ended ({ending})", "Thank you. The routine is saved.")]

    # ----------------------------------------------------------------- questions
    def _ask(self, time_s: float, question: Question, first: bool = False) -> list[Announcement]:
        scripted = self.scripted.answer(question)
        if scripted is not None:
            return self._take(time_s, question, scripted, given=True)
        if first:
            self._queue.appendleft(question)
        else:
            self._queue.append(question)
        if self.question is None or first:
            return self._next_question(time_s)
        return []

    def _next_question(self, time_s: float) -> list[Announcement]:
        self.question = self._queue.popleft() if self._queue else None
        self.question_since = time_s
        if self.question is None:
            return []
        return [_say(time_s, f"? {self.question.text}", self.question.spoken)]

    def _next_question_if_any(self, time_s: float) -> None:
        """A stretch question left unanswered when the person moved on stays asked."""
        if self.question is None and self._queue:
            self._next_question(time_s)

    def answer(self, time_s: float, typed: str) -> list[Announcement]:
        """A typed line (or keys) answering the question that stands."""
        question = self.question
        if question is None:
            return [_say(time_s, "no question is asked now", "There is no question to answer now.")]
        value = question.read(typed)
        if value is None:
            return [_say(time_s, f"answer with {question.hint()}", f"Please answer with {question.hint()}.")]
        return self._take(time_s, question, value, given=False)

    def _take(
        self, time_s: float, question: Question, value: int | Stretch, given: bool
    ) -> list[Announcement]:
        if question is self.question:
            self.question = None
        heard = f"{question.key.replace('_', ' ')}: {value}"
        said = [_say(time_s, f"{heard}{' (given)' if given else ''}", f"Noted: {value}.")]
        if isinstance(value, Stretch):
            assert question.exercise is not None
            self.stretch[question.exercise] = value
        else:
            said += self._take_pain(time_s, question.key, value)
        if self.stage is Stage.ENDED:
            return said
        if self.question is None:
            said += self._next_question(time_s)
        if self.stage is Stage.CLOSING and self.question is None:
            said += self._end(time_s, self.ending or RoutineEnding.FINISHED)
        elif self.stage is Stage.CHECK_IN and question.key == PAIN_BEFORE:
            said += self._begin_step(time_s, self.index)
        return said

    def _take_pain(self, time_s: float, key: str, score: int) -> list[Announcement]:
        if key == PAIN_NOW:
            self.pain_during.append(score)
        else:
            self.pain[key] = score
        advice = pain_advice(self.pain.get(PAIN_BEFORE) if key != PAIN_BEFORE else None, score)
        if advice is None:
            return []
        self.advice = advice
        said = [_say(time_s, f"! {advice}", advice)]
        if self.stage is not Stage.CLOSING:
            if self.stage is Stage.EXERCISE:
                self._close_step(time_s)
            self._queue.clear()
            said += self._end(time_s, RoutineEnding.STOPPED_FOR_PAIN)
        return said
