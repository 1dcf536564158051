"""Stage 2, poses to events: the vocabulary exercise modules are written in (measurements,
levels with hysteresis, checks with their cues), the body read from a pose, the shared
geometry, the registry of ``exercises/`` and the rule engine.

Reads: smoothed poses. Adds: events (phases, holds, faults) for any registered exercise.
"""
