"""`pac request new`: write a valid request file from flags, an earlier request, or questions."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pac.authoring.preview import find_offering
from pac.documents.files import Role
from pac.documents.layout import REQUESTS
from pac.documents.model import Bundle, Field, Offering
from pac.documents.repository import Repository
from pac.documents.suggestions import did_you_mean, suggestion_hint
from pac.errors import UsageError
from pac.forms import messages
from pac.forms.inputs import InputChecker, input_checker
from pac.forms.schema import needed

_ID = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Requester:
    email: str
    name: str
    team: str


def requester_from_git(root: Path) -> tuple[str, str, str]:
    """(email, name, team) from git config: user.email, user.name and pac.team."""
    try:
        import git

        reader = git.Repo(root, search_parent_directories=True).config_reader()
    except Exception:  # not a repository: no defaults
        return "", "", ""

    def value(section: str, option: str) -> str:
        try:
            return str(reader.get_value(section, option))
        except Exception:
            return ""

    return value("user", "email"), value("user", "name"), value("pac", "team")


def coerce(field: Field, text: str) -> Any:
    """A value typed on the command line, as the field's type wants it."""
    kind = field.type
    if kind == "number":
        try:
            number = float(text)
        except ValueError as exc:
            raise ValueError(f"{text!r} is not a number") from exc
        return int(number) if number.is_integer() and "." not in text else number
    if kind == "boolean":
        lowered = text.strip().lower()
        if lowered in ("true", "yes", "y", "1", "on"):
            return True
        if lowered in ("false", "no", "n", "0", "off"):
            return False
        raise ValueError(f"{text!r} is not true or false")
    if kind == "multiselect":
        return [part.strip() for part in text.split(",") if part.strip()]
    if kind == "password":
        return {"secretRef": text.strip()}
    if kind == "select" and field.enum and all(not isinstance(e, str) for e in field.enum):
        try:
            return float(text) if "." in text else int(text)
        except ValueError:
            return text
    return text


def _find_field(offering: Offering, dotted: str) -> tuple[str, Field]:
    if dotted == "name":
        return "", offering.form.name_field
    group_id, _, field_id = dotted.partition(".")
    group = offering.form.group(group_id)
    field = group.field(field_id) if group else None
    if group is None or field is None:
        known = ["name"] + [f"{g.id}.{f.id}" for g, f in offering.form.fields()]
        raise UsageError(
            f"--set {dotted}: {offering.id} has no such field",
            suggestion_hint(dotted, known, "Fields"),
        )
    return group_id, field


def apply_sets(offering: Offering, values: dict[str, Any], sets: list[str]) -> dict[str, Any]:
    """`values` with every `--set` applied; all bad ones reported at once."""
    result, problems = _apply_sets(offering, values, sets)
    if problems:
        raise _input_error(offering, problems)
    return result


def _apply_sets(
    offering: Offering, values: dict[str, Any], sets: list[str]
) -> tuple[dict[str, Any], list[str]]:
    """The values with the good `--set`s applied, and a line for each bad one."""
    result = copy.deepcopy(values)
    problems: list[str] = []
    for item in sets:
        dotted, sep, text = item.partition("=")
        if not sep:
            problems.append(
                f"--set {item!r} is not FIELD=VALUE "
                "(for example --set name=payments-db --set database.storageGb=100)"
            )
            continue
        try:
            group_id, field = _find_field(offering, dotted.strip())
            value = coerce(field, text)
        except UsageError as exc:
            problems.append(f"{exc.message} ({exc.hint})")
            continue
        except ValueError as exc:
            problems.append(f"--set {dotted}: {exc} ({_describe(field)})")
            continue
        _put(result, group_id, field, value)
    return result, problems


def _put(values: dict[str, Any], group_id: str, field: Field, value: Any) -> None:
    """Set a field of the input; the name field is the one outside any group."""
    if group_id:
        values.setdefault(group_id, {})[field.id] = value
    else:
        values["name"] = value


def _input_error(offering: Offering, problems: list[str]) -> UsageError:
    # Each problem with its own hint (the pattern to match, the field's help), the owners
    # once at the end rather than after every line.
    lines = [f"  - {problem}" for problem in problems[:12]]
    if len(problems) > 12:
        lines.append(f"  - and {len(problems) - 12} more")
    return UsageError(
        f"the input does not fit the form of {offering.id}:\n" + "\n".join(lines),
        "Add or correct fields with --set group.field=VALUE, or use --interactive; "
        f"`pac catalog show {offering.id}` lists the form. Questions about it: "
        f"{offering.owner.describe()}.",
    )


def _describe(field: Field) -> str:
    parts = [f"{field.name} is a {field.type} field"]
    if field.enum:
        parts.append("choices: " + ", ".join(str(e) for e in field.enum))
    if field.description:
        parts.append(field.description)
    return "; ".join(parts) + "."


Ask = Callable[[str, str, bool], str]  # (question, default, hide) -> answer


def _question(field: Field) -> str:
    question = field.name
    if field.type == "boolean":
        question += " (yes or no)"
    if field.type == "password":
        question += " (the NAME of the CI secret holding it, never the secret itself)"
    if field.enum:
        question += " [" + ", ".join(str(e) for e in field.enum) + "]"
    if field.type == "multiselect":
        question += " (comma-separated)"
    if not field.required:
        question += " (optional)"
    return question


def _group_heading(offering: Offering, group_id: str) -> str:
    group = offering.form.group(group_id)
    assert group is not None
    return f"\n{group.name}" + (f": {group.description}" if group.description else "")


@dataclass(frozen=True)
class _Asked:
    """One field being asked: where it goes, and the form's checker that words problems."""

    group_id: str
    field: Field
    checker: InputChecker

    @property
    def path(self) -> tuple[str, ...]:
        return (self.group_id, self.field.id) if self.group_id else ("name",)

    def problem(self, value: Any) -> str:
        """Why `value` does not fit, in the words `pac validate` and the site's form use."""
        values = {self.group_id: {self.field.id: value}} if self.group_id else {"name": value}
        return self.checker.said(values)

    def unreadable(self) -> str:
        """An answer that is not the field's kind of value at all (a number, yes or no)."""
        label = messages.field_label(self.field, self.path)
        if self.field.type == "boolean":
            wording = messages.wrong_type(label, "true or false", quote=False)
            return f"{wording.message[:1].upper()}{wording.message[1:]}. Answer yes or no."
        wording = messages.wrong_type(label, "a number", quote=False)
        return f"{wording.message[:1].upper()}{wording.message[1:]}. {wording.how}"

    def missing(self) -> str:
        message = messages.required(self.field, self.path).message
        return message[:1].upper() + message[1:] + "."


def _answer(asked: _Asked, answer: str, taken: Callable[[Any], bool]) -> tuple[Any, str]:
    """The value an answer gives the field, and why it does not fit ("" when it does)."""
    try:
        value = coerce(asked.field, answer)
    except ValueError:
        return None, asked.unreadable()
    problem = asked.problem(value)
    if not problem and taken(value):
        problem = f"a request named {value} already exists; request ids are unique"
    return value, problem


_KEEP = object()  # no answer: an optional field stays empty, or its default applies


def _ask_field(
    asked: _Asked,
    default: str,
    ask: Ask,
    say: Callable[[str], None],
    taken: Callable[[Any], bool],
    *,
    keeps_default: bool,
) -> Any:
    """Ask one field until the answer fits; `_KEEP` when left empty and allowed to be, or
    when the field's own default is accepted (`keeps_default`): left out of the file, the
    default applies, as with `--set`, and a later change of the default reaches it."""
    question = _question(asked.field)
    while True:
        answer = ask(question, default, False).strip()
        if keeps_default and answer == default:
            return _KEEP
        if not answer:
            if needed(asked.field):
                say(f"  {asked.missing()}")
                continue
            return _KEEP
        value, problem = _answer(asked, answer, taken)
        if not problem:
            return value
        say(f"  {problem}")


def _never_taken(name: Any) -> bool:
    return False


def ask_all(
    offering: Offering,
    values: dict[str, Any],
    ask: Ask,
    say: Callable[[str], None],
    taken: Callable[[Any], bool] = _never_taken,
) -> dict[str, Any]:
    """Ask field by field, with labels, help, defaults and choices; re-ask bad answers.

    `taken` says whether a name is already a request's id: asked at once rather than
    refused after every other question has been answered.
    """
    result = copy.deepcopy(values)
    # Problems worded as the site's form words them: the field's help is printed above
    # each question and the owners when the command starts, so neither is repeated.
    checker = InputChecker(offering.form, field_help=False)
    fields: list[tuple[str, Field]] = [("", offering.form.name_field)]
    fields += [(group.id, field) for group, field in offering.form.fields()]
    current_group = ""
    for group_id, field in fields:
        if group_id and group_id != current_group:
            say(_group_heading(offering, group_id))
            current_group = group_id
        existing = (result.get(group_id) or {}).get(field.id) if group_id else result.get("name")
        if field.description:
            say(f"  {field.description}")
        value = _ask_field(
            _Asked(group_id, field, checker),
            _default_text(field, existing),
            ask,
            say,
            _never_taken if group_id else taken,
            keeps_default=existing is None and field.has_default,
        )
        if value is not _KEEP:
            _put(result, group_id, field, value)
    return result


def _default_text(field: Field, existing: Any) -> str:
    value = existing if existing is not None else (field.default if field.has_default else None)
    if value is None:
        return ""
    if isinstance(value, Mapping) and "secretRef" in value:
        return str(value["secretRef"])
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def copy_input(repo: Repository, offering: Offering, from_request: str) -> dict[str, Any]:
    """The input of the request `--from` names, which must ask for the same offering."""
    source = repo.request(from_request)
    if source is None:
        suggestion = did_you_mean(from_request, repo.index(Role.REQUEST))
        raise UsageError(
            f"--from {from_request}: no such valid request",
            f"Did you mean {suggestion}?" if suggestion else "Name a request id from requests/.",
        )
    if source.target_id != offering.id:
        raise UsageError(
            f"--from {from_request} asks for {source.target_id}, not {offering.id}",
            f"Run `pac request new {source.target_id} --from {from_request} --set name=...`.",
        )
    return copy.deepcopy(dict(source.input))


def starting_values(
    repo: Repository, offering: Offering, from_request: str | None, sets: list[str]
) -> dict[str, Any]:
    """What `--interactive` asks from: a copied request's input, without its name (a copy
    needs a name of its own), with every `--set` applied."""
    base = copy_input(repo, offering, from_request) if from_request else {}
    base.pop("name", None)
    return apply_sets(offering, base, sets)


def _checked_input(
    repo: Repository,
    offering: Offering,
    values: Mapping[str, Any] | None,
    from_request: str | None,
    sets: list[str],
) -> dict[str, Any]:
    """The input from a copied request, answers and `--set`s; every problem at once."""
    base: dict[str, Any] = dict(values or {})
    if from_request:
        base = {**copy_input(repo, offering, from_request), **base}
    base, problems = _apply_sets(offering, base, sets)
    if "name" in base:  # the name first, as in the form and every example
        base = {"name": base["name"], **{k: v for k, v in base.items() if k != "name"}}
    # Every problem of the input at once, a bad --set among them: one round of fixes.
    for finding in input_checker(repo, offering).check(base):
        hint = finding.hint.split(" Questions about this form:")[0].strip()
        problems.append(finding.message + (f" ({hint})" if hint else ""))
    if problems:
        raise _input_error(offering, problems)
    return base


def _chosen_id(base: Mapping[str, Any], request_id: str | None, from_request: str | None) -> str:
    name = base.get("name")
    chosen = request_id or (name if isinstance(name, str) else "")
    if from_request and chosen == from_request:
        raise UsageError(
            f"the new request would reuse the id {chosen} of the one it copies",
            "Give it a new name: --set name=<new-name> (or --id <new-id>).",
        )
    if not chosen or not _ID.match(chosen):
        raise UsageError(
            f"the request id {chosen!r} is not a kebab-case id" if chosen else "no request id",
            "Set the input name (--set name=payments-db), which is also the request id, or "
            "pass --id.",
        )
    return chosen


def _check_requester(requester: Requester) -> None:
    if not (requester.email and requester.name and requester.team):
        raise UsageError(
            "the requester is incomplete (email, name and team are needed)",
            "Pass --email, --requester and --team, or set them once with `git config "
            "user.email ...`, `git config user.name ...` and `git config pac.team <team>`.",
        )
    if not _ID.match(requester.team):
        raise UsageError(
            f"the team {requester.team!r} is not a kebab-case id", "For example --team payments."
        )


def build(
    repo: Repository,
    offering_id: str,
    *,
    sets: list[str],
    from_request: str | None,
    request_id: str | None,
    requester: Requester,
    values: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The request document (not yet written)."""
    offering = find_offering(repo, offering_id)
    base = _checked_input(repo, offering, values, from_request, sets)
    chosen = _chosen_id(base, request_id, from_request)
    _check_requester(requester)
    return {
        "schemaVersion": "catalog/v1",
        "kind": "Request",
        "metadata": {
            "id": chosen,
            "requester": {
                "email": requester.email,
                "name": requester.name,
                "team": requester.team,
            },
        },
        "bundleId" if isinstance(offering, Bundle) else "catalogItemId": offering.id,
        "input": base,
    }


def request_path(repo: Repository, document: Mapping[str, Any]) -> Path:
    """Where the request file goes: requests/<team>/<id>.yaml."""
    meta = document["metadata"]
    return repo.root / REQUESTS / str(meta["requester"]["team"]) / f"{meta['id']}.yaml"


def render(document: Mapping[str, Any]) -> str:
    """The request file's text, exactly as `write` writes it."""
    return (
        "# yaml-language-server: $schema=../../schema/request.json\n"
        "# Written by `pac request new`. Open a pull request with this file: the owners of the\n"
        "# offering review it, and merging it to main fulfils it.\n"
        + yaml.safe_dump(dict(document), sort_keys=False, allow_unicode=True, width=100)
    )


def write(repo: Repository, document: Mapping[str, Any]) -> Path:
    meta = document["metadata"]
    path = request_path(repo, document)
    if path.exists() or meta["id"] in repo.index(Role.REQUEST):
        raise UsageError(
            f"a request with the id {meta['id']} already exists",
            "Choose another name (--set name=...) or id (--id ...); request ids are unique.",
        )
    text = render(document)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:
        handle.write(text)
    return path
