"""Each shape has valid and invalid examples; invalid ones must fail *because of that shape*."""

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from kg.build import ontology_graph, rebaser
from kg.config import Config
from kg.namespaces import SH
from kg.validation import load_shapes, validate

HERE = Path(__file__).parent / "shapes"
SHAPES_NS = "https://w3id.org/soviets/shapes#"
CASES = sorted(HERE.glob("*.ttl"))


@pytest.fixture(scope="module")
def shapes():
    return load_shapes(Config().shapes_dir, rebaser(Config().base_iri))


@pytest.fixture(scope="module")
def ontology():
    return ontology_graph(Config())


def fired_shapes(report, shapes) -> set[str]:
    """Named shapes behind each result: the source shape, or the node shape holding a blank one."""
    out = set()
    for r in report.results:
        shape = r.shape
        out.add(shape)
        for parent in shapes.subjects(SH.property, _term(shape, report)):
            out.add(str(parent))
    return out


def _term(shape, report):
    for s in report.graph.objects(None, SH.sourceShape):
        if (str(s) if isinstance(s, URIRef) else s.n3()) == shape:
            return s
    return URIRef(shape)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_shape_example(path, shapes, ontology):
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    assert first_line.startswith("# "), "each example starts with a comment giving its reason"
    data = Graph()
    data.parse(path)
    data += ontology
    report = validate(data, shapes)
    shape_id = SHAPES_NS + path.stem.split("--")[0]
    assert (URIRef(shape_id), RDF.type, None) in shapes or any(shapes.triples((URIRef(shape_id), None, None))), \
        f"no shape {shape_id}"
    if path.stem.endswith("--invalid"):
        assert not report.conforms, f"{path.name} should violate {shape_id}"
        assert shape_id in fired_shapes(report, shapes), report.text()
    else:
        assert report.conforms, report.text()
