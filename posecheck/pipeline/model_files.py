"""The pose model bundle: where it is looked for, what makes it usable, how it is installed.

``PoseLandmarker`` needs a MediaPipe Tasks bundle (``.task``): an uncompressed zip of a person
detector and a landmark network. The bundles are too large to commit, so ``install_model``
downloads the official one, or, where Google's model storage cannot be reached, rebuilds the
``full`` bundle from the networks published in the ``mediapipe==0.10.14`` wheel on PyPI and
checks every step of that build against pinned SHA-256 digests.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import shutil
import subprocess
import sys
import tempfile
import types
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.client import HTTPException
from pathlib import Path

from posecheck.errors import ModelInstallError, ModelInvalidError, ModelNotFoundError

MODEL_ENV = "POSECHECK_MODEL"
VARIANTS = ("lite", "full", "heavy")
# When a folder holds several bundles: the default first, then the more accurate of the others.
SEARCH_PREFERENCE = ("full", "heavy", "lite")

OFFICIAL_BUNDLE_URL = (
    "https://storage.googleapis.com/mediapipe-models/pose_landmarker/"
    "pose_landmarker_{variant}/float16/latest/pose_landmarker_{variant}.task"
)

BUNDLE_MEMBERS = ("pose_detector.tflite", "pose_landmarks_detector.tflite")
TFLITE_IDENTIFIER = b"TFL3"

MEDIAPIPE_WHEEL_VERSION = "0.10.14"
MEDIAPIPE_WHEEL = "mediapipe-0.10.14-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
MEDIAPIPE_WHEEL_SHA256 = "a807328339e7356fda0bb14df12fedbf1d33bdf81649c5f8666b0026b1cc30b4"

# Member layout of the reference bundle: data starts on a 4-byte boundary (MediaPipe maps the
# networks straight out of the file) and every entry carries one fixed date, so a build is
# reproducible and byte-identical to the reference.
BUNDLE_ALIGNMENT = 4
BUNDLE_ENTRY_DATE = (2026, 11, 25, 10, 29, 46)

# mediapipe 1.2.x's metadata module imports this compiled helper, which its wheel lacks.
_METADATA_VERSION_HELPER = "mediapipe.tasks.cc.metadata.python._pywrap_metadata_version"
_METADATA_PARSER_VERSION = "1.0.0"


@dataclass(frozen=True, slots=True)
class BundledNetwork:
    """One network of the full bundle: where it sits in the wheel, what it becomes in the bundle.

    The input normalisation maps 0..255 pixels to what the network was trained on.
    """

    wheel_path: str
    wheel_sha256: str
    member: str
    member_sha256: str
    input_mean: float
    input_std: float


FULL_BUNDLE_NETWORKS = (
    BundledNetwork(
        wheel_path="mediapipe/modules/pose_detection/pose_detection.tflite",
        wheel_sha256="9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c",
        member="pose_detector.tflite",
        member_sha256="efa67f062db709c44dea4c87efad5aa0e9cd7eb0025d93a0548ea56dcc686dff",
        input_mean=127.5,
        input_std=127.5,
    ),
    BundledNetwork(
        wheel_path="mediapipe/modules/pose_landmark/pose_landmark_full.tflite",
        wheel_sha256="e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f",
        member="pose_landmarks_detector.tflite",
        member_sha256="e8239d72f7f4d61fcc6fe4b459c194a77176651adc4a340219d1033a65e8ba29",
        input_mean=0.0,
        input_std=255.0,
    ),
)

Report = Callable[[str], None]


def bundle_file_name(variant: str) -> str:
    return f"pose_landmarker_{variant}.task"


def project_models_dir() -> Path:
    """The ``models`` folder next to the ``posecheck`` package."""
    return Path(__file__).resolve().parents[2] / "models"


def user_cache_dir() -> Path:
    """The per-user cache folder for posecheck, following each platform's convention."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = str(Path.home() / "Library" / "Caches")
    else:
        xdg_cache = os.environ.get("XDG_CACHE_HOME", "")
        base = xdg_cache if os.path.isabs(xdg_cache) else str(Path.home() / ".cache")
    return Path(base) / "posecheck"


def find_model(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The bundle to use: ``explicit`` (``--model``), else ``$POSECHECK_MODEL``, else the first
    bundle in the project's ``models`` folder, then in the user cache (full, heavy, lite).

    A path the user named must exist; it never silently falls back to another model.
    """
    if explicit is not None and os.fspath(explicit) != "":
        path = Path(explicit).expanduser()
        if not path.exists():
            raise ModelNotFoundError(
                f"the pose model {path} given with --model does not exist: check the path, "
                "or run `posecheck models install` and leave out --model"
            )
        check_bundle(path)
        return path

    from_environment = os.environ.get(MODEL_ENV, "")
    if from_environment:
        path = Path(from_environment).expanduser()
        if not path.exists():
            raise ModelNotFoundError(
                f"the pose model {path} named by ${MODEL_ENV} does not exist: "
                f"fix or unset {MODEL_ENV}, then run `posecheck models install`"
            )
        check_bundle(path)
        return path

    folders = (project_models_dir(), user_cache_dir())
    for folder in folders:
        for variant in SEARCH_PREFERENCE:
            candidate = folder / bundle_file_name(variant)
            if candidate.is_file():
                check_bundle(candidate)
                return candidate
    looked_in = ", ".join(str(folder) for folder in folders)
    raise ModelNotFoundError(f"no pose model found (looked in {looked_in}): run `posecheck models install`")


def check_bundle(path: Path) -> None:
    """Raises ``ModelInvalidError`` unless ``path`` is a bundle ``PoseLandmarker`` can load.

    Checked here, reading every byte against the zip's CRCs, so a truncated download or a
    wrong file fails with its fix instead of deep inside MediaPipe.
    """
    path = Path(path)

    def invalid(reason: str) -> ModelInvalidError:
        return ModelInvalidError(
            f"the pose model {path} is not a usable model bundle ({reason}): "
            "run `posecheck models install` to replace it"
        )

    if not path.exists():
        raise ModelNotFoundError(f"the pose model {path} does not exist: run `posecheck models install`")
    if not path.is_file():
        raise invalid("it is a folder, not a .task file")
    try:
        with zipfile.ZipFile(path) as bundle:
            present = set(bundle.namelist())
            missing = [member for member in BUNDLE_MEMBERS if member not in present]
            if missing:
                raise invalid(f"{', '.join(missing)} missing")
            for member in BUNDLE_MEMBERS:
                entry = bundle.getinfo(member)
                if entry.compress_type != zipfile.ZIP_STORED:
                    raise invalid(f"{member} is compressed; MediaPipe reads only stored entries")
                with bundle.open(entry) as stream:
                    if stream.read(8)[4:8] != TFLITE_IDENTIFIER:
                        raise invalid(f"{member} is not a TFLite model")
                    while stream.read(1 << 20):
                        pass  # reading to the end makes zipfile verify the CRC
    except (zipfile.BadZipFile, EOFError, ValueError) as error:
        raise invalid(f"damaged zip: {error}") from None
    except OSError as error:
        raise invalid(f"unreadable: {error.strerror or error}") from None


def install_model(
    variant: str = "full",
    destination: Path | None = None,
    *,
    download_timeout_s: float = 20.0,
    report: Report = print,
    work_dir: Path | None = None,
) -> Path:
    """Puts a checked bundle at ``destination`` (default: the project's ``models`` folder).

    Downloads the official bundle; where that fails and ``variant`` is ``full``, builds it
    from the PyPI wheel instead (``work_dir`` keeps the wheel for later builds).
    """
    if variant not in VARIANTS:
        raise ModelInstallError(
            f"unknown pose model variant '{variant}': choose one of {', '.join(VARIANTS)}"
        )
    if destination is None:
        destination = project_models_dir() / bundle_file_name(variant)
    destination = Path(destination)
    url = OFFICIAL_BUNDLE_URL.format(variant=variant)
    report(f"Downloading {url}")
    try:
        _download_bundle(url, destination, download_timeout_s)
    except _DownloadFailed as failure:
        if variant != "full":
            raise ModelInstallError(
                f"cannot download the {variant} pose model ({failure}) and only `full` can be "
                "built offline: run `posecheck models install full`"
            ) from None
        report(
            f"Download failed ({failure}); building the full model from the "
            f"mediapipe {MEDIAPIPE_WHEEL_VERSION} wheel on PyPI"
        )
        return build_full_bundle_from_wheel(destination, work_dir=work_dir, report=report)
    report(f"Installed {destination}")
    return destination


def build_full_bundle_from_wheel(
    destination: Path,
    *,
    work_dir: Path | None = None,
    report: Report = print,
) -> Path:
    """Builds the ``full`` bundle from the networks inside the ``mediapipe==0.10.14`` wheel.

    The wheel, both networks and both finished bundle members are checked against pinned
    SHA-256 digests; any difference is a ``ModelInstallError`` and leaves ``destination``
    untouched. ``work_dir`` keeps the downloaded wheel, so a later build skips the download.
    """
    destination = Path(destination)
    if work_dir is None:
        with tempfile.TemporaryDirectory(prefix="posecheck-wheel-") as temporary:
            networks = _networks_from_wheel(_fetch_wheel(Path(temporary), report))
    else:
        networks = _networks_from_wheel(_fetch_wheel(Path(work_dir), report))

    # Imported here, before any metadata writer exists: the import keeps the frames that called
    # it alive to the end, and a writer left in one would be deleted only at interpreter exit,
    # where its __del__ fails with a traceback.
    writer_modules = _metadata_writer_modules()
    members: dict[str, bytes] = {}
    for network in FULL_BUNDLE_NETWORKS:
        member = _with_image_input_metadata(networks[network.member], network, writer_modules)
        _require_digest(member, network.member_sha256, f"{network.member} after adding metadata")
        members[network.member] = member

    with _replacing(destination) as temporary_bundle:
        _write_aligned_bundle(temporary_bundle, members)
    report(f"Built {destination}")
    return destination


class _DownloadFailed(Exception):
    """The official bundle could not be fetched or was not a bundle; the reason is the text."""


def _download_bundle(url: str, destination: Path, timeout_s: float) -> None:
    try:
        with (
            _replacing(destination) as temporary,
            urllib.request.urlopen(url, timeout=timeout_s) as response,
            temporary.open("wb") as file,
        ):
            shutil.copyfileobj(response, file)
    except urllib.error.URLError as error:
        raise _DownloadFailed(str(error.reason)) from None
    except (HTTPException, OSError, ValueError) as error:
        raise _DownloadFailed(str(error) or type(error).__name__) from None
    except ModelInvalidError:
        raise _DownloadFailed("the file received is not a model bundle") from None


@contextmanager
def _replacing(destination: Path) -> Iterator[Path]:
    """A temporary path beside ``destination`` that replaces it only once written and checked,
    so an interrupted install never leaves a half-written model where ``find_model`` looks."""
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(
            prefix=f".{destination.stem}-", suffix=".partial.task", dir=destination.parent
        )
    except OSError as error:
        raise ModelInstallError(
            f"cannot write the pose model into {destination.parent} "
            f"({error.strerror or error}): choose another place with --to"
        ) from None
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        check_bundle(temporary)
        temporary.chmod(0o644)
        os.replace(temporary, destination)
    finally:
        temporary.unlink(missing_ok=True)


def _fetch_wheel(folder: Path, report: Report) -> Path:
    """The pinned mediapipe wheel in ``folder``, downloaded with pip unless already there."""
    wheel = folder / MEDIAPIPE_WHEEL
    if wheel.is_file():
        if _sha256(wheel.read_bytes()) == MEDIAPIPE_WHEEL_SHA256:
            report(f"Using the wheel already downloaded at {wheel}")
            return wheel
        wheel.unlink()  # else pip would keep the damaged file rather than fetch it again
    report(f"Downloading {MEDIAPIPE_WHEEL} (36 MB) from PyPI with pip")
    folder.mkdir(parents=True, exist_ok=True)
    pip_download = [
        sys.executable, "-m", "pip", "download", f"mediapipe=={MEDIAPIPE_WHEEL_VERSION}",
        "--no-deps", "--only-binary=:all:", "--implementation", "cp", "--python-version", "3.11",
        "--abi", "cp311", "--platform", "manylinux_2_17_x86_64", "--dest", str(folder),
        "--disable-pip-version-check", "--no-input", "--quiet",
    ]  # fmt: skip
    result = subprocess.run(pip_download, capture_output=True, text=True, check=False)
    if result.returncode != 0 or not wheel.is_file():
        complaint = (result.stderr.strip().splitlines() or ["no wheel saved"])[-1]
        raise ModelInstallError(
            f"pip could not download mediapipe {MEDIAPIPE_WHEEL_VERSION} ({complaint}): "
            "check the connection to PyPI, or pass a bundle from elsewhere with --model"
        )
    _require_digest(wheel.read_bytes(), MEDIAPIPE_WHEEL_SHA256, MEDIAPIPE_WHEEL)
    return wheel


def _networks_from_wheel(wheel: Path) -> dict[str, bytes]:
    """The two raw networks, keyed by their bundle member name, each checked by digest."""
    networks: dict[str, bytes] = {}
    with zipfile.ZipFile(wheel) as archive:
        for network in FULL_BUNDLE_NETWORKS:
            raw = archive.read(network.wheel_path)
            _require_digest(raw, network.wheel_sha256, f"{network.wheel_path} in {wheel.name}")
            networks[network.member] = raw
    return networks


def _with_image_input_metadata(
    raw_network: bytes, network: BundledNetwork, writer_modules: tuple[types.ModuleType, types.ModuleType]
) -> bytes:
    """The network with TFLite metadata declaring one RGB image input and its normalisation.

    The Tasks API refuses a float input without it. Model name, tensor names and descriptions
    are those of the reference bundle, so the bytes come out identical.
    """
    metadata_writer, writer_utils = writer_modules
    model = bytearray(raw_network)
    model_name = network.member.removesuffix(".tflite")
    writer = metadata_writer.MetadataWriter.create(model)
    writer.add_general_info(model_name, model_name)
    writer.add_image_input(norm_mean=[network.input_mean], norm_std=[network.input_std])
    for index in range(len(writer_utils.get_output_tensor_names(model))):
        writer.add_feature_output(name=f"out{index}")
    with_metadata, _ = writer.populate()
    return bytes(with_metadata)


def _metadata_writer_modules() -> tuple[types.ModuleType, types.ModuleType]:
    """MediaPipe's metadata writer, importable although mediapipe 1.2.x lacks its compiled
    version helper.

    That helper only computes the minimum metadata parser version the written metadata needs.
    When it is missing, a stand-in answering "1.0.0" is registered for the import and removed
    after it: the metadata written here (one image input with normalisation, plain feature
    outputs) uses only fields of the 1.0.0 schema, and the pinned member digests catch drift.
    """
    writer_name = "mediapipe.tasks.python.metadata.metadata_writers"
    try:
        metadata_writer = importlib.import_module(f"{writer_name}.metadata_writer")
    except ModuleNotFoundError as error:
        if not error.name or not _METADATA_VERSION_HELPER.startswith(f"{error.name}."):
            raise
        with _metadata_version_stand_in():
            metadata_writer = importlib.import_module(f"{writer_name}.metadata_writer")
    return metadata_writer, importlib.import_module(f"{writer_name}.writer_utils")


@contextmanager
def _metadata_version_stand_in() -> Iterator[None]:
    parent_name, _, helper_attribute = _METADATA_VERSION_HELPER.rpartition(".")
    helper = types.ModuleType(_METADATA_VERSION_HELPER, "posecheck stand-in")
    helper.GetMinimumMetadataParserVersion = (  # type: ignore[attr-defined]
        lambda metadata_buffer: _METADATA_PARSER_VERSION
    )
    parent = types.ModuleType(parent_name, "posecheck stand-in")
    setattr(parent, helper_attribute, helper)
    stand_ins = {parent_name: parent, _METADATA_VERSION_HELPER: helper}
    sys.modules.update(stand_ins)
    try:
        yield
    finally:
        for name in stand_ins:
            sys.modules.pop(name, None)


def _write_aligned_bundle(path: Path, members: dict[str, bytes]) -> None:
    """Zips ``members`` uncompressed with aligned data, as MediaPipe's bundle writer does."""
    from mediapipe.tasks.python.metadata.metadata_writers import model_asset_bundle_utils

    with model_asset_bundle_utils.AlignZipFile(path, mode="w", alignment=BUNDLE_ALIGNMENT) as bundle:
        for name, data in members.items():
            entry = zipfile.ZipInfo(name, date_time=BUNDLE_ENTRY_DATE)
            entry.external_attr = 0o600 << 16
            bundle.writestr(entry, data)


def _require_digest(data: bytes, expected_sha256: str, what: str) -> None:
    actual = _sha256(data)
    if actual != expected_sha256:
        raise ModelInstallError(
            f"{what} has sha256 {actual}, not the pinned {expected_sha256}: the model was "
            "not installed; pass a bundle obtained elsewhere with --model"
        )


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
