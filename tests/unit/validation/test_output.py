"""Output formats: text, JSON, GitHub workflow commands and SARIF."""

from __future__ import annotations

import json

from pac.diagnostics import Diagnostic, Severity
from pac.validation.output import as_github, as_json, as_sarif, as_text

FINDINGS = [
    Diagnostic("catalog/a.yaml", 3, 5, Severity.ERROR, "schema-type", "bad: value", "Fix it, now."),
    Diagnostic("catalog/a.yaml", 9, 1, Severity.WARNING, "naming-title-case", "lower", ""),
]


def test_text_reads_path_line_column_severity_code_and_hint() -> None:
    assert as_text(FINDINGS, 2) == (
        "catalog/a.yaml:3:5: error[schema-type] bad: value\n"
        "    hint: Fix it, now.\n"
        "catalog/a.yaml:9:1: warning[naming-title-case] lower\n"
        "2 files checked: 1 error, 1 warning\n"
    )
    assert as_text([], 1) == "1 file checked: no problems found\n"


def test_text_uses_colour_only_when_asked() -> None:
    assert "\x1b[" not in as_text(FINDINGS, 1)
    assert "\x1b[31merror[schema-type]" in as_text(FINDINGS, 1, colour=True)


def test_json_is_a_stable_list_of_objects() -> None:
    data = json.loads(as_json(FINDINGS))
    assert data[0] == {
        "path": "catalog/a.yaml",
        "line": 3,
        "column": 5,
        "severity": "error",
        "code": "schema-type",
        "message": "bad: value",
        "hint": "Fix it, now.",
    }


def test_github_commands_escape_their_data() -> None:
    lines = as_github(FINDINGS, 2).splitlines()
    assert lines[0] == (
        "::error file=catalog/a.yaml,line=3,col=5,title=pac schema-type::bad: value%0AFix it, now."
    )
    assert lines[1].startswith("::warning file=catalog/a.yaml,line=9,col=1,")


def test_sarif_is_2_1_0_with_rules_and_locations() -> None:
    log = json.loads(as_sarif(FINDINGS))
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["naming-title-case", "schema-type"]
    first = run["results"][0]
    assert first["ruleId"] == "schema-type"
    assert first["level"] == "error"
    region = first["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 3, "startColumn": 5}


def test_github_escapes_percent_newlines_and_property_separators() -> None:
    odd = Diagnostic(
        "requests/a,b:c/x.yaml", 1, 2, Severity.ERROR, "input-choice", "is '30%'\r\nno", "a, b: c"
    )
    [line, _summary] = as_github([odd], 1).splitlines()
    # Properties escape `,` and `:` too, or the file name would end at the comma.
    assert line == (
        "::error file=requests/a%2Cb%3Ac/x.yaml,line=1,col=2,title=pac input-choice"
        "::is '30%25'%0D%0Ano%0Aa, b: c"
    )


def test_sarif_locations_are_uri_references() -> None:
    odd = Diagnostic("requests/my team/#1.yaml", 1, 1, Severity.ERROR, "input-type", "x", "")
    log = json.loads(as_sarif([odd]))
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "requests/my%20team/%231.yaml"
