"""What came nearest to a hold, in a session that has none.

"No hold was found" alone leaves the person guessing: filmed wrong, done wrong, or not
the exercise at all. So every frame with a person is tallied against the exercise's levels,
and a session without a hold can say how far it came and what stopped it:
- never in the exercise's position: the nearest moment to it (the frame in which the
  condition furthest from holding came closest), that condition and its reading against its
  threshold; or the chest facing the other way;
- in the position, never in the target: the same, for the target's levels;
- in the target, never held: the longest stay in it, against the time a hold needs;
and, whichever it was, the measurements the camera could not judge in half their frames or
more, with why and how to film them.

Reads: each frame's ``Whereabouts`` (frames with a person). Adds: a ``NearestMiss``.

Example::

    watch = NearestWatch(exercise)
    for time_s, body in bodies:
        watch.update(time_s, positions.read(body))
    miss = watch.result()  # None when no frame had a person
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

from posecheck.rules.holds import UNCHECKED_SHARE
from posecheck.rules.levels import LevelReading, Whereabouts
from posecheck.rules.view import Unjudged
from posecheck.rules.vocabulary import Exercise, Level


class Stage(StrEnum):
    """The part of the exercise a session without a hold did not get past."""

    POSITION = "position"
    """Never in the exercise's position (lying face down, kneeling...)."""
    TARGET = "target"
    """In the position, never in its target."""
    HOLD = "hold"
    """In the target, never held there."""


@dataclass(frozen=True, slots=True)
class Shortfall:
    """A level that kept the person out: its reading at the nearest moment (the frame in
    which the level furthest from holding came closest) against the threshold it needed, and
    that moment; both None where the view could not judge it then. (Where no level ever said
    no, the level held least, with its best reading.) ``against_share``: the share of the
    frames it was read in where it did not hold."""

    measurement: str
    unit: str
    at_least: bool
    threshold: float
    reading: float | None
    time_s: float | None
    against_share: float
    cue: str | None = None


@dataclass(frozen=True, slots=True)
class FacingAway:
    """The chest faced the other way than the exercise's ``facing`` (``"down"``: face down)
    in ``share`` of the frames with a person."""

    facing: str
    share: float


@dataclass(frozen=True, slots=True)
class UnjudgedShare:
    """A measurement the view could not judge in ``share`` of the frames it was read in: the
    frames with a person, or (``in_position``) those in the exercise's position, the only
    ones the target is read in. ``reason`` and ``advice`` as in ``view.Unjudged``."""

    measurement: str
    reason: str
    advice: str
    share: float
    in_position: bool


@dataclass(frozen=True, slots=True)
class NearestMiss:
    """What came nearest to a hold in a session without one.

    ``stage``: how far the person came. Short of the position or the target, ``shortfall``
    is the level that kept them out (or ``facing_away``, the chest turned the other way), and
    ``time_s`` the nearest moment. In the target, ``stay_s`` is the longest stay in it, from
    ``time_s``, against the ``hold_needs_s`` a hold lasts at the least.
    ``unjudged``: the measurements the view could not judge in half their frames or more,
    the shortfall's own first, then the most often unjudged.
    """

    stage: Stage
    time_s: float | None
    shortfall: Shortfall | None = None
    facing_away: FacingAway | None = None
    stay_s: float = 0.0
    hold_needs_s: float = 0.0
    unjudged: tuple[UnjudgedShare, ...] = ()


class LevelTally:
    """One level over a session: the frames it was read in, held in, said no in and could not
    be judged in (by reason), and its best judged reading with the time it was seen."""

    def __init__(self, level: Level, in_position: bool) -> None:
        self.level = level
        self.in_position = in_position
        self.read = 0
        self.against = 0
        self.held = 0
        self.unjudged = 0
        self.reasons: Counter[Unjudged] = Counter()
        self.best: float | None = None
        self.best_s: float | None = None

    def add(self, time_s: float, reading: LevelReading) -> None:
        self.read += 1
        self.against += reading.on is False
        self.held += reading.on is True
        own = reading.reading
        if not own.judged:
            # A stand-in may have judged the level, but this reading decided nothing.
            self.unjudged += 1
            if own.unjudged is not None:
                self.reasons[own.unjudged] += 1
            return
        if self.best is None or self.progress(own.value) > self.progress(self.best):
            self.best, self.best_s = own.value, time_s

    def progress(self, value: float | None) -> float:
        """How far a reading came towards the level's threshold (positive: past it), in
        widths of its hysteresis band, so that levels in different units compare; a reading
        the view could not judge came nowhere."""
        if value is None:
            return -math.inf
        level = self.level
        band = abs(level.enter - level.exit) or 1.0
        return (value - level.enter) / band if level.rising else (level.enter - value) / band

    def shortfall(self, reading: float | None, time_s: float | None) -> Shortfall:
        level = self.level
        return Shortfall(
            measurement=level.measurement.name,
            unit=level.measurement.unit,
            at_least=level.rising,
            threshold=level.enter,
            reading=reading,
            time_s=time_s,
            against_share=round(self.against / self.read, 3) if self.read else 0.0,
            cue=level.cue,
        )

    def unjudged_share(self) -> UnjudgedShare | None:
        """The share of its frames the view could not judge, with the reason seen most
        often; None below ``UNCHECKED_SHARE`` or with no reason to give."""
        if not self.read or not self.reasons or self.unjudged < UNCHECKED_SHARE * self.read:
            return None
        why = self.reasons.most_common(1)[0][0]
        share = round(self.unjudged / self.read, 3)
        return UnjudgedShare(self.level.measurement.name, why.reason, why.advice, share, self.in_position)


@dataclass(frozen=True, slots=True)
class Moment:
    """A frame in which levels of a group said no: how far short the one furthest from
    holding was (in widths of its hysteresis band; infinite where the view could not judge
    it), which level that was, and its reading."""

    short: float
    time_s: float
    tally: LevelTally
    reading: float | None


class LevelGroup:
    """The levels of an exercise's position, or of its target: each tallied over the frames
    it is read in, and the nearest moment, when the level furthest from holding came closest."""

    def __init__(self, levels: tuple[Level, ...], in_position: bool) -> None:
        self.tallies = [LevelTally(level, in_position) for level in levels]
        self.nearest: Moment | None = None

    def add(self, time_s: float, readings: tuple[LevelReading, ...]) -> None:
        worst: Moment | None = None
        for tally, reading in zip(self.tallies, readings, strict=False):
            tally.add(time_s, reading)
            if reading.on is not False:
                continue
            value = reading.reading.value if reading.reading.judged else None
            short = -tally.progress(value)
            if worst is None or short > worst.short:
                worst = Moment(short, time_s, tally, value)
        if worst is not None and (self.nearest is None or worst.short < self.nearest.short):
            self.nearest = worst

    def shortfall(self) -> tuple[Shortfall | None, LevelTally | None]:
        """The level that kept the person out at the nearest moment, or, where no level ever
        said no (the view judged neither the target's key nor its stand-in), the one that held
        least, with its best reading."""
        if self.nearest is not None:
            moment = self.nearest
            return moment.tally.shortfall(moment.reading, moment.time_s), moment.tally
        read = [tally for tally in self.tallies if tally.read]
        if not read:
            return None, None
        least = min(read, key=lambda tally: tally.held)
        return least.shortfall(least.best, least.best_s), least


class NearestWatch:
    """Tallies every frame with a person against the exercise's position and target levels,
    and the stays in the target, to say at the end what came nearest to a hold."""

    def __init__(self, exercise: Exercise) -> None:
        self.exercise = exercise
        self._position = LevelGroup(exercise.position, in_position=False)
        self._target = LevelGroup(exercise.target, in_position=True)
        self.frames = 0
        self.frames_in_position = 0
        self.frames_facing_away = 0
        self._stay_from: float | None = None
        self._longest_stay: tuple[float, float] | None = None  # (from, seconds)

    def update(self, time_s: float, where: Whereabouts) -> None:
        """One frame with a person."""
        self.frames += 1
        self.frames_in_position += where.in_position
        self.frames_facing_away += where.facing_away
        self._position.add(time_s, where.position)
        self._target.add(time_s, where.target)
        self._note_stay(time_s, where.in_target)

    def _note_stay(self, time_s: float, in_target: bool) -> None:
        """A stay in the target lasts from its first frame to the first frame out of it."""
        if self._stay_from is not None:
            seconds = time_s - self._stay_from
            if self._longest_stay is None or seconds > self._longest_stay[1]:
                self._longest_stay = (self._stay_from, seconds)
        if not in_target:
            self._stay_from = None
        elif self._stay_from is None:
            self._stay_from = time_s

    def result(self) -> NearestMiss | None:
        """What came nearest over the frames so far (None before the first)."""
        if not self.frames:
            return None
        if self._longest_stay is not None:
            stay_from, stay_s = self._longest_stay
            return NearestMiss(
                Stage.HOLD,
                stay_from,
                stay_s=round(stay_s, 3),
                hold_needs_s=self.exercise.timing.shortest_hold_s,
                unjudged=self._unjudged(None),
            )
        facing = self.exercise.facing
        if not self.frames_in_position and facing is not None and self._faced_away_mostly():
            away = FacingAway(facing.value, round(self.frames_facing_away / self.frames, 3))
            return NearestMiss(Stage.POSITION, None, facing_away=away, unjudged=self._unjudged(None))
        in_position = self.frames_in_position > 0
        group = self._target if in_position else self._position
        shortfall, tally = group.shortfall()
        return NearestMiss(
            Stage.TARGET if in_position else Stage.POSITION,
            shortfall.time_s if shortfall is not None else None,
            shortfall=shortfall,
            unjudged=self._unjudged(tally),
        )

    def _faced_away_mostly(self) -> bool:
        """The chest faced the other way in half the frames or more: whatever the levels
        read, the plainest thing to tell."""
        return self.frames_facing_away >= UNCHECKED_SHARE * self.frames

    def _unjudged(self, named: LevelTally | None) -> tuple[UnjudgedShare, ...]:
        """Each measurement unjudged in half its frames or more, once (a measurement in both
        the position and the target is named with the position, read in more frames); the
        ``named`` level's own first."""
        found: dict[str, UnjudgedShare] = {}
        for tally in self._position.tallies + self._target.tallies:
            share = tally.unjudged_share()
            if share is not None:
                found.setdefault(share.measurement, share)
        first = named.level.measurement.name if named is not None else None
        return tuple(sorted(found.values(), key=lambda item: (item.measurement != first, -item.share)))
