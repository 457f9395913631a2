"""The sandbox: no escapes to Python internals, no way inside a secret."""

from __future__ import annotations

import pytest

from pac.templating.encoders import Target
from pac.templating.engine import render
from pac.templating.errors import TemplateError
from pac.templating.values import Secret
from tests.unit.templating.test_engine import spaces


@pytest.mark.parametrize(
    "source",
    [
        "{{ .current.pw.reveal() }}",
        "{{ .current.pw['reveal']() }}",
        "{{ .current.pw | attr('reveal') }}",
        "{{ [.current.pw] | map(attribute='reveal') | list }}",
        "{{ .current.pw.name }}",
    ],
)
def test_a_template_cannot_reach_inside_a_secret(source: str) -> None:
    ns = spaces(pw=Secret("DB_ADMIN", {"DB_ADMIN": "s3cr3t"}.get))
    for target in (Target.JIRA, Target.TEXT):
        with pytest.raises(TemplateError, match="sandbox forbids"):
            render(source, ns, target)


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ .current.__class__ }}",
        "{{ .current.items.__globals__ }}",
        "{{ 'x' * 1000000 }}",
        "{{ 2 ** 1000000 }}",
    ],
)
def test_sandbox_refuses_escapes_and_bombs(source: str) -> None:
    with pytest.raises(TemplateError):
        render(source, spaces(name="x"))
