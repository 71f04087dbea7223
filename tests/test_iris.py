"""IRIs are minted in one place: no module but kg/iris.py builds an IRI pattern off the base IRI."""

import ast
from pathlib import Path

from kg.iris import Iris

KG = Path(__file__).resolve().parent.parent / "kg"
PATTERNS = ("id/", "source/", "graph/", "statement/", "mention/", "ontology", "shapes#", "mappings/",
            "void#", "dumps/", "sparql")


def _mentions_base(node) -> bool:
    return any(isinstance(n, (ast.Name, ast.Attribute)) and "base" in (getattr(n, "id", "") or getattr(n, "attr", ""))
               for n in ast.walk(node))


def iri_builders(path: Path) -> list[int]:
    """Lines where the base IRI is joined to a pattern: f"{base}id/…", base + "graph/…", "%sgraph/" % base."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.JoinedStr):
            parts = node.values
            for a, b in zip(parts, parts[1:]):
                if (isinstance(a, ast.FormattedValue) and _mentions_base(a.value) and isinstance(b, ast.Constant)
                        and str(b.value).startswith(PATTERNS)):
                    found.append(node.lineno)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            if _mentions_base(node.left) and isinstance(node.right, ast.Constant) \
                    and str(node.right.value).startswith(PATTERNS):
                found.append(node.lineno)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant):
            if any(f"%s{p}" in str(node.left.value) for p in PATTERNS) and _mentions_base(node.right):
                found.append(node.lineno)
    return found


def test_only_iris_py_mints_iris():
    offenders = {str(p.relative_to(KG.parent)): lines for p in sorted(KG.rglob("*.py"))
                 if p.name != "iris.py" and (lines := iri_builders(p))}
    assert not offenders, f"IRI patterns built outside kg/iris.py: {offenders}"


def test_the_detector_finds_a_hand_built_iri(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text('base_iri = "x"\na = f"{base_iri}graph/registry"\nb = base_iri + "ontology#"\n'
                   'c = "<%sgraph/registry>" % base_iri\n')
    assert iri_builders(bad) == [2, 3, 4]


def test_patterns_hang_off_the_base():
    iris = Iris("https://example.org/kg/")
    assert str(iris.entity("lenin")) == "https://example.org/kg/id/lenin"
    assert str(iris.statement("nin-1932", "s1")) == "https://example.org/kg/statement/nin-1932/s1"
    assert str(iris.selector(iris.part(iris.statement("a", "b"), "evidence"), "quote")) == \
        "https://example.org/kg/statement/a/b#evidence-quote"
    assert iris.ontology_ns == "https://example.org/kg/ontology#"
