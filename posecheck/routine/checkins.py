"""Check-ins: how the person's back feels, asked before and after the routine, and whether
each stretch was felt where it should be.

The instructions name the sign that an exercise is done right: "you must feel a stretch
along the lower back or buttocks". Pain is asked on the usual 0-10 scale. A pain that rises
by ``PAIN_RISE_TO_STOP`` or more, or reaches ``PAIN_TO_STOP``, gets the advice to stop and
to contact the physiotherapist or doctor: exercise for back spasm should ease the pain, and
a two-point rise on this scale is the smallest change people notice as real.

Every question is written to be heard: the person may be lying on the mat, away from the
screen. Answers come by keys, typed lines or the command line (``scripted_answers``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from posecheck.errors import UsageError

PAIN_RISE_TO_STOP = 2
PAIN_TO_STOP = 8
LOWEST_PAIN, HIGHEST_PAIN = 0, 10
PAIN_BEFORE, PAIN_AFTER, PAIN_NOW, STRETCH = "pain_before", "pain_after", "pain_now", "stretch"


class Stretch(StrEnum):
    """Whether the stretch was felt along the lower back or buttocks."""

    YES = "yes"
    NO = "no"
    NOT_SURE = "not sure"


_STRETCH_WORDS = {
    "y": Stretch.YES,
    "yes": Stretch.YES,
    "n": Stretch.NO,
    "no": Stretch.NO,
    "s": Stretch.NOT_SURE,
    "?": Stretch.NOT_SURE,
    "not sure": Stretch.NOT_SURE,
    "not_sure": Stretch.NOT_SURE,
    "unsure": Stretch.NOT_SURE,
}


@dataclass(frozen=True, slots=True)
class Question:
    """One check-in question: ``text`` printed, ``spoken`` said, ``short`` shown over the
    picture. ``key``: what the answer is stored as (``pain_before``, ``pain_after``,
    ``pain_now``, or ``stretch`` with ``exercise``)."""

    key: str
    text: str
    spoken: str
    short: str
    exercise: str | None = None

    @property
    def about_pain(self) -> bool:
        return self.key != STRETCH

    def read(self, typed: str) -> int | Stretch | None:
        """The answer in what was typed or keyed (None when it is not one)."""
        typed = typed.strip().lower()
        if self.about_pain:
            return pain_score(typed)
        return _STRETCH_WORDS.get(typed)

    def hint(self) -> str:
        return "a number from 0 to 10" if self.about_pain else "y (yes), n (no) or s (not sure)"


def pain_score(typed: str) -> int | None:
    if not typed.isdigit():
        return None
    score = int(typed)
    return score if LOWEST_PAIN <= score <= HIGHEST_PAIN else None


def pain_question(key: str) -> Question:
    when = {PAIN_BEFORE: "Before we start", PAIN_AFTER: "Now that you are done", PAIN_NOW: "Right now"}[key]
    return Question(
        key,
        f"{when}: how much does your back hurt, from 0 (no pain) to 10 (the worst)? Type the number.",
        f"{when}: how much does your back hurt, from nought, no pain, to ten, the worst? "
        "Press the number, then enter.",
        "Back pain now, 0-10? Number, then Enter",
    )


def stretch_question(exercise: str, title: str) -> Question:
    return Question(
        STRETCH,
        f"{title}: did you feel the stretch along your lower back or buttocks? y (yes), n (no), s (not sure)",
        "Did you feel the stretch along your lower back or buttocks? Press Y for yes, N for no, "
        "or S if you are not sure.",
        "Stretch felt in low back or buttocks? y / n / s",
        exercise,
    )


@dataclass(frozen=True, slots=True)
class CheckIns:
    """The answers given (None where a question went unanswered)."""

    pain_before: int | None = None
    pain_after: int | None = None
    stretch: Mapping[str, Stretch] = field(default_factory=dict)
    pain_during: tuple[int, ...] = ()

    @property
    def pain_rose(self) -> bool:
        """The pain was higher at the end (or during) than before."""
        if self.pain_before is None:
            return False
        later = [score for score in (*self.pain_during, self.pain_after) if score is not None]
        return any(score > self.pain_before for score in later)


def pain_advice(before: int | None, now: int) -> str | None:
    """The advice to stop, when the pain now calls for it; None otherwise."""
    if now >= PAIN_TO_STOP:
        why = f"Your pain is {now} out of 10."
    elif before is not None and now - before >= PAIN_RISE_TO_STOP:
        why = f"Your pain went up from {before} to {now}."
    else:
        return None
    return f"{why} Stop the exercises for today and contact your physiotherapist or doctor."


@dataclass(frozen=True, slots=True)
class ScriptedAnswers:
    """Answers given ahead (``--answers pain_before=3,pain_after=2,stretch=yes``): ``stretch``
    answers every stretch question, ``stretch.NAME`` one exercise's."""

    pain: Mapping[str, int] = field(default_factory=dict)
    stretch: Stretch | None = None
    stretch_by_exercise: Mapping[str, Stretch] = field(default_factory=dict)

    def answer(self, question: Question) -> int | Stretch | None:
        if question.about_pain:
            return self.pain.get(question.key)
        if question.exercise is not None and question.exercise in self.stretch_by_exercise:
            return self.stretch_by_exercise[question.exercise]
        return self.stretch


def scripted_answers(text: str, exercises: tuple[str, ...]) -> ScriptedAnswers:
    """Reads ``--answers``; a mistake is one line naming the item and the fix."""
    pain: dict[str, int] = {}
    stretch: Stretch | None = None
    by_exercise: dict[str, Stretch] = {}
    form = "pain_before=N,pain_after=N,stretch=yes|no|not_sure (or stretch.EXERCISE=...)"
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, equals, value = (part.strip() for part in item.partition("="))
        if not equals:
            raise UsageError(f"--answers: {item!r} has no '=': write {form}")
        if key in (PAIN_BEFORE, PAIN_AFTER):
            score = pain_score(value)
            if score is None:
                raise UsageError(f"--answers: {key}={value!r}: give a whole number from 0 to 10")
            pain[key] = score
            continue
        name = key.removeprefix(STRETCH + ".") if key.startswith(STRETCH + ".") else None
        if key != STRETCH and name is None:
            raise UsageError(f"--answers: unknown question {key!r}: write {form}")
        answer = _STRETCH_WORDS.get(value.lower())
        if answer is None:
            raise UsageError(f"--answers: {key}={value!r}: give yes, no or not_sure")
        if name is None:
            stretch = answer
        elif name not in exercises:
            raise UsageError(f"--answers: {key}: {name!r} is not in the routine ({', '.join(exercises)})")
        else:
            by_exercise[name] = answer
    return ScriptedAnswers(pain, stretch, by_exercise)
