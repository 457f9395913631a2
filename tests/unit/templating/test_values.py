"""Secrets: masked wherever shown, revealed only in what is sent."""

from __future__ import annotations

import pytest

from pac.templating.encoders import Target
from pac.templating.engine import render
from pac.templating.errors import TemplateError
from pac.templating.values import Secret
from tests.unit.templating.test_engine import spaces


def test_secrets_are_masked_unless_revealed_for_sending() -> None:
    secret = Secret("DB_ADMIN", {"DB_ADMIN": "s3cr3t"}.get)
    ns = spaces(pw=secret)
    assert render("{{ .current.pw }}", ns) == "***"
    assert render('{"p": "{{ .current.pw }}"}', ns, Target.JSON) == '{"p": "***"}'
    assert render('{"p": {{ .current.pw | tojson }}}', ns, Target.JSON) == '{"p": "***"}'
    assert render('{"p": "{{ .current.pw }}"}', ns, Target.JSON, reveal=True) == '{"p": "s3cr3t"}'
    # Shown as *** in URLs and form bodies too, and encoded only when sent.
    assert render("https://h/x?k={{ .current.pw }}", ns, Target.URL) == "https://h/x?k=***"
    assert render("k={{ .current.pw }}", ns, Target.FORM) == "k=***"
    assert render("k={{ .current.pw }}", ns, Target.FORM, reveal=True) == "k=s3cr3t"
    # Tickets are never rendered revealing; and a missing secret only matters when sent.
    missing = spaces(pw=Secret("NOPE", lambda name: None))
    assert render("{{ .current.pw }}", missing) == "***"
    with pytest.raises(TemplateError, match="the secret NOPE is not set"):
        render("{{ .current.pw }}", missing, reveal=True)
