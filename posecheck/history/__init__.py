"""The sessions kept: the SQLite store, targets and their progression, and export.

Reads: sessions. Adds: the history, trends, the next target, CSV and JSON exports.
"""
