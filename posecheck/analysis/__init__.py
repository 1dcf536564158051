"""Stage 3, events to a session: one recorded video or saved recording through the pipeline
and the rules (``video``), which exercise is done when (``recognition``, ``recognised``),
the set-up checks (the camera's placement, someone else in the picture) and the session
record itself.

Reads: frames or recordings, an exercise (or none). Adds: a ``Session`` with holds, reps,
faults and notes.
"""
