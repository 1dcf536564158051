"""One rule module per exercise. Each defines ``EXERCISE``, an ``posecheck.Exercise``."""
