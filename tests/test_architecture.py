"""The shape of the code, held by tests: dependencies run one way, the core's migrations name
no app, no private helper is imported across modules, and views stay thin."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.db.migrations.loader import MigrationLoader

ROOT = Path(__file__).resolve().parent.parent
APPS = ("pleegzorg", "placements", "constellations")
# Who may import whom: constellations -> placements -> pleegzorg (the core).
MAY_NOT_IMPORT = {
    "pleegzorg": {"placements", "constellations"},
    "placements": {"constellations"},
    "constellations": set(),
}
VIEW_LINES = 30  # from `def` to the last line: parse, call a selector or service, render


def sources(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path, ast.parse(path.read_text(), filename=str(path))


def imported_modules(tree: ast.AST):
    """Every module named by an import, also inside functions."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name, None
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                yield node, node.module, alias.name


@pytest.mark.parametrize("app", APPS)
def test_dependencies_run_one_way(app):
    wrong = [
        f"{path.relative_to(ROOT)}:{node.lineno} imports {module}"
        for path, tree in sources(app)
        for node, module, _name in imported_modules(tree)
        if module.split(".")[0] in MAY_NOT_IMPORT[app]
    ]
    assert wrong == []


def test_the_cores_migrations_name_no_app(db):
    loader = MigrationLoader(None, ignore_no_migrations=True)
    for (app_label, name), migration in loader.disk_migrations.items():
        if app_label != "pleegzorg":
            continue
        assert {dep[0] for dep in migration.dependencies} <= {
            "pleegzorg",
            "contenttypes",
            "auth",
            "__setting__",
        }, name
        text = (ROOT / "pleegzorg" / "migrations" / f"{name}.py").read_text()
        for app in ("placements", "constellations"):
            assert f"'{app}." not in text and f'"{app}.' not in text, (name, app)


@pytest.mark.parametrize("app", APPS)
def test_no_private_helper_is_imported_across_modules(app):
    wrong = [
        f"{path.relative_to(ROOT)}:{node.lineno} imports {name} from {module}"
        for path, tree in sources(app)
        for node, module, name in imported_modules(tree)
        if name
        and name.startswith("_")
        and not name.startswith("__")
        and module.split(".")[0] in APPS
    ]
    assert wrong == []


def views_of(app: str):
    for path, tree in sources(app):
        if path.name == "views.py" or path.parent.name == "views":
            for node in tree.body:
                if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                    yield path, node


@pytest.mark.parametrize("app", APPS)
def test_views_stay_thin(app):
    long = [
        f"{path.relative_to(ROOT)}:{node.name} has {node.end_lineno - node.lineno + 1} lines"
        for path, node in views_of(app)
        if node.end_lineno - node.lineno + 1 > VIEW_LINES
    ]
    assert long == []


def test_every_browser_journey_is_marked_so_make_test_runs_it_beside_the_rest():
    unmarked = [
        path.name
        for path in sorted((ROOT / "tests" / "e2e").glob("test_*.py"))
        if "pytest.mark.browser" not in path.read_text()
    ]
    assert unmarked == []
