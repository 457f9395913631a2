"""Static checks of templates: they parse, and every variable they use will exist.

Runs inside `pac validate` on items (each template against the item's own form and
actions) and on bundles (each component's templates against the bundle's form, since in a
bundle every component reads `.current` from it). Findings point at the line of the
template inside the YAML file, and at the column where the variable starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pac.diagnostics import Diagnostic
from pac.documents.action_types import ActionKind, Slot, action_kind
from pac.documents.lifecycle import Operation
from pac.documents.loader import JsonPath, path_text
from pac.documents.model import Action, Bundle, CatalogItem, Form
from pac.documents.repository import Loaded, Repository, read_template_file
from pac.rules import RULES
from pac.templating.analysis import analyse, summary_line_break
from pac.templating.translation import line_col
from pac.templating.usage import ITEM_ID, Use
from pac.validation.checks import ActionList, Findings, action_lists, every_action
from pac.validation.checks.variables import (
    ItemScope,
    UseScope,
    check_use,
    current_hint,
    current_ok,
)

# --- where templates are in a document ----------------------------------------------------


@dataclass(frozen=True)
class TemplateField:
    path: JsonPath  # in the item document
    source: str
    file: str = ""  # set for descriptionTemplateFile: the template lives in that file
    folder: str = ""  # …inside this folder of the repository
    outputs: bool = False  # `.response` is in scope
    one_line: bool = False  # renders to one line (a JIRA summary)


def template_fields(repo: Repository, action: Action) -> Iterator[TemplateField]:
    """Every template of an action: its config's templated fields, then its outputs."""
    kind = action_kind(action.type)
    if kind is not None:
        yield from _config_fields(repo, kind, action)
    for key, value in action.outputs.items():
        yield TemplateField((*action.path, "outputs", key), str(value), outputs=True)


def _config_fields(repo: Repository, kind: ActionKind, action: Action) -> Iterator[TemplateField]:
    base = (*action.path, "config")
    for where, path, value in kind.template_sources(action.config):
        if where.slot is not Slot.FILE:
            yield TemplateField((*base, *path), value, one_line=where.one_line)
            continue
        source = read_template_file(repo, kind.template_folder, value)
        if source is not None:
            yield TemplateField((*base, *path), source, file=value, folder=kind.template_folder)


# --- the checks --------------------------------------------------------------------------


class _Sink:
    """Findings for a document; uses in a template file are reported in that file."""

    def __init__(self, loaded: Loaded, findings: Findings) -> None:
        self.loaded = loaded
        self.findings = findings
        self.extra: list[Diagnostic] = []

    def add(
        self,
        where: TemplateField,
        line: int,
        column: int,
        code: str,
        message: str,
        hint: str,
    ) -> None:
        owner = self.findings.owner
        if where.file:
            self.extra.append(
                Diagnostic(
                    f"{where.folder}/{where.file}",
                    max(line, 1),
                    column + 1,
                    RULES[code].severity,
                    code,
                    f"{message} (used by {self.loaded.display})",
                    f"{hint} Owner: {owner}." if owner else hint,
                )
            )
            return
        document = self.loaded.document
        assert document is not None
        position = (
            document.position_in_scalar(where.path, line, column)
            if line
            else document.position(where.path)
        )
        self.findings.items.append(
            Diagnostic(
                self.loaded.display,
                position.line,
                position.column,
                RULES[code].severity,
                code,
                message,
                f"{hint} Owner: {owner}." if owner else hint,
            )
        )


def check_item_templates(repo: Repository, loaded: Loaded) -> list[Diagnostic]:
    item = loaded.model
    assert isinstance(item, CatalogItem)
    findings = Findings(loaded, owner=item.owner.describe())
    sink = _Sink(loaded, findings)
    metadata = ItemScope(repo, item)
    lists = list(action_lists(item))
    # What any create produced, in either strategy, is recorded in the status and so is in
    # `.output` for every later revision's update and decommission actions (SPEC §4.3).
    created: dict[str, str] = {}
    for listed in lists:
        if not listed.day_two:
            created |= _check_list(repo, sink, item, metadata, listed, {})
    for listed in lists:
        if listed.day_two:
            _check_list(repo, sink, item, metadata, listed, dict(created))
    return findings.items + sink.extra


def _check_list(
    repo: Repository,
    sink: _Sink,
    item: CatalogItem,
    metadata: ItemScope,
    listed: ActionList,
    produced: dict[str, str],
) -> dict[str, str]:
    """The templates of one action list, in order; returns the outputs the list adds."""
    added: dict[str, str] = {}  # a list's own outputs: only these can shadow each other
    for action in listed.actions:
        scope = UseScope(action.type, item.form, metadata, produced, listed.day_two)
        for where in template_fields(repo, action):
            _check_template(sink, where, scope)
            if where.one_line:
                _check_one_line(sink, where)
        _check_shadowing(sink.findings, action, added, None)
        produced.update(added)
    return added


def _check_one_line(sink: _Sink, where: TemplateField) -> None:
    """A summary template whose own text breaks the line renders more than one line
    whatever the input: say so now, not when a merged request fails to apply."""
    offset = summary_line_break(where.source)
    if offset is None:
        return
    line, column = line_col(where.source, offset)
    sink.add(
        where,
        line,
        column,
        "template-summary",
        "the summary template's own text breaks the line between what it writes, so "
        "the summary would have more than one line",
        "A JIRA summary is one line: write the template on one line, or fold it with a "
        "YAML `>-` block.",
    )


def check_bundle_templates(repo: Repository, loaded: Loaded) -> list[Diagnostic]:
    bundle = loaded.model
    assert isinstance(bundle, Bundle)
    findings = Findings(loaded, owner=bundle.owner.describe())
    sink = _Sink(loaded, findings)
    try:
        ordered = bundle.ordered_components()
    except Exception:  # a cycle: reported by the bundle checks
        return []
    items: dict[str, CatalogItem] = {}
    for component in ordered:
        item = repo.item(component.catalog_item)
        if item is not None:
            items[component.id] = item
    for component in ordered:
        item = items.get(component.id)
        if item is None:
            continue
        anchor = (*component.path, "catalogItem")
        missing = _missing_from_form(repo, item, bundle.form)
        if missing:
            sink.findings.add(
                anchor,
                "template-current",
                f"component {component.id} ({item.id}) uses {_listed(missing)}, which the "
                "bundle's form does not have",
                "In a bundle every component reads .current from the bundle's form: add "
                "those groups and fields to it. " + current_hint(bundle.form, missing[0].path),
            )
    for operation in (Operation.CREATE, Operation.UPDATE, Operation.DECOMMISSION):
        # A decommission runs the components in reverse dependency order (SPEC §6.6).
        order = reversed(ordered) if operation is Operation.DECOMMISSION else iter(ordered)
        produced: dict[str, str] = {}
        for component in order:
            item = items.get(component.id)
            for action in item.actions_for(operation) if item is not None else ():
                anchor = (*component.path, "catalogItem")
                _check_shadowing(findings, action, produced, (component.id, anchor))
    return findings.items + sink.extra


def _missing_from_form(repo: Repository, item: CatalogItem, form: Form) -> list[Use]:
    """The `.current` variables of an item's templates that a bundle's form lacks, one per
    variable, in the order of their text."""
    missing: dict[str, Use] = {}
    # Escalation runs the manual actions in the bundle too, and a change or a decommission
    # the day-2 lists: every list of both strategies must fit the bundle's form.
    for action in every_action(item):
        for where in template_fields(repo, action):
            for use in analyse(where.source).uses:
                if use.namespace in _FORM_NAMESPACES and not current_ok(form, use.path):
                    missing.setdefault(use.text(), use)
    return [missing[text] for text in sorted(missing)]


_FORM_NAMESPACES = frozenset({"current", "previous"})


def _listed(uses: list[Use]) -> str:
    shown = [use.text() for use in uses]
    return ", ".join(shown[:6]) + (f" and {len(shown) - 6} more" if len(shown) > 6 else "")


def _check_template(sink: _Sink, where: TemplateField, scope: UseScope) -> None:
    if "{" not in where.source:
        return
    analysis = analyse(where.source)
    for problem in analysis.problems:
        hint = problem.hint
        if isinstance(scope.metadata, ItemScope):  # say exactly which id: the item's own
            hint = hint.replace(ITEM_ID, next(iter(scope.metadata)))
        sink.add(where, problem.line, problem.column, problem.code, problem.message, hint)
    for use in analysis.uses:

        def report(code: str, message: str, hint: str, use: Use = use) -> None:
            sink.add(where, use.line, use.column, code, message, hint)

        check_use(report, use, scope, where.outputs)


def _check_shadowing(
    findings: Findings,
    action: Action,
    produced: dict[str, str],
    component: tuple[str, JsonPath] | None,
) -> None:
    label = component[0] if component else path_text(action.path)
    for key in action.outputs:
        # In a bundle only clashes between components are new; an item's own are
        # reported on the item.
        if key in produced and not (component and produced[key] == label):
            message = (
                f"output {key!r} of {label} replaces the one from {produced[key]}; later "
                "actions see only the new value"
            )
            hint = "Give the outputs different names if later actions need both."
            if component is not None:
                findings.add(component[1], "template-output-shadow", message, hint)
            else:
                findings.add(
                    (*action.path, "outputs", key),
                    "template-output-shadow",
                    message,
                    hint,
                    at_key=True,
                )
        produced[key] = label
