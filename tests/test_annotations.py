"""Every kind of bad annotation gets an error naming the file, the line and the field."""

import pytest

from kg.annotations import find_quote
from kg.corpus import load_corpus
from kg.errors import AnnotationError, InputError, Location


def annotation_file(corpus_dir):
    return corpus_dir / "annotations" / "chronicle.yaml"


def replace_in(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture no longer contains {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path, needle):
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(needle)


def error_of(corpus_dir) -> str:
    with pytest.raises(InputError) as exc:
        load_corpus(corpus_dir)
    return str(exc.value)


def test_fixture_corpus_loads(corpus_dir):
    c = load_corpus(corpus_dir)
    assert len(c.annotations.statements) == 7
    assert [m.entity for m in c.annotations.mentions].count("trotsky") == 1


CASES = [
    # (description, old, new, needle for the line, field, message part)
    ("unknown entity id", "subject: khrustalev-nosar", "subject: khrustalev", "subject: khrustalev",
     "subject", "unknown entity id 'khrustalev'"),
    ("unknown predicate", "predicate: numberOfDeputies", "predicate: deputies", "predicate: deputies",
     "predicate", "unknown predicate 'deputies'"),
    ("quote not in text", 'quote: "The Soviet had 562 deputies"', 'quote: "The Soviet had 526 deputies"',
     "526 deputies", "quote", "is not in the source text"),
    ("impossible date", "date: 1905-10-13, calendar: julian", "date: 1905-02-31, calendar: julian",
     "1905-02-31", "value", "day 31 does not exist"),
    ("calendar left out", "{date: 1905-12-03, calendar: julian, written", "{date: 1905-12-03, written",
     "1905-12-03", "value", "calendar is missing"),
    ("wrong value type", "value: 562", "value: five hundred and sixty-two", "five hundred",
     "value", "is not a whole number"),
    ("entity where a value belongs", "value: 500", "object: ivan-testov", "object: ivan-testov",
     "object", "takes a integer 'value'"),
    ("editor's note attributed to the author", "attribution: editor", "attribution: author",
     "attribution: author", "attribution", "written by the editor"),
    ("unknown role", "role: president\n    end:", "role: chairwoman\n    end:", "role: chairwoman",
     "role", "unknown role"),
    ("written date not in the quote", 'written: "November 26"}\n    quote: "Its', 'written: "26 Nov"}\n    quote: "Its',
     '"26 Nov"', "end", "is not in the quote"),
    ("unknown field", "    unit: workers\n", "    units: workers\n", "units: workers", "units", "unknown field"),
]


@pytest.mark.parametrize("what, old, new, needle, field, message", CASES, ids=[c[0] for c in CASES])
def test_bad_annotation_names_file_line_field(corpus_dir, what, old, new, needle, field, message):
    path = annotation_file(corpus_dir)
    replace_in(path, old, new)
    text = error_of(corpus_dir)
    line = line_of(path, needle.split("\n")[0])
    assert f"chronicle.yaml:{line}: field \"{field}\":" in text, text
    assert message in text


def test_invalid_yaml_names_the_line(corpus_dir):
    path = annotation_file(corpus_dir)
    replace_in(path, "    predicate: locatedIn", "    predicate: [locatedIn")
    text = error_of(corpus_dir)
    assert "chronicle.yaml:" in text and "invalid YAML" in text


def test_duplicate_entity_id_across_files(corpus_dir):
    (corpus_dir / "entities" / "more.yaml").write_text("- {id: testgrad, class: City, label: Testgrad again}\n")
    text = error_of(corpus_dir)
    assert "more.yaml:1: field \"id\": entity id 'testgrad' is already defined at" in text


REGISTRY_CASES = [
    # (description, file, entry, field, message part): each entity and link is checked alike
    ("entity field unknown", "entities/more.yaml", "{id: x, class: City, label: X, colour: red}", "colour",
     "unknown field; known: aliases, class"),
    ("entity label empty", "entities/more.yaml", "{id: x, class: City, label: ' '}", "label",
     "required text field is missing or empty"),
    ("link field unknown", "wikidata/links.yaml", "{id: testgrad, wikidata: Q1, wikidata_basis: b, foo: 1}", "foo",
     "unknown field; known: id, wikidata, wikidata_basis"),
    ("link basis missing", "wikidata/links.yaml", "{id: testgrad, wikidata: Q1}", "wikidata_basis",
     "required text field is missing or empty"),
]


@pytest.mark.parametrize("what, name, entry, field, message", REGISTRY_CASES, ids=[c[0] for c in REGISTRY_CASES])
def test_bad_registry_entry_names_file_line_field(corpus_dir, what, name, entry, field, message):
    (corpus_dir / name).write_text(f"- {entry}\n", encoding="utf-8")
    text = error_of(corpus_dir)
    assert f"{name.split('/')[1]}:1: field \"{field}\": {message}" in text, text


def test_a_registry_entry_that_is_not_a_mapping_says_what_it_should_be_and_where(corpus_dir):
    (corpus_dir / "entities" / "more.yaml").write_text("# more\n- just text\n", encoding="utf-8")
    assert "more.yaml:2: an entity is a mapping with id, class, label" in error_of(corpus_dir)
    (corpus_dir / "entities" / "more.yaml").unlink()
    (corpus_dir / "wikidata" / "links.yaml").write_text("\n\n- 3\n", encoding="utf-8")
    assert "links.yaml:3: a link is a mapping with id, wikidata, wikidata_basis" in error_of(corpus_dir)


@pytest.mark.parametrize("key, message", [
    ("mentions", "a mention is a mapping {entity, quote, offset?, all?}"),
    ("statements", "a statement is a mapping {subject, predicate, object|value, quote, ...}"),
])
def test_an_annotation_that_is_not_a_mapping_is_named_by_its_line(corpus_dir, key, message):
    source = load_corpus(corpus_dir).annotations.mentions[0].source
    path = corpus_dir / "annotations" / "zz-broken.yaml"
    path.write_text(f"source: {source}\n{key}:\n  - just text\n", encoding="utf-8")
    assert f"zz-broken.yaml:3: {message}" in error_of(corpus_dir)


def test_duplicate_statement_is_refused(corpus_dir):
    path = annotation_file(corpus_dir)
    block = ('  - subject: testgrad-soviet\n    predicate: numberOfDeputies\n    value: 562\n'
             '    quote: "The Soviet had 562 deputies"\n')
    path.write_text(path.read_text(encoding="utf-8") + block, encoding="utf-8")
    assert "duplicates the one at" in error_of(corpus_dir)


def test_explicit_statement_ids_must_be_unique(corpus_dir):
    path = annotation_file(corpus_dir)
    replace_in(path, "  - subject: testgrad-soviet\n    predicate: founded", "  - id: s1\n    subject: testgrad-soviet\n    predicate: founded")
    replace_in(path, "  - subject: testgrad-soviet\n    predicate: locatedIn", "  - id: s1\n    subject: testgrad-soviet\n    predicate: locatedIn")
    assert "statement id 's1' duplicates" in error_of(corpus_dir)


def test_all_errors_are_reported_together(corpus_dir):
    path = annotation_file(corpus_dir)
    replace_in(path, "subject: khrustalev-nosar", "subject: nobody")
    replace_in(path, "predicate: numberOfDeputies", "predicate: deputies")
    assert "2 error(s)" in error_of(corpus_dir)


def test_wikidata_id_must_be_verified_or_justified(corpus_dir):
    replace_in(corpus_dir / "entities" / "all.yaml", "{id: testgrad, class: City, label: Testgrad}",
               "{id: testgrad, class: City, label: Testgrad, wikidata: Q999999999}")
    assert "not in wikidata/verified-qids.tsv" in error_of(corpus_dir)


def test_malformed_wikidata_id(corpus_dir):
    replace_in(corpus_dir / "entities" / "all.yaml", "wikidata: Q33391", "wikidata: 33391")
    assert "is not a Wikidata item id" in error_of(corpus_dir)


def test_changed_source_text_is_refused(corpus_dir):
    (corpus_dir / "chronicle.txt").write_text("edited", encoding="utf-8")
    assert "has changed" in error_of(corpus_dir)


def test_quote_at_offset_is_checked():
    text = "one two one"
    assert find_quote(text, "one", 8, Location("f", 1, "quote")) == (8, 11)
    with pytest.raises(AnnotationError, match="not at offset 4; the quote occurs at 0, 8"):
        find_quote(text, "one", 4, Location("f", 1, "quote"))
    with pytest.raises(AnnotationError, match="occurs 2 times, at offsets 0, 8"):
        find_quote(text, "one", None, Location("f", 1, "quote"))


def test_seats_qualify_memberships_only(corpus_dir):
    path = annotation_file(corpus_dir)
    replace_in(path, "    value: 562\n", "    value: 562\n    seats: 2\n")
    assert 'field "seats": seats qualifies memberOf or holdsPost only' in error_of(corpus_dir)


def test_seats_are_a_positive_whole_number(corpus_dir):
    path = annotation_file(corpus_dir)
    replace_in(path, "    role: president\n    replaces:", "    role: president\n    seats: two\n    replaces:")
    assert 'field "seats": seats is a whole number of at least 1' in error_of(corpus_dir)
