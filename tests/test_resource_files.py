"""Davdesk's resources: found from a checkout, a wheel and the packaged app; valid for desktops."""

from __future__ import annotations

import configparser
import struct
import subprocess
import tomllib
from pathlib import Path

import pytest
from lxml import etree

from app import resource_files
from app.resource_files import MARKER, candidate_folders, first_complete, resource_folder
from tests.tools import require_tool

REPO = Path(__file__).resolve().parent.parent
RESOURCES = REPO / "resources"
APP_ID = "io.github.davdesk.Davdesk"
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def make_resources(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / MARKER).write_text("<svg/>")
    return folder


def test_checkout_finds_the_repository_resources():
    assert resource_folder() == RESOURCES
    assert resource_files.resource("icons", "go-up.svg").is_file()


def test_wheel_layout_finds_the_folder_inside_the_package(tmp_path):
    # pyproject force-includes resources/ as app/resources/ in the wheel.
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"] == {
        "resources": "app/resources"
    }
    package = tmp_path / "site-packages" / "app"
    inside = make_resources(package / "resources")
    assert first_complete(candidate_folders(package)) == inside


def test_packaged_app_finds_the_bundle_folder_first(tmp_path):
    bundle = make_resources(tmp_path / "_internal" / "resources").parent
    package = tmp_path / "elsewhere" / "app"
    make_resources(package.parent / "resources")
    assert first_complete(candidate_folders(package, str(bundle))) == bundle / "resources"


def test_missing_resources_name_every_place_looked_in(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"none of:.*a.*b"):
        first_complete([tmp_path / "a", tmp_path / "b"])


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", header[16:24])


def test_application_icon_pngs_in_every_size():
    for size in ICON_SIZES:
        assert png_size(RESOURCES / "hicolor" / f"{size}x{size}" / "apps" / "davdesk.png") == (
            size,
            size,
        )


def test_the_scalable_icon_is_the_source_svg():
    scalable = RESOURCES / "hicolor" / "scalable" / "apps" / "davdesk.svg"
    assert scalable.read_bytes() == (RESOURCES / "davdesk.svg").read_bytes()


def test_desktop_entry_launches_davdesk_with_its_icon():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # keys are case-sensitive
    entry.read(RESOURCES / f"{APP_ID}.desktop", encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Type"] == "Application" and section["Exec"].split()[0] == "davdesk"
    assert (RESOURCES / "hicolor" / "48x48" / "apps" / f"{section['Icon']}.png").is_file()
    assert "Network" in section["Categories"].split(";")


def test_metainfo_names_the_desktop_entry_and_the_running_version():
    from app import __version__

    root = etree.parse(str(RESOURCES / f"{APP_ID}.metainfo.xml")).getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == f"{APP_ID}.desktop"
    assert root.find("releases/release").get("version") == __version__


def test_freedesktop_validators_accept_the_desktop_entry_and_metainfo():
    result = subprocess.run(
        [
            require_tool("appstreamcli"),
            "validate",
            "--no-net",
            str(RESOURCES / f"{APP_ID}.metainfo.xml"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    result = subprocess.run(
        [require_tool("desktop-file-validate"), str(RESOURCES / f"{APP_ID}.desktop")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr
