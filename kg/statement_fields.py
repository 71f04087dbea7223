"""The fields of a statement beyond its subject and predicate, read from its annotation node.

Its value (a date, a figure or the source's words), its qualifiers (dates, entities, words,
seats, role, stance, uncertainty), what a figure counts and how it divides, and who makes the
claim. Each parser fills a `kg.annotations.Statement` and raises AnnotationError at the field
it read, so that the format's rules (sources/README.md) live in one place apart from the
reading and anchoring of whole files.
"""

from __future__ import annotations

from kg.date_fields import dated
from kg.errors import AnnotationError
from kg.quantity import COUNTED, DEFAULT_COUNTED, GROUPINGS, Quantity, QuantityError, parse_duration, parse_quantity
from kg.sources import SLUG
from kg.vocabulary import (ADDRESSED_PREDICATES, ADDRESSEE_CLASSES, CAUSE_PREDICATES, CLAIMANT_CLASSES,
                           CLAUSE_QUALIFIERS, CONCERNED_CLASSES, CONCERNING_PREDICATES, DATE_QUALIFIERS,
                           DESTINATION_CLASSES, ENTITY_QUALIFIERS, INTEGER_QUALIFIERS, ISSUE_PREDICATES,
                           PREDICATE_STANCES, ROLE_PREDICATES, ROLES, STANCES, TEXT_QUALIFIERS, Predicate)

README = "sources/README.md"


def entity_ref(node, key, registry, allowed=None) -> str:
    """An entity id of the registry at `key`, of one of the `allowed` classes when given."""
    eid = node.get(key)
    if not isinstance(eid, str) or eid not in registry:
        raise AnnotationError(f"unknown entity id {eid!r} (define it in sources/entities/)", node.loc(key))
    if allowed is not None and registry[eid].cls not in allowed:
        raise AnnotationError(f"{eid} is a {registry[eid].cls}; expected one of {', '.join(sorted(allowed))}",
                              node.loc(key))
    return eid


def concerned(node, pname: str, registry) -> list[str]:
    """The entity ids of 'concerns': one id or a list of distinct ids, each a body, a person, a place or a congress."""
    loc = node.loc("concerns")
    if pname not in CONCERNING_PREDICATES:
        raise AnnotationError(f"concerns qualifies a proposal, demand, decision or act, a characterisation or "
                              f"forecast, or an outcome ({', '.join(CONCERNING_PREDICATES)}), not {pname}", loc)
    raw = node["concerns"]
    ids = [raw] if isinstance(raw, str) else raw
    if not isinstance(ids, list) or not ids:
        raise AnnotationError("concerns is an entity id or a list of entity ids", loc)
    if len(set(map(str, ids))) != len(ids):
        raise AnnotationError("concerns names an entity twice", loc)
    out = []
    for eid in ids:
        if not isinstance(eid, str) or eid not in registry:
            raise AnnotationError(f"unknown entity id {eid!r} (define it in sources/entities/)", loc)
        if registry[eid].cls not in CONCERNED_CLASSES:
            raise AnnotationError(f"{eid} is a {registry[eid].cls}; a proposal, demand, decision or act concerns "
                                  f"a body, a person, a place or a congress", loc)
        out.append(eid)
    return out


def clause(node, key) -> list[str]:
    """A purpose or a condition: the source's words, one text or a list of distinct texts."""
    raw = node[key]
    texts = [raw] if isinstance(raw, str) else raw
    if not isinstance(texts, list) or not texts or not all(isinstance(t, str) and t.strip() for t in texts):
        raise AnnotationError(f"{key} is the source's words: a text, or a list of texts", node.loc(key))
    texts = [t.strip() for t in texts]
    if len(set(texts)) != len(texts):
        raise AnnotationError(f"{key} gives the same words twice", node.loc(key))
    return texts


def parse_value(node, kind, default_calendar=None):
    """The statement's `value`: a date, a figure (a whole number, a share, or a quantity), or the source's words."""
    raw = node["value"]
    loc = node.loc("value")
    if kind == "date":
        return dated(raw, loc, default_calendar)
    if kind == "duration":
        try:
            return parse_duration(raw)
        except QuantityError as exc:
            raise AnnotationError(f"{exc} (see {README})", loc) from None
    if kind in ("integer", "share"):
        try:
            return parse_quantity(raw, percent=kind == "share")
        except QuantityError as exc:
            raise AnnotationError(f"{exc} (a number is 2000, or a mapping such as "
                                  "{lower: 2000, upper: 3000, written: \"between two and three thousand\"}; "
                                  f"see {README})", loc) from None
    if not isinstance(raw, str) or not raw.strip():
        raise AnnotationError(f"{raw!r} is not text", loc)
    return raw.strip()


def qualifiers(node, st, pred: Predicate, registry, calendar) -> None:
    """Dates, entities, words, seats, role, approximate, figure details, stance and uncertainty of a statement."""
    pname = pred.name
    for key in DATE_QUALIFIERS:
        if key in node:
            st.dates[key] = dated(node[key], node.loc(key), calendar)
    for key in ENTITY_QUALIFIERS:
        if key in node:
            allowed = {"addressee": ADDRESSEE_CLASSES, "destination": DESTINATION_CLASSES}.get(key)
            st.entities[key] = entity_ref(node, key, registry, allowed)
    if "addressee" in node and pname not in ADDRESSED_PREDICATES:
        raise AnnotationError(f"addressee qualifies a demand or proposal ({', '.join(ADDRESSED_PREDICATES)}), "
                              f"not {pname}", node.loc("addressee"))
    if "concerns" in node:
        st.concerns = concerned(node, pname, registry)
    for key in TEXT_QUALIFIERS:
        if key in node:
            if not isinstance(node[key], str) or not node[key].strip():
                raise AnnotationError("expected non-empty text", node.loc(key))
            st.texts[key] = node[key].strip()
    for key in CLAUSE_QUALIFIERS:
        if key in node:
            st.clauses[key] = clause(node, key)
            # the value says what was done, held or proposed; the clause its aim or condition, not both
            repeated = [text for text in st.clauses[key] if isinstance(st.value, str) and text in st.value]
            if repeated:
                raise AnnotationError(f"the {key} {repeated[0]!r} is also in the value: give it once, as the {key}, "
                                      "and the value without it", node.loc(key))
    if "effect" in node and pname not in CAUSE_PREDICATES:
        raise AnnotationError(f"effect qualifies a cause ({', '.join(CAUSE_PREDICATES)}), not {pname}",
                              node.loc("effect"))
    if "issue" in node and pname not in ISSUE_PREDICATES:
        raise AnnotationError(f"issue qualifies where a text appeared ({', '.join(ISSUE_PREDICATES)}), not {pname}",
                              node.loc("issue"))
    for key, (predicates, number, qualified) in INTEGER_QUALIFIERS.items():
        if key in node:
            if isinstance(node[key], bool) or not isinstance(node[key], int) or node[key] < 1:
                raise AnnotationError(f"{key} is {number}", node.loc(key))
            if pname not in predicates:
                raise AnnotationError(f"{key} qualifies {qualified}, not {pname}", node.loc(key))
            st.counts[key] = node[key]
    if "role" in node:
        if node["role"] not in ROLES:
            raise AnnotationError(f"unknown role {node['role']!r}; known: {', '.join(ROLES)}", node.loc("role"))
        if pname not in ROLE_PREDICATES.get(node["role"], (pname,)):
            raise AnnotationError(f"role {node['role']} qualifies {', '.join(ROLE_PREDICATES[node['role']])} only, "
                                  f"not {pname}", node.loc("role"))
        st.role = node["role"]
    elif pname == "holdsPost":
        raise AnnotationError("holdsPost needs a role (president, secretary, ...)", node.loc("predicate"))
    if "approximate" in node:
        if not isinstance(node["approximate"], bool):
            raise AnnotationError("approximate is true or false", node.loc("approximate"))
        st.approximate = node["approximate"]
        if pred.kind not in ("integer", "share", "duration"):
            raise AnnotationError("approximate qualifies a figure; a vague date is a span {after, before}",
                                  node.loc("approximate"))
        st.value = Quantity(**{**st.value.__dict__, "approximate": st.value.approximate or st.approximate})
    if pred.kind == "integer":
        quantity_qualifiers(node, st, registry)
    elif pred.kind == "share" and "unit" not in st.texts:
        raise AnnotationError("share needs a 'unit' saying of what whole, e.g. \"per cent of the agrarian budget\"",
                              node.loc("predicate"))
    else:
        for key in ("counts", "group", "maximum", "part_of", "breakdown_complete"):
            if key in node:
                raise AnnotationError(f"{key} qualifies a number (numberOfDeputies, count, …), not {pname}",
                                      node.loc(key))
    if "stance" in node:
        if node["stance"] not in STANCES:
            raise AnnotationError(f"unknown stance {node['stance']!r}; known: {', '.join(STANCES)} "
                                  f"(see {README})", node.loc("stance"))
        st.stance = node["stance"]
    if st.stance not in PREDICATE_STANCES.get(pname, STANCES):
        raise AnnotationError(f"{pname} takes the stance {' or '.join(PREDICATE_STANCES[pname])}, not {st.stance}",
                              node.loc("stance") if "stance" in node else node.loc("predicate"))
    if "uncertain" in node:
        if not isinstance(node["uncertain"], str) or not node["uncertain"].strip():
            raise AnnotationError("uncertain says, in words, what the text leaves unclear", node.loc("uncertain"))
        st.uncertain = node["uncertain"].strip()


def quantity_qualifiers(node, st, registry):
    """counts, group, maximum, part_of, breakdown_complete: what a number counts and how it divides."""
    if "counts" in node:
        if node["counts"] not in COUNTED:
            raise AnnotationError(f"unknown counts {node['counts']!r}; known: {', '.join(COUNTED)}",
                                  node.loc("counts"))
        st.counted = node["counts"]
    elif st.predicate == "count":
        raise AnnotationError(f"count needs 'counts' (what is counted: {', '.join(COUNTED)})",
                              node.loc("predicate"))
    else:
        st.counted = DEFAULT_COUNTED.get(st.predicate)
    if "group" in node:
        group = node["group"]
        if not isinstance(group, dict) or set(group) != {"by", "value"}:
            raise AnnotationError("group is {by: party|trade|…, value: <entity-id or words>}", node.loc("group"))
        if group["by"] not in GROUPINGS:
            raise AnnotationError(f"unknown group 'by' {group['by']!r}; known: {', '.join(GROUPINGS)}",
                                  group.loc("by"))
        value = group["value"]
        if not isinstance(value, str) or not value.strip():
            raise AnnotationError("the group's value is an entity id or the words of the text", group.loc("value"))
        st.group_by, st.group, st.group_is_entity = group["by"], value.strip(), value.strip() in registry
    if "maximum" in node:
        if not isinstance(node["maximum"], bool):
            raise AnnotationError("maximum is true or false", node.loc("maximum"))
        st.maximum = node["maximum"]
    if "breakdown_complete" in node:
        raw = node["breakdown_complete"]
        if not isinstance(raw, bool) and raw not in GROUPINGS:
            raise AnnotationError("breakdown_complete is true (every breakdown of this total is complete) or the "
                                  f"grouping whose parts are all of it: {', '.join(GROUPINGS)}",
                                  node.loc("breakdown_complete"))
        st.breakdown_complete = raw
    if "part_of" in node:
        if not isinstance(node["part_of"], str) or not SLUG.match(node["part_of"]):
            raise AnnotationError("part_of is the id of the total's statement (give the total an 'id')",
                                  node.loc("part_of"))
        st.part_of, st.part_of_location = node["part_of"], node.loc("part_of")


def attribution(node, st, registry):
    """Who makes the claim: the author, the editor, the translator, a quoted agent or unnamed claimant, or nobody (external)."""
    # knowledge the text does not state is nobody's claim in it: not the author's by default
    raw = node.get("attribution", "external" if "external" in node else "author")
    usage = "author, editor, translator, quoted:<agent-id>, or quoted with claimant: \"words\""
    if not isinstance(raw, str):
        raise AnnotationError(f"attribution is {usage}", node.loc("attribution"))
    if raw == "external":
        if "external" not in node:
            raise AnnotationError("attribution external goes with 'external: <basis>' (what the text does not state)",
                                  node.loc("attribution"))
        st.attribution = "external"
        return
    if "external" in node and raw in ("author", "editor", "translator"):
        raise AnnotationError(f"external knowledge is not the {raw}'s claim in the text: leave out 'attribution' "
                              "(or name who claims it elsewhere with quoted:<id>)", node.loc("attribution"))
    if raw.startswith("quoted:"):
        pid = raw.split(":", 1)[1]
        if pid not in registry or registry[pid].cls not in CLAIMANT_CLASSES:
            raise AnnotationError(f"quoted {pid!r} is not a person, organisation or publication in the registry",
                                  node.loc("attribution"))
        st.attribution, st.quoted = "quoted", pid
    elif raw == "quoted":
        if not isinstance(node.get("claimant"), str) or not node["claimant"].strip():
            raise AnnotationError("'attribution: quoted' without an entity needs 'claimant': the words of the "
                                  "text naming who claims it (\"the bourgeois press\")", node.loc("attribution"))
        st.attribution = "quoted"
    elif raw in ("author", "editor", "translator"):
        st.attribution = raw
    else:
        raise AnnotationError(f"unknown attribution {raw!r}: {usage}", node.loc("attribution"))
    if "claimant" in node:
        if raw != "quoted":
            raise AnnotationError("claimant goes with 'attribution: quoted' (an unnamed claimant); "
                                  "a registered one is 'attribution: quoted:<id>'", node.loc("claimant"))
        st.claimant = node["claimant"].strip()
