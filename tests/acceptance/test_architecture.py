"""docs/architecture.md stays true: every module it names exists, every stage is drawn,
in the order the import-linter contract enforces."""

from __future__ import annotations

import re
import tomllib

from tests.conftest import PROJECT

DOC = (PROJECT / "docs/architecture.md").read_text(encoding="utf-8")
SOURCE = PROJECT / "src/pac"


def test_every_module_the_page_names_exists() -> None:
    named = set(re.findall(r"`((?:src|tests|tools|benchmarks|docs)/[\w/.-]+)`", DOC))
    assert len(named) > 30
    missing = sorted(path for path in named if not (PROJECT / path).exists())
    assert not missing, f"docs/architecture.md names what is not there: {missing}"


def test_every_stage_is_drawn_in_the_enforced_order() -> None:
    stages = sorted(p.name for p in SOURCE.iterdir() if (p / "__init__.py").is_file())
    diagram = DOC.split("```")[1]
    undrawn = [s for s in stages if f"{s}/" not in diagram]
    assert not undrawn, f"stages missing from the diagram: {undrawn}"
    contract = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
    layers = next(
        c["layers"] for c in contract["tool"]["importlinter"]["contracts"] if c["type"] == "layers"
    )
    top_of = [min(diagram.index(_drawn(name)) for name in layer.split(" | ")) for layer in layers]
    assert top_of == sorted(top_of), "the diagram's order differs from the layers contract"


def _drawn(module: str) -> str:
    name = module.removeprefix("pac.")
    return f"{name}/" if (SOURCE / name).is_dir() else f"{name}.py"


# The "Done when": a newcomer answers these from folder and file names alone. Each
# is a row of the page's table whose first module says it in its own path.
NEWCOMER_QUESTIONS = {
    "where is the JIRA ticket created?": "fulfilment/actions/jira_ticket.py",
    "where is a request's input checked?": "forms/inputs.py",
    "where is status written?": "records/status.py",
    "where would a new action type go?": "fulfilment/actions/",
}


def _answers() -> dict[str, str]:
    rows = re.findall(r"^\| (.+?) \| (.+) \|$", DOC.split("## Where is")[1], flags=re.MULTILINE)
    return {question.strip(): answer for question, answer in rows}


def test_the_newcomers_questions_are_answered_by_modules_that_exist() -> None:
    answers = _answers()
    for question, where in NEWCOMER_QUESTIONS.items():
        assert question in answers, f"docs/architecture.md does not answer {question!r}"
        named = re.findall(r"`(src/pac/[\w/.-]+)`", answers[question])
        assert named, f"the answer to {question!r} names no module"
        missing = [path for path in named if not (PROJECT / path).exists()]
        assert not missing, f"the answer to {question!r} names what is not there: {missing}"
        assert any(where in path for path in named), f"{question!r}: {where} is not named"
