"""What a person or their physiotherapist reads: the summary text and JSON, the HTML
report, and the overlay drawn on annotated videos and in the live window.

Reads: sessions (and frames, for the overlay). Adds: text, JSON, HTML and pictures.
"""
