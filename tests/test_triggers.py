"""The trigger table: each trigger names its own relation, and the table is data that changes behaviour."""
from __future__ import annotations

import pytest

from extract.events import shortcuts
from extract.pipeline import Extractor, ExtractorConfig
from extract.triggers import TRIGGERS_FILE, Rules


def read(extractor, text: str):
    x = extractor.analyse_text(text, "1945-11-20", name="note")
    extractor.resolve([x])
    return x


def relations(x) -> set[tuple[str, str, str]]:
    return {t for e in x.events for t in shortcuts(e)}


@pytest.mark.parametrize("sentence, relation", [
    ("On 18 November Colonel Petrovsky reported to General Aliyev on the situation in Khoy.", "reportedTo"),
    ("On 18 November Colonel Petrovsky informed General Aliyev of the arrival of the troops.", "reportedTo"),
    ("On 18 November Colonel Petrovsky telegraphed General Aliyev about the clash.", "reportedTo"),
    ("On 18 November Colonel Petrovsky appealed to General Aliyev for help.", "appealedTo"),
    ("On 18 November Colonel Petrovsky turned to General Aliyev for permission.", "appealedTo"),
    ("On 18 November Colonel Petrovsky asked General Aliyev for instructions.", "appealedTo"),
    ("On 18 November Colonel Petrovsky advised General Aliyev to leave the city.", "sentMessageTo"),
    ("On 18 November Colonel Petrovsky ordered General Aliyev to withdraw.", "ordered"),
    ("On 18 November Colonel Petrovsky met General Aliyev in Khoy.", "metWith"),
    ("On 18 November Colonel Petrovsky arrested General Aliyev in Khoy.", "arrested"),
    ("On 18 November Colonel Petrovsky killed General Aliyev in Khoy.", "killed"),
    ("On 18 November Colonel Petrovsky attacked General Aliyev near Khoy.", "attacked"),
])
def test_the_relation_follows_the_trigger(extractor, sentence, relation):
    assert relations(read(extractor, sentence)) == {("person/petrovsky", relation, "person/aliyev")}


def test_the_table_is_data(extractor, tmp_path):
    """A row added to a copy of the table is a new trigger, for the extractor configured with it."""
    sentence = "On 18 November Colonel Petrovsky kidnapped General Aliyev in Khoy."
    assert not read(extractor, sentence).events
    table = tmp_path / "triggers.toml"
    table.write_text(TRIGGERS_FILE.read_text(encoding="utf-8")
                     + '\n[[verb]]\nlemmas = ["kidnap"]\ntype = "Arrest"\nrelation = "arrested"\n', encoding="utf-8")
    x = read(Extractor(ExtractorConfig(triggers_file=table)), sentence)
    assert [(e.type, e.lemma) for e in x.events] == [("Arrest", "kidnap")]
    assert relations(x) == {("person/petrovsky", "arrested", "person/aliyev")}


def test_a_bad_row_is_an_error_naming_the_file(tmp_path):
    table = tmp_path / "triggers.toml"
    table.write_text(TRIGGERS_FILE.read_text(encoding="utf-8") + '\n[[verb]]\nlemmas = ["x"]\ntype = "Party"\n')
    with pytest.raises(ValueError, match="triggers.toml.*'Party'"):
        Rules.load(table)


def test_places_from_the_clause_and_carried(extractor):
    x = read(extractor, "On 12 November the partisans attacked a gendarmerie post of the village of Tark. "
                        "In the same area they disarmed a platoon of Iranian soldiers.")
    attack = next(e for e in x.events if e.type == "Attack")
    assert [m.name for m in attack.places] == ["Tark"]  # nested in the object
    disarm = next(e for e in x.events if e.type == "Disarmament")
    assert [m.name for m in disarm.places] == ["Tark"]  # "in the same area"


def test_the_same_day_carries_the_date(extractor):
    x = read(extractor, "On 12 November the partisans seized the post office in Sarab. "
                        "On the same day they disarmed the Iranian gendarmes.")
    disarm = next(e for e in x.events if e.type == "Disarmament")
    assert (disarm.date_iso, disarm.date_text) == ("1945-11-12", "On the same day")


def test_units_ranks_and_notes_are_names(extractor):
    x = read(extractor, "The 2nd Guards Infantry Division arrived in the Ahar region. Serhang Zangeneh met "
                        "Seyyed Ziaeddin. [Translator's note: General Tyulenev commanded the front.]")
    found = {(m.text, m.type) for m in x.mentions}
    assert {("2nd Guards Infantry Division", "Group"), ("Ahar", "Place"), ("Zangeneh", "Person"),
            ("Seyyed Ziaeddin", "Person"), ("Tyulenev", "Person")} <= found
    assert next(m.title for m in x.mentions if m.text == "Zangeneh") == "Serhang"


@pytest.mark.parametrize("sentence", [
    "On 18 November Colonel Petrovsky called on General Aliyev.",
    "On 18 November Colonel Petrovsky received General Aliyev.",
])
def test_meetings_named_by_their_object(extractor, sentence):
    assert relations(read(extractor, sentence)) == {("person/petrovsky", "metWith", "person/aliyev")}


def test_receiving_a_thing_is_no_meeting(extractor):
    assert not read(extractor, "On 18 November Colonel Petrovsky received the weapons.").events


def test_offices_written_before_the_name(extractor):
    x = read(extractor, "Soviet Ambassador to Iran Ivan Sadchikov reports that Prime Minister of Iran Qavam left. "
                        "Lozovsky wrote to President of the People's Government of Azerbaijan Ja'far Pishevari.")
    roles = {(r.holder.entity, r.role, r.place and r.place.name, r.organization and r.organization.name) for r in x.roles}
    assert ("person/sadchikov", "Soviet Ambassador", "Iran", None) in roles
    assert ("person/qavam", "Prime Minister", "Iran", None) in roles
    assert ("person/pishevari", "President", None, "People's Government of Azerbaijan") in roles


def test_where_troops_went_and_places_referred_to(extractor):
    x = read(extractor, "The partisans entered Mianeh. They seized a number of rifles at the railroad station there. "
                        "The withdrawal of Soviet troops from northern Iran began on 2 March.")
    entered, withdrawal = (e for e in x.events if e.type == "TroopMovement")
    assert entered.destination.name == "Mianeh"
    assert withdrawal.origin.name == "Iran" and not withdrawal.places
    seizure = next(e for e in x.events if e.type == "Seizure")
    assert [m.name for m in seizure.places] == ["Mianeh"]  # "there": the place named last in the paragraph


def test_roles_said_with_be_as_and_commas(extractor):
    x = read(extractor, "Qavam was Minister of Internal Affairs in 1908. The Ambassador paid a visit to Kashani as "
                        "Chairman of the Majlis. He came on a mission of the Chairman of the Iranian Majlis, Tabatabai, "
                        "and left.")
    roles = {(r.holder.name, r.role) for r in x.roles}
    assert {("Qavam", "Minister of Internal Affairs"), ("Kashani", "Chairman of the Majlis"),
            ("Tabatabai", "Chairman of the Iranian Majlis")} <= roles
    assert ("Tabatabai", "Person") in {(m.name, m.type) for m in x.mentions}  # named after its office


def test_deeds_with_their_place_stand_without_named_participants(extractor):
    x = read(extractor, "On 2 April the criminals were arrested and kept under guard in Tabriz. "
                        "Orders have been given to our people. The guards might arrest someone in Khoy.")
    arrest = next(e for e in x.events if e.type == "Arrest")
    assert [m.name for m in arrest.places] == ["Tabriz"] and not arrest.patients
    assert any(e.type == "Order" for e in x.events)
    assert not any(e.type == "Arrest" and "Khoy" in e.evidence.text for e in x.events)  # hypothetical


def test_a_message_named_with_its_sender_is_a_communication(extractor):
    x = read(extractor, "A telegram from General Aliyev to Stalin reached Moscow on 18 November. "
                        "According to a report from Tabriz the city is calm.")
    [telegram] = [e for e in x.events if e.type == "Communication"]
    assert ([m.entity for m in telegram.agents], [m.entity for m in telegram.recipients]) == (
        ["person/aliyev"], ["person/stalin"])
    assert ("person/aliyev", "reportedTo", "person/stalin") in relations(x)


def test_a_document_is_not_its_own_second_communication(extractor):
    x = extractor.analyse_text("891.00/3–1746: Telegram\n\nThe Ambassador in Iran (Murray) to the Secretary of State\n\n"
                               "352. The telegram of Murray was sent late.\n", "1946-03-17", name="frus")
    assert [e.rule for e in x.events if e.type == "Communication"] == ["document-structure"]


def test_offices_in_titles_and_after_the_name(extractor):
    x = read(extractor, "Decree of the CC CPSU Politburo to Mir Bagirov CC Secretary of the Communist Party of "
                        "Azerbaijan, on measures.")
    assert {(r.holder.entity, r.role) for r in x.roles} == {("person/bagirov", "Secretary of the Communist Party")}


def test_the_writer_as_written(extractor):
    """FRUS and Soviet cables: "I replied to Qavam", "I saw Qavam" (seeds/corpus2/212, 215): the event stands,
    its agent kept as written and no relation invented."""
    x = read(extractor, "On 2 October I replied to Qavam that the elections were late. I saw Qavam yesterday.")
    assert sorted((e.type, tuple(e.agents_as_written)) for e in x.events) == [
        ("Communication", ("I",)), ("Meeting", ("I",))]
    assert not relations(x)


def test_what_the_document_says_of_itself_and_what_is_asked_for_are_no_events(extractor):
    """"We report information about Iranian Azerbaijan as of 2200 22 November" (seed 000); "regarding withdrawal
    of troops" (seeds/corpus2/207) is a topic, "following the withdrawal of Soviet troops" a deed."""
    x = read(extractor, "We report information about Iranian Azerbaijan as of 2200 22 November. He spoke regarding "
                        "withdrawal of troops. Riots began following the withdrawal of Soviet troops.")
    assert [(e.type, e.trigger) for e in x.events] == [("TroopMovement", "withdrawal")]
    assert "following" in x.events[0].evidence.text
