"""Escaping text for JIRA wiki markup, so a requester's input shows literally in a ticket.

Used by the `jira` encoders of templates and by the jira-ticket action's own note on an
escalation ticket (what failed, what was already done).
"""

from __future__ import annotations

import re

_JIRA_ALWAYS = frozenset("{}[]|!")
_JIRA_EDGE = frozenset("*_-+^~?#")
_LINE_MARKUP = re.compile(r"^(\s*)(h[1-6]|bq)\.", re.MULTILINE)
_AUTOLINK = re.compile(r"(?i)\b(https?|ftp|file|mailto|irc|news|nntp)(:)")


# Characters that would be invisible or hidden in a ticket: terminal controls (JIRA drops
# them silently, so what was reviewed in the plan would differ from what is sent), bidi
# overrides that reorder the text around them, zero-width and other format characters
# (soft hyphen, line/paragraph separators, Hangul fillers that render as nothing, the tag
# characters that can carry a whole invisible text).
_HIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\xad\u034f\u061c\u115f\u1160\u17b4\u17b5"
    "\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb"
    "\U000e0000-\U000e007f]"
)


def _hidden_shown(match: re.Match[str]) -> str:
    return f"<U+{ord(match.group()):04X}>"


def jira_escape(text: str) -> str:
    """Escape text for JIRA wiki markup so it shows literally and forms no markup.

    Brackets, braces, pipes and bangs (links, mentions, macros, tables, images) are always
    escaped; emphasis characters only where they could open or close markup, so ids like
    `payments-api` stay readable. Backslashes become an entity (`\\\\` is a line break in
    JIRA), line-start `h1.`/`bq.` lose their meaning, and URLs are not turned into links.
    Control, bidi-override and zero-width characters are written as `<U+XXXX>`, the same in
    the plan's preview and in the ticket.
    """
    text = _HIDDEN.sub(_hidden_shown, text)
    out: list[str] = []
    length = len(text)
    for i, ch in enumerate(text):
        if ch == "\\":
            out.append("&#92;")
        elif ch in _JIRA_ALWAYS:
            out.append("\\" + ch)
        elif ch in _JIRA_EDGE:
            before = text[i - 1] if i else " "
            after = text[i + 1] if i + 1 < length else " "
            if before.isalnum() and after.isalnum() and ch not in "?#":
                out.append(ch)
            else:
                out.append("\\" + ch)
        else:
            out.append(ch)
    escaped = _LINE_MARKUP.sub(_neutral_line_start, "".join(out))
    return _AUTOLINK.sub(lambda m: m.group(1) + "&#58;", escaped)


def _neutral_line_start(match: re.Match[str]) -> str:
    indent, marker = match.group(1), match.group(2)
    return f"{indent}&#{ord(marker[0])};{marker[1:]}."
