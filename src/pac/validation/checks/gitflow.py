"""Checks of `git-commit` and `github-workflow` settings that hold for any request's input.

A file path must stay inside the target repository whatever is inserted into it, and a
`.json`/`.yaml` file's content template must render valid JSON/YAML — with every requester
text kept as data — for any input: both are tried with hostile sample values (quotes,
colons, `#`, line breaks, `..`) for every variable the template reads, the way a request
could fill them. A workflow's dispatch id must not collide with an input the action sets.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import PurePosixPath
from typing import Any

from pac.documents.model import Action, CatalogItem, Field, Form
from pac.documents.repository import Repository
from pac.validation.checks import Findings

_EXPRESSION = re.compile(r"\{\{(.*?)\}\}", re.S)
_TEMPLATE_PART = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
# Text a requester could type: each character that could turn data into structure.
HOSTILE = "x: \"y\" 'z' # w\n- [v] {u}: \\t ---\n..."
# Values that would lead a path out of its folder.
_ESCAPES = ("..", "../x", "x/../../y")
_JSON_HINT = (
    "Check the template's own JSON (commas, braces, quotes): pac writes each {{ … }} as a "
    'JSON value, or escaped when it stands inside a "…" string.'
)
_YAML_HINT = (
    "Write each {{ … }} as a whole value (pac writes it as a quoted, escaped string, a "
    "number or a list), or inside a double-quoted string: not within other text of a plain "
    "or single-quoted scalar."
)
_SUFFIXES = {".json": "JSON", ".yaml": "YAML", ".yml": "YAML"}


def check_commit(repo: Repository, action: Action, findings: Findings) -> None:
    item = findings_item(repo, findings)
    for index, entry in enumerate(action.config.get("files") or []):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("path"), str):
            continue
        where = (*action.path, "config", "files", index)
        _check_path(entry["path"], item.form if item else None, (*where, "path"), findings)
        suffix = PurePosixPath(_TEMPLATE_PART.sub("x", entry["path"])).suffix.lower()
        content = entry.get("contentTemplate")
        if suffix in _SUFFIXES and isinstance(content, str) and item is not None:
            _check_content(item, content, suffix, (*where, "contentTemplate"), findings)


def check_workflow(repo: Repository, action: Action, findings: Findings) -> None:
    marker = action.config.get("dispatchIdInput")
    if isinstance(marker, str) and marker in (action.config.get("inputs") or {}):
        findings.add(
            (*action.path, "config", "inputs", marker),
            "workflow-dispatch-input",
            f"input {marker} is also the dispatchIdInput, which pac fills with the task's "
            "dispatch id: the value here would be replaced",
            "Name another workflow input in dispatchIdInput (one the workflow shows in its "
            "run-name), or remove this input.",
            at_key=True,
        )


def findings_item(repo: Repository, findings: Findings) -> CatalogItem | None:
    model = findings.loaded.model
    return model if isinstance(model, CatalogItem) else None


# --- paths ------------------------------------------------------------------------------


def _check_path(
    template: str, form: Form | None, path: tuple[str | int, ...], findings: Findings
) -> None:
    literal = _TEMPLATE_PART.sub("x", template)
    parts = PurePosixPath(literal).parts
    if literal.startswith("/") or ".." in parts or "." in parts or parts[:1] == (".git",):
        findings.add(
            path,
            "git-path",
            f"the path {template!r} leaves the repository or is not a plain relative path",
            "Write a path relative to the repository's root, without '..', '.' or .git/.",
        )
        return
    if form is None:
        return
    for field_path, field in _inserted_fields(template, form):
        if _may_escape(field):
            findings.add(
                path,
                "git-path",
                f"the path inserts .current.{'.'.join(field_path)}, whose value may be '..' "
                "or hold slashes: a request could write outside the folder, or outside the "
                "repository",
                f"Give {field.id} a validation.pattern that allows no dots or slashes, such as "
                "'^[a-z0-9-]+$', or make it a select.",
            )


def _inserted_fields(template: str, form: Form) -> Iterator[tuple[tuple[str, ...], Field]]:
    from pac.templating.analysis import analyse

    for use in analyse(template).uses:
        if use.namespace != "current" or not use.path:
            continue
        if use.path == ("name",):
            yield use.path, form.name_field
            continue
        group = form.group(use.path[0])
        field = group.field(use.path[1]) if group is not None and len(use.path) > 1 else None
        if field is not None:
            yield use.path, field


def _may_escape(field: Field) -> bool:
    if field.type in ("number", "boolean", "date", "password"):
        return False
    if field.type in ("select", "multiselect"):
        return any("/" in str(v) or str(v) in (".", "..") for v in field.enum or ())
    pattern = field.validation.get("pattern")
    if field.type not in ("string", "email") or not isinstance(pattern, str):
        return True
    from pac.forms.ecma import ecma_regex, pattern_search

    try:
        compiled = ecma_regex(pattern)
    except Exception:  # a broken pattern is reported by the form checks
        return False
    return any(pattern_search(compiled, probe) for probe in _ESCAPES)


# --- content ----------------------------------------------------------------------------


def _check_content(
    item: CatalogItem, source: str, suffix: str, path: tuple[str | int, ...], findings: Findings
) -> None:
    from pac.templating.encoders import Target
    from pac.templating.engine import render
    from pac.templating.errors import TemplateError

    kind = _SUFFIXES[suffix]
    target = Target.JSON if kind == "JSON" else Target.YAML
    # Only where every value is written as it is can the sample be looked for whole.
    whole = "{%" not in source and all("|" not in e for e in _EXPRESSION.findall(source))
    for sample in (HOSTILE, 7):
        try:
            text = render(source, _namespaces(item, source, sample), target)
        except TemplateError:
            return  # reported by the template checks, or the sample suits no filter here
        problem = _problem(text, kind, whole and sample == HOSTILE)
        if problem:
            findings.add(
                path,
                "git-content",
                f"the {kind} file this template writes {problem} when "
                + (
                    "a requester's text holds quotes, ': ', '#' or a line break"
                    if sample == HOSTILE
                    else "a value is a number"
                ),
                _JSON_HINT if kind == "JSON" else _YAML_HINT,
            )
            return


def _namespaces(item: CatalogItem, source: str, sample: Any) -> dict[str, Any]:
    from pac.templating.analysis import analyse

    spaces: dict[str, Any] = {"metadata": {item.id: dict(item.metadata)}}
    for use in analyse(source).uses:
        if use.namespace == "metadata" or not use.path:
            continue
        node = spaces.setdefault(use.namespace, {})
        for key in use.path[:-1]:
            child = node.get(key)
            node = node.setdefault(key, {}) if not isinstance(child, dict) else child
        node[use.path[-1]] = sample
    for name in ("current", "output", "system"):
        spaces.setdefault(name, {})
    return spaces


def _problem(text: str, kind: str, whole: bool) -> str:
    """What is wrong with the rendered text: invalid, or the sample text not kept whole."""
    try:
        if kind == "JSON":
            data = json.loads(text)
        else:
            import yaml

            data = yaml.safe_load(text)
    except Exception as exc:  # ValueError or yaml.YAMLError
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return f"is not valid {kind} ({first})"
    if whole and not _holds(data, HOSTILE):
        return "turns the value into structure (it is not kept as one string)"
    return ""


def _holds(data: Any, value: str) -> bool:
    if isinstance(data, str):
        return value in data
    if isinstance(data, Mapping):
        return any(_holds(v, value) or _holds(k, value) for k, v in data.items())
    if isinstance(data, list):
        return any(_holds(v, value) for v in data)
    return False
