"""The shipped sample (catalog, requests, templates, pac.yaml, CODEOWNERS) as committed.

The README walks its reader through `pac apply`, a change and a decommission of the
sample request in this very checkout: afterwards the working tree holds an edited request
file, status files and an outbox. Tests must pass the same before and after, so they read
the sample from the checkout's HEAD, never from its possibly edited files; only a project
that is not a git checkout (an unpacked tarball) is read from its files.
"""

from __future__ import annotations

import atexit
import functools
import io
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
SAMPLE_PARTS = ("catalog", "requests", "templates", "pac.yaml", "CODEOWNERS")


def _git(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["git", "-C", str(PROJECT), *args], capture_output=True, check=False, timeout=60
    )


def _is_checkout() -> bool:
    """True when PROJECT is the top of a git work tree with a commit (not merely inside
    some other repository, as an unpacked tarball under a versioned home may be)."""
    top = _git("rev-parse", "--show-toplevel")
    if top.returncode != 0:
        return False
    if Path(top.stdout.decode().strip()).resolve() != PROJECT:
        return False
    return _git("rev-parse", "--verify", "--quiet", "HEAD^{commit}").returncode == 0


@functools.cache
def sample_source() -> Path:
    """A folder holding the sample parts as HEAD has them, made once per test process;
    PROJECT itself when it is not a git checkout."""
    if not _is_checkout():
        return PROJECT
    archive = _git("archive", "--format=tar", "HEAD", "--", *SAMPLE_PARTS)
    if archive.returncode != 0:
        raise RuntimeError(f"git archive of the sample failed: {archive.stderr.decode()}")
    folder = Path(tempfile.mkdtemp(prefix="pac-sample-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(folder, filter="data")
    return folder
