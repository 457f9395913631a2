"""Secrets never leak, whatever a target echoes (SPEC §6.3).

A REST target that fails may quote the request back: as UTF-8 JSON (Go, Node), with PHP's
`\\/` escapes, as the exact body pac sent, its credentials in plain text, URL-encoded or
base64. Whatever it does, no form of a secret may reach the status file, the pushed
history, pac's output, the escalation tickets or the outbox.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

import git
import pytest

from pac.fulfilment.backends import BackendError
from pac.fulfilment.backends.rest import RenderedCall, RestClient
from pac.fulfilment.redaction import ANSWER_READ, Redactor, encodings, excerpt
from tests.conftest import FIXTURES, fast_retries, pac_in, pac_settings, point_rest_at
from tests.fakes.jira import FakeJira
from tests.fakes.rest import ECHO_MODES, FakeRestTarget
from tests.fakes.server import Received

WEBAPP = "payments-webapp"
ADMIN_PASSWORD = 'AdvPw-Zq7"Xk\\91/Ä-leak'
AWS_LIKE_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
JIRA_TOKEN = "jira-token-s3cr3t"
ITEM = "catalog/databases/database-aurora-postgresql-standard.yaml"
BEARER = "{type: bearer, token: {secretRef: DBAAS_API_TOKEN}}"
BASIC = "{type: basic, username: pac, password: {secretRef: DBAAS_API_TOKEN}}"


def forms(secret: str, user: str = "pac") -> dict[str, str]:
    """Ways a secret is written, worked out here independently of `pac.fulfilment.redaction`."""
    as_json = json.dumps(secret, ensure_ascii=False)[1:-1]
    found = {
        "raw": secret,
        "json": as_json,
        "json-ascii": json.dumps(secret)[1:-1],
        "json-php": json.dumps(secret)[1:-1].replace("/", "\\/"),
        "json-slashes": as_json.replace("/", "\\/"),
        "json-in-json": json.dumps(as_json, ensure_ascii=False)[1:-1],
        "json-in-json-ascii": json.dumps(as_json)[1:-1],
        "json-in-json-php": json.dumps(as_json)[1:-1].replace("/", "\\/"),
        "url": quote(secret, safe=""),
        "url-lower": re.sub("%[0-9A-F]{2}", lambda m: m.group().lower(), quote(secret, safe="")),
        "url-path": quote(secret),
        "form": quote_plus(secret),
        "form-of-json": quote_plus(as_json),
        "base64": base64.b64encode(secret.encode()).decode(),
        "basic-auth": base64.b64encode(f"{user}:{secret}".encode()).decode(),
        "utf8-read-as-latin1": secret.encode().decode("latin-1"),
    }
    for offset in range(3):
        found[f"inside base64 at {offset}"] = inside_base64(secret.encode(), offset)
        found[f"JSON inside base64 at {offset}"] = inside_base64(as_json.encode(), offset)
    # No piece of it either: a cut excerpt must not keep the start of a secret.
    for i in range(len(secret) - 7):
        found[f"piece {i}"] = secret[i : i + 8]
    return found


def inside_base64(data: bytes, offset: int) -> str:
    """What base64 shows of `data` wherever it sits, `offset` bytes after a 3-byte group
    starts: the characters that stay the same whatever bytes surround it."""
    one = base64.b64encode(b"\0" * offset + data + b"\0\0")
    other = base64.b64encode(b"\xff" * offset + data + b"\xff\xff")
    same = bytes(a if a == b else 0 for a, b in zip(one, other, strict=True))
    return max(same.split(b"\0"), key=len).decode()


def leaks(
    secrets: list[str],
    places: dict[str, str],
    extra: Callable[[str], Iterable[str]] = lambda secret: (),
) -> list[str]:
    found = []
    for secret in secrets:
        named = forms(secret) | {f"pac's form {form!r}": form for form in extra(secret)}
        for name, form in named.items():
            for place, text in places.items():
                if form in text:
                    at = text.index(form)
                    found.append(f"{secret!r} as {name} in {place}: {text[at - 60 : at + 60]!r}")
    return found


# --- the redactor ------------------------------------------------------------------------------


@pytest.mark.parametrize("secret", [ADMIN_PASSWORD, AWS_LIKE_KEY])
def test_every_form_of_a_secret_is_masked(secret: str) -> None:
    redact = Redactor([secret])
    for name, form in forms(secret).items():
        if name.startswith("piece") or name == "basic-auth":
            continue
        assert redact(f"before {form} after") == "before *** after", name


@pytest.mark.parametrize("secret", [ADMIN_PASSWORD, AWS_LIKE_KEY])
@pytest.mark.parametrize("user", ["pac", "svc-account", "ab"])
def test_base64_of_a_secret_inside_a_longer_text_is_masked(secret: str, user: str) -> None:
    # A basic-auth pair, or a whole echoed body: the secret sits at any of three alignments.
    redact = Redactor([secret])
    pair = base64.b64encode(f"{user}:{secret}".encode()).decode()
    body = base64.b64encode(json.dumps({"user": user, "pw": secret}).encode()).decode()
    for text in (pair, body):
        masked = redact(text)
        assert "***" in masked
        for offset in range(3):
            assert inside_base64(secret.encode(), offset) not in masked


def test_a_php_escaped_secret_is_masked_whole() -> None:
    # PHP writes `/` as `\/` and `\` as `\\`: the raw value is not in what it writes.
    redact = Redactor(["ab/cd\\ef"])
    assert redact('{"pw": "ab\\/cd\\\\ef"}') == '{"pw": "***"}'


def test_overlapping_secrets_leave_no_part_of_either() -> None:
    # Replacing one after the other would leave the tail of the second ("ghij") standing.
    redact = Redactor(["abcdef12", "ef12ghij"])
    assert redact("x abcdef12ghij y") == "x *** y"


def test_short_values_and_their_forms_are_not_masked_where_they_are_ordinary_text() -> None:
    redact = Redactor(["abc", "token"])
    assert redact("abc token dG9rZW4=") == "abc *** ***"
    assert all(len(form) >= 4 for form in encodings("token"))


# --- the excerpt of a failed call's answer -----------------------------------------------


def test_an_ordinary_error_stays_readable() -> None:
    sent = ['{"name": "payments-api", "masterPassword": "hunter2-but-longer"}']
    shown = ['{"name": "payments-api", "masterPassword": "***"}']
    answer = '{"error":"quota exceeded","name":"payments-api"}'
    assert excerpt(answer, Redactor(["hunter2-but-longer"]), sent, shown, 300) == answer


def test_an_echo_in_an_encoding_no_list_knows_is_cut_by_what_was_sent() -> None:
    # What pac sent with the secret, however a template transformed it (here upper-cased),
    # is recognised in the answer because it differs from what pac shows.
    secret = "quiet-Value-1234"
    sent = ['{"name": "db", "token": "' + secret.upper() + '"}']
    shown = ['{"name": "db", "token": "***"}']
    answer = 'error: bad token "' + secret.upper() + '" for db'
    quoted = excerpt(answer, Redactor([secret]), sent, shown, 300)
    # With the word that stood next to it in what was sent.
    assert quoted == "error: bad *** for db"


def test_an_unknown_form_echoed_with_other_escapes_is_cut_too() -> None:
    # The sent body, quoted back as a JSON string: every quote and backslash escaped again,
    # so the sent runs are broken up; their letters and digits are not.
    secret = 'qu"iet\\Va/lue-1234'
    body = json.dumps({"name": "db", "token": secret.upper()}, ensure_ascii=False)
    shown = json.dumps({"name": "db", "token": "***"})
    for answer in (json.dumps({"received": body}), json.dumps({"r": body}).replace("/", "\\/")):
        quoted = excerpt(answer, Redactor([secret]), [body], [shown], 300)
        assert not any(piece in quoted for piece in ("QU", "IET", "VA", "LUE", "1234")), quoted
        assert '\\"name\\": \\"' in quoted  # what stood apart from the secret stays


def test_the_cut_never_leaves_the_start_of_a_secret() -> None:
    secret = "S3cr3t-value-that-is-long"
    sent = [f"pw={secret}"]
    for padding in range(280, 300):
        answer = "x" * padding + secret
        quoted = excerpt(answer, Redactor([]), sent, ["pw=***"], 300)
        assert "S3cr" not in quoted and len(quoted) <= 300


def test_an_answer_that_is_all_secret_is_one_mask_even_where_reading_stops() -> None:
    # Masked, 64 KiB of echoes shrink to nothing: what follows where reading stops would be
    # shown, so a secret crossing that point is still found whole.
    secret = "S3cr3t-value-7"
    assert ANSWER_READ % len(secret)  # one copy crosses where reading stops
    answer = secret * (ANSWER_READ // len(secret) + 2)
    assert excerpt(answer, Redactor([secret]), [], [], 300) == "***"
    sent = [f"pw={secret}&x=1"]
    assert excerpt(answer, Redactor([]), sent, ["pw=***&x=1"], 300) == "***"


def rendered(url: str, password: str, token: str) -> RenderedCall:
    return RenderedCall(
        method="POST",
        url=f"{url}/things",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        body=json.dumps({"name": "x", "password": password}, ensure_ascii=False),
        body_type="json",
        timeout=5.0,
        retry_attempts=0,
        backoff="linear",
        retry_delay=0.0,
        authentication="bearer",
    )


@pytest.mark.parametrize("with_display", [True, False])
def test_the_rest_client_quotes_no_secret_with_or_without_the_shown_call(
    with_display: bool,
) -> None:
    # The redactor knows neither the token nor the upper-cased password: given the call as
    # shown, both are cut because they were sent and never shown. Without it, the call as
    # shown is worked out from what the redactor knows (the password as it is) and the
    # credentials header, which counts as secret whole.
    password = ADMIN_PASSWORD.upper() if with_display else ADMIN_PASSWORD
    with FakeRestTarget() as target:
        target.echo("POST", "/things", "json-php", 400)
        sent = rendered(target.url, password, AWS_LIKE_KEY)
        display = rendered(target.url, "***", "***") if with_display else None
        with pytest.raises(BackendError) as failed:
            RestClient().send(sent, "key-1", redact=Redactor([ADMIN_PASSWORD]), display=display)
    message = failed.value.message
    assert "answered 400" in message and '"name":"x"' in message
    found = leaks([password, AWS_LIKE_KEY], {"message": message})
    assert not found, "\n".join(found)


# --- through the real pac, against a target echoing the request --------------------------


@pytest.fixture
def jira() -> Iterator[FakeJira]:
    with FakeJira(credentials=("bot", JIRA_TOKEN)) as fake:
        yield fake  # type: ignore[misc]


def with_upstream(root: Path, tmp_path: Path) -> Path:
    """`root` as a clone of a bare remote, so `pac apply --commit` pushes its status."""
    bare = tmp_path / "remote.git"
    git.Repo.init(bare, bare=True, initial_branch="main")
    repo = git.Repo.init(root, initial_branch="main")
    with repo.config_writer() as config:
        config.set_value("user", "name", "Test User")
        config.set_value("user", "email", "test@company.com")
        config.set_value("commit", "gpgsign", "false")
    repo.git.add(A=True)
    repo.index.commit("sample catalog")
    repo.create_remote("origin", str(bare)).push("main:main")
    repo.git.branch("--set-upstream-to", "origin/main")
    return bare


def pac(
    root: Path, env: dict[str, str], *args: str, code: int | None = None
) -> subprocess.CompletedProcess[str]:
    done = pac_in(root, env, *args)
    assert code is None or done.returncode == code, done.stdout + done.stderr
    return done


def git_objects(repository: Path) -> str:
    done = subprocess.run(
        ["git", "cat-file", "--batch-all-objects", "--batch"],
        cwd=repository,
        capture_output=True,
        check=True,
    )
    return done.stdout.decode("utf-8", "replace")


def files_under(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): path.read_bytes().decode("utf-8", "replace")
        for path in root.rglob("*")
        if path.is_file() and ".git/" not in f"{path.relative_to(root)}/"
    }


def environment(
    secrets: dict[str, str], jira: FakeJira | None, commit: bool = True
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAC_")}
    env.pop("CI", None)
    env.update({"PAC_TODAY": "2026-06-01", "NO_COLOR": "1"})
    env.update({f"PAC_SECRET_{name}": value for name, value in secrets.items()})
    if jira is not None:
        env |= {"PAC_JIRA_URL": jira.url, "PAC_JIRA_USER": "bot", "PAC_JIRA_TOKEN": JIRA_TOKEN}
    return env


# Which password goes where: in the JSON body and as the bearer token, or the other way
# round with basic auth; the first fails with 500 and escalates to JIRA, the second with
# 400 and escalates to the outbox.
PLACEMENTS = {
    "body-admin/bearer-key/500/jira": (ADMIN_PASSWORD, AWS_LIKE_KEY, BEARER, 500, True),
    "body-key/basic-admin/400/outbox": (AWS_LIKE_KEY, ADMIN_PASSWORD, BASIC, 400, False),
}


@pytest.mark.parametrize("placement", list(PLACEMENTS))
@pytest.mark.parametrize("mode", ECHO_MODES)
def test_a_target_echoing_the_request_leaks_no_secret_anywhere(
    sample_root: Path,
    tmp_path: Path,
    jira: FakeJira,
    platform: FakeRestTarget,
    mode: str,
    placement: str,
) -> None:
    in_body, in_header, authentication, status, use_jira = PLACEMENTS[placement]
    point_rest_at(sample_root, platform.url)
    fast_retries(sample_root)
    pac_settings(sample_root, transient_retries=0)  # a 500 fails at once, to escalate
    item = sample_root / ITEM
    lines = item.read_text().replace(BEARER, authentication).splitlines(keepends=True)
    # The password first, so it lies well inside the excerpt of an answer quoting the body.
    password = next(i for i, line in enumerate(lines) if '"masterPassword"' in line)
    start = max(i for i in range(password) if lines[i].strip() == "{") + 1
    lines.insert(start, lines.pop(password))
    item.write_text("".join(lines))
    bare = with_upstream(sample_root, tmp_path)
    env = environment(
        {"PAYMENTS_DB_ADMIN": in_body, "DBAAS_API_TOKEN": in_header}, jira if use_jira else None
    )
    platform.echo("POST", "/api/v1/clusters", mode, status)

    applied = pac(sample_root, env, "apply", WEBAPP, "--commit", code=1)
    sent = platform.requests[0]
    assert (
        in_header
        in base64.b64decode(sent.headers["Authorization"].split()[1] + "==").decode(
            "utf-8", "replace"
        )
        or sent.headers["Authorization"] == f"Bearer {in_header}"
    )
    assert json.loads(sent.body)["masterPassword"] == in_body
    status_file = (sample_root / "requests/.status" / f"{WEBAPP}.yaml").read_text()
    assert f"answered {status}" in status_file
    outputs = {
        "pac apply": applied.stdout + applied.stderr,
        "pac status": pac(sample_root, env, "status").stdout,
        "pac status ID": pac(sample_root, env, "status", WEBAPP).stdout,
        "pac report": pac(sample_root, env, "report", "--format", "json").stdout,
        "pac plan": pac(sample_root, env, "plan", WEBAPP).stdout,
    }
    request = sample_root / "requests/payments/payments-webapp.yaml"
    request.write_text(request.read_text() + "operations: {escalate: true}\n")
    git.Repo(sample_root).git.commit("-am", "escalate")
    escalated = pac(sample_root, env, "apply", WEBAPP, "--commit", code=0)
    outputs["pac apply (escalate)"] = escalated.stdout + escalated.stderr
    outputs["pac status (escalated)"] = pac(sample_root, env, "status", WEBAPP).stdout

    tickets = json.dumps(jira.issues, ensure_ascii=False) if use_jira else ""
    places = {
        **outputs,
        **files_under(sample_root),
        "fake JIRA issues": tickets,
        "fake JIRA issues (ASCII JSON)": json.dumps(jira.issues),
        "git objects (checkout)": git_objects(sample_root),
        "git objects (pushed)": git_objects(bare),
    }
    described = tickets if use_jira else files_under(sample_root / ".pac/outbox").__repr__()
    assert "Escalated by pac" in described and f"answered {status}" in described
    found = leaks([in_body, in_header, JIRA_TOKEN], places)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("mode", ["json-string", "json-php", "raw-body"])
def test_a_secret_a_template_changed_is_cut_from_an_echo_of_what_was_sent(
    sample_root: Path, platform: FakeRestTarget, mode: str
) -> None:
    # No list knows the upper-cased password; it is cut because pac sent it and never
    # showed it.
    point_rest_at(sample_root, platform.url)
    item = sample_root / ITEM
    password = "{{ .current.credentials.adminPassword }}"
    item.write_text(item.read_text().replace(password, password.replace(" }}", " | upper }}")))
    platform.echo("POST", "/api/v1/clusters", mode, 400)
    env = environment({"PAYMENTS_DB_ADMIN": ADMIN_PASSWORD, "DBAAS_API_TOKEN": "token-0002"}, None)
    applied = pac(sample_root, env, "apply", WEBAPP, code=1)
    changed = ADMIN_PASSWORD.upper()
    assert json.loads(platform.requests[0].body)["masterPassword"] == changed
    status = (sample_root / "requests/.status" / f"{WEBAPP}.yaml").read_text()
    assert "answered 400" in status
    places = {"pac apply": applied.stdout + applied.stderr, "status": status}
    found = leaks([ADMIN_PASSWORD, changed], places)
    assert not found, "\n".join(found)
    for piece in ("ADVPW", "ZQ7", "LEAK"):
        assert piece not in status and piece not in places["pac apply"]


# --- ten secrets in every part of the calls and tickets, success and failure -------------

EVERYWHERE = FIXTURES / "valid/secrets-everywhere"
SECRETS_EVERYWHERE = {
    "EW_ADMIN": ADMIN_PASSWORD,  # JSON and text bodies, ticket description
    "EW_DEPLOY": 'dep"loy→Kéy\\/x-1',  # form and text bodies, ticket description
    "EW_WEBHOOK": "hook→tok/en?a=b&c=é",  # URL path, ticket description
    "EW_SIGNING": 'sig/Ning-Kéy\\"q',  # a header and a text body, ticket description
    "EW_BEARER": AWS_LIKE_KEY,  # bearer credentials
    "EW_BASIC": 'bäsic/Pw"\\é-Ä:x',  # basic credentials
    "EW_APIKEY": 'api-Kéy/"\\x7',  # api-key header
    "EW_SWITCH": "switch/Tök\\en-99",  # bearer credentials of the last call
    "PLATFORM_API_KEY": "plat→Key/é+ü&=?#%20",  # URL query, JSON body, ticket description
}
EW_JIRA_TOKEN = 'jira-Tok/en"\\42+='  # HTTP basic auth to JIRA, which is Latin-1
OK, BROKEN = "payments-wired", "payments-broken"


def careless(request: Received, match: re.Match[str]) -> tuple[int, object]:
    """A service that quotes what it received in every answer, and succeeds."""
    return 200, {"received": request.body.decode("utf-8"), "path": request.path}


@pytest.mark.parametrize("tickets", ["jira", "outbox"])
def test_ten_secrets_in_every_part_of_a_request_appear_nowhere(
    sample_root: Path, tmp_path: Path, platform: FakeRestTarget, tickets: str
) -> None:
    shutil.copytree(EVERYWHERE, sample_root, dirs_exist_ok=True)
    wired = sample_root / "requests/payments/payments-wired.yaml"
    (sample_root / "requests/payments/payments-broken.yaml").write_text(
        wired.read_text().replace(OK, BROKEN)
    )
    point_rest_at(sample_root, platform.url)
    bare = with_upstream(sample_root, tmp_path)
    platform.route("POST", r"/api/v1/ew/.*", careless)
    platform.route("PUT", r"/api/v1/ew/.*", careless)
    platform.echo("PUT", rf"/api/v1/ew/{BROKEN}/hooks/.*", "json-utf8", 400)
    with FakeJira(credentials=("bot", EW_JIRA_TOKEN)) as jira:
        env = environment(SECRETS_EVERYWHERE, jira if tickets == "jira" else None)
        if tickets == "jira":
            env["PAC_JIRA_TOKEN"] = EW_JIRA_TOKEN
        outputs = {
            "pac apply": pac(sample_root, env, "apply", OK, BROKEN, "--commit", code=1).stdout
        }
        for command in (["status"], ["status", BROKEN], ["report"], ["plan", BROKEN]):
            outputs[" ".join(["pac", *command])] = pac(sample_root, env, *command).stdout
        request = sample_root / "requests/payments/payments-broken.yaml"
        request.write_text(request.read_text() + "operations: {escalate: true}\n")
        git.Repo(sample_root).git.commit("-am", "escalate")
        done = pac(sample_root, env, "apply", OK, BROKEN, "--commit", code=0)
        outputs["pac apply (escalate)"] = done.stdout + done.stderr
        records = {"fake JIRA issues": json.dumps(jira.issues, ensure_ascii=False)}
        records["fake JIRA issues (ASCII JSON)"] = json.dumps(jira.issues)

    assert len(platform.requests) == 4 + 3  # every call of one, three of the other
    if tickets == "jira":
        descriptions = [issue["fields"]["description"] for issue in jira.issues.values()]
    else:
        descriptions = [str(ticket["description"]) for ticket in outbox(sample_root)]
    [description] = descriptions  # the escalation's ticket, in JIRA's markup
    assert description.startswith("Set the admin password to \\*\\*\\*, the deploy")
    assert f"{BROKEN}/hooks/\\*\\*\\* answered 400" in description
    places = {
        **outputs,
        **records,
        **files_under(sample_root),
        "git objects (checkout)": git_objects(sample_root),
        "git objects (pushed)": git_objects(bare),
    }
    secrets = [*SECRETS_EVERYWHERE.values(), EW_JIRA_TOKEN]
    found = leaks(secrets, places, extra=encodings)
    assert not found, "\n".join(found)
    searched = sum(len(forms(s)) + len(encodings(s)) for s in secrets)
    print(f"{len(secrets)} secrets, {searched} forms, {len(places)} places: {len(found)} leaks")


def outbox(root: Path) -> list[dict[str, object]]:
    return [json.loads(p.read_text()) for p in sorted((root / ".pac/outbox").glob("*.json"))]
