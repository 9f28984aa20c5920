"""The unit tests of the pages' pure JavaScript (tests/js/*.test.mjs), run with Node's own test runner
so that `python -m pytest` (and .ci/run) runs them too. Node is not a dependency of the app: without
it these tests are skipped, and say so."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from vib.supervision import language

ROOT = Path(__file__).resolve().parent.parent
JS_TESTS = ROOT / "tests" / "js"


def test_the_javascript_unit_tests_pass():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the JavaScript unit tests (tests/js) did not run")
    files = sorted(JS_TESTS.glob("*.test.mjs"))
    assert files, f"no *.test.mjs files in {JS_TESTS}"
    result = subprocess.run(
        [node, "--test", "tests/js/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"node --test failed:\n{result.stdout}\n{result.stderr}"


def test_the_hint_while_typing_names_the_fault_words_the_server_names():
    """feedback-language.js finds the fault words in the browser as vib/supervision/language.py does
    on save: the same words, in the same order, for texts in either language."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the browser's fault-word pattern was not compared with the server's")
    texts = [
        "Je wacht tot hij klaar is, en dan knik je.",
        "Dit moet beter: je had moeten wachten. Fout!",
        "You should have waited; that was wrong, a mistake.",
        "Nooit meer zo, te weinig aandacht. Never again, not good.",
        "FOUT, fout, fouten, foutloos, moeten, éfout, fout2",
        "Slecht gedaan en jammer dat het mislukt is; it failed, you must fail less, poor.",
    ]
    script = (
        "import { faultPattern, faultWordsIn } from './vib/static/js/feedback-language.js';"
        "const { words, texts } = JSON.parse(process.argv[1]);"
        "const pattern = faultPattern(words);"
        "console.log(JSON.stringify(texts.map((text) => faultWordsIn(text, pattern))));"
    )
    payload = json.dumps({"words": language.fault_words(), "texts": texts})
    result = subprocess.run(
        [node, "--input-type=module", "-e", script, payload], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    in_browser = json.loads(result.stdout)
    assert any(in_browser), "no fault word found at all: the comparison would prove nothing"
    assert in_browser == [language.faults_in(text) for text in texts]
