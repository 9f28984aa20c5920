"""Code-scheme files: the shipped schemes, and how a malformed file is refused (with its line)."""

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from vib.schemes.format import SCHEMA, SchemeFormatError, load_scheme_file, parse_scheme

ANNOTATIONS = Path(__file__).resolve().parents[2] / "annotations"
SHIPPED = ["vib-basiscommunicatie.json", "vig-principles.json"]

# A small valid scheme; tests break one thing in it and check the error points at that line.
VALID = """\
{
  "id": "test-scheme",
  "version": 1,
  "label": {"nl": "Test", "en": "Test"},
  "codes": [
    {
      "id": "a",
      "label": {"nl": "A", "en": "A"},
      "definition": {"nl": "Een A.", "en": "An A."},
      "actor": "client",
      "colour": "#e4572e",
      "hotkey": "a",
      "subcodes": [
        {"id": "a.one", "label": {"nl": "A1", "en": "A1"}}
      ]
    },
    {
      "id": "b",
      "label": {"nl": "B", "en": "B"},
      "definition": {"nl": "Een B.", "en": "A B."},
      "actor": "worker",
      "colour": "#0077bb",
      "hotkey": "b"
    }
  ]
}
"""


def line_of(text, fragment, occurrence=1):
    """1-based line of the given occurrence of fragment in text."""
    lines = [number for number, line in enumerate(text.splitlines(), 1) if fragment in line]
    return lines[occurrence - 1]


def refused(text):
    with pytest.raises(SchemeFormatError) as caught:
        parse_scheme(text)
    return caught.value


def shipped(name):
    return load_scheme_file(ANNOTATIONS / name)


# -- the shipped schemes -----------------------------------------------------------------------


def test_schema_file_is_a_valid_draft_2020_12_schema():
    Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scheme_parses_and_its_id_matches_the_file_name(name):
    scheme = shipped(name)
    assert f"{scheme.id}.json" == name
    # version 2 of basic communication gave Naming the key e: n and x walk the suggestions from the sound
    assert scheme.version == {"vib-basiscommunicatie": 2}.get(scheme.id, 1)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_hotkeys_are_unique_and_never_the_shuttle_keys(name):
    hotkeys = [code.hotkey for code in shipped(name).codes if code.hotkey]
    assert len(hotkeys) == len(set(hotkeys))
    assert not set(hotkeys) & {"j", "k", "l"}


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_code_has_a_dutch_and_an_english_label(name):
    for code in shipped(name).codes:
        assert code.label["nl"].strip() and code.label["en"].strip(), code.id


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_file_is_already_in_canonical_form(name):
    # What is stored equals what the file says, so a reader of the file sees exactly what is stored.
    document = json.loads((ANNOTATIONS / name).read_text(encoding="utf-8"))
    document.pop("$schema")
    assert shipped(name).as_document() == document


def test_basic_communication_has_the_nine_elements_with_their_hotkeys():
    scheme = shipped("vib-basiscommunicatie.json")
    top = {code.id: code.hotkey for code in scheme.codes if code.parent is None}
    assert top == {
        "bc.initiatief": "i",
        "bc.aandacht": "a",
        "bc.ontvangen": "o",
        "bc.benoemen": "e",
        "bc.beurt": "b",
        "bc.afstemmen": "s",
        "bc.leiding": "g",
        "bc.reeks": "r",
        "bc.gemist": "m",
    }
    assert all(code.definition for code in scheme.codes if code.parent is None)
    assert scheme.code("bc.reeks.ja").definition["nl"].startswith("Ononderbroken")


def test_missed_initiative_is_for_analysis_only_and_the_only_such_code():
    scheme = shipped("vib-basiscommunicatie.json")
    missed = scheme.code("bc.gemist")
    assert missed.analysis_only and missed.stats_role == "missed_initiative"
    assert [code.id for code in scheme.codes if code.analysis_only] == ["bc.gemist"]


def test_basic_communication_roles_for_the_reception_ratio():
    scheme = shipped("vib-basiscommunicatie.json")
    assert scheme.code("bc.initiatief").stats_role == "initiative"
    assert scheme.code("bc.ontvangen.verbaal").stats_role == "reception"
    # The worker's own initiative keeps the role; the figures skip initiatives by the worker.
    own = scheme.code("bc.initiatief.eigen")
    assert (own.actor, own.stats_role) == ("worker", "initiative")


def test_subcodes_inherit_actor_and_colour_unless_they_set_their_own():
    scheme = shipped("vib-basiscommunicatie.json")
    turn, your_turn, contact = scheme.code("bc.beurt"), scheme.code("bc.beurt.jij"), scheme.code("bc.initiatief.contact")
    assert turn.actor == "both"
    assert (your_turn.parent, your_turn.actor, your_turn.colour) == ("bc.beurt", "client", turn.colour)
    assert (contact.actor, contact.colour) == ("client", scheme.code("bc.initiatief").colour)
    assert contact.hotkey is None and contact.category is None


def test_codes_are_flattened_with_each_code_followed_by_its_subcodes():
    ids = [code.id for code in shipped("vib-basiscommunicatie.json").codes]
    assert ids[:3] == ["bc.initiatief", "bc.initiatief.contact", "bc.initiatief.handeling"]
    assert ids[-1] == "bc.gemist"


def test_vig_principles_are_levels_one_to_six_on_keys_one_to_six():
    principles = [code for code in shipped("vig-principles.json").codes if code.level]
    assert [(code.level, code.hotkey) for code in principles] == [(n, str(n)) for n in range(1, 7)]
    assert all(code.category == {"nl": "Principe", "en": "Principle"} for code in principles)


def test_vig_principles_have_client_initiatives_and_receptions_for_the_reception_ratio():
    scheme = shipped("vig-principles.json")
    initiative = scheme.code("paig.initiative")
    assert (initiative.actor, initiative.hotkey, initiative.stats_role, initiative.level) == ("client", "i", "initiative", None)
    assert initiative.definition["nl"] and initiative.definition["en"]
    assert scheme.code("paig.receiving").stats_role == "reception"
    assert scheme.code("paig.attuned").actor == "both"  # the draft's "dyad"
    assert scheme.code("paig.attuned.receive_then_respond").actor == "worker"
    assert scheme.code("paig.attentive.turning_towards").definition is None


# -- round trip -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SHIPPED)
def test_as_document_round_trips(name):
    scheme = shipped(name)
    assert parse_scheme(json.dumps(scheme.as_document())) == scheme


def test_as_document_keeps_a_subcode_that_differs_from_its_parent():
    document = json.loads(VALID)
    document["codes"][0]["analysis_only"] = True
    document["codes"][0]["subcodes"][0] |= {"analysis_only": False, "actor": "other", "colour": "#e4572e"}
    scheme = parse_scheme(json.dumps(document))
    written = scheme.as_document()["codes"][0]["subcodes"][0]
    assert written == {"id": "a.one", "label": {"nl": "A1", "en": "A1"}, "analysis_only": False, "actor": "other"}
    assert parse_scheme(json.dumps(scheme.as_document())) == scheme


def test_as_document_leaves_out_the_schema_reference_and_defaults():
    document = json.loads(VALID) | {"$schema": "./schema.json"}
    document["codes"][1]["analysis_only"] = False
    written = parse_scheme(json.dumps(document)).as_document()
    assert "$schema" not in written and "analysis_only" not in written["codes"][1]


# -- refused files ------------------------------------------------------------------------------


def test_the_valid_example_is_accepted():
    scheme = parse_scheme(VALID)
    assert [code.id for code in scheme.codes] == ["a", "a.one", "b"]


def test_invalid_json_is_refused_at_the_line_of_the_syntax_error():
    text = VALID.replace('"actor": "worker",', '"actor": "worker"')  # missing comma
    error = refused(text)
    assert error.line == line_of(text, '"actor": "worker"') + 1  # the parser notices on the next line
    assert error.reason.startswith("not valid JSON")


def test_a_missing_required_field_is_refused_at_its_code():
    text = VALID.replace('      "definition": {"nl": "Een B.", "en": "A B."},\n', "")
    error = refused(text)
    assert error.reason == "codes[1]: 'definition' is a required property"
    assert error.line == line_of(text, '"id": "b"') - 1  # the line with the code's opening brace


def test_a_missing_top_level_field_is_refused():
    error = refused(VALID.replace('  "version": 1,\n', ""))
    assert error.reason == "'version' is a required property" and error.line == 1


def test_a_bad_colour_is_refused_at_its_line():
    text = VALID.replace('"colour": "#0077bb"', '"colour": "blue"')
    error = refused(text)
    assert error.line == line_of(text, '"colour": "blue"')
    assert error.reason == "codes[1].colour: 'blue' does not match '^#[0-9a-fA-F]{6}$'"
    assert str(error) == f"line {error.line}: {error.reason}"


def test_a_bad_subcode_field_names_the_subcode():
    text = VALID.replace('{"id": "a.one", "label"', '{"id": "a.one", "actor": "child", "label"')
    error = refused(text)
    assert error.reason.startswith("codes[0].subcodes[0].actor: 'child' is not one of")
    assert error.line == line_of(text, '"a.one"')


def test_a_duplicate_hotkey_is_refused_at_its_second_use():
    text = VALID.replace('"hotkey": "b"', '"hotkey": "a"')
    error = refused(text)
    assert error.reason == "hotkey 'a' is used by both a and b"
    assert error.line == line_of(text, '"hotkey": "a"', occurrence=2)


@pytest.mark.parametrize("key", ["j", "k", "l"])
def test_the_shuttle_keys_are_reserved(key):
    text = VALID.replace('"hotkey": "b"', f'"hotkey": "{key}"')
    error = refused(text)
    assert f"hotkey '{key}' of b is reserved" in error.reason
    assert error.line == line_of(text, f'"hotkey": "{key}"')


@pytest.mark.parametrize("key", ["z", "0", "9"])
def test_other_letters_and_digits_are_allowed_as_hotkeys(key):
    assert parse_scheme(VALID.replace('"hotkey": "b"', f'"hotkey": "{key}"')).code("b").hotkey == key


@pytest.mark.parametrize("key", ["B", "ab", " ", "-"])
def test_a_hotkey_is_one_lower_case_letter_or_digit(key):
    assert refused(VALID.replace('"hotkey": "b"', f'"hotkey": "{key}"')).reason.startswith("codes[1].hotkey:")


def test_a_duplicate_code_id_is_refused_at_its_second_use():
    text = VALID.replace('"id": "b"', '"id": "a"')
    error = refused(text)
    assert error.reason == "code id 'a' is used twice"
    assert error.line == line_of(text, '"id": "a"', occurrence=2)


def test_a_subcode_id_must_start_with_its_parent_id_and_a_dot():
    for wrong in ("b.one", "aone", "a"):
        text = VALID.replace('"id": "a.one"', f'"id": "{wrong}"')
        error = refused(text)
        assert "must start with its parent's id followed by a dot ('a.')" in error.reason
        assert error.line == line_of(text, f'{{"id": "{wrong}"')


def test_an_unknown_top_level_key_is_refused_at_its_line():
    text = VALID.replace('  "version": 1,\n', '  "version": 1,\n  "tags": [],\n')
    error = refused(text)
    assert "'tags' was unexpected" in error.reason
    assert error.line == line_of(text, '"tags"')


def test_an_unknown_key_in_a_code_is_refused_at_its_line():
    text = VALID.replace('"actor": "worker",', '"actor": "worker",\n      "color": "#000000",')
    error = refused(text)
    assert error.reason.startswith("codes[1]: Additional properties are not allowed ('color' was unexpected)")
    assert error.line == line_of(text, '"color"')


def test_a_subcode_may_not_have_subcodes_or_a_level():
    for extra in ('"level": 2', '"subcodes": []', '"category": {"nl": "X", "en": "X"}'):
        text = VALID.replace('{"id": "a.one",', f'{{"id": "a.one", {extra},')
        assert "was unexpected" in refused(text).reason


def test_a_key_given_twice_in_one_object_is_refused():
    error = refused(VALID.replace('"hotkey": "b"', '"hotkey": "b", "hotkey": "c"'))
    assert error.reason == "key 'hotkey' appears twice in the same object"


def test_a_label_needs_both_languages():
    error = refused(VALID.replace('"label": {"nl": "B", "en": "B"}', '"label": {"nl": "B"}'))
    assert error.reason == "codes[1].label: 'en' is a required property"


def test_the_version_is_a_whole_number_of_at_least_one():
    assert refused(VALID.replace('"version": 1', '"version": "1.0"')).reason == "version: '1.0' is not of type 'integer'"
    assert refused(VALID.replace('"version": 1', '"version": 0')).reason.startswith("version: 0 is less than")


@pytest.mark.parametrize("text", ["", "  \n\n"])
def test_an_empty_file_is_refused(text):
    error = refused(text)
    assert error.reason == "the file is empty" and error.line is None
    assert str(error) == "the file is empty"


def test_a_file_that_is_not_an_object_is_refused():
    assert "is not of type 'object'" in refused("[]").reason


# -- reading files ------------------------------------------------------------------------------


def test_load_scheme_file_accepts_a_byte_order_mark(tmp_path):
    path = tmp_path / "scheme.json"
    path.write_bytes(b"\xef\xbb\xbf" + VALID.encode())
    assert load_scheme_file(path).id == "test-scheme"


def test_a_missing_file_is_a_scheme_format_error(tmp_path):
    with pytest.raises(SchemeFormatError, match="cannot read"):
        load_scheme_file(tmp_path / "nothing.json")


def test_a_file_that_is_not_utf8_is_refused_at_the_line_of_the_bad_byte(tmp_path):
    path = tmp_path / "scheme.json"
    path.write_bytes(VALID.replace('"nl": "B"', '"nl": "\xe9"').encode("latin-1"))
    with pytest.raises(SchemeFormatError, match="not UTF-8") as caught:
        load_scheme_file(path)
    assert caught.value.line == line_of(VALID, '"nl": "B"')
