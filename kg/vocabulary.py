"""What annotators may say: entity classes, predicates, roles and constituencies.

Each name here is a term of `ontology/kg.ttl` (a test checks that every one is declared
there); annotation files use the short names, the graph uses the ontology's IRIs.
"""

from __future__ import annotations

from dataclasses import dataclass

# Entity classes an annotator may give in the registry, each with its ontology superclass chain
# declared in the ontology; here only the short names are listed, grouped for the docs.
CLASSES = {
    "soviets": ["Soviet", "CitySoviet", "DistrictSoviet", "ProvincialSoviet", "RegionalSoviet",
                "RuralSoviet", "CongressOfSoviets", "ExecutiveCommittee"],
    "organisations": ["Organisation", "Party", "Faction", "Government", "Committee",
                      "TradeUnion", "MilitaryUnit", "Assembly"],
    "persons": ["Person"],
    "places": ["Place", "City", "Region", "Country"],
    "publications": ["Publication", "Newspaper"],
    "events": ["Event", "Strike", "GeneralStrike", "Insurrection", "Revolution", "Congress",
               "Session", "Arrest", "Massacre", "Election", "Manifesto", "Demonstration",
               "War", "Decree"],
    # Ideas a text judges, supports or fights: a doctrine or world outlook (Marxism), a slogan ("All power
    # to the Soviets!"); neither a body, an event nor a document.
    "ideas": ["Idea", "Doctrine", "Slogan"],
}
ALL_CLASSES = {c for group in CLASSES.values() for c in group}
ORGANISATION_CLASSES = set(CLASSES["soviets"]) | set(CLASSES["organisations"])
EVENT_CLASSES = set(CLASSES["events"])
PLACE_CLASSES = set(CLASSES["places"])
IDEA_CLASSES = set(CLASSES["ideas"])
AGENT_CLASSES = ORGANISATION_CLASSES | {"Person"}
# Who can make a claim a text reports: any agent, or a newspaper or other publication.
CLAIMANT_CLASSES = AGENT_CLASSES | set(CLASSES["publications"])

# Constituencies of a soviet: whose deputies sit in it. Each adds a class too (WorkersSoviet…).
CONSTITUENCIES = {"workers": "WorkersSoviet", "soldiers": "SoldiersSoviet",
                  "peasants": "PeasantsSoviet", "sailors": "SailorsSoviet",
                  "cossacks": "CossacksSoviet"}

# Roles in posts and memberships (skos concepts named in CamelCase: kg:ExecutiveCommitteeMember).
ROLES = ["president", "vice-president", "chairman", "secretary", "treasurer", "deputy",
         "executive-committee-member", "presidium-member", "member", "leader", "founder",
         "editor", "commissar", "minister", "delegate", "organiser", "spokesman", "commander", "transcriber"]
# Roles that qualify one kind of statement only: who transcribed and marked up an edition of a work
# ("Transcription\Markup: R. Cymbala") contributed to it, but neither wrote it nor holds a post in it.
ROLE_PREDICATES = {"transcriber": ("contributedTo",)}


@dataclass(frozen=True)
class Predicate:
    name: str
    kind: str                 # "entity", "date", "integer", "share" (per cent), "duration", "text"
    subjects: frozenset | None = None   # allowed subject classes (None: any)
    objects: frozenset | None = None    # allowed object classes, for kind "entity"
    membership: bool = False  # the statement node is also an org:Membership
    doc: str = ""


def _p(name, kind, subjects=None, objects=None, membership=False, doc=""):
    return Predicate(name, kind, frozenset(subjects) if subjects else None,
                     frozenset(objects) if objects else None, membership, doc)


ORGS, EVENTS, PLACES, AGENTS = ORGANISATION_CLASSES, EVENT_CLASSES, PLACE_CLASSES, AGENT_CLASSES
PUBLICATIONS = set(CLASSES["publications"])
IDEAS = IDEA_CLASSES

PREDICATES = {p.name: p for p in [
    # -- relations between entities --
    # A person's stay is a locatedIn too, dated by its statement: 'when' a time the person was there,
    # 'start' and 'end' when the stay began and ended, each a date or a span of bounds as the text gives them.
    _p("locatedIn", "entity", None, PLACES,
       doc="where a body sat, an event took place or a person stayed; a stay's 'start' and 'end' date it"),
    _p("subOrganizationOf", "entity", ORGS, ORGS,
       doc="a district soviet of a city soviet, an executive committee of its soviet"),
    _p("factionOf", "entity", {"Faction"}, {"Party"}, doc="Bolsheviks and Mensheviks within the RSDLP"),
    _p("memberOf", "entity", AGENTS, ORGS, membership=True,
       doc="party membership, a party's seats in a body; with start, end, role"),
    _p("holdsPost", "entity", {"Person"}, ORGS | {"Publication", "Newspaper"}, membership=True,
       doc="a post in a body; needs role (president, secretary…); start, end, replaces"),
    # A state is led too ("the Soviet Union under Stalin"): a Country is an object of led.
    _p("led", "entity", AGENTS, ORGS | EVENTS | {"Country"}, doc="led a body, an event or a state, informally or not"),
    _p("influenced", "entity", AGENTS, ORGS | EVENTS | IDEAS,
       doc="had an influence on a body, an event or an idea (of the degree the note gives), without leading it"),
    _p("supported", "entity", AGENTS | PUBLICATIONS, AGENTS | EVENTS | PUBLICATIONS | IDEAS,
       doc="supported or backed a person, body, event, publication, doctrine or slogan"),
    _p("subscribedTo", "entity", AGENTS, PUBLICATIONS, doc="subscribed to a paper or publication"),
    _p("contributedTo", "entity", AGENTS, PUBLICATIONS, doc="wrote for a paper or publication"),
    _p("exiledTo", "entity", AGENTS, PLACES, doc="sent into exile to a place; optional when, by"),
    _p("deportedTo", "entity", AGENTS, PLACES, doc="deported to a place; optional when, by"),
    _p("actedUpon", "entity", EVENTS, None,
       doc="who or what an event acted upon (an arrest of a committee: that committee)"),
    # A state takes part in a war ("the tsarist empire was fighting in the First World War").
    _p("participatedIn", "entity", AGENTS | {"Country"}, EVENTS,
       doc="took part in an event, a person, a body or a state; optional role"),
    _p("organised", "entity", AGENTS, EVENTS, doc="called, convened or organised an event"),
    # Who did, ordered or started an act ("by order of the tsar", "started a bloody civil war", "taken
    # prisoner by the Government") is not who called a meeting: a state does such acts too.
    _p("carriedOut", "entity", AGENTS | {"Country"}, EVENTS,
       doc="did, ordered or started an act (an arrest, a massacre, a war), as against calling or convening it "
           "(that is organised); persons, bodies or states"),
    _p("partOfEvent", "entity", EVENTS, EVENTS, doc="an event within a larger one"),
    # "We publish this article ... to commemorate the 83rd anniversary of the October Revolution".
    _p("commemorates", "entity", PUBLICATIONS | EVENTS, EVENTS,
       doc="a publication or an event that commemorates an event; 'anniversary' gives which (83 for the 83rd)"),
    _p("resultedIn", "entity", EVENTS, None, doc="an event that brought about a body or another event"),
    # A cause the text gives for an event, an act or a state of its subject: what happened because of
    # what. The effect, when it is not the subject itself, is the statement's 'effect' in the text's
    # words ("acquired an extraordinary importance"); a cause named by no entity is the text predicate
    # 'cause'. A place is no cause: "events taking place in Russia" are events, not Russia.
    _p("causedBy", "entity", None, EVENTS | AGENTS | PUBLICATIONS | {"Country"},
       doc="an event, act or state of the subject came about because of (or under the influence of) the object; "
           "'effect' says which, in the text's words, when it is not the subject itself"),
    # A state has founders too ("the Russian workers and peasants, by founding the Soviet Republic").
    _p("founder", "entity", ORGS | {"Country"}, AGENTS, doc="who created a body or a state"),
    _p("dissolvedBy", "entity", ORGS | PUBLICATIONS, AGENTS | EVENTS,
       doc="who or what ended a body, or closed a paper"),
    _p("replacedBy", "entity", ORGS, ORGS, doc="a body succeeded by another"),
    _p("successorOf", "entity", ORGS, ORGS, doc="a body that replaced another (inverse of replacedBy)"),
    # States are allies as well as bodies and persons ("on the side of England and France").
    _p("alliedWith", "entity", AGENTS | {"Country"}, AGENTS | {"Country"},
       doc="an agreement, a bloc or a side taken in a war, as a fact (not an opinion); persons, bodies or states"),
    # Contact that the text calls neither alliance nor struggle ("established relations with",
    # "entered into close contact with"): saying alliedWith there says more than the text.
    _p("inRelationWith", "entity", AGENTS | {"Country"}, AGENTS | {"Country"},
       doc="established relations, links or contact with, as a fact, without an agreement or a bloc (that is "
           "alliedWith) or a struggle (opposed); persons, bodies or states"),
    _p("opposed", "entity", AGENTS, AGENTS | EVENTS | IDEAS, doc="fought or acted against, as a fact (an idea too)"),
    _p("author", "entity", {"Publication", "Newspaper", "Manifesto", "Decree"}, AGENTS,
       doc="who wrote or issued a document"),
    _p("publishedIn", "entity", None, {"Publication", "Newspaper"}, doc="where a text appeared"),
    _p("organOf", "entity", {"Publication", "Newspaper"}, ORGS, doc="a paper published by a body"),
    _p("composedOf", "entity", ORGS, ORGS,
       doc="a social group a body was made up of (the peasants of the soldiers' soviets); a share in a share statement"),
    # -- dates --
    _p("founded", "date", ORGS | {"Publication", "Newspaper"}, doc="inception of a body or paper"),
    _p("dissolved", "date", ORGS | {"Publication", "Newspaper"}, doc="end of a body or paper"),
    _p("activeIn", "date", ORGS, doc="the body existed at this date or in this period"),
    _p("date", "date", EVENTS | {"Publication", "Newspaper"},
       doc="when an event happened, or when a publication appeared (point in time)"),
    # When a work was written is not when it appeared (Lenin's letter of 1905 first appeared in 1940).
    _p("dateWritten", "date", {"Publication", "Newspaper"},
       doc="when a work was written, not when it appeared (that is date)"),
    _p("startDate", "date", EVENTS, doc="first day of an event lasting several days"),
    _p("endDate", "date", EVENTS, doc="last day of an event"),
    _p("born", "date", {"Person"}),
    _p("died", "date", {"Person"}),
    _p("wasArrested", "date", AGENTS, doc="arrest of a person or of a whole body; optional by, place"),
    # -- counts, with as_of --
    _p("numberOfDeputies", "integer", ORGS, doc="deputies sitting in a body; qualify with as_of"),
    _p("workersRepresented", "integer", ORGS, doc="workers who elected the body's deputies"),
    _p("deputyRatio", "integer", ORGS, doc="one deputy per N electors; unit says of whom"),
    _p("executiveCommitteeSize", "integer", ORGS, doc="members of the body's executive committee"),
    _p("numberOfMembers", "integer", ORGS, doc="members of a party or organisation"),
    _p("numberOfParticipants", "integer", EVENTS, doc="strikers, demonstrators, delegates"),
    _p("numberOfVictims", "integer", EVENTS, doc="killed or wounded; note says which"),
    _p("numberOfDelegates", "integer", ORGS | EVENTS, doc="delegates to a congress or conference"),
    _p("numberOfSeats", "integer", ORGS, doc="seats in a body (its size by rule or in fact)"),
    _p("count", "integer", None, doc="any other count; 'counts' says what is counted"),
    _p("share", "share", None,
       doc="a share of a whole in per cent (40, 33.3; bounds for 'no less than one third'); unit says of what"),
    # -- how long, a quantity with its time unit --
    _p("duration", "duration", EVENTS, doc="how long an event lasted ('a whole week'): a quantity with its unit"),
    # -- described facts, in the source's words --
    _p("termOfOffice", "text", ORGS, doc="how long deputies or a body serve, e.g. 'three months'"),
    _p("meetingFrequency", "text", ORGS, doc="how often a body meets"),
    _p("electionMethod", "text", ORGS, doc="how deputies are chosen"),
    # What binds deputies to their electors once chosen, kept apart from how they are chosen.
    _p("mandate", "text", ORGS,
       doc="what binds a body's deputies to those who elected them: reporting back to them, recall by them"),
    # What a body may or must do, what it did as a rule, and what it is said to be: three kinds of
    # words that one predicate used to mix (a power, a practice, a judgement).
    _p("function", "text", ORGS,
       doc="a task, right, power or duty a body has or exercises ('ratifies the budget', 'exercised complete "
           "control over the press'), its members' immunity included"),
    _p("activity", "text", ORGS,
       doc="what a body did or does as a matter of course, its practice, that is no power over others "
           "('distributed leaflets and proclamations', 'the meetings are open to the public')"),
    _p("describedAs", "text", None,
       doc="what the text says an entity is or was: a characterisation, a status or a judgement ('the axis of "
           "all events', 'the supreme organ'), with the stance of whoever makes it"),
    # What the sources allow us to know of an entity ("the data we possess are even more incomplete") says
    # nothing of what the entity was: a remark on the evidence is kept out of its characterisations.
    _p("evidenceRemark", "text", None,
       doc="a remark on the state of the evidence about an entity, in the text's words (what is known of it, "
           "how complete the data are), not a characterisation of the entity (that is describedAs)"),
    _p("demanded", "text", AGENTS, doc="a demand a body or person made (not a decision or an act)"),
    _p("proposed", "text", AGENTS | PUBLICATIONS, doc="a proposal or advice that something be done"),
    _p("decided", "text", AGENTS, doc="a decision or resolution a body took"),
    _p("enacted", "text", AGENTS, doc="an act carried out or decreed, in the source's words"),
    _p("votingRight", "text", None, doc="who may vote (subject: the Soviet system or a body)"),
    _p("excludedFromVoting", "text", None, doc="who may not vote"),
    _p("outcome", "text", EVENTS, doc="what an event led to, in the source's words"),
    _p("cause", "text", None,
       doc="a cause, reason or circumstance the text gives, in its words, for an event, act or state of the subject "
           "('the masses were still inexperienced'); 'effect' says what it caused when it is not the subject itself"),
]}

# The speech act a text makes with a statement (skos concepts kg:Asserts…, notation = the word).
# Only the stances in FACT_STANCES also give the direct triple: the "what happened" view.
STANCES = ("asserts", "reports", "alleges", "proposes", "demands", "decides", "enacts", "predicts", "denies")
FACT_STANCES = ("asserts", "decides", "enacts")
# The stances a predicate admits, where not all: a remark on the evidence is made, the author's own or
# reported, and is no proposal, demand, decision, act, forecast, charge or denial.
PREDICATE_STANCES = {"evidenceRemark": ("asserts", "reports")}

# Qualifier keys a statement may carry beside subject/predicate/object.
DATE_QUALIFIERS = ("when", "start", "end", "as_of")
ENTITY_QUALIFIERS = ("place", "by", "replaces", "on_behalf_of", "addressee", "destination")
# 'place' is where; 'destination' whither (the government's projected "removal" to Moscow): a place.
DESTINATION_CLASSES = PLACE_CLASSES
# The predicates that take an 'addressee': the body or person a demand or proposal was made to.
ADDRESSED_PREDICATES = ("demanded", "proposed")
ADDRESSEE_CLASSES = AGENT_CLASSES
# 'concerns' links a proposal, demand, decision or act in the text's words to the bodies or persons it is
# about (Lenin's advice not to demand that the Soviet join the RSDLP concerns the Soviet and the RSDLP),
# whether or not it was made to them: one or more entity ids.
# A forecast or characterisation (describedAs) and an outcome in the text's words may concern a body, a
# person or a place too ("heroic Poland", "lift the state of emergency in Poland"): a place a claim is about
# is not where it was made (that is 'place').
# A congress, the gathering of delegates a task is set to ("the workers' forthcoming congress in Moscow, and
# the congress of the Peasant Union"), is a body for this purpose though its class is an event; a standing
# congress of soviets (CongressOfSoviets) is a soviet, hence a body, already. Other events stay out: what an
# act did to an event is actedUpon, partOfEvent or outcome, not what a proposal is about.
CONCERNING_PREDICATES = ("proposed", "demanded", "decided", "enacted", "describedAs", "outcome")
CONCERNED_CLASSES = AGENT_CLASSES | PLACE_CLASSES | {"Congress"}
TEXT_QUALIFIERS = ("unit", "note", "effect", "issue")
# The predicates that take an 'issue': which issue of a periodical a text appeared in, in the text's words ("No. 5").
ISSUE_PREDICATES = ("publishedIn",)
# The predicates that take an 'effect': what their cause brought about, in the text's words.
CAUSE_PREDICATES = ("causedBy", "cause")
# What a statement's act or rule is for ("In order to establish closer contact with the workers") and under
# which condition it holds ("only where …", "except in those cases when …", "if …"): on any statement, each
# the source's words (one text or a list), found in the statement's quote.
CLAUSE_QUALIFIERS = ("purpose", "condition")
# What a condition qualifies depends on the predicate. The value of a proposal, demand, decision or act is
# what was proposed, demanded, decided or done, and such a speech act or act holds as made whatever its
# content: Stalin and Kamenev defended "support for the Provisional Government to the extent that the latter
# worked on behalf of that revolution" without condition, and the extent is a condition of the support they
# proposed. On these predicates a condition is the condition of what is proposed, demanded, decided or done;
# on any other, the statement holds only under it. Either way the Wikidata export leaves the statement out.
CONTENT_CONDITION_PREDICATES = ("proposed", "demanded", "decided", "enacted")
# Whole-number qualifiers (at least 1): the predicates each qualifies, and how an error names the number
# and those predicates. 'seats': seats a member holds in the body (a party's deputies on a committee);
# 'anniversary': which anniversary a commemoration marks, as an ordinal (83 for "the 83rd anniversary").
INTEGER_QUALIFIERS = {
    "seats": (tuple(name for name, p in PREDICATES.items() if p.membership), "a whole number of at least 1",
              "memberOf or holdsPost only"),
    "anniversary": (("commemorates",), 'an ordinal, a whole number of at least 1 (83 for "the 83rd")',
                    "a commemoration (commemorates)"),
}
QUANTITY_QUALIFIERS = ("counts", "group", "maximum", "part_of", "breakdown_complete")   # number predicates
QUALIFIERS = DATE_QUALIFIERS + ENTITY_QUALIFIERS + TEXT_QUALIFIERS + CLAUSE_QUALIFIERS + \
    tuple(INTEGER_QUALIFIERS) + QUANTITY_QUALIFIERS + (
    "role", "approximate", "uncertain", "stance", "claimant", "concerns")
