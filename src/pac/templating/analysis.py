"""What a template uses: its variables, with positions and guards, and its problems.

Read once per template text and cached: by the fast reader for the common shapes, by
Jinja's parser (`pac.templating.walker`) for the rest. Whether a use fits a form or a
catalog is decided by the rules (`pac.validation.checks.templates`), not here.
"""

from __future__ import annotations

from functools import lru_cache

from pac.templating.encoders import LINE_BREAKS, Target
from pac.templating.errors import TemplateError
from pac.templating.fastreader import TAG_TEXT, fast_uses
from pac.templating.translation import translate
from pac.templating.usage import Analysis, Problem, Use


@lru_cache(maxsize=16384)
def analyse(source: str) -> Analysis:
    """Read a template once and list what it uses; cached by its text."""
    # Most templates have the common shapes, which are read in a fraction of what
    # translating and parsing them with Jinja costs (`pac validate` reads every one).
    uses = fast_uses(source)
    if uses is None:
        return parsed_analysis(source)
    return _screen(uses, ())


def parsed_analysis(source: str) -> Analysis:
    """What a template uses, read by translating it and parsing it with Jinja."""
    try:
        translation = translate(source, Target.TEXT)
    except TemplateError as exc:
        problem = Problem("template-syntax", exc.message, exc.hint, exc.line, exc.column)
        return _past_go_syntax(source, Analysis((), (problem,)))
    uses = [Use(r.namespace, r.path, r.line, r.column) for r in translation.references]
    # Jinja is loaded only for the templates the fast reader leaves to it.
    from pac.templating.walker import walk_template

    return _past_go_syntax(source, _screen(*walk_template(translation.source, source, uses)))


def _past_go_syntax(source: str, analysis: Analysis) -> Analysis:
    """After Go syntax is reported, the rest of the template is still checked (its
    variables, its namespaces), so that one round of edits fixes all of it."""
    if not analysis.problems or analysis.problems[0].code != "template-syntax":
        return analysis
    # Only a template Jinja refused needs the Go reader (`pac validate` imports it rarely).
    from pac.templating.gosyntax import GO_SYNTAX, without_go

    if not analysis.problems[0].message.endswith(GO_SYNTAX):
        return analysis
    rest = without_go(source)
    if rest == source:
        return analysis
    again = analyse(rest)
    others = (p for p in again.problems if not p.message.endswith(GO_SYNTAX))
    return Analysis(again.uses, (analysis.problems[0], *others))


def _screen(uses: tuple[Use, ...], problems: tuple[Problem, ...]) -> Analysis:
    """Variables with a step starting with `_` reach for Python internals: refused here,
    once per template, rather than checked against every form."""
    unsafe = [use for use in uses if any(step.startswith("_") for step in use.path)]
    if not unsafe:
        return Analysis(uses, problems)
    refused = tuple(
        Problem(
            "template-unsafe",
            f"{use.text()} reaches for a name starting with '_', which the sandbox forbids",
            "Templates read pac's variables and use filters; Python internals are out of "
            "reach. Form fields and metadata keys never start with '_'.",
            use.line,
            use.column,
        )
        for use in unsafe
    )
    return Analysis(tuple(u for u in uses if u not in unsafe), problems + refused)


def summary_line_break(source: str) -> int | None:
    """Where a line break in the template's own text stands between things it writes
    (text, or a `{{ }}` value), so that it survives rendering; None if there is none.

    Breaks trimmed by `{{-`/`-}}` whitespace control, and breaks before or after all
    that is written (a summary is stripped), do no harm."""
    visible: list[int] = []  # offsets of written text and values
    breaks: list[int] = []
    last, trim_left = 0, True
    for match in [*TAG_TEXT.finditer(source), None]:
        end = match.start() if match else len(source)
        text = source[last:end]
        trim_right = match is None or match.group()[2:3] == "-"
        low = len(text) - len(text.lstrip()) if trim_left else 0
        high = len(text.rstrip()) if trim_right else len(text)
        for index in range(low, max(high, low)):
            if LINE_BREAKS.match(text, index):
                breaks.append(last + index)
            elif not text[index].isspace():
                visible.append(last + index)
        if match is None:
            break
        if match.group("out") is not None:
            visible.append(match.start())
        trim_left = match.group()[-3:-2] == "-"
        last = match.end()
    return next((b for b in breaks if visible and visible[0] < b < visible[-1]), None)
