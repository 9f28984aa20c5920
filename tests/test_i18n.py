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
    found = extract_from_dir(str(ROOT), method_map, keywords={"_": None, "gettext": None, "_l": None, "lazy_gettext": None})
    return {message if isinstance(message, str) else message[0] for _, _, message, _, _ in found}


def test_every_message_has_a_dutch_translation_and_the_catalog_is_compiled():
    catalog = read_po(PO.open("rb"))
    translated = {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(source_messages() - set(translated))
    assert not missing, f"run pybabel extract/update and translate: {missing}"
    compiled = {m.id: m.string for m in read_mo(MO.open("rb")) if m.id}
    assert compiled == translated, "run: pybabel compile -d vib/translations"


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
