"""Data flows one way: no stage imports a later stage (read off each module's imports)."""

import ast
from pathlib import Path

KG = Path(__file__).resolve().parent.parent / "kg"
ORDER = ["calendar", "sources", "registry", "statement_fields", "annotations", "corpus", "triples", "validation", "shacl_index",
         "shacl_core", "shacl_targeted", "store", "search", "sparql", "queries"]
FOUNDATION = {"config", "errors", "namespaces", "iris", "yamlfile", "vocabulary", "formats"}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kg."):
            out.add(node.module.split(".")[1])
        elif isinstance(node, ast.ImportFrom) and node.module == "kg":
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.Import):
            out |= {a.name.split(".")[1] for a in node.names if a.name.startswith("kg.")}
    return out


def test_foundation_modules_import_no_stage():
    for name in FOUNDATION:
        assert not (imports_of(KG / f"{name}.py") & set(ORDER)), name


def test_no_stage_imports_a_later_stage():
    for i, name in enumerate(ORDER):
        later = set(ORDER[i + 1:]) | {"build", "cli", "web"}
        assert not (imports_of(KG / f"{name}.py") & later), f"{name} imports {imports_of(KG / f'{name}.py') & later}"


def test_the_product_imports_no_test_equipment():
    """Stand-ins and generators live in tests/ or bench/; the Wikidata client reaches neither them nor the CLI."""
    for path in KG.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert not {m for m in modules if m.split(".")[0] in ("tests", "bench")}, path
    assert not (KG / "wikidata_standin.py").exists()
    assert not (imports_of(KG / "wikidata.py") & {"cli", "wikidata_standin"})
