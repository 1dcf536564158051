"""The command line: a thin layer that parses options and calls the library.

Reads: arguments. Adds: one-line errors with exit codes, printed summaries.
"""
