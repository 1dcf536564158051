"""Stage 2, poses to events: the vocabulary exercise modules are written in (measurements,
levels with hysteresis, checks with their cues), the body read from a pose, the shared
geometry, the registry of ``exercises/``, the rule engine, and what came nearest to a hold
where none was found.

Reads: smoothed poses. Adds: events (phases, holds, faults) for any registered exercise.
"""
