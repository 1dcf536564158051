"""A session coached live from a camera: the same stages as ``analysis`` on the newest frame,
with the set-up check, the cues spoken and the window drawn.

Reads: a camera (or a file played as one). Adds: spoken and drawn cues, and a session.
"""
