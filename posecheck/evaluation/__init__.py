"""Accuracy on the labelled corpus: holds, reps and faults (``corpus``), and exercise
recognition (``recognition``). ``python -m posecheck.evaluation`` prints the first.

Reads: the labelled corpus. Adds: per-clip scores against the bars.
"""
