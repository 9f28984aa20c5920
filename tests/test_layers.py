"""The layers of docs/architecture.md hold: import-linter's contracts (pyproject.toml) pass on the
code, and a planted upward import breaks them with the rule it broke."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")

pytestmark = pytest.mark.skipif(LINT_IMPORTS is None, reason="import-linter is not installed (pip install -e '.[test]')")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root)}  # the vib package under `root`, not the installed one
    return subprocess.run([LINT_IMPORTS, "--no-cache"], cwd=root, env=env, capture_output=True, text=True, timeout=300)


def test_the_code_keeps_every_import_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "planted", "rule"),
    [
        ("core/db.py", "import vib.supervision.models", "vib.core is not allowed to import vib.supervision"),
        ("clips/operations.py", "from vib.coding import operations", "vib.clips is not allowed to import vib.coding"),
        ("media/frames.py", "import flask", "Media and analysis are pure"),
        ("coding/operations.py", "from vib.coding import views", "operations, models and serialisers never import a view"),
    ],
)
def test_a_planted_wrong_import_fails_with_the_rule_it_broke(tmp_path, module, planted, rule):
    shutil.copytree(ROOT / "vib", tmp_path / "vib", ignore=shutil.ignore_patterns("__pycache__", "static", "translations"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    with open(tmp_path / "vib" / module, "a", encoding="utf-8") as source:
        source.write(f"\n{planted}  # planted by the test\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert rule in " ".join(result.stdout.split()), result.stdout
