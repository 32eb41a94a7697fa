"""The Debian package: dist/davdesk_<version>_<arch>.deb from the one-folder app.

Run by `packaging/build.py --deb`. The package puts the folder in /usr/lib/davdesk
(Debian keeps /opt for what no package installs), links /usr/bin/davdesk to it and adds
the desktop entry, icons, AppStream metainfo, manual page, copyright and lintian
overrides. It has no maintainer scripts: dpkg's triggers of the icon-cache and
desktop-database packages refresh their caches, so nothing Davdesk ships can fail an
install or a removal.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "resources"
LINUX = ROOT / "packaging" / "linux"
APP_ID = "io.github.davdesk.Davdesk"
INSTALL_DIR = "usr/lib/davdesk"
MAINTAINER = "The Davdesk developers <dev@davdesk.invalid>"

#: The Debian package of each shared library the bundle loads but does not carry.
#: PyInstaller leaves out libc, libGL/libEGL (they must match the system's graphics
#: driver) and libxcb (it must match the X server's); the spec leaves out the C++ runtime
#: (the graphics driver needs the system's); Qt's Wayland plugins want the Wayland client
#: libraries. The names are the same on Debian 12 and Ubuntu 24.04.
#: A library missing here fails the build, so a new Qt cannot silently need more.
SYSTEM_LIBRARIES = {
    "libc.so.6": "libc6",
    "libm.so.6": "libc6",
    "libpthread.so.0": "libc6",
    "libdl.so.2": "libc6",
    "librt.so.1": "libc6",
    "libresolv.so.2": "libc6",
    "libutil.so.1": "libc6",
    "ld-linux-x86-64.so.2": "libc6",
    "ld-linux-aarch64.so.1": "libc6",
    "libstdc++.so.6": "libstdc++6",
    "libgcc_s.so.1": "libgcc-s1",
    "libxcb.so.1": "libxcb1",
    "libGL.so.1": "libgl1",
    "libGLX.so.0": "libgl1",
    "libGLdispatch.so.0": "libgl1",
    "libEGL.so.1": "libegl1",
    "libwayland-client.so.0": "libwayland-client0",
    "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
}
#: Packages needed for what they install rather than a library: the bundled fontconfig
#: reads /etc/fonts (fontconfig-config, which libfontconfig1 brings with a default font).
EXTRA_DEPENDS = ["libfontconfig1"]


def needed_libraries(folder: Path) -> tuple[set[str], str]:
    """The libraries the folder's ELF files need from outside it, and the newest glibc
    symbol version they use (the package's libc6 floor)."""
    elf_files = [
        path
        for path in folder.rglob("*")
        if path.is_file() and not path.is_symlink() and is_elf(path)
    ]
    bundled = {path.name for path in folder.rglob("*")}
    needed: set[str] = set()
    glibc = "2.17"
    for chunk in range(0, len(elf_files), 50):
        batch = [str(path) for path in elf_files[chunk : chunk + 50]]
        headers = subprocess.run(
            ["objdump", "-p", *batch], capture_output=True, text=True, check=True
        ).stdout
        needed |= set(re.findall(r"^\s+NEEDED\s+(\S+)$", headers, re.MULTILINE))
        symbols = subprocess.run(
            ["objdump", "-T", *batch], capture_output=True, text=True, check=True
        ).stdout
        for version in re.findall(r"\bGLIBC_(\d+\.\d+(?:\.\d+)?)\b", symbols):
            glibc = max(glibc, version, key=lambda v: tuple(map(int, v.split("."))))
    return needed - bundled, glibc


def is_elf(path: Path) -> bool:
    with path.open("rb") as file:
        return file.read(4) == b"\x7fELF"


def depends(folder: Path) -> str:
    """The control file's Depends, from what the bundle needs (see SYSTEM_LIBRARIES)."""
    libraries, glibc = needed_libraries(folder)
    unknown = sorted(name for name in libraries if name not in SYSTEM_LIBRARIES)
    if unknown:
        raise SystemExit(
            f"the bundle needs {', '.join(unknown)} from the system: add the "
            "Debian package that ships each to SYSTEM_LIBRARIES in "
            "packaging/make_deb.py (dpkg -S <library>)"
        )
    packages = {SYSTEM_LIBRARIES[name] for name in libraries} | set(EXTRA_DEPENDS)
    packages.discard("libc6")
    if "libstdc++6" in packages:  # as new as the build machine's, like glibc
        packages.remove("libstdc++6")
        packages.add(f"libstdc++6 (>= {installed_major_version('libstdc++6')})")
    return ", ".join([f"libc6 (>= {glibc})", *sorted(packages)])


def installed_major_version(package: str) -> str:
    version = subprocess.run(
        ["dpkg-query", "--show", "--showformat=${Version}", package],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return re.match(r"(?:\d+:)?(\d+)", version).group(1)


def stage(app_folder: Path, staging: Path, version: str, arch: str) -> None:
    """The package's file tree, with DEBIAN/control and md5sums, in staging/."""
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(app_folder, staging / INSTALL_DIR, symlinks=True)
    (staging / "usr/bin").mkdir(parents=True)
    (staging / "usr/bin/davdesk").symlink_to("../lib/davdesk/davdesk")
    share = staging / "usr/share"
    (share / "applications").mkdir(parents=True)
    shutil.copy(RESOURCES / f"{APP_ID}.desktop", share / "applications")
    (share / "metainfo").mkdir()
    shutil.copy(RESOURCES / f"{APP_ID}.metainfo.xml", share / "metainfo")
    shutil.copytree(RESOURCES / "hicolor", share / "icons/hicolor")
    doc = share / "doc/davdesk"
    doc.mkdir(parents=True)
    shutil.copy(LINUX / "copyright", doc / "copyright")
    write_gzip(doc / "changelog.gz", changelog(version).encode())
    (share / "man/man1").mkdir(parents=True)
    write_gzip(share / "man/man1/davdesk.1.gz", (LINUX / "davdesk.1").read_bytes())
    (share / "lintian/overrides").mkdir(parents=True)
    shutil.copy(LINUX / "lintian-overrides", share / "lintian/overrides/davdesk")
    normalise_modes(staging)
    control_dir = staging / "DEBIAN"
    control_dir.mkdir()
    installed_kib = sum(
        -(-path.lstat().st_size // 1024) for path in staging.rglob("*") if not path.is_dir()
    )
    (control_dir / "control").write_text(
        control(version, arch, installed_kib, depends(staging / INSTALL_DIR))
    )
    (control_dir / "md5sums").write_text(
        "".join(
            f"{hashlib.md5(path.read_bytes()).hexdigest()}  {path.relative_to(staging)}\n"
            for path in sorted(staging.rglob("*"))
            if path.is_file() and not path.is_symlink() and control_dir not in path.parents
        )
    )
    for path in control_dir.iterdir():
        path.chmod(0o644)


def normalise_modes(staging: Path) -> None:
    """Folders and programs 0755, everything else 0644 (shared libraries too, as Debian's
    policy wants): the build machine's umask must not leak into the package."""
    for path in staging.rglob("*"):
        if path.is_symlink():
            continue
        executable = path.is_dir() or (path.name == "davdesk" and path.parent.name == "davdesk")
        path.chmod(0o755 if executable else 0o644)
    staging.chmod(0o755)


def control(version: str, arch: str, installed_kib: int, depends_line: str) -> str:
    return (
        f"Package: davdesk\nVersion: {version}\nArchitecture: {arch}\n"
        f"Maintainer: {MAINTAINER}\nInstalled-Size: {installed_kib}\n"
        f"Depends: {depends_line}\nSection: net\nPriority: optional\n"
        "Description: WebDAV client that shows what happened to every file\n"
        " Davdesk browses WebDAV shares such as Nextcloud and Apache mod_dav in a\n"
        " desktop window and runs uploads, downloads, copies, moves and deletes as\n"
        " jobs. Every file of every job ends in an outcome taken from the server's\n"
        " answer, and failed files can be retried one by one. A command-line tool\n"
        " over the same engine serves scripts.\n"
        " .\n"
        " This package bundles its own Python and Qt.\n"
    )


def source_date() -> int:
    """SOURCE_DATE_EPOCH, else the last commit's time, else now: the package's timestamps,
    so that the same sources give the same package."""
    if os.environ.get("SOURCE_DATE_EPOCH", "").isdigit():
        return int(os.environ["SOURCE_DATE_EPOCH"])
    try:
        return int(
            subprocess.run(
                ["git", "log", "-1", "--format=%ct"],
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()
        )
    except (OSError, subprocess.CalledProcessError, ValueError):
        return int(time.time())


def changelog(version: str) -> str:
    """One entry for this version, dated like the rest of the package."""
    date = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(source_date()))
    return (
        f"davdesk ({version}) unstable; urgency=medium\n\n"
        f"  * Davdesk {version}, packaged from the PyInstaller build.\n\n"
        f" -- {MAINTAINER}  {date}\n"
    )


def write_gzip(path: Path, data: bytes) -> None:
    """gzip -9n: no name or time in the header, so the same input gives the same bytes."""
    with (
        path.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as file,
    ):
        file.write(data)


def build(app_folder: Path, dist: Path, version: str, work: Path) -> Path:
    """Stage and pack the package; returns its path."""
    arch = subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()
    staging = work / "deb"
    stage(app_folder, staging, version, arch)
    package = dist / f"davdesk_{version}_{arch}.deb"
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(staging), str(package)],
        check=True,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "SOURCE_DATE_EPOCH": str(source_date())},
    )
    shutil.rmtree(staging)
    return package
