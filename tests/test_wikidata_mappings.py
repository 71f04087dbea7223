"""Links and related matches: every checked id is the very thing, or is stated as only related."""

import csv

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.config import PROJECT_ROOT
from kg.registry import RELATED_FILE, load_registry

SOURCES = PROJECT_ROOT / "sources"
WD = "http://www.wikidata.org/entity/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
KGR = "https://w3id.org/soviets/id/"

# Related but not the same (sources/wikidata/related.sssom.tsv says why for each).
RELATED = {
    "russia": ("skos:closeMatch", "Q159"),                           # today's Russia
    "council-of-peoples-commissars": ("skos:broadMatch", "Q4426244"),  # the Sovnarkom of every republic
    "constitution-of-the-ussr": ("skos:broadMatch", "Q2515553"),     # every Soviet constitution
    "russian-communist-opposition": ("skos:relatedMatch", "Q1569985"),  # Left Opposition vs the 1927 bloc
    "england": ("skos:relatedMatch", "Q21"),                          # the texts' "England" is the British state
}


def test_every_checked_id_is_a_link_or_a_stated_relation():
    registry = load_registry(SOURCES)
    with open(SOURCES / "wikidata" / "verified-qids-more.tsv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    assert len(rows) == 37
    for row in rows:
        e = registry[row["registry_id"]]
        if row["registry_id"] in RELATED:
            assert e.wikidata is None and [(l.predicate, l.qid) for l in e.related] == [RELATED[e.id]]
        else:
            assert e.wikidata == row["qid"] and e.link.verified, e.id
            assert "verified-qids-more.tsv" in e.link.basis
    assert sum(1 for e in registry.values() if e.wikidata) == 90
    for eid, (predicate, qid) in RELATED.items():
        assert registry[eid].wikidata is None, f"{eid} is only related to {qid}"
        assert [(l.predicate, l.qid) for l in registry[eid].related] == [(predicate, qid)]


def test_related_matches_are_published_as_such_never_as_exact_matches(corpus_store):
    for eid, (predicate, qid) in RELATED.items():
        s = f"<{KGR}{eid}>"
        local = predicate.split(":")[1]
        ask = lambda p: corpus_store.query(f"ASK {{ GRAPH ?g {{ {s} <{p}> <{WD}{qid}> }} }}")
        assert ask(SKOS + local), (eid, predicate)
        assert not ask(SKOS + "exactMatch") and not ask("http://www.w3.org/2002/07/owl#sameAs")
        assert not corpus_store.query(f"ASK {{ GRAPH ?g {{ {s} <https://w3id.org/soviets/ontology#wikidataId> ?q }} }}")
        node = f"<{KGR}{eid}#wikidata-{local}>"
        assert corpus_store.query(f"""ASK {{ GRAPH <https://w3id.org/soviets/graph/links> {{
            {node} a <https://w3id.org/soviets/ontology#WikidataLink> ;
              <http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> <{SKOS}{local}> ;
              <http://www.w3.org/1999/02/22-rdf-syntax-ns#object> <{WD}{qid}> ;
              <https://w3id.org/soviets/ontology#linkBasis> ?why }} }}""")


HEADER = ("#curie_map:\n#  kgr: https://w3id.org/soviets/id/\n#  wd: http://www.wikidata.org/entity/\n"
          "#mapping_set_id: https://w3id.org/soviets/mappings/related\n"
          "#license: https://creativecommons.org/licenses/by/4.0/\n"
          "subject_id\tpredicate_id\tobject_id\tmapping_justification\treviewer_label\tcomment\n")


@pytest.mark.parametrize("row, message", [
    ("kgr:testgrad\tskos:exactMatch\twd:Q33391\tsemapv:ManualMappingCuration\tA. Reviewer\tx",
     "a related match is one of skos:closeMatch"),
    ("kgr:trotsky\tskos:closeMatch\twd:Q33391\tsemapv:ManualMappingCuration\tA. Reviewer\tx",
     "already the link of trotsky"),
    ("kgr:testgrad\tskos:closeMatch\twd:Q999999940\tsemapv:ManualMappingCuration\t\tx",
     "neither in wikidata/verified-qids*.tsv for testgrad nor reviewed"),
    ("kgr:atlantis\tskos:closeMatch\twd:Q1\tsemapv:ManualMappingCuration\tA. Reviewer\tx",
     "is not an entity of the registry"),
])
def test_a_bad_related_row_names_its_line_and_column(corpus_dir, row, message):
    (corpus_dir / RELATED_FILE).write_text(HEADER + row + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check"], env={"KG_SOURCES_DIR": str(corpus_dir)})
    assert result.exit_code == 2 and message in result.output, result.output
    assert "related.sssom.tsv:7:" in result.output


def test_a_reviewed_related_row_is_taken(corpus_dir):
    (corpus_dir / RELATED_FILE).write_text(
        HEADER + "kgr:testgrad\tskos:closeMatch\twd:Q999999940\tsemapv:ManualMappingCuration\tA. Reviewer\t"
        "the historical town, not today's\n", encoding="utf-8")
    testgrad = load_registry(corpus_dir)["testgrad"]
    assert testgrad.wikidata is None
    [link] = testgrad.related
    assert (link.predicate, link.qid, link.reviewer) == ("skos:closeMatch", "Q999999940", "A. Reviewer")
    assert "historical town" in link.basis


def test_an_id_checked_for_another_entity_is_not_verified_for_this_one(corpus_dir):
    (corpus_dir / "wikidata" / "verified-qids-more.tsv").write_text(
        "registry_id\tqid\tlabel\tevidence\nkronstadt\tQ155863\tKronstadt\tX\n", encoding="utf-8")
    path = corpus_dir / "entities" / "all.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "{id: testgrad, class: City, label: Testgrad}", "{id: testgrad, class: City, label: Testgrad, wikidata: Q155863}"),
        encoding="utf-8")
    result = CliRunner().invoke(main, ["check"], env={"KG_SOURCES_DIR": str(corpus_dir)})
    assert result.exit_code == 2 and "Q155863 was checked for kronstadt, not testgrad" in result.output
