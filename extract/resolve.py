"""Mentions -> entities: one real-world person, place, organization or group, one key.

Conservative by design: a wrong merge of two people costs a historian more than a missed one.
Names join, in this order of trust, and every mention records why (`Mention.resolution`):
1. the authority file lists the name, or its transliteration key, for an entity of that type;
2. an editorial note says so: a codename ("Filippov [Stalin]"), "[SIC, spelled Darakhshani ...]";
3. the entity is already in the store under that name or its transliteration key (keys never change);
4. the same name, or the same transliteration key (kh/k, -off/-ov, y/i, doubled letters, vowels:
   Derakhshani, Darakhshani, Dorokshani; Bagirov, Bagriov, Bageroff), for names long enough to tell apart;
5. a lone surname and the one fuller name of the corpus that ends in it, or two full names with the
   same surname whose given names and initials agree ("M.D. Bagirov", "Mir Bagirov");
6. a close spelling (rapidfuzz OSA similarity >= 0.8 of names of 7 letters or more) *and* evidence
   beyond the string: the same rank or office. Given names or initials that conflict block every merge.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from rapidfuzz.distance import OSA

from extract.authority import Authority, load_authority
from extract.names import INSTITUTION_HEADS, MIN_SKELETON, ascii_slug, fold, name_key, skeleton, transliterated
from extract.records import TYPE_FOLDERS, Entity, Mention

FUZZY = 0.8
COURTESIES = {"Cde", "Cdes", "Comrade", "Comrades", "Mr", "Mrs", "Ms", "Sir", "Dr"}
def slug(text: str) -> str:
    return ascii_slug(name_key(text), "unnamed")


# Initials that stand for the same sound in another transliteration: Russian "M.D." for Mir Dzhafar (Jafar).
SAME_INITIALS = {("d", "j"), ("j", "d"), ("i", "y"), ("y", "i"), ("k", "c"), ("c", "k"), ("e", "y"), ("y", "e")}


def given_names_agree(a: list[str], b: list[str]) -> bool:
    """'m d bagirov' and 'mir jafar bagirov' agree; 'b smith' and 'walter bedell smith' do not."""
    return all((x[0] == y[0] or (x[0], y[0]) in SAME_INITIALS) and
               (len(x) == 1 or len(y) == 1 or transliterated(x) == transliterated(y))
               for x, y in zip(a[:-1], b[:-1]))


@dataclass
class Cluster:
    type: str
    key: str | None = None  # fixed: from the authority file or the store
    mentions: list[Mention] = field(default_factory=list)
    names: Counter = field(default_factory=Counter)  # name key -> count
    known_names: set[str] = field(default_factory=set)  # names the authority or the store gives it
    reasons: dict[str, str] = field(default_factory=dict)  # name as written (and its key) -> why, as the store has it
    document: str | None = None  # "the Majlis", "the Government": which one depends on the document

    def add(self, m: Mention, reason: str) -> None:
        self.mentions.append(m)
        self.names[name_key(m.name)] += 1
        m.resolution = reason

    @property
    def all_names(self) -> set[str]:
        return set(self.names) | self.known_names

    @property
    def label(self) -> str:
        return max(self.names, key=lambda n: (self.names[n], len(n.split()), n)) if self.names else ""


class Resolver:
    def __init__(self, mentions: list[Mention], known: dict[str, Entity], authority: Authority):
        self.mentions = mentions
        self.known = known
        self.authority = authority
        self.clusters: list[Cluster] = []
        self.by_key: dict[str, Cluster] = {}

    def run(self) -> dict[str, Entity]:
        for key, entry in self.authority.entries.items():
            self._fixed(key, entry.type, entry.names)
        for key, entity in self.known.items():
            if key not in self.by_key:
                self._fixed(key, entity.type, [entity.label, *entity.names])
            for n, why in sorted(entity.reasons.items()):
                self.by_key[key].reasons.setdefault(name_key(n), why)
                self.by_key[key].reasons[n] = why
        pending = []
        for m in self.mentions:
            reason, cluster = self._fixed_match(m)
            if cluster:
                cluster.add(m, reason)
            else:
                pending.append(m)
        self._group_new(pending)
        self._notes()
        self._merge()
        return self._entities()

    # ------------------------------------------------------------------ seeding
    def _fixed(self, key: str, type_: str, names) -> None:
        cluster = Cluster(type=type_, key=key, known_names={name_key(n) for n in names if name_key(n)})
        self.clusters.append(cluster)
        self.by_key[key] = cluster

    def _fixed_match(self, m: Mention) -> tuple[str, Cluster | None]:
        k = name_key(m.name)
        fixed = [c for c in self.clusters if c.key and c.type == m.type]
        if bare_institution(m):  # "the Majlis": only the authority file may say which one
            fixed = [c for c in fixed if c.key in self.authority.entries]
        for c in fixed:
            if k in c.known_names:
                if c.key in self.authority.entries:
                    return f"'{m.name}' is a name of this entity in the authority file", c
                # the reason recorded when this name first joined, so that a rebuild writes the same triples
                why = c.reasons.get(m.name) or c.reasons.get(k, f"'{m.name}' is a name of this entity in the store")
                return why, c
        sk = skeleton(m.name)
        if len(sk.replace(" ", "")) >= MIN_SKELETON:
            for c in fixed:
                twin = next((n for n in sorted(c.known_names) if skeleton(n) == sk), None)
                if twin:
                    return f"'{m.name}' is a transliteration variant of '{twin}' (same key '{sk}')", c
        tokens = k.split()
        if m.type == "Person" and len(tokens) > 1:
            for c in fixed:
                full = [n for n in c.known_names if len(n.split()) > 1 and n.split()[-1] == tokens[-1]]
                lone = tokens[-1] in c.known_names
                if (lone or full) and all(given_names_agree(tokens, n.split()) for n in full):
                    return f"'{m.name}': surname '{tokens[-1]}' with given names or initials that agree", c
        return "", None

    def _group_new(self, pending: list[Mention]) -> None:
        groups: dict[tuple[str, str, str], Cluster] = {}
        for m in pending:
            bare = bare_institution(m)
            k = (m.type, name_key(m.name), m.doc_id if bare else "")
            if k not in groups:
                groups[k] = Cluster(type=m.type, document=m.doc_id if bare else None)
                self.clusters.append(groups[k])
            groups[k].add(m, f"'{m.name}': the bare name of an institution, one entity in this document only"
                          if bare else f"'{m.name}': every mention written so is one entity")

    def _notes(self) -> None:
        """Codenames and [SIC] notes: the text itself says two names are one."""
        for m in self.mentions:
            other = m.codename_of or m.spelled_also
            if not other:
                continue
            target = self._cluster_named(other, m.type)
            mine = self._cluster_of(m)
            if target and mine and target is not mine and not (target.key and mine.key and target.key != mine.key):
                why = (f"'{m.name} [{other}]': the bracket names whom '{m.name}' stands for (a codename or the full name)"
                       if m.codename_of
                       else f"'{m.name}': an editorial note says it is spelled '{other}' in later reports")
                self._join(target, mine, why)

    # ------------------------------------------------------------------ merging
    def _merge(self) -> None:
        """Join clusters pairwise, in passes until a pass joins nothing; only pairs that share a blocking
        key are compared, and a joined cluster goes on being compared with its new names."""
        changed = True
        while changed:
            changed = False
            by_block: dict[tuple[str, str], list[Cluster]] = defaultdict(list)
            for c in self.clusters:
                if c.mentions or c.key:
                    for block in _blocks(c):
                        by_block[(c.type, block)].append(c)
            seen: set[tuple[int, int]] = set()
            for _, clusters in sorted(by_block.items()):
                ordered = sorted(clusters, key=lambda c: (c.key is None, -sum(c.names.values()), c.label))
                for i, a in enumerate(ordered):
                    for b in ordered[i + 1:]:
                        pair = (id(a), id(b))
                        if pair in seen or not (a.mentions or a.key) or not b.mentions or (a.key and b.key):
                            continue
                        seen.add(pair)
                        why = self._why_same(a, b)
                        if why:
                            self._join(a, b, why)
                            changed = True

    def _why_same(self, a: Cluster, b: Cluster) -> str | None:
        if a.type == "Group" or a.type != b.type or a.document or b.document:
            return None  # collective actors join only by the authority file or the same name
        for x in sorted(n for n in a.all_names if n):  # a name of no letters can say nothing
            for y in sorted(n for n in b.names if n):
                why = self._names_same(x, y, a, b)
                if why:
                    return why
        return None

    def _names_same(self, x: str, y: str, a: Cluster, b: Cluster) -> str | None:
        tx, ty = x.split(), y.split()
        if len(tx) > 1 and len(ty) > 1 and not given_names_agree(tx, ty):
            return None
        sx, sy = skeleton(x), skeleton(y)
        if sx == sy and len(sx.replace(" ", "")) >= MIN_SKELETON and len(tx) == len(ty):
            return f"'{y}' is a transliteration variant of '{x}' (same key '{sx}')"
        if a.type == "Person" and tx[-1] == ty[-1] and (len(tx) == 1) != (len(ty) == 1):
            fuller = x if len(tx) > 1 else y
            if self._only_full_name_with_surname(tx[-1], fuller):
                return f"'{y}' and '{x}': a lone surname and the one full name in the corpus that ends in it"
        if a.type == "Person" and (len(tx) == 1) != (len(ty) == 1) and tx[0] == ty[0]:
            short, full = (b, a) if len(ty) == 1 else (a, b)
            if self._given_name_in_same_documents(short, full, tx[0]):
                return f"'{y}' and '{x}': a given name used alone in the documents that give the full name"
        if a.type == "Person" and len(tx) > 1 and len(ty) > 1 and tx[-1] == ty[-1] and given_names_agree(tx, ty):
            return f"'{y}' and '{x}': the same surname, given names or initials that agree"
        x_t, y_t = " ".join(map(transliterated, tx)), " ".join(map(transliterated, ty))
        if len(tx) == len(ty) and min(len(x_t), len(y_t)) >= 7:
            score = OSA.normalized_similarity(x_t, y_t)
            evidence = self._context(a, b)
            if score >= FUZZY and evidence:
                return f"'{y}' is a close spelling of '{x}' (similarity {score:.2f}) and {evidence}"
        return None

    def _given_name_in_same_documents(self, short: Cluster, full: Cluster, given: str) -> bool:
        """"Jamshid" after "Jamshid Keshaverz": every document of the short name has the full one, and no
        other full name there begins with that given name."""
        docs = {m.doc_id for m in short.mentions}
        if not docs or not docs <= {m.doc_id for m in full.mentions}:
            return False
        rivals = {id(c) for c in self.clusters if c.type == "Person" for m in c.mentions
                  if m.doc_id in docs and len(name_key(m.name).split()) > 1 and name_key(m.name).split()[0] == given}
        return rivals == {id(full)}

    def _only_full_name_with_surname(self, surname: str, fuller: str) -> bool:
        fulls = {n for c in self.clusters if c.type == "Person" for n in c.all_names
                 if len(n.split()) > 1 and n.split()[-1] == surname}
        owners = {id(c) for c in self.clusters for n in c.all_names if n in fulls}
        return len(owners) == 1

    def _context(self, a: Cluster, b: Cluster) -> str | None:
        """Evidence beyond the spelling: the same rank or office ("General"), not a courtesy ("Cde.").

        Being named in the same document is no evidence: a document that names both Beria and
        Biriya is talking about two men."""
        titles = {m.title.rstrip(".") for m in a.mentions if m.title} & {m.title.rstrip(".") for m in b.mentions if m.title}
        titles -= COURTESIES
        return f"both are called '{sorted(titles)[0]}'" if titles else None

    def _join(self, keep: Cluster, other: Cluster, why: str) -> None:
        if other.key and not keep.key:
            keep, other = other, keep
        for m in other.mentions:
            keep.add(m, why)
        keep.known_names |= other.known_names
        other.mentions, other.names, other.known_names = [], Counter(), set()
        self.clusters.remove(other)

    def _cluster_of(self, m: Mention) -> Cluster | None:
        return next((c for c in self.clusters if any(x is m for x in c.mentions)), None)

    def _cluster_named(self, name: str, type_: str) -> Cluster | None:
        k = name_key(name)
        return next((c for c in self.clusters if c.type == type_ and k in c.all_names), None)

    # ------------------------------------------------------------------ result
    def _entities(self) -> dict[str, Entity]:
        entities: dict[str, Entity] = {}
        for c in self.clusters:
            if not c.mentions:
                continue
            name = self._label(c) + (f" in {c.document}" if c.document else "")
            key = c.key or f"{TYPE_FOLDERS[c.type]}/{slug(name)}"
            while key in entities and not c.key:
                key += "-2"
            for m in c.mentions:
                m.entity = key
            entities[key] = self._entity(key, c)
        return entities

    def _label(self, c: Cluster) -> str:
        return preferred_label(Counter(m.name for m in c.mentions))

    def _entity(self, key: str, c: Cluster) -> Entity:
        names = dict(Counter(m.name for m in c.mentions))
        if key in self.authority.entries:
            return self.authority.entries[key].as_entity(names)
        if key in self.known:
            return Entity(key=key, type=self.known[key].type, label=self.known[key].label, names=names)
        return Entity(key=key, type=c.type, label=self._label(c), names=names)


def bare_institution(m: Mention) -> bool:
    """"The Majlis", "the Government" named alone: which body it is depends on the document."""
    return m.type == "Organization" and name_key(m.name) in INSTITUTION_HEADS


def _blocks(c: Cluster) -> set[str]:
    """Blocking keys: the start of the skeleton of each name's first and last token. The rules that join
    two clusters (same key, same surname or given name, a close spelling) need one in common, so other
    pairs are never compared."""
    return {skeleton(t)[:2] for n in c.all_names if n for t in {n.split()[0], n.split()[-1]}}


def resolve(mentions: list[Mention], known: dict[str, Entity] | None = None,
            authority: Authority | None = None) -> dict[str, Entity]:
    """Set `entity` and `resolution` on every mention; return the entities they resolve to, by key.

    `known` are the entities already in the store (key -> Entity with its names): a new document's
    variant attaches to them, and their keys (IRIs) never change.
    """
    return Resolver(mentions, known or {}, authority if authority is not None else load_authority()).run()


def preferred_label(names: Counter) -> str:
    """The most frequent spelling, preferring the fullest and then ordinary capitalisation over CAPITALS."""
    return max(names, key=lambda n: (names[n] + 0.5 * len(n.split()), not n.isupper(), -len(fold(n)), n))
