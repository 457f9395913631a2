"""The render API: compiled once, input is data, failures name the template line."""

from __future__ import annotations

from typing import Any

import pytest

from pac.templating.engine import compile_template, render
from pac.templating.errors import TemplateError


def spaces(**current: Any) -> dict[str, Any]:
    return {
        "current": current,
        "output": {},
        "metadata": {"database-aurora-postgresql-standard": {"defaultPort": "5432"}},
        "system": {"requestId": "r-1", "user": {"email": "dana@company.com"}},
    }


@pytest.mark.parametrize(
    "value",
    ["{{ 7 * 7 }}", "{% raw %}x{% endraw %}", "{{ .system.requestId }}", "'; DROP", "\\u0000"],
)
def test_input_is_data_never_a_template(value: str) -> None:
    assert render("{{ .current.v }}", spaces(v=value)) == value


def test_templates_are_compiled_once() -> None:
    assert compile_template("x {{ .current.name }}") is compile_template("x {{ .current.name }}")


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ("a\nb\n{{ .current.name | center(10**9) }}", 3),
        ("a\n\n{{ .current.tags + 1 }}", 3),
        ("x\n{{ .current.name.__class__ }}", 2),
        ("a\n{% for t in .current.tags %}\n{{ t.y.z() }}{% endfor %}", 3),
    ],
)
def test_render_failures_name_the_template_line(source: str, line: int) -> None:
    with pytest.raises(TemplateError) as caught:
        render(source, spaces(name="x", tags=[1]))
    assert caught.value.line == line
