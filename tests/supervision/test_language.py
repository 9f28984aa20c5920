"""Feedback language: sentence starters and the advisory fault-word hint."""

from __future__ import annotations

import pytest

from vib import create_app
from vib.supervision import language


@pytest.fixture
def ctx(tmp_path):
    app = create_app({"VIB_HOME": tmp_path, "TESTING": True})
    with app.test_request_context(headers={"Accept-Language": "nl"}):
        yield


@pytest.mark.parametrize("text, words", [
    ("Dit ging fout.", ["fout"]),
    ("Je had moeten wachten, dat was niet goed.", ["had moeten", "niet goed"]),
    ("Het moet beter.", ["moet beter"]),
    ("You should have waited; that was wrong.", ["should have", "wrong"]),
    ("FAILED", ["failed"]),
    ("Ik zie dat je wacht tot ze opkijkt.", []),
    ("Je moeten is goed; shoulder; wronged", []),  # whole words only
])  # fmt: skip
def test_fault_words_are_found_as_whole_words_in_either_language(text, words):
    assert language.faults_in(text) == words


def test_the_hint_suggests_a_forward_phrasing_in_the_readers_language(ctx):
    hint = language.hint_for("Dat was slecht.")
    assert hint["words"] == ["slecht"] and "Een volgende stap kan zijn..." in hint["message"]
    assert language.hint_for("Ik zie dat je wacht.") is None


def test_there_are_starters_for_every_kind_in_both_languages(ctx):
    for locale in ("nl", "en"):
        starters = language.starters(locale)
        assert set(starters) == {"strength", "effect", "question", "next_step", "summary"}
        assert all(starters[kind] for kind in starters)
    assert language.starters("nl")["strength"][0] == "Ik zie dat je..."
    assert language.starters("en")["question"][0] == "What do you see here?"
    assert language.starters("de") == language.starters("en")
