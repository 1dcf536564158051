"""Stage 1, frames to poses: the frame source (files and cameras), the pose model and its
files, the followed person (still pictures and logos dropped), left and right kept
consistent, and the One Euro smoothing. Saved landmark recordings replay this stage's output.

Reads: video files, cameras, model files. Adds: one ``Pose`` (33 landmarks) per frame, or None.
"""
