"""Names as written -> comparable keys: honorifics and ranks off, possessives off, romanized and folded."""
from __future__ import annotations

import re
from functools import lru_cache

import iuliia
from anyascii import anyascii

# Honorifics, ranks and offices written before a name. Longest first so "General-Major" beats "General".
TITLES = sorted([
    "Cde.", "Cdes.", "Cde", "Cdes", "Comrade", "Comrades", "Mr.", "Mrs.", "Ms.", "Dr.", "Sir",
    "General", "General-Major", "General-Lieutenant", "General-Colonel", "General of the Army",
    "Lt. Col.", "Lt.-Col.", "Lieutenant Colonel", "Lieutenant-Colonel", "Lieutenant", "Lt.",
    "Colonel", "Col.", "Captain", "Capt.", "Major", "Maj.", "Marshal", "Admiral", "Sergeant",
    "Consul", "Vice-Consul", "Vice Consul", "Consul General", "Ambassador", "Attaché", "Attache",
    "Prime Minister", "Minister", "Premier", "President", "Chairman", "Secretary", "Deputy",
    "Commissar", "Commander", "Chief", "Governor", "Shah", "King", "Prince", "Princess", "Queen",
    # Persian ranks as the documents write them: colonel, brigadier, major general, major, captain
    "Serhang", "Sarhang", "Sartip", "Sarlashkar", "Sargord", "Sarvan", "Sepahbod",
], key=len, reverse=True)
TITLE_WORDS = {w.lower().rstrip(".") for t in TITLES for w in t.split()} - {"of", "the"} | {"cde", "cdes"}

# Head words of institutions: "the Majlis", "the Government" named alone mean a different body in each document.
INSTITUTION_HEADS = {"party", "committee", "council", "government", "ministry", "congress", "assembly", "majlis",
                     "embassy", "consulate", "bureau", "politburo", "directorate", "commissariat", "staff", "union",
                     "organization", "front", "league", "society", "program", "foundation", "court", "tribunal",
                     "govt"}

# Nouns of office: an apposition or compound with one of these states a role ("the British consul in Tabriz").
ROLE_NOUNS = {"consul", "vice-consul", "attaché", "attache", "ambassador", "minister", "commander", "deputy",
              "chairman", "governor", "secretary", "commissar", "commandant", "chief", "head", "leader",
              "organizer", "president", "premier", "director", "representative", "counsellor", "counselor",
              "correspondent", "publisher", "editor", "chargé", "charge", "envoy", "shah"}

_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")
_BRACKETS = re.compile(r"\[[^\]]*\]")


@lru_cache(maxsize=65536)
def strip_title(name: str) -> tuple[str, str | None]:
    """("General Derakhshani") -> ("Derakhshani", "General"); repeated titles ("General-Major Cde. X") too."""
    found: list[str] = []
    rest = name.strip()
    changed = True
    while changed:
        changed = False
        for title in TITLES:
            if rest.lower().startswith(title.lower()) and len(rest) > len(title) and rest[len(title)] in " \u00a0[":
                found.append(rest[: len(title)])
                rest = rest[len(title):].lstrip(" \u00a0")
                changed = True
                break
    return rest, (" ".join(found) or None)


@lru_cache(maxsize=65536)
def clean_name(name: str) -> str:
    """The name as a person would cite it: no title, no brackets around it, no possessive."""
    name, _ = strip_title(name)
    name = name.strip()
    if name.startswith("[") and name.endswith("]") and name.count("[") == 1:
        name = name[1:-1]
    name = _BRACKETS.sub("", name).strip()
    return _POSSESSIVE.sub("", name).strip(" ,.;:")


CYRILLIC = re.compile(r"[\u0400-\u052f]+(?:[\s’'-]+[\u0400-\u052f]+)*")
# Azerbaijani Latin letters as English transliteration writes them; "ə" marks a word as Azerbaijani,
# and only there are "x" and "c" the sounds kh and j ("Xəlil" Khalil, "Cəfər" Jafar, "Pişəvəri" Pishevari).
AZERBAIJANI_LETTERS = str.maketrans({"ə": "a", "Ə": "A", "ş": "sh", "Ş": "Sh", "ç": "ch", "Ç": "Ch",
                                     "ğ": "gh", "Ğ": "Gh", "ı": "i", "İ": "I"})
AZERBAIJANI_WORD = re.compile(r"\w*[əƏ]\w*")
AZERBAIJANI_CONSONANTS = str.maketrans({"x": "kh", "X": "Kh", "c": "j", "C": "J"})


@lru_cache(maxsize=65536)
def romanize(text: str) -> str:
    """Any script to plain ASCII as English-language sources spell names.

    Cyrillic by the Wikipedia (BGN/PCGN-style) romanization of Russian ('Пишевари' -> 'Pishevari',
    'Джафар' -> 'Dzhafar'), Azerbaijani Latin by its English equivalents ('Pişəvəri' -> 'Pishavari'),
    everything else by anyascii ('Mīāneh' -> 'Mianeh'). Never empty for text with letters in it.
    """
    text = CYRILLIC.sub(lambda m: iuliia.WIKIPEDIA.translate(m.group()), text)
    text = AZERBAIJANI_WORD.sub(lambda m: m.group().translate(AZERBAIJANI_CONSONANTS), text)
    return anyascii(text.translate(AZERBAIJANI_LETTERS))


def fold(text: str) -> str:
    """Romanized and lower-cased, apostrophes dropped: 'Yemel’yanov' -> 'yemelyanov', 'Багиров' -> 'bagirov'."""
    return re.sub(r"['`]", "", romanize(text)).lower()


def ascii_slug(text: str, empty: str) -> str:
    """The [a-z0-9-] slug of any text (IRI paths, file ids); `empty` when nothing of it can be spelled."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-") or empty


def name_key(name: str) -> str:
    """The exact-match key of a name: cleaned, folded, punctuation to single spaces."""
    return " ".join(re.findall(r"[a-z0-9]+", fold(clean_name(name))))


def initials_surname(name: str) -> str | None:
    """"M.D. Bagriov" -> "Bagriov": the surname of a name whose other parts are initials, else None."""
    parts = name.replace(".", ". ").split()
    if len(parts) > 1 and all(re.fullmatch(r"[A-Z]\.", p) for p in parts[:-1]):
        return parts[-1]
    return None


MIN_SKELETON = 4  # skeletons shorter than this ("rzn", "br") say too little to merge on
# Spelling correspondences of Russian and Persian names in English transliteration.
TRANSLITERATIONS = [("dzh", "j"), ("kh", "k"), ("gh", "g"), ("zh", "j"), ("dj", "j"), ("ph", "f"), ("ck", "k"),
                    ("q", "k"), ("w", "v"), ("y", "i"), ("ou", "u"), ("ee", "i")]


@lru_cache(maxsize=None)
def transliterated(token: str) -> str:
    """A token in one spelling of many: 'Bageroff' -> 'bagerov', 'Derakhshani' -> 'derakshani'."""
    t = fold(token)
    for a, b in TRANSLITERATIONS:
        t = t.replace(a, b)
    t = re.sub(r"ff$", "v", t)
    return re.sub(r"(.)\1+", r"\1", t)


@lru_cache(maxsize=None)
def skeleton(name: str) -> str:
    """First letter and consonants of each token, after transliteration: vowels drift, consonants stay.

    A final vowel stays too: it tells Ivanov from his wife Ivanova, Korovinskiy from Korovinskaya."""
    return " ".join(t[0] + re.sub(r"[aeiou]", "", t[1:-1]) + t[-1] if len(t) > 1 else t
                    for t in map(transliterated, name_key(name).split()) if t)
