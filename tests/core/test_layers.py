"""The floors of the project hold: imports run one way, no cycle, no import hidden in a
function to dodge one (pyproject's [tool.importlinter], docs/architecture.md)."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
APPS = ["core", "countries", "visits", "lessons", "reports", "peervisits"]
# Import-linter's binary beside this interpreter (the project's virtualenv).
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def test_each_app_imports_only_the_apps_below_it():
    run = subprocess.run(
        [LINT_IMPORTS, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 kept, 0 broken" in run.stdout


def test_an_import_up_the_floors_breaks_the_contract(tmp_path):
    """The contract is not vacuous: the same check on a copy where countries imports visits."""
    copy = tmp_path / "project"
    for app in APPS:
        shutil.copytree(ROOT / app, copy / app, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy)
    rules = copy / "countries" / "rules.py"
    rules.write_text(rules.read_text() + "\nfrom visits.models import Visit  # noqa\n")
    run = subprocess.run(
        [LINT_IMPORTS, "--no-cache"], cwd=copy, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 1
    assert "countries.rules -> visits.models" in run.stdout


def test_no_module_imports_itself_back():
    """No cycle between the project's modules, within an app or across apps."""
    graph = grimp.build_graph(*APPS, cache_dir=None)
    cycles = set()
    for importer in graph.modules:
        for imported in graph.find_modules_directly_imported_by(importer):
            if graph.chain_exists(importer=imported, imported=importer):
                cycles.add(tuple(sorted((importer, imported))))
    # A package's __init__ importing its own modules is not a cycle of the code's layers.
    cycles = {pair for pair in cycles if not pair[1].startswith(pair[0] + ".")}
    assert not cycles, sorted(cycles)


def _imports_inside_functions(path):
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    yield node.name, inner.lineno, ast.unparse(inner)


def test_no_import_is_hidden_inside_a_function():
    """Imports are at the top of a module, where the floors can be read and checked. The one
    place Django wants them later: an AppConfig's ready(), which registers the app's rules."""
    hidden = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for function, line, statement in _imports_inside_functions(path):
                if path.name == "apps.py" and function == "ready":
                    continue
                hidden.append(f"{path.relative_to(ROOT)}:{line} in {function}(): {statement}")
    assert not hidden, "\n".join(hidden)
