"""Real bare git repositories in temp dirs, standing in for infrastructure repositories."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def git(*args: str, cwd: Path) -> str:
    env = os.environ | {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@x",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@x",
    }
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def make_remote(folder: Path, files: dict[str, str] | None = None, name: str = "remote") -> Path:
    """A bare repository with one commit on main (like a freshly pushed infra repo)."""
    bare = folder / f"{name}.git"
    work = folder / f"{name}-seed"
    git("init", "-q", "--bare", "-b", "main", str(bare), cwd=folder)
    git("init", "-q", "-b", "main", str(work), cwd=folder)
    for path, text in (files or {"README.md": "infra\n"}).items():
        (work / path).parent.mkdir(parents=True, exist_ok=True)
        (work / path).write_text(text)
    git("add", "-A", cwd=work)
    git("-c", "commit.gpgsign=false", "commit", "-qm", "seed", cwd=work)
    git("push", "-q", str(bare), "main", cwd=work)
    return bare


def show(bare: Path, path: str, ref: str = "main") -> str:
    return git("--git-dir", str(bare), "show", f"{ref}:{path}", cwd=bare.parent)


def count(bare: Path, ref: str = "main") -> int:
    return int(git("--git-dir", str(bare), "rev-list", "--count", ref, cwd=bare.parent))


def branches(bare: Path) -> list[str]:
    listed = git("--git-dir", str(bare), "branch", "--format=%(refname:short)", cwd=bare.parent)
    return listed.split()


def hook(bare: Path, name: str, script: str) -> None:
    path = bare / "hooks" / name
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)
