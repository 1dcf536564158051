"""`routine`: the whole routine live, guided from one exercise to the next, with the
person's check-ins; and `analyze VIDEO --routine`, the same routine read from a recording."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from posecheck.cli.history import open_history_for_analysis
from posecheck.pipeline import model_files as models
from posecheck.terminal_text import shown, shown_lines

FINISH_SPEAKING_S = 20.0
"""At the end the last words (the advice to stop, when given) are let finish."""

if TYPE_CHECKING:
    from posecheck.history.saving import RoutineSaver
    from posecheck.history.store import History
    from posecheck.live.coaching import Announcement
    from posecheck.routine.checkins import ScriptedAnswers
    from posecheck.routine.plan import RoutinePlan, RoutineStep
    from posecheck.routine.record import Routine


def routine_command(arguments: argparse.Namespace) -> int:
    from posecheck.routine.plan import default_plan_text

    if arguments.show_plan:
        if arguments.plan is not None:
            print(_plan(arguments).text, end="")
        else:
            print(default_plan_text(), end="")
        return 0
    plan = _plan(arguments)
    model = models.find_model(arguments.model)
    history = None if arguments.no_history else open_history_for_analysis(arguments.db)
    with history if history is not None else contextlib.nullcontext():
        steps = plan.steps_for(history.targets() if history is not None else {})
        scripted = _scripted(arguments, steps)
        return _routine_live(arguments, plan, steps, model, scripted, history)


def _plan(arguments: argparse.Namespace) -> RoutinePlan:
    from posecheck.routine.plan import default_plan, load_plan

    return load_plan(arguments.plan) if arguments.plan is not None else default_plan()


def _scripted(arguments: argparse.Namespace, steps: tuple[RoutineStep, ...]) -> ScriptedAnswers | None:
    from posecheck.routine.checkins import scripted_answers

    if arguments.answers is None:
        return None
    return scripted_answers(arguments.answers, tuple(step.name for step in steps))


def _routine_live(
    arguments: argparse.Namespace,
    plan: RoutinePlan,
    steps: tuple[RoutineStep, ...],
    model: Path,
    scripted: ScriptedAnswers | None,
    history: History | None,
) -> int:
    from posecheck.cli.live import _camera_address
    from posecheck.history.saving import RoutineSaver
    from posecheck.live.routine_session import TERMINAL_HELP, TypedLines, run_routine
    from posecheck.live.voice import local_voice
    from posecheck.live.window import LiveWindow
    from posecheck.pipeline.camera import LiveCamera

    voice = None if arguments.quiet else local_voice()
    if voice is None and not arguments.quiet:
        print(
            "posecheck: warning: no speech engine (install espeak-ng): prompts are shown, not spoken",
            file=sys.stderr,
        )

    def tell(announcement: Announcement) -> None:
        if arguments.no_window:
            print(shown(f"{announcement.time_s:7.1f} s  {announcement.text}"), flush=True)
        if voice is not None and announcement.spoken:
            voice.say(announcement.spoken, announcement.cooldown_s, keep=announcement.kept)

    saver = RoutineSaver(history, None, warn=_warn)
    typed = None
    if arguments.no_window and sys.stdin is not None:
        if sys.stdin.isatty():
            print(TERMINAL_HELP)
        typed = TypedLines()
    with contextlib.ExitStack() as stack:
        if voice is not None:
            stack.callback(voice.close, FINISH_SPEAKING_S)
        window = None if arguments.no_window else stack.enter_context(LiveWindow("posecheck: routine"))
        camera = stack.enter_context(LiveCamera(_camera_address(arguments)))
        run = run_routine(
            camera,
            plan,
            steps,
            model,
            tell=tell,
            scripted=scripted,
            window=window,
            typed=typed,
            on_progress=saver.save,
        )
    finish_routine(run.routine, arguments.json, saver)
    if run.camera_error is not None:
        raise run.camera_error
    return 0


def finish_routine(routine: Routine, json_path: Path | None, saver: RoutineSaver) -> None:
    """Prints the routine's summary, writes its JSON, and saves it to the history (one
    record, under the number it was saved as while it grew) with the targets it changes."""
    from posecheck.cli.routine_history import tell_routine_saved
    from posecheck.reports.routine_text import routine_summary_text, write_routine_json

    print(shown_lines(routine_summary_text(routine)))
    if json_path is not None:
        write_routine_json(routine, json_path)
        print(f"Report written to {shown(json_path)}")
    routine_id = saver.save(routine)
    if routine_id is not None and saver.history is not None:
        tell_routine_saved(saver.history, routine_id)


def _warn(message: str) -> None:
    print(f"posecheck: warning: {shown(message)}", file=sys.stderr)


def analyze_routine(arguments: argparse.Namespace, model: Path, history: History | None) -> int:
    """`analyze VIDEO --routine`: the routine of a recorded video, its exercises recognised."""
    from posecheck.analysis.recognised import analyze_video_recognised
    from posecheck.analysis.video import session_problem
    from posecheck.cli.analyze_usage import video_options
    from posecheck.routine.checkins import CheckIns, Stretch, pain_advice, stretch_question
    from posecheck.routine.record import RoutineEnding, routine_from_recognised

    plan = _plan(arguments)
    steps = plan.steps_for(history.targets() if history is not None else {})
    scripted = _scripted(arguments, steps)
    recognised = analyze_video_recognised(
        arguments.video,
        model,
        video_options(arguments, None),
        exercises={step.name: step.exercise for step in steps},
    )
    checkins = CheckIns()
    advice = None
    if scripted is not None:
        done = {session.exercise for session in recognised.sessions if session.holds}
        stretch = {}
        for step in steps:
            answer = scripted.answer(stretch_question(step.name, step.exercise.title))
            if step.name in done and isinstance(answer, Stretch):
                stretch[step.name] = answer
        before, after = scripted.pain.get("pain_before"), scripted.pain.get("pain_after")
        checkins = CheckIns(before, after, stretch)
        advice = pain_advice(before, after) if after is not None else None
    routine = routine_from_recognised(
        plan, steps, recognised, checkins, RoutineEnding.END_OF_VIDEO, advice=advice
    )
    if all(entry.done for entry in routine.exercises):
        routine = dataclasses.replace(routine, ended=RoutineEnding.FINISHED)
    from posecheck.history.saving import RoutineSaver

    finish_routine(routine, arguments.json, RoutineSaver(history, arguments.video, warn=_warn))
    problem = session_problem(recognised, arguments.video)
    if problem is not None:
        raise problem
    return 0
