"""`leadTimeTarget` durations and durations in words."""

from __future__ import annotations

import pytest

from pac.documents.durations import in_words, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("P2D", 2 * 86400),
        ("PT4H", 4 * 3600),
        ("P1W", 7 * 86400),
        ("P1DT12H", 36 * 3600),
        ("PT90M", 5400),
        ("PT30S", 30),
    ],
)
def test_durations_items_write(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "P", "PT", "P1Y", "P1M", "2 days", "P2DT", "-P2D"])
def test_what_is_not_a_duration(text: str) -> None:
    assert parse_duration(text) is None


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "0 seconds"),
        (1, "1 second"),
        (59, "59 seconds"),
        (3600, "1 hour"),
        (3 * 86400 + 5, "3 days"),
        (86399, "23 hours"),
        (-5, "0 seconds"),
    ],
)
def test_in_words_rounds_down_to_the_largest_unit(seconds: float, words: str) -> None:
    assert in_words(seconds) == words
