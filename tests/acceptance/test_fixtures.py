"""Every fixture produces exactly the findings it declares; every rule has a fixture."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pac.diagnostics import Diagnostic
from pac.documents.repository import Repository
from pac.rules import RULES
from pac.validation.run import validate
from tests.conftest import FIXTURES, PROJECT, copy_sample, git_commit_all

EXPECTATIONS = "expectations.txt"
_HEADER = re.compile(
    rb"^#\s*(path|expect|delete|fill-bytes|changed-since|mkfifo|symlink|copy|edit):\s*(.+?)\s*$"
)
_WHERE = re.compile(r"^(?:(?P<path>[^:]+):)?(?P<line>\d+):(?P<column>\d+)$")


@dataclass
class Fixture:
    name: str
    files: dict[str, bytes] = field(default_factory=dict)
    expects: list[tuple[str, str, int, int]] = field(default_factory=list)
    # The severity of each expected finding: the rule's default unless the line says so.
    severities: list[str] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)
    # Checked with `--changed` against a commit of the unchanged sample (version rules).
    changed_since_sample: bool = False
    # Entries a file cannot describe by its content: named pipes, and links (path, target).
    fifos: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    # Project files or folders the sample leaves out (schema/), copied in before the base
    # commit; and text edits (path, old, new) made afterwards, for a file too large to copy.
    copies: list[str] = field(default_factory=list)
    edits: list[tuple[str, str, str]] = field(default_factory=list)

    def copy_project(self, root: Path) -> None:
        for relative in self.copies:
            source = PROJECT / relative
            if source.is_dir():
                shutil.copytree(source, root / relative)
            else:
                shutil.copy2(source, root / relative)

    def install(self, root: Path) -> None:
        for relative in self.deletes:
            target = root / relative
            if target.is_dir():
                shutil.rmtree(target)
            else:
                target.unlink()
        for relative, content in self.files.items():
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        for relative in self.fifos:
            os.mkfifo(root / relative)
        for relative, pointee in self.links:
            (root / relative).symlink_to(pointee)
        for relative, old, new in self.edits:
            target = root / relative
            text = target.read_text(encoding="utf-8")
            assert old in text, f"{self.name}: `edit:` finds no {old!r} in {relative}"
            target.write_text(text.replace(old, new), encoding="utf-8")


def _read_header(fixture: Fixture, content: bytes, default_path: str | None) -> str | None:
    path = default_path
    expects: list[tuple[str, str, str]] = []
    fill = 0
    for raw in content.splitlines():
        if not raw.startswith(b"#"):
            break
        match = _HEADER.match(raw)
        if not match:
            continue
        key, value = match.group(1).decode(), match.group(2).decode()
        if key == "path":
            path = value
        elif key == "expect":
            code, where, *severity = value.split()
            expects.append((code, where, severity[0] if severity else RULES[code].severity))
        elif key == "delete":
            fixture.deletes.append(value)
        elif key == "fill-bytes":
            fill = int(value)
        elif key == "changed-since":
            assert value == "sample", f"{fixture.name}: only `changed-since: sample` is known"
            fixture.changed_since_sample = True
        elif key == "mkfifo":
            fixture.fifos.append(value)
        elif key == "symlink":
            link, _, pointee = value.partition(" -> ")
            fixture.links.append((link, pointee))
        elif key == "copy":
            fixture.copies.append(value)
        elif key == "edit":
            target, _, change = value.partition(": ")
            old, _, new = change.partition(" => ")
            fixture.edits.append((target, old, new))
    for code, where, severity in expects:
        found = _WHERE.match(where)
        assert found, f"{fixture.name}: bad expect location {where!r}"
        target = found.group("path") or path
        assert target, f"{fixture.name}: `expect: {code} {where}` needs a path"
        fixture.expects.append((code, target, int(found.group("line")), int(found.group("column"))))
        fixture.severities.append(str(severity))
    if path is None:
        return None
    if fill:
        content = content + b"#" + b"x" * fill + b"\n"
    fixture.files[path] = content
    return path


def load_fixture(location: Path) -> Fixture:
    fixture = Fixture(location.stem if location.is_file() else location.name)
    if location.is_file():
        content = location.read_bytes()
        _read_header(fixture, content, None)
    else:
        for file in sorted(p for p in location.rglob("*") if p.is_file()):
            relative = file.relative_to(location).as_posix()
            # expectations.txt holds `# expect:` lines for files that cannot carry comments
            # of their own (CODEOWNERS is compared byte for byte); it is not installed.
            default = None if file.name == EXPECTATIONS else relative
            _read_header(fixture, file.read_bytes(), default)
    return fixture


def fixtures(kind: str) -> list[Path]:
    folder = FIXTURES / kind
    return sorted(p for p in folder.iterdir() if p.name != "README.md")


def run_fixture(fixture: Fixture, root: Path) -> list[Diagnostic]:
    """What `pac validate` finds in a fresh sample copy at `root` with the fixture in it."""
    copy_sample(root)
    fixture.copy_project(root)
    if fixture.changed_since_sample:
        commit_as_main(root)
    fixture.install(root)
    changed = "main" if fixture.changed_since_sample else None
    return validate(Repository(root), changed_since=changed).diagnostics


# Every item whose strategy lacks update or decommission actions is warned about. A fixture
# about another rule need not write day-2 actions it does not test, so the warning counts
# only where a fixture expects it, and then only in the files the fixture installs.
DAY_TWO_WARNING = "fulfillment-day-two"


def findings_for(fixture: Fixture, root: Path) -> list[tuple[str, str, int, int]]:
    """Every finding, in order: two findings at one spot count twice."""
    day_two = any(code == DAY_TWO_WARNING for code, *_ in fixture.expects)
    return sorted(
        (d.code, d.path, d.line, d.column)
        for d in run_fixture(fixture, root)
        if d.code != DAY_TWO_WARNING or (day_two and d.path in fixture.files)
    )


def commit_as_main(root: Path) -> None:
    import git

    repo = git.Repo.init(root, initial_branch="main")
    with repo.config_writer() as config:
        config.set_value("user", "name", "Test User")
        config.set_value("user", "email", "test@company.com")
        config.set_value("commit", "gpgsign", "false")
    git_commit_all(root, "the sample catalog")


@pytest.mark.parametrize("location", fixtures("invalid"), ids=lambda p: p.stem)
def test_invalid_fixture_produces_exactly_its_findings(location: Path, tmp_path: Path) -> None:
    fixture = load_fixture(location)
    assert fixture.expects, f"{location.name} declares no `# expect:` line"
    got = findings_for(fixture, tmp_path / "repo")
    assert got == sorted(fixture.expects)


@pytest.mark.parametrize("location", fixtures("valid"), ids=lambda p: p.stem)
def test_valid_fixture_has_no_findings(location: Path, tmp_path: Path) -> None:
    fixture = load_fixture(location)
    assert fixture.files, f"{location.name} has no `# path:` line"
    assert findings_for(fixture, tmp_path / "repo") == []


def test_every_rule_has_a_failing_fixture() -> None:
    covered = {code for p in fixtures("invalid") for code, *_ in load_fixture(p).expects}
    missing = sorted(set(RULES) - covered)
    assert not missing, f"rules without an invalid fixture: {missing}"


def test_fixtures_only_name_known_rules() -> None:
    used = {code for p in fixtures("invalid") for code, *_ in load_fixture(p).expects}
    assert used <= set(RULES)


def test_the_sample_repository_is_valid(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "repo")
    result = validate(Repository(root))
    assert result.diagnostics == []
