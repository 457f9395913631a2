"""Rendering templates: compile once per process, render with a request's namespaces.

The public API of the templating stage for everything that renders (`pac render`, `plan`,
`apply`): `render` for one template string, `compile_template` to reuse one. Jinja and the
sandbox are imported on the first compilation, not when this module is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from pac.templating.encoders import Target
from pac.templating.errors import TemplateError
from pac.templating.limits import MAX_TEXT, STEPS, check_size, too_big
from pac.templating.translation import CONTEXT_NAME, translate
from pac.templating.values import REVEAL

if TYPE_CHECKING:
    from jinja2 import Template


@dataclass
class CompiledTemplate:
    """A template translated and compiled in the sandbox, rendered as often as needed."""

    source: str
    template: Template = field(repr=False)

    def render(self, namespaces: Mapping[str, Any], *, reveal: bool = False) -> str:
        token = REVEAL.set(reveal)
        steps = STEPS.set([0])
        try:
            return self._generate(namespaces)
        except TemplateError as exc:
            exc.line = exc.line or _line_of(exc)
            raise
        except Exception as exc:
            failure = _failure(exc)
            if failure is None:
                raise
            raise failure from exc
        finally:
            REVEAL.reset(token)
            STEPS.reset(steps)

    def _generate(self, namespaces: Mapping[str, Any]) -> str:
        parts: list[str] = []
        size = 0
        # Piece by piece, so a loop that writes without end stops at the limit.
        for part in self.template.generate({CONTEXT_NAME: namespaces}):
            size += len(part)
            if size > MAX_TEXT:
                check_size(size)
            parts.append(part)
        return "".join(parts)


def _failure(exc: Exception) -> TemplateError | None:
    """What a rendering that raised `exc` reports; None: not a template's failure."""
    # Jinja is loaded: a template was compiled to get here.
    from jinja2 import TemplateError as JinjaError
    from jinja2.exceptions import SecurityError

    if isinstance(exc, RecursionError):
        return TemplateError(
            "the template calls itself without end (a macro that calls itself)",
            "Macros may call other macros, but not themselves in a loop.",
        )
    if isinstance(exc, MemoryError):
        return too_big("more memory than the machine has")
    if isinstance(exc, SecurityError):
        return TemplateError(
            f"the template tried something the sandbox forbids: {exc}",
            "Templates may read variables and use filters; they cannot reach Python internals.",
            _line_of(exc),
        )
    if isinstance(exc, JinjaError):
        return TemplateError(
            f"the template failed: {exc}",
            "Check the variables and filters it uses (pac validate shows where).",
            getattr(exc, "lineno", 0) or _line_of(exc),
        )
    if isinstance(exc, TypeError | ValueError | ArithmeticError | AttributeError | LookupError):
        return TemplateError(
            f"the template failed: {type(exc).__name__}: {exc}",
            "A filter or operation does not fit the value's type; check the template.",
            _line_of(exc),
        )
    return None


def _line_of(exc: BaseException) -> int:
    """The template line that was running when `exc` was raised (0 if unknown).

    Jinja rewrites tracebacks so a template's frames carry its own line numbers."""
    line = 0
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


@lru_cache(maxsize=8192)
def compile_template(source: str, target: Target = Target.TEXT) -> CompiledTemplate:
    """Translate and compile a template once per process; raises `TemplateError`."""
    from jinja2 import TemplateSyntaxError

    from pac.templating.sandbox import environment
    from pac.templating.syntax import syntax_error

    translation = translate(source, target)
    try:
        template = environment().from_string(translation.source)
    except TemplateSyntaxError as exc:
        raise syntax_error(exc, source) from exc
    return CompiledTemplate(source, template)


def is_template(text: str) -> bool:
    return "{{" in text or "{%" in text


def render(
    source: str,
    namespaces: Mapping[str, Any],
    target: Target = Target.TEXT,
    *,
    reveal: bool = False,
) -> str:
    """Render one template string (plain strings are returned as they are)."""
    if not is_template(source):
        return source
    return compile_template(source, target).render(namespaces, reveal=reveal)
