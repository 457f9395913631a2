""" "Did you mean …?": the closest known name to one that is not known.

Used wherever a finding names a key, kind, id or choice that does not exist, so every
suggestion in pac's output is chosen the same way.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    options = sorted(choices)
    matches = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if matches:
        return matches[0]
    lowered = word.lower()
    for option in options:  # case slips and abbreviations: PROD, production -> prod
        if option.lower() == lowered or (
            len(option) >= 3
            and (lowered.startswith(option.lower()) or option.lower().startswith(lowered))
        ):
            return option
    return ""


def suggestion_hint(word: str, options: Iterable[str], listing: str) -> str:
    """ "Did you mean X? <listing>: a, b, c." for a name that is not one of `options`."""
    choices = list(options)
    suggestion = did_you_mean(word, choices)
    return (f"Did you mean {suggestion}? " if suggestion else "") + (
        f"{listing}: {', '.join(choices)}."
    )
