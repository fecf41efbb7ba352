"""Relation records → n-ary relation nodes with their shortcut triples.

Each function takes the graph builder, the record, and the IRIs its parties resolved to. The
relation node's IRI hashes what identifies the relation, so the same statement from another
row or another source meets the same node.
"""

from __future__ import annotations

import pyoxigraph as ox

from . import vocab
from .builder import GraphBuilder, date_literal, effective_status, literal
from .records import ActorDetails, ContactRecord, MembershipRecord, TieRecord, TwinningRecord


def write_twinning(
    builder: GraphBuilder,
    record: TwinningRecord,
    partner_a: ox.NamedNode,
    partner_b: ox.NamedNode,
) -> None:
    node = vocab.twinning_iri(partner_a, partner_b, record.kind)
    if not builder.relation(node, ("Twinning",), record.row, record.citation):
        return
    add = builder.add
    add(partner_a, vocab.TWINNED_WITH, partner_b)
    add(partner_b, vocab.TWINNED_WITH, partner_a)
    add(node, vocab.KIND, record.kind.iri)
    status = effective_status(record.status, record.until, builder.today)
    add(node, vocab.STATUS, vocab.status_iri(status))
    # Wikidata's P190 (twinned administrative body) stands for formal twinnings only, so
    # friendships, contacts and project partnerships do not come back as twinnings.
    wikidata = record.kind.key == "partnership"
    for partner in (partner_a, partner_b):
        add(node, vocab.PARTNER, partner)
        if wikidata:
            add(partner, vocab.P_P190, node)
            add(node, vocab.PS_P190, partner)
    if wikidata:
        add(partner_a, vocab.WDT_P190, partner_b)
        add(partner_b, vocab.WDT_P190, partner_a)
    builder.interval(node, record.since, record.until)
    if wikidata and record.since is not None:
        add(node, vocab.PQ_START, date_literal(record.since))
    if wikidata and record.until is not None:
        add(node, vocab.PQ_END, date_literal(record.until))


def write_membership(
    builder: GraphBuilder,
    record: MembershipRecord,
    member: ox.NamedNode,
    organisation: ox.NamedNode,
) -> None:
    """A W3C ORG membership, with `wdt:P463` (member of) as the shortcut."""
    node = vocab.relation_iri("Membership", member.value, organisation.value)
    add = builder.add
    if builder.relation(node, ("Membership",), record.row, record.citation):
        add(node, vocab.TYPE, vocab.ORG_MEMBERSHIP)
        add(node, vocab.ORG_MEMBER, member)
        add(node, vocab.ORG_ORGANIZATION, organisation)
        add(member, vocab.WDT_MEMBER_OF, organisation)
        status = effective_status(None, record.until, builder.today)
        add(node, vocab.STATUS, vocab.status_iri(status))
    # Role, interval and the years a source saw the membership may come from several rows.
    if record.role:
        add(node, vocab.ROLE, ox.Literal(record.role))
    builder.interval(node, record.since, record.until)
    for year in record.observed:
        add(node, vocab.OBSERVED_IN, ox.Literal(f"{year:04d}", datatype=vocab.XSD_GYEAR))


def write_contact(
    builder: GraphBuilder,
    record: ContactRecord,
    party: ox.NamedNode,
    body: ox.NamedNode,
    via: ox.NamedNode | None,
    programme: ox.NamedNode | None,
) -> None:
    """A contact with the federal level; `cd:reaches` shortcuts tell direct from mediated."""
    kind = next(k for k in vocab.CONTACT_KINDS if k.key == record.kind)
    node = vocab.relation_iri(
        "Contact",
        kind.key,
        party.value,
        body.value,
        via.value if via else "",
        programme.value if programme else "",
        record.since.iso() if record.since else "",
    )
    classes = ("Contact", "Funding") if kind.key == "funding" else ("Contact",)
    if not builder.relation(node, classes, record.row, record.citation):
        return
    add = builder.add
    add(node, vocab.CONTACT_KIND, kind.iri)
    add(node, vocab.FROM, party)
    add(node, vocab.TO, body)
    if via is None:
        add(party, vocab.REACHES, body)
    else:
        # Mediated: the party reaches the intermediary, which reaches the body.
        add(node, vocab.VIA, via)
        add(party, vocab.REACHES, via)
        add(via, vocab.REACHES, body)
    if programme is not None:
        add(node, vocab.PROGRAMME, programme)
    if kind.key == "funding":
        add(party, vocab.FUNDED_BY, programme if programme is not None else body)
    if record.amount is not None:
        add(node, vocab.AMOUNT, literal(record.amount))
    if record.currency:
        add(node, vocab.CURRENCY, ox.Literal(record.currency))
    if record.description:
        add(node, vocab.DESCRIPTION, ox.Literal(record.description))
    builder.interval(node, record.since, record.until)


# kind → (class, subject property, target property, shortcut)
_TIE_SHAPES = {
    "stake": ("Stake", vocab.OWNER, vocab.ASSET, vocab.OWNS_STAKE_IN),
    "investment": ("Investment", vocab.INVESTOR, vocab.INVESTEE, vocab.INVESTS_IN),
    "cooperation": ("Cooperation", vocab.PARTICIPANT, vocab.VENDOR, vocab.COOPERATES_WITH),
    "control": ("Control", vocab.CONTROLLED, vocab.CONTROLLER, vocab.CONTROLLED_BY),
}


def write_tie(
    builder: GraphBuilder, record: TieRecord, subject: ox.NamedNode, target: ox.NamedNode
) -> None:
    """An ownership stake, investment, technology cooperation or control tie."""
    kind = next(k for k in vocab.TIE_KINDS if k.key == record.kind)
    class_name, subject_property, target_property, shortcut = _TIE_SHAPES[kind.key]
    node = vocab.relation_iri(class_name, subject.value, target.value, record.domain or "")
    if not builder.relation(node, (class_name,), record.row, record.citation):
        return
    add = builder.add
    add(node, vocab.TIE_KIND, kind.iri)
    add(node, subject_property, subject)
    add(node, target_property, target)
    add(subject, shortcut, target)
    if kind.key == "cooperation":
        add(target, shortcut, subject)
    add(
        node,
        vocab.STATUS,
        vocab.status_iri(effective_status(record.status, record.until, builder.today)),
    )
    if record.share is not None:
        add(node, vocab.SHARE, literal(record.share))
    if record.amount is not None:
        add(node, vocab.AMOUNT, literal(record.amount))
    if record.currency:
        add(node, vocab.CURRENCY, ox.Literal(record.currency))
    if record.domain:
        add(node, vocab.DOMAIN, ox.Literal(record.domain))
    builder.interval(node, record.since, record.until)


def write_actor_details(
    builder: GraphBuilder,
    details: ActorDetails,
    actor: ox.NamedNode,
    located_in: ox.NamedNode | None,
    part_of: ox.NamedNode | None,
) -> None:
    """Where an actor is, what it belongs to, whether it is critical infrastructure."""
    add = builder.add
    if located_in is not None:
        add(actor, vocab.LOCATED_IN, located_in)
    if part_of is not None:
        add(actor, vocab.SUB_ORGANIZATION_OF, part_of)
    if details.critical:
        add(actor, vocab.CRITICAL, ox.Literal(details.critical))
    if details.founded is not None:
        add(actor, vocab.FOUNDED, ox.Literal(f"{details.founded:04d}", datatype=vocab.XSD_GYEAR))
    for alternate in details.alternate_names:
        add(actor, vocab.ALTERNATE_NAME, ox.Literal(alternate))
    if details.description:
        add(actor, vocab.DESCRIPTION, ox.Literal(details.description))
