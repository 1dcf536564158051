"""The sessions and routines kept: the SQLite store, targets and their progression (after a
routine, one that listens to the check-ins), and export.

Reads: sessions and routines. Adds: the history, trends, the next target and why, CSV and
JSON exports.
"""
