"""The longer fuzz campaign over every input posecheck reads (see tests/input_fuzz.py), and
the table of the README's reliability section.

    python bench/fuzz_inputs.py [--seed N] [--per-kind N] [--corpus DIR]

Each case is a posecheck process of its own; failures are listed under the table.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.input_fuzz import cases, make_seeds, run_case, table

CLIP = "videos/prone_press_up__fitsens_cobra_stretch_man.mp4"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--per-kind", type=int, default=60)
    parser.add_argument(
        "--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "corpus"
    )
    arguments = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="posecheck-fuzz-") as temporary:
        folder = Path(temporary)
        seeds = make_seeds(folder / "seeds", arguments.corpus / CLIP)
        outcomes = []
        for number, case in enumerate(cases(arguments.seed, arguments.per_kind, seeds)):
            outcome = run_case(case, seeds, folder / "case")
            outcomes.append(outcome)
            if not outcome.as_expected:
                print(
                    f"case {number}: {case.kind} ({case.name}) {str(case.arguments)[:300]}: "
                    f"{outcome.problem[:600]}",
                    flush=True,
                )
    print(table(outcomes))
    print(f"{len(outcomes)} cases, seed {arguments.seed}, {time.monotonic() - started:.0f} s")
    return 0 if all(outcome.as_expected for outcome in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
