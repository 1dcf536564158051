"""History and report figures on a real session: the time to save and load one session, the
file's size per session, and the time to render the HTML report.

    python bench/history.py [CORPUS_DIR]

The session is the rules' output on the cached pose track of the 68 s press-up clip (the
model runs once if the track is not cached yet).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from posecheck.analysis.video import analyze_track
from posecheck.evaluation.corpus import corpus_track
from posecheck.history.store import History
from posecheck.pipeline import model_files as models
from posecheck.reports.html import render_html

CLIP = "videos/prone_press_up__flowai_bhujangasana_man_side.mp4"
SESSIONS = 200


def main() -> int:
    corpus = (
        Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared" / "corpus"
    )
    track = corpus_track(corpus / CLIP, models.find_model(), models.user_cache_dir() / "tracks")
    session = analyze_track(track, "prone_press_up")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "history.sqlite"
        with History(path) as history:
            saves = []
            for _ in range(SESSIONS):
                start = time.perf_counter()
                history.save(session, corpus / CLIP)
                saves.append(time.perf_counter() - start)
            history.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            start = time.perf_counter()
            stored = history.sessions()
            load_all_s = time.perf_counter() - start
            start = time.perf_counter()
            history.sessions(with_traces=False)
            list_all_s = time.perf_counter() - start
            start = time.perf_counter()
            html = render_html(stored[-1], stored[-30:], "trunk lift")
            render_s = time.perf_counter() - start
        size = path.stat().st_size
    print(f"session: {session.frames} frames, {len(session.holds)} holds, key angle of every frame")
    print(
        f"save one session: median {1000 * statistics.median(saves):.1f} ms, max {1000 * max(saves):.1f} ms"
    )
    print(
        f"load {SESSIONS} sessions: {1000 * load_all_s:.0f} ms ({1000 * load_all_s / SESSIONS:.2f} ms each)"
    )
    print(f"list {SESSIONS} sessions without their key angle: {1000 * list_all_s:.0f} ms")
    print(f"file size: {size / SESSIONS / 1024:.1f} KiB per session")
    print(f"HTML report (3 plots, 30 past sessions): {render_s:.2f} s, {len(html) / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
