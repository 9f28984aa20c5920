"""Dutch and English: every string in code and templates has a Dutch translation, compiled."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.conftest import csrf_token

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "vib/translations/nl/LC_MESSAGES/messages.po"
MO = PO.with_suffix(".mo")


def source_messages() -> set[str]:
    method_map = [("vib/**.py", "python"), ("vib/templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)}
    found = extract_from_dir(str(ROOT), method_map, keywords=keywords)
    return {message if isinstance(message, str) else message[0] for _, _, message, _, _ in found}


def test_every_message_has_a_dutch_translation_and_the_catalog_is_compiled():
    translated = translations(read_po(PO.open("rb")))
    missing = sorted(source_messages() - set(translated))
    assert not missing, f"run pybabel extract/update and translate: {missing}"
    assert translations(read_mo(MO.open("rb"))) == translated, "run: pybabel compile -d vib/translations"


def translations(catalog) -> dict[str, tuple[str, ...]]:
    """Each translated message by its (singular) id, with every form translated (plurals have two)."""
    found = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        ids = (message.id,) if isinstance(message.id, str) else tuple(message.id)
        strings = (message.string,) if isinstance(message.string, str) else tuple(message.string)
        if all(strings):
            found[ids[0]] = strings
    return found


def test_dutch_is_the_organisations_default_and_a_user_can_switch(app, people):
    app.config["VIB_DEFAULT_LOCALE"] = "nl"
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    assert "Wachtwoord" in page and 'lang="nl"' in page
    client.post("/language", data={"locale": "en", "next": "/login", "csrf_token": csrf_token(page)})
    assert "Password" in client.get("/login").get_data(as_text=True)


def test_api_errors_follow_the_language_too(app, api):
    app.config["VIB_DEFAULT_LOCALE"] = "nl"
    assert api(None).get("/api/cases").json["error"].startswith("Inloggen is nodig")
