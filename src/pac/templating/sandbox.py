"""The sandboxed Jinja environment templates run in, built once per process.

It imports Jinja at the top, so only what compiles or parses templates imports it (the
engine's `compile_template`, the analyser's parser path): `pac --help` and most one-file
`pac validate` runs never load Jinja.

What the sandbox adds to Jinja's immutable sandbox: pac's variables are data (a mapping's
key, never its method), secrets have no parts, no globals but pac's encoders, and every
way a template could exhaust memory or time (`*`, `**`, `~`, wide formats, joins, endless
loops) is counted first (`pac.templating.limits`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from jinja2 import ChainableUndefined, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from pac.templating.encoders import ENCODERS, dumps
from pac.templating.limits import (
    check_binop,
    check_call,
    check_count,
    check_format,
    check_join,
    check_replace,
    check_size,
    counted_steps,
    deep_size,
)
from pac.templating.values import RawJson, Secret

# pac's encoders: the output limit covers what they write, so calls to them go unchecked.
_OWN_ENCODERS = frozenset(ENCODERS.values())


class PacCodeGenerator(CodeGenerator):
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        # `a ~ b` writes out a list or mapping whole: count it first.
        self.write("environment.pac_concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


# Immutable: `list.extend(list)` in a loop doubles a list without any `*`.
class PacSandbox(ImmutableSandboxedEnvironment):
    code_generator_class = PacCodeGenerator
    # `*` and `**` on big operands are how a template would exhaust memory or time.
    intercepted_binops = frozenset({"*", "**"})

    def _generate(
        self,
        source: nodes.Template,
        name: str | None,
        filename: str | None,
        defer_init: bool = False,
    ) -> str:
        # Every loop counts its steps, so nested loops cannot run for hours.
        for loop in source.find_all(nodes.For):
            loop.iter = nodes.Filter(
                loop.iter, "_pac_steps", [], [], None, None, lineno=loop.lineno
            ).set_environment(self)
        return super()._generate(source, name, filename, defer_init)

    @staticmethod
    def pac_concat(parts: tuple[Any, ...]) -> str:
        check_size(sum(deep_size(part) for part in parts))
        return "".join(str(part) for part in parts)

    def getitem(self, obj: Any, argument: str | Any) -> Any | Undefined:
        # pac's variables are data: `.current.items` is the field "items", never the
        # dict method, and a dunder key is an escape attempt.
        if isinstance(argument, str) and argument.startswith("__"):
            raise SecurityError(f"access to {argument!r} is not allowed")
        if isinstance(obj, Mapping):
            if argument in obj:
                return obj[argument]
            return self.undefined(obj=obj, name=argument)
        return super().getitem(obj, argument)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        # A secret has no parts a template may touch: `.reveal()` would put its
        # value into a ticket or a preview.
        if isinstance(obj, Secret):
            return False
        return super().is_safe_attribute(obj, attr, value)

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        # Jinja would quietly render nothing; an escape attempt is an error instead.
        raise SecurityError(f"access to {attribute!r} is not allowed")

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        if __obj not in _OWN_ENCODERS:
            args = check_call(__obj, args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        # Jinja hands out its own wrapper for `'...'.format`; check widths first.
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        fmt = value.__self__

        def checked(*args: Any, **kwargs: Any) -> str:
            check_format(fmt, args, kwargs)
            return wrapped(*args, **kwargs)

        return checked

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        check_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)


def _guard_filter(filters: dict[str, Any], name: str, check: Callable[..., Any]) -> None:
    original = filters[name]
    pass_arg = getattr(original, "jinja_pass_arg", None)
    skip = 1 if pass_arg is not None else 0

    def guarded(*args: Any, **kwargs: Any) -> Any:
        value = check(*args[skip:], **kwargs)
        if value is not None:  # the check had to read an iterator: pass on what it read
            args = (*args[:skip], value, *args[skip + 1 :])
        return original(*args, **kwargs)

    if pass_arg is not None:
        guarded.jinja_pass_arg = pass_arg  # type: ignore[attr-defined]
    filters[name] = guarded


def _indent_check(text: Any, width: Any = 4, *_: Any, **__: Any) -> None:
    lines = str(text).count("\n") + 1
    size = len(width) if isinstance(width, str) else width
    if isinstance(size, int):
        check_size(size * lines + len(str(text)))


def _guard_filters(filters: dict[str, Any]) -> None:
    """Filters whose arguments decide how much memory they take."""
    _guard_filter(filters, "center", lambda v, width=80: check_count(width, "a width"))
    _guard_filter(filters, "indent", _indent_check)
    _guard_filter(filters, "format", lambda v, *a, **k: check_format(v, a, k))
    _guard_filter(filters, "replace", check_replace)
    _guard_filter(filters, "join", lambda v, d="", *a, **k: check_join(v, d))
    _guard_filter(filters, "batch", lambda v, n, *a, **k: check_count(n, "a batch size"))
    _guard_filter(filters, "slice", lambda v, n, *a, **k: check_count(n, "a slice count"))
    for name in ("string", "pprint", "sum"):  # write out, or add up, a whole structure
        _guard_filter(filters, name, lambda v, *a, **k: check_size(deep_size(v)))


@lru_cache(maxsize=1)
def environment() -> PacSandbox:
    """The one sandboxed Jinja environment of the process (built on first use)."""
    env = PacSandbox(
        undefined=ChainableUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=False,
    )
    env.globals.clear()  # no range/cycler/joiner/namespace/lipsum/dict: data only
    env.globals.update(ENCODERS)
    _guard_filters(env.filters)
    env.filters["_pac_steps"] = counted_steps
    env.filters["tojson"] = lambda value, indent=None: RawJson(dumps(value, indent))
    return env
