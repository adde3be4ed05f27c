"""Mentions -> entities: one real-world person, place, organization or group, one key.

Conservative by design: a wrong merge of two people costs a historian more than a missed one. Names
join when the authority file lists them, when their keys are equal, or when a lone surname matches
exactly one fuller name of the same type whose initials do not conflict.
"""
from __future__ import annotations

from collections import Counter, defaultdict

from extract.authority import Authority, load_authority
from extract.names import fold, name_key
from extract.records import Entity, Mention

TYPE_FOLDERS = {"Person": "person", "Place": "place", "Organization": "org", "Group": "group"}


def slug(text: str) -> str:
    return "-".join(name_key(text).split()) or "unnamed"


def _initials_agree(short: list[str], full: list[str]) -> bool:
    """'m d bagirov' and 'mir jafar bagirov' agree; 'b smith' and 'walter bedell smith' do not."""
    given_short, given_full = short[:-1], full[:-1]
    return all(a[0] == b[0] for a, b in zip(given_short, given_full))


def resolve(mentions: list[Mention], known: dict[str, Entity] | None = None,
            authority: Authority | None = None) -> dict[str, Entity]:
    """Set `mention.entity` on every mention; return the entities they resolve to, by key.

    `known` are the entities already in the store (key -> Entity with its names): a new document's
    variant attaches to them, and their keys (IRIs) never change.
    """
    authority = authority or load_authority()
    known = known or {}
    by_name: dict[tuple[str, str], str] = {}
    for entity in known.values():
        for name in [entity.label, *entity.names]:
            by_name.setdefault((entity.type, name_key(name)), entity.key)
    for entry in authority.entries.values():
        for name in entry.names:
            by_name[(entry.type, name_key(name))] = entry.key

    clusters: dict[str, list[Mention]] = defaultdict(list)
    pending: list[Mention] = []
    for m in mentions:
        key = _authority_key(m, authority) or by_name.get((m.type, name_key(m.name)))
        if key:
            m.entity = key
            clusters[key].append(m)
        else:
            pending.append(m)

    # Names no one knows yet: group by exact key, then attach lone surnames to a single fuller name.
    groups: dict[tuple[str, str], list[Mention]] = defaultdict(list)
    for m in pending:
        groups[(m.type, name_key(m.name))].append(m)
    surnames: dict[tuple[str, str], set[str]] = defaultdict(set)
    for (type_, k), ms in groups.items():
        tokens = k.split()
        if type_ == "Person" and len(tokens) > 1:
            surnames[(type_, tokens[-1])].add(k)
    firsts: dict[tuple[str, str], set[str]] = defaultdict(set)  # a given name and the full names it begins, per doc
    for (type_, k), ms in groups.items():
        if type_ == "Person" and len(k.split()) > 1:
            for m in ms:
                firsts[(m.doc_id, k.split()[0])].add(k)
    for (type_, k), ms in sorted(groups.items()):
        target = k
        if type_ == "Person" and len(k.split()) == 1:
            # "Jamshid" after "Jamshid Keshaverz" in the same document, when only one full name begins so
            fuller = {f for m in ms for f in firsts.get((m.doc_id, k), set())}
            if len(fuller) == 1 and all(len(firsts.get((m.doc_id, k), set())) == 1 for m in ms):
                target = next(iter(fuller))
        if type_ == "Person" and target == k:
            fuller = surnames.get((type_, k.split()[-1]), set()) - {k}
            if len(k.split()) == 1 and len(fuller) == 1:
                target = next(iter(fuller))
            elif len(k.split()) > 1 and (type_, k.split()[-1]) in by_name:
                candidate = by_name[(type_, k.split()[-1])]
                if _initials_agree(k.split(), name_key(_label(candidate, known, authority)).split()):
                    target = None
                    for m in ms:
                        m.entity = candidate
                        clusters[candidate].append(m)
        if target is None:
            continue
        key = by_name.get((type_, target)) or f"{TYPE_FOLDERS[type_]}/{slug(target)}"
        for m in ms:
            m.entity = key
            clusters[key].append(m)

    return {key: _entity(key, ms, known, authority) for key, ms in clusters.items()}


def _authority_key(m: Mention, authority: Authority) -> str | None:
    entry = authority.lookup(m.name)
    if entry and entry.type == m.type:
        return entry.key
    tokens = name_key(m.name).split()
    if m.type == "Person" and len(tokens) > 1:
        entry = authority.lookup(tokens[-1])
        if entry and entry.type == "Person" and _initials_agree(tokens, name_key(entry.label).split()):
            return entry.key
    return None


def _label(key: str, known: dict[str, Entity], authority: Authority) -> str:
    if key in authority.entries:
        return authority.entries[key].label
    return known[key].label if key in known else key.split("/", 1)[1]


def _entity(key: str, mentions: list[Mention], known: dict[str, Entity], authority: Authority) -> Entity:
    names = Counter(m.name for m in mentions)
    entry = authority.entries.get(key)
    if entry:
        return Entity(key=key, type=entry.type, label=entry.label, description=entry.description,
                      wikidata=entry.wikidata, names=dict(names), from_authority=True)
    if key in known:
        return Entity(key=key, type=known[key].type, label=known[key].label, names=dict(names))
    return Entity(key=key, type=mentions[0].type, label=preferred_label(names), names=dict(names))


def preferred_label(names: Counter) -> str:
    """The most frequent spelling, preferring the fullest and then ordinary capitalisation over CAPITALS."""
    return max(names, key=lambda n: (names[n] + 0.5 * len(n.split()), not n.isupper(), -len(fold(n)), n))
