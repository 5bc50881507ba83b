"""The package keeps its shape: imports point down the layers, and no module grows too long."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "wegwijzer"

#: Each part of the package and its layer; a part may import only parts of a lower layer.
#: The README's "Architecture" section draws the same picture.
LAYERS: dict[str, int] = {
    "resources": 0,
    "config": 1,
    "extensions": 1,
    "logs": 1,
    "models": 2,
    "security": 3,
    "infra": 3,
    "server": 3,
    "domain": 4,
    "map_output": 4,
    "search": 5,
    "maps": 5,
    "services": 6,
    "interop": 7,
    "devtools": 8,
    "web": 9,
    "cli": 9,
    "__init__": 10,
}
MAX_LINES = 600


def _modules() -> list[Path]:
    return [
        p
        for p in sorted(PACKAGE.rglob("*.py"))
        if "migrations" not in p.relative_to(PACKAGE).parts and not p.is_symlink()
    ]


def _part(path: Path) -> str:
    first = path.relative_to(PACKAGE).parts[0]
    return first.removesuffix(".py")


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = getattr(test, "id", None) or getattr(test, "attr", None)
            if name == "TYPE_CHECKING":
                skipped.update(id(n) for sub in node.body for n in ast.walk(sub))
    return skipped


def _imported_parts(path: Path) -> set[str]:
    """Return the parts of the package that ``path`` imports (also inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_nodes(tree)
    # The package a relative import starts from (for __init__.py: the package itself).
    package = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        targets: list[list[str]] = []
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                module = base + (node.module.split(".") if node.module else [])
            else:
                module = (node.module or "").split(".")
            if module == ["wegwijzer"]:
                targets = [["wegwijzer", alias.name] for alias in node.names]
            else:
                targets = [module]
        elif isinstance(node, ast.Import):
            targets = [alias.name.split(".") for alias in node.names]
        for target in targets:
            if len(target) >= 2 and target[0] == "wegwijzer":
                found.add(target[1])
    return found


def test_every_part_has_a_layer() -> None:
    parts = {_part(p) for p in _modules()}
    assert parts <= set(LAYERS), f"add these parts to LAYERS: {sorted(parts - set(LAYERS))}"


def test_imports_point_down_the_layers() -> None:
    upward = []
    for path in _modules():
        part = _part(path)
        for target in _imported_parts(path):
            if target == part or target not in LAYERS:
                continue
            if LAYERS[target] >= LAYERS[part]:
                upward.append(f"{path.relative_to(PACKAGE)} imports {target}")
    assert not upward, "imports that point up or sideways:\n" + "\n".join(sorted(upward))


def test_only_the_command_line_uses_the_developer_tools() -> None:
    users = sorted(
        str(p.relative_to(PACKAGE))
        for p in _modules()
        if _part(p) not in ("cli", "devtools") and "devtools" in _imported_parts(p)
    )
    assert not users, f"devtools is for the command line only; imported by {users}"


def test_no_module_is_too_long() -> None:
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in _modules()
        if (n := p.read_text(encoding="utf-8").count("\n")) > MAX_LINES
    }
    assert not long, f"split these modules (over {MAX_LINES} lines): {long}"


def test_the_check_sees_imports() -> None:
    """Guard the checker itself: it finds relative, absolute and in-function imports."""
    cli = _imported_parts(PACKAGE / "cli" / "base.py")
    assert {"domain", "infra"} <= cli
    assert "models" in _imported_parts(PACKAGE / "services" / "permissions.py")
