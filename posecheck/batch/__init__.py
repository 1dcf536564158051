"""Many videos: a folder or a manifest analysed on worker processes (``runner``) or on a Ray
cluster (``cluster``), each video through exactly the code path of one ``analyze``.

Reads: a folder or a CSV manifest. Adds: one outcome per video (its session or its error).
"""
