"""Why Virtuoso's answers differ from Oxigraph's and rdflib's: the smallest queries that show it.

    python bench/deviations.py OUT/size-N

Runs, on one benchmark build (its N-Quads dump and store), a join of a zero-or-more property
path (`?e a/rdfs:subClassOf* kg:Event`, as in the named queries dated-events, soviets-of-1905
and moscow-executive-committee-parties) with other triple patterns, and each half alone, on
pyoxigraph, rdflib and Virtuoso, and prints the row counts. Loopback only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from engines import PyOxigraph, Rdflib, Virtuoso  # noqa: E402

from kg.config import Config  # noqa: E402
from kg.namespaces import sparql_prefixes  # noqa: E402

P = sparql_prefixes(Config().base_iri)
STATED = "?st rdf:subject ?e ; rdf:predicate kg:startDate ; kg:statedIn ?source ."
QUERIES = {
    "path alone": "SELECT ?e WHERE { ?e a/rdfs:subClassOf* kg:Event }",
    "statements alone": f"SELECT ?e WHERE {{ {STATED} }}",
    "statements ⋈ path": f"SELECT ?e WHERE {{ {STATED} ?e a/rdfs:subClassOf* kg:Event }}",
    "statements ⋈ path, written with a class variable":
        f"SELECT ?e WHERE {{ {STATED} ?e a ?c . ?c rdfs:subClassOf* kg:Event }}",
    "statements ⋈ path as a subquery":
        f"SELECT ?e WHERE {{ {STATED} {{ SELECT ?e WHERE {{ ?e a/rdfs:subClassOf* kg:Event }} }} }}",
    "statements ⋈ one rdfs:subClassOf step or none":
        f"SELECT ?e WHERE {{ {STATED} {{ ?e a kg:Event }} UNION {{ ?e a/rdfs:subClassOf kg:Event }} "
        "UNION { ?e a/rdfs:subClassOf/rdfs:subClassOf kg:Event } }",
    "soviets of 1905 (soviets-of-1905 without its OPTIONALs)":
        "SELECT DISTINCT ?s WHERE { ?s a/rdfs:subClassOf* kg:Soviet . "
        "{ ?s kg:activeIn ?y } UNION { ?s kg:founded ?y } FILTER (YEAR(?y) = 1905) }",
    "soviets located in a city (its first OPTIONAL, as a join)":
        "SELECT ?s ?city WHERE { ?s kg:founded ?y . ?s kg:locatedIn ?city . ?city a/rdfs:subClassOf* kg:City }",
    "soviets with their place (no path)": "SELECT ?s ?city WHERE { ?s kg:founded ?y . ?s kg:locatedIn ?city }",
}


def count(run, query: str) -> int | str:
    try:
        return len(json.loads(run(P + query))["results"]["bindings"])
    except Exception as exc:  # noqa: BLE001 - an engine's error is a cell of the table
        return f"error: {str(exc)[:80]}"


def main() -> None:
    size = Path(sys.argv[1])
    dump = Path(json.loads((size / "build.json").read_text())["dump"])
    engines = {"pyoxigraph": PyOxigraph(size / "data"), "rdflib": Rdflib(dump, 120),
               "virtuoso": Virtuoso(dump, Path("/tmp/kg-bench-virtuoso/deviations"))}
    try:
        print(f"| query | {' | '.join(engines)} |\n|---|" + "---:|" * len(engines))
        for name, q in QUERIES.items():
            print(f"| {name} | " + " | ".join(str(count(e.run, q)) for e in engines.values()) + " |", flush=True)
    finally:
        for e in engines.values():
            e.close()


if __name__ == "__main__":
    main()
