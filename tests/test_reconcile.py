"""The reconciliation service, checked against the W3C Reconciliation API 0.2 JSON schemas and
driven the way OpenRefine drives it: manifest, batches of ten, type and property constraints,
preview and suggest."""

import json
from pathlib import Path

import pytest
from jsonschema import Draft7Validator
from referencing import Registry, Resource

SCHEMAS = Path(__file__).parent / "fixtures" / "reconciliation"


def _registry() -> Registry:
    """The schemas refer to each other by their published addresses: serve those from the copies."""
    base = "https://reconciliation-api.github.io/specs/0.2/schemas/"
    return Registry().with_resources(
        (base + path.name, Resource.opaque(json.loads(path.read_text()))) for path in SCHEMAS.glob("*.json"))


def check(name: str, document) -> None:
    schema = json.loads((SCHEMAS / f"{name}.json").read_text())
    errors = list(Draft7Validator(schema, registry=_registry()).iter_errors(document))
    assert not errors, [e.message for e in errors]


class OpenRefineClient:
    """Asks as OpenRefine 3 does: GET the manifest, POST form-encoded `queries` in batches of 10."""

    def __init__(self, client):
        self.client = client
        r = client.get("/reconcile")
        assert r.status_code == 200 and r.mimetype == "application/json"
        self.manifest = r.get_json()

    def reconcile(self, names, type_=None, properties=None):
        out = []
        for i in range(0, len(names), 10):
            batch = {f"q{j}": {"query": n, "limit": 3, "type_strict": "should",
                               **({"type": type_} if type_ else {}),
                               **({"properties": properties[i + j]} if properties else {})}
                     for j, n in enumerate(names[i:i + 10])}
            check("reconciliation-query-batch", batch)
            r = self.client.post("/reconcile", data={"queries": json.dumps(batch)})
            assert r.status_code == 200, r.data
            answer = r.get_json()
            check("reconciliation-result-batch", answer)
            out += [answer[f"q{j}"]["result"] for j in range(len(batch))]
        return out


@pytest.fixture
def refine(client):
    return OpenRefineClient(client)


def test_manifest_conforms_and_names_our_spaces(refine):
    check("manifest", refine.manifest)
    assert refine.manifest["identifierSpace"] == "https://w3id.org/soviets/id/"
    assert "{{id}}" in refine.manifest["view"]["url"] and "0.2" in refine.manifest["versions"]
    assert {"id": "Person", "name": "person"} in refine.manifest["defaultTypes"]


def test_manifest_as_jsonp(client):
    r = client.get("/reconcile?callback=jQuery123_456")
    assert r.mimetype == "text/javascript" and r.data.startswith(b"/**/jQuery123_456({")


def test_jsonp_callback_must_be_an_identifier(client):
    assert client.get("/reconcile?callback=alert(1)//").status_code == 400


def test_a_spreadsheet_of_names_reconciles(refine):
    names = ["Leon Trotsky", "Trotzky", "Lenin", "Khrustalev-Nosar", "Petrograd Soviet", "Moscow",
             "Kerensky", "Mensheviks", "Bolsheviks", "Saint Petersburg", "Nobody Atall Xq", "Stalin"]
    results = refine.reconcile(names)
    top = [r[0]["id"] if r else None for r in results]
    assert top == ["trotsky", "trotsky", "lenin", "khrustalev-nosar", "petrograd-soviet-1917", "moscow",
                   "kerensky", "mensheviks", "bolsheviks", "saint-petersburg", None, "stalin"]
    assert results[0][0]["match"] is True and results[0][0]["score"] == 100
    assert results[1][0]["match"] is True          # a spelling variant of the one Trotsky


def test_type_constraint_includes_subclasses(refine):
    [soviets] = refine.reconcile(["Petersburg"], type_="Soviet")
    assert soviets[0]["id"] == "petersburg-soviet-1905"
    assert "saint-petersburg" not in [c["id"] for c in soviets]     # the city is no soviet


def test_property_constraints_are_features(refine):
    same, other = refine.reconcile(["Moscow Soviet of Workers' Deputies (1905)"] * 2, type_="Soviet",
                                   properties=[[{"pid": "locatedIn", "v": "Moscow"}],
                                               [{"pid": "locatedIn", "v": "Kiev"}]])
    assert same[0]["id"] == other[0]["id"] == "moscow-soviet-1905"
    assert {"id": "locatedIn", "value": True} in same[0]["features"] and same[0]["match"] is True
    assert {"id": "locatedIn", "value": False} in other[0]["features"] and other[0]["match"] is False
    assert same[0]["score"] > other[0]["score"]


def test_bad_batches_are_400(client):
    assert client.post("/reconcile", data={"queries": "{not json"}).status_code == 400
    assert client.post("/reconcile", data={"queries": json.dumps({"q0": {"query": 5}})}).status_code == 400
    big = {f"q{i}": {"query": "x"} for i in range(101)}
    assert client.post("/reconcile", data={"queries": json.dumps(big)}).status_code == 400


def test_preview_is_a_small_html_page(client, refine):
    url = refine.manifest["preview"]["url"].replace("{{id}}", "trotsky").split("/", 3)[3]
    r = client.get("/" + url)
    assert r.status_code == 200 and b"Leon Trotsky" in r.data
    assert client.get("/reconcile/preview?id=no-such-entity").status_code == 404


def test_suggest_services_conform(client, refine):
    for kind, schema, param, expect in (
            ("entity", "suggest-entities-response", "khrust", "khrustalev-nosar"),
            ("type", "suggest-types-response", "city", "CitySoviet"),
            ("property", "suggest-properties-response", "loc", "locatedIn")):
        service = refine.manifest["suggest"][kind]
        r = client.get(f"{service['service_path']}?prefix={param}")
        check(schema, r.get_json())
        assert expect in [x["id"] for x in r.get_json()["result"]], r.get_json()
