"""Every input posecheck reads, damaged at random (fixed seed, a bounded number of cases):
one error line with its documented exit code, never a traceback or a hang, and no earlier
session lost. ``python bench/fuzz_inputs.py`` runs the longer campaign."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.cli.test_cli import COBRA_CLIP, require_clip, require_model
from tests.input_fuzz import KINDS, Seeds, cases, make_seeds, run_case

SEED = 12
CASES_PER_KIND = 2
CASE_TIMEOUT_S = 45.0


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> Seeds:
    os.environ.setdefault("POSECHECK_MODEL", str(require_model()))
    require_clip(COBRA_CLIP)
    return make_seeds(tmp_path_factory.mktemp("fuzz-seeds"), COBRA_CLIP, seconds=3.0)


def test_every_input_kind_is_fuzzed() -> None:
    assert set(KINDS) == {
        "video",
        "GIF",
        "image",
        "landmark track",
        "history",
        "history values (JSON)",
        "camera URL",
        "file name",
    }


def test_damaged_inputs_get_one_error_line_no_traceback_no_hang_and_keep_the_history(
    seeds: Seeds, tmp_path: Path
) -> None:
    failures = []
    for number, case in enumerate(cases(SEED, CASES_PER_KIND, seeds)):
        outcome = run_case(case, seeds, tmp_path / f"case-{number}", CASE_TIMEOUT_S)
        if not outcome.as_expected:
            failures.append(f"{case.kind} ({case.name}) {str(case.arguments)[:300]}: {outcome.problem[:600]}")
    assert not failures, "\n".join(failures)
