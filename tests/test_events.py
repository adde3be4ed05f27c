"""Event and role rules, each on a real sentence of the seeds and on an invented sentence of the same shape."""
from __future__ import annotations

from pathlib import Path

import pytest

from extract.events import shortcuts

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def read(extractor, text: str, date: str = "1945-11-20"):
    """The real pipeline on a plain text of that date, resolved on its own."""
    x = extractor.analyse_text(text, date, name="note")
    extractor.resolve([x])
    return x


def by_type(x, type_):
    return [e for e in x.events if e.type == type_]


def names(mentions):
    return sorted({m.entity for m in mentions})


@pytest.fixture(scope="module")
def seed_telegrams(extractor):
    xs = [extractor.analyse_file(SEEDS / "000_9af72bc09fc97839.txt"), extractor.analyse_file(SEEDS / "001_16b4ceed8b7928de.txt")]
    extractor.resolve(xs)
    return {x.file.file_id: x for x in xs}


def test_passive_nominal_and_the_latter_real(seed_telegrams):
    x = seed_telegrams["001-16b4ceed8b7928de"]
    disarm = next(e for e in by_type(x, "Disarmament") if "was also disarmed by the latter" in e.evidence.text)
    assert names(disarm.agents) == ["group/azerbaijani-partisans"]  # "by the latter"
    assert "group/iranian-troops" in names(disarm.patients)  # "a platoon of Iranian soldiers was also disarmed"
    assert "group/iranian-gendarmes" in names(disarm.patients)  # "the disarmament of a gendarmerie post"
    assert (disarm.date_iso, disarm.date_precision) == ("1945-11-17", "day")  # not the 19 November of the report
    assert ("group/azerbaijani-partisans", "disarmed", "group/iranian-troops") in shortcuts(disarm)


def test_passive_and_nominal_invented(extractor):
    x = read(extractor, "On 12 November during the arrest of a gendarmerie officer in the city of Khoy, "
                       "a company of Iranian soldiers was disarmed by the Kurdish partisans.\n")
    [disarm] = by_type(x, "Disarmament")
    assert names(disarm.agents) == ["group/kurdish-partisans"]
    assert names(disarm.patients) == ["group/iranian-troops"]
    assert disarm.date_iso == "1945-11-12"


def test_pronoun_in_the_paragraph_real(seed_telegrams):
    x = seed_telegrams["000-9af72bc09fc97839"]
    [martial] = by_type(x, "MartialLaw")
    assert names(martial.agents) == ["person/derakhshani"]  # "he", resolved in the same paragraph
    assert names(martial.places) == ["place/tabriz"]
    assert martial.date_iso == "1945-11-22"
    assert martial.confidence < 0.8  # resolved from a pronoun


def test_pronoun_never_crosses_a_paragraph(extractor):
    x = read(extractor, "On 2 November Colonel Petrovsky arrived in Tabriz.\n\n"
                       "On 3 November he arrested the governor of Khoy.\n")
    assert not any(e.agents for e in by_type(x, "Arrest"))


def test_coordinated_election_real_and_invented(seed_telegrams, extractor):
    [_, presidium] = sorted(by_type(seed_telegrams["000-9af72bc09fc97839"], "Election"), key=lambda e: e.evidence.start)
    assert names(presidium.patients) == ["person/biriya", "person/ilhami", "person/rafii", "person/shabestari"]
    assert presidium.date_iso == "1945-11-22"
    x = read(extractor, "A meeting of the committee was held on 5 December where a bureau composed of "
                       "Kasimov, Aliyev, and Guseinov were elected.\n")
    [bureau] = by_type(x, "Election")
    assert names(bureau.patients) == ["person/aliyev", "person/guseinov", "person/kasimov"]


def test_turned_to_is_an_appeal_real_and_invented(seed_telegrams, extractor):
    requests = by_type(seed_telegrams["001-16b4ceed8b7928de"], "Communication")
    glinsky = next(e for e in requests if "person/glinsky" in names(e.recipients))
    assert names(glinsky.agents) == ["person/derakhshani"]
    minister = next(e for e in requests if "person/razin" in names(e.recipients))
    assert "The Minister of War of Iran" in minister.agents_as_written
    x = read(extractor, "On 4 May General Aliyev turned to Colonel Petrovsky for permission to cross the river.\n")
    [request] = by_type(x, "Communication")
    assert (names(request.agents), names(request.recipients)) == (["person/aliyev"], ["person/petrovsky"])
    assert ("person/aliyev", "appealedTo", "person/petrovsky") in shortcuts(request)


def test_what_did_not_happen_is_no_event(seed_telegrams, extractor):
    x = seed_telegrams["000-9af72bc09fc97839"]
    assert not by_type(x, "Arrest")  # "for the purpose of arresting them"
    x = read(extractor, "The governor might arrest Colonel Petrovsky. The partisans did not disarm the gendarmes. "
                       "The command intends to send the Iranian troops to Tabriz.\n")
    assert not x.events


def test_roles_from_appositions_real_and_invented(seed_telegrams, extractor):
    roles = {(r.holder.entity, r.role, r.place.entity if r.place else None)
             for x in seed_telegrams.values() for r in x.roles}
    assert ("person/wall", "British consul", "place/tabriz") in roles
    assert ("person/glinsky", "commander of Soviet troops", "place/tabriz") in roles
    assert any(holder == "person/razin" and "attaché" in role for holder, role, _ in roles)
    commanded = [r for x in seed_telegrams.values() for r in x.roles if r.commands]
    assert [(r.holder.entity, r.commands.entity) for r in commanded] == [("person/glinsky", "group/soviet-troops")]
    x = read(extractor, "Petrovsky, the Soviet consul in Rasht, met the governor on 9 May.\n")
    assert [(r.holder.entity, r.role, r.place.entity) for r in x.roles] == [("person/petrovsky", "Soviet consul", "place/rasht")]
