"""Odoo's own runner (odoo-bin --test-enable, as runbot and OCA's CI run it) finds an addon's tests only
through the imports of its ``tests/__init__.py``; pytest-odoo collects files. A test file left out of the
imports would pass here and never run there."""
import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
ADDONS = sorted(path.parent.name for path in ROOT.glob("*/__manifest__.py"))


def imported_modules(init_file):
    """Names ``from . import NAME`` brings in."""
    tree = ast.parse(init_file.read_text())
    return {alias.name for node in tree.body if isinstance(node, ast.ImportFrom) and node.level == 1
            for alias in node.names}


@pytest.mark.parametrize("addon", ADDONS)
def test_every_test_file_is_imported_for_odoos_runner(addon):
    tests = ROOT / addon / "tests"
    files = {path.stem for path in tests.glob("test_*.py")}
    assert files, "%s has test files" % addon
    assert files - imported_modules(tests / "__init__.py") == set()
