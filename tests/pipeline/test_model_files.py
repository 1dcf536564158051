"""Finding, checking and installing the pose model bundle; the built bundle on a real photo."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from posecheck.errors import ModelInstallError, ModelInvalidError, ModelNotFoundError
from posecheck.pipeline import model_files as models

SHARED = Path(__file__).resolve().parents[3] / "shared"
CORPUS = SHARED / "corpus"
REFERENCE_BUNDLE = SHARED / "models" / "pose_landmarker_full.task"
COBRA_PHOTO = CORPUS / "images" / "prone_press_up" / "yogagym_cobra_pose.jpg"
NEEDS_SHARED = pytest.mark.skipif(
    not SHARED.is_dir(), reason=f"the shared corpus and reference model are not at {SHARED}"
)
UNREACHABLE_URL = "http://127.0.0.1:9/pose_landmarker_{variant}.task"


def write_structural_bundle(path: Path) -> Path:
    """A bundle that passes ``check_bundle`` without being a working model: enough for search."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as bundle:
        for member in models.BUNDLE_MEMBERS:
            bundle.writestr(member, b"\x18\x00\x00\x00TFL3" + bytes(56))
    return path


@pytest.fixture
def search_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """Empty project and cache folders in place of the real ones, and no $POSECHECK_MODEL."""
    project, cache = tmp_path / "project_models", tmp_path / "cache"
    project.mkdir()
    cache.mkdir()
    monkeypatch.setattr(models, "project_models_dir", lambda: project)
    monkeypatch.setattr(models, "user_cache_dir", lambda: cache)
    monkeypatch.delenv(models.MODEL_ENV, raising=False)
    return project, cache


@pytest.fixture(scope="session")
def wheel_cache(request: pytest.FixtureRequest) -> Path:
    """Keeps the 36 MB mediapipe wheel in pytest's cache, so only the first run downloads it."""
    cache = getattr(request.config, "cache", None)
    if cache is None:  # cache plugin disabled: download once per session
        return request.getfixturevalue("tmp_path_factory").mktemp("wheel")
    return Path(cache.mkdir("posecheck_mediapipe_wheel"))


@pytest.fixture(scope="session")
def built_bundle(tmp_path_factory: pytest.TempPathFactory, wheel_cache: Path) -> Path:
    destination = tmp_path_factory.mktemp("built") / "pose_landmarker_full.task"
    return models.build_full_bundle_from_wheel(destination, work_dir=wheel_cache, report=lambda _: None)


# --- where the model is looked for -------------------------------------------------------------


@pytest.mark.parametrize(
    ("present", "expected"),
    [
        (("explicit", "environment", "project", "cache"), "explicit"),
        (("environment", "project", "cache"), "environment"),
        (("project", "cache"), "project"),
        (("cache",), "cache"),
    ],
)
def test_explicit_beats_environment_beats_project_beats_cache(
    present: tuple[str, ...],
    expected: str,
    search_dirs: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project, cache = search_dirs
    bundles = {
        "explicit": tmp_path / "chosen" / "mine.task",
        "environment": tmp_path / "from_env" / "other.task",
        "project": project / "pose_landmarker_full.task",
        "cache": cache / "pose_landmarker_full.task",
    }
    for source in present:
        write_structural_bundle(bundles[source])
    if "environment" in present:
        monkeypatch.setenv(models.MODEL_ENV, str(bundles["environment"]))
    explicit = bundles["explicit"] if "explicit" in present else None

    assert models.find_model(explicit) == bundles[expected]


def test_a_folder_offers_full_before_heavy_before_lite(search_dirs: tuple[Path, Path]) -> None:
    project, _ = search_dirs
    for variant in ("lite", "heavy"):
        write_structural_bundle(project / models.bundle_file_name(variant))
    assert models.find_model() == project / "pose_landmarker_heavy.task"
    write_structural_bundle(project / "pose_landmarker_full.task")
    assert models.find_model() == project / "pose_landmarker_full.task"


def test_an_empty_environment_variable_is_ignored(
    search_dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    project, _ = search_dirs
    monkeypatch.setenv(models.MODEL_ENV, "")
    bundle = write_structural_bundle(project / "pose_landmarker_full.task")
    assert models.find_model() == bundle


def test_the_project_folder_is_models_beside_the_package() -> None:
    assert models.project_models_dir() == Path(models.__file__).resolve().parents[2] / "models"


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="XDG_CACHE_HOME applies on Linux and BSD")
def test_the_user_cache_follows_xdg_cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert models.user_cache_dir() == tmp_path / "posecheck"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    assert models.user_cache_dir() == Path.home() / ".cache" / "posecheck"


# --- what is refused, and how it is said --------------------------------------------------------


def assert_one_line_naming_install(error: pytest.ExceptionInfo[Exception]) -> None:
    message = str(error.value)
    assert "\n" not in message
    assert "`posecheck models install" in message


def test_a_missing_explicit_model_is_not_found_and_names_the_install_command(
    search_dirs: tuple[Path, Path], tmp_path: Path
) -> None:
    write_structural_bundle(search_dirs[0] / "pose_landmarker_full.task")
    missing = tmp_path / "nowhere" / "pose.task"
    with pytest.raises(ModelNotFoundError) as error:
        models.find_model(missing)
    assert str(missing) in str(error.value)
    assert_one_line_naming_install(error)


def test_a_missing_environment_model_is_not_found_and_names_the_variable(
    search_dirs: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_structural_bundle(search_dirs[0] / "pose_landmarker_full.task")
    monkeypatch.setenv(models.MODEL_ENV, str(tmp_path / "gone.task"))
    with pytest.raises(ModelNotFoundError) as error:
        models.find_model()
    assert models.MODEL_ENV in str(error.value)
    assert_one_line_naming_install(error)


def test_an_empty_search_is_not_found_and_names_where_it_looked(search_dirs: tuple[Path, Path]) -> None:
    with pytest.raises(ModelNotFoundError) as error:
        models.find_model()
    for folder in search_dirs:
        assert str(folder) in str(error.value)
    assert_one_line_naming_install(error)


def test_an_invalid_bundle_found_in_a_folder_is_reported_not_skipped(search_dirs: tuple[Path, Path]) -> None:
    project, cache = search_dirs
    broken = project / "pose_landmarker_full.task"
    broken.write_bytes(b"not a zip")
    write_structural_bundle(cache / "pose_landmarker_full.task")
    with pytest.raises(ModelInvalidError) as error:
        models.find_model()
    assert str(broken) in str(error.value)
    assert_one_line_naming_install(error)


def flip_bytes_in_the_middle(real: bytes) -> bytes:
    middle = len(real) // 2
    return real[:middle] + bytes(byte ^ 0xFF for byte in real[middle : middle + 64]) + real[middle + 64 :]


DAMAGES = {
    "random bytes": lambda real: os.urandom(4096),
    "empty file": lambda real: b"",
    "first kilobyte": lambda real: real[:1024],
    "first half": lambda real: real[: len(real) // 2],
    "end of central directory cut off": lambda real: real[:-100],
    "flipped bytes inside a network": flip_bytes_in_the_middle,
}


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_a_damaged_bundle_is_invalid(damage: str, built_bundle: Path, tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.task"
    damaged.write_bytes(DAMAGES[damage](built_bundle.read_bytes()))
    with pytest.raises(ModelInvalidError) as error:
        models.check_bundle(damaged)
    assert str(damaged) in str(error.value)
    assert_one_line_naming_install(error)


def test_a_compressed_bundle_is_invalid_because_mediapipe_cannot_read_it(
    built_bundle: Path, tmp_path: Path
) -> None:
    compressed = tmp_path / "compressed.task"
    with (
        zipfile.ZipFile(built_bundle) as source,
        zipfile.ZipFile(compressed, "w", zipfile.ZIP_DEFLATED) as copy,
    ):
        for member in source.namelist():
            copy.writestr(member, source.read(member))
    with pytest.raises(ModelInvalidError, match="compressed"):
        models.check_bundle(compressed)


def test_a_bundle_missing_a_network_is_invalid(tmp_path: Path) -> None:
    incomplete = tmp_path / "incomplete.task"
    with zipfile.ZipFile(incomplete, "w") as bundle:
        bundle.writestr("pose_detector.tflite", b"\x18\x00\x00\x00TFL3" + bytes(8))
    with pytest.raises(ModelInvalidError, match=re.escape("pose_landmarks_detector.tflite")):
        models.check_bundle(incomplete)


# --- installing ---------------------------------------------------------------------------------


def test_an_unknown_variant_is_refused_with_the_valid_ones(tmp_path: Path) -> None:
    with pytest.raises(ModelInstallError, match="lite, full, heavy"):
        models.install_model("huge", tmp_path / "x.task", report=lambda _: None)


def test_lite_and_heavy_cannot_be_built_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(models, "OFFICIAL_BUNDLE_URL", UNREACHABLE_URL)
    destination = tmp_path / "pose_landmarker_lite.task"
    with pytest.raises(ModelInstallError, match="only `full` can be built offline"):
        models.install_model("lite", destination, download_timeout_s=2, report=lambda _: None)
    assert list(tmp_path.iterdir()) == []


def test_install_uses_the_official_download_when_reachable(
    built_bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        models, "OFFICIAL_BUNDLE_URL", built_bundle.parent.as_uri() + "/pose_landmarker_{variant}.task"
    )
    messages: list[str] = []
    installed = models.install_model("full", tmp_path / "models" / "pose.task", report=messages.append)
    assert installed.read_bytes() == built_bundle.read_bytes()
    assert not any("wheel" in message for message in messages)


def test_a_download_that_is_not_a_bundle_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "captive_portal_lite.html").write_text("<html>log in first</html>")
    monkeypatch.setattr(models, "OFFICIAL_BUNDLE_URL", tmp_path.as_uri() + "/captive_portal_{variant}.html")
    target = tmp_path / "models"
    with pytest.raises(ModelInstallError, match="not a model bundle"):
        models.install_model("lite", target / "pose_landmarker_lite.task", report=lambda _: None)
    assert list(target.iterdir()) == []


def test_install_builds_full_from_the_wheel_when_the_download_fails(
    built_bundle: Path, wheel_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(models, "OFFICIAL_BUNDLE_URL", UNREACHABLE_URL)
    messages: list[str] = []
    installed = models.install_model(
        "full", tmp_path / "pose.task", download_timeout_s=2, report=messages.append, work_dir=wheel_cache
    )
    assert installed.read_bytes() == built_bundle.read_bytes()
    assert any("building the full model" in message for message in messages)
    assert [path.name for path in tmp_path.iterdir()] == ["pose.task"]


def test_a_network_that_differs_from_its_pinned_checksum_is_refused(
    wheel_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    detector, landmarks = models.FULL_BUNDLE_NETWORKS
    tampered = dataclasses.replace(landmarks, member_sha256="0" * 64)
    monkeypatch.setattr(models, "FULL_BUNDLE_NETWORKS", (detector, tampered))
    with pytest.raises(ModelInstallError, match=re.escape("pose_landmarks_detector.tflite")):
        models.build_full_bundle_from_wheel(
            tmp_path / "pose.task", work_dir=wheel_cache, report=lambda _: None
        )
    assert list(tmp_path.iterdir()) == []


def test_the_built_bundle_is_stored_uncompressed_with_aligned_networks(built_bundle: Path) -> None:
    with zipfile.ZipFile(built_bundle) as bundle:
        entries = bundle.infolist()
    assert [entry.filename for entry in entries] == list(models.BUNDLE_MEMBERS)
    raw = built_bundle.read_bytes()
    for entry in entries:
        assert entry.compress_type == zipfile.ZIP_STORED
        name_length = int.from_bytes(raw[entry.header_offset + 26 : entry.header_offset + 28], "little")
        extra_length = int.from_bytes(raw[entry.header_offset + 28 : entry.header_offset + 30], "little")
        data_offset = entry.header_offset + 30 + name_length + extra_length
        assert data_offset % models.BUNDLE_ALIGNMENT == 0


@NEEDS_SHARED
def test_the_built_bundle_is_byte_identical_to_the_reference_bundle(built_bundle: Path) -> None:
    assert built_bundle.read_bytes() == REFERENCE_BUNDLE.read_bytes()


@NEEDS_SHARED
def test_the_built_bundle_finds_the_person_in_a_cobra_pose_photo(built_bundle: Path) -> None:
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(built_bundle)),
        running_mode=vision.RunningMode.IMAGE,
    )
    with vision.PoseLandmarker.create_from_options(options) as landmarker:
        result = landmarker.detect(mp.Image.create_from_file(str(COBRA_PHOTO)))
    assert len(result.pose_landmarks) == 1
    assert len(result.pose_landmarks[0]) == 33


def test_the_build_ends_without_a_traceback_at_exit(wheel_cache: Path, tmp_path: Path) -> None:
    """MediaPipe's metadata writer cleans up in ``__del__``; one left alive to interpreter exit
    printed "Exception ignored in ... MetadataWriter.__del__" after a successful build."""
    destination = tmp_path / "pose.task"
    build = (
        "import sys; from pathlib import Path; from posecheck.pipeline import model_files as models; "
        "models.build_full_bundle_from_wheel(Path(sys.argv[1]), work_dir=Path(sys.argv[2]))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", build, str(destination), str(wheel_cache)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert f"Built {destination}" in completed.stdout
    assert completed.stderr == "", completed.stderr
    models.check_bundle(destination)
