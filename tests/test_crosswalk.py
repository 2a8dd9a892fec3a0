"""Crosswalks from ORUK taxonomy terms (esd lists, OpenActive) to need categories."""

from __future__ import annotations

import csv
import re

import pytest

from asset_map import TaxonomyError, load_taxonomy
from asset_map.categories.crosswalk import (
    CROSSWALK_COLUMNS,
    RULES,
    Crosswalk,
    Term,
    load_crosswalk,
    split_term_id,
    vocabulary_key,
)
from asset_map.categories.taxonomy import Taxonomy

TAXONOMY = load_taxonomy()
SHIPPED = load_crosswalk()
HEADER = "vocabulary,term_id,term_name,category,note\n"

OA = "https://openactive.io/activity-list#"
OA_WALKING = "95092977-5a20-4d6e-b312-8fddabe71544"
OA_FOOTBALL = "0a5f732d-e806-4e51-ad40-0a7de0239c8c"
OA_YOGA = "bf1a5e00-cdcf-465d-8c5a-6f57040b7f7e"
OA_DANCE = "6ca15167-51da-4d91-a1ae-8a45dc47b0ea"
OA_CRECHE = "c640bd71-fe4e-40ed-95f9-530f465afc30"
OA_GARDENING = "5b880e93-4a16-4c37-86ac-ba2ffba68358"
ESD_SERVICE = "http://id.esd.org.uk/service/"
ESD_NEED = "http://id.esd.org.uk/need/"


def write(tmp_path, text: str, name: str = "crosswalk.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def error_of(path, taxonomy=None) -> str:
    with pytest.raises(TaxonomyError) as info:
        load_crosswalk(path, taxonomy)
    message = str(info.value)
    assert "\n" not in message
    return message


# ------------------------------------------------------------ the shipped crosswalk
def test_shipped_crosswalk_loads_with_valid_categories_and_sources():
    assert isinstance(SHIPPED, Crosswalk)
    assert SHIPPED.source == "oruk_crosswalk.csv"
    assert 150 <= len(SHIPPED) <= 300
    ids = set(TAXONOMY.ids)
    for entry in SHIPPED.entries:
        assert entry.ids and set(entry.ids) <= ids, entry
        assert entry.term_id or entry.term_name, entry
        assert entry.note, f"row {entry.row} does not say where it comes from"
    assert set(SHIPPED.vocabularies) == {"esdServiceTypes", "esdNeeds", "openActiveActivity"}


def test_shipped_crosswalk_ids_are_well_formed_uris():
    uuid = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
    for entry in SHIPPED.entries:
        if entry.vocabulary == "openActiveActivity":
            assert entry.term_id.startswith(OA) and uuid.fullmatch(entry.term_id[len(OA):]), entry
        elif entry.vocabulary == "esdServiceTypes":
            assert re.fullmatch(r"http://id\.esd\.org\.uk/service/\d+", entry.term_id), entry
        else:
            assert re.fullmatch(r"http://id\.esd\.org\.uk/need/\d+", entry.term_id), entry


def test_shipped_openactive_activities_are_physical_activity_but_a_few():
    not_physical = {e.term_name for e in SHIPPED.entries
                    if e.vocabulary == "openActiveActivity" and "physical_activity" not in e.ids}
    # Things on the Activity List that are not exercise.
    assert not_physical == {"Acting", "Creche", "Drumming", "Early Years Play", "Forest School", "Gardening",
                            "Meditation", "Singing", "Soft Play"}


def test_shipped_file_reads_as_plain_csv_with_the_documented_columns():
    from importlib import resources

    text = resources.files("asset_map").joinpath("data/oruk_crosswalk.csv").read_text("utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    assert list(rows[0]) == [*CROSSWALK_COLUMNS, "note"]
    assert len(rows) == len(SHIPPED)


# ------------------------------------------------------------ real terms map as a person expects
@pytest.mark.parametrize("vocabulary, term_id, name, expected", [
    ("openActiveActivity", OA + OA_WALKING, "Walking", ("physical_activity",)),
    ("openActiveActivity", OA + OA_FOOTBALL, "Football", ("physical_activity",)),
    ("openActiveActivity", OA + OA_YOGA, "Yoga", ("physical_activity",)),
    ("openActiveActivity", OA + OA_DANCE, "Dance", ("physical_activity", "arts_culture")),
    ("openActiveActivity", OA + OA_CRECHE, "Creche", ("children_families",)),
    ("openActiveActivity", OA + OA_GARDENING, "Gardening", ("nature_green_space",)),
    ("esdNeeds", ESD_NEED + "69", "Social inclusion", ("loneliness_isolation",)),
    ("esdNeeds", ESD_NEED + "71", "Community facilities", ("community_spaces",)),
    ("esdServiceTypes", ESD_SERVICE + "1806", "Social clubs and groups", ("loneliness_isolation",)),
    ("esdServiceTypes", ESD_SERVICE + "298", "Carers support groups", ("carers",)),
    ("esdServiceTypes", ESD_SERVICE + "1818", "Food banks", ("food_cooking",)),
    ("esdServiceTypes", ESD_SERVICE + "1284", "Mental health support", ("mental_wellbeing",)),
    ("esdServiceTypes", ESD_SERVICE + "1789", "Exercise and fitness classes", ("physical_activity",)),
    ("esdServiceTypes", ESD_SERVICE + "328", "Bereavement support", ("bereavement",)),
])
def test_real_terms_map_by_vocabulary_and_id(vocabulary, term_id, name, expected):
    match = SHIPPED.match(Term(vocabulary, term_id, name))
    assert match is not None and match.ids == expected
    assert match.rule == "vocabulary and id"
    # The id decides on its own: a feed may leave the name out.
    assert SHIPPED.map(Term(vocabulary, term_id, None)) == expected


def test_the_id_decides_over_a_misleading_name():
    # A feed's own spelling of the label does not matter when the id is known.
    assert SHIPPED.map(Term("esdServiceTypes", ESD_SERVICE + "1818", "Carers")) == ("food_cooking",)


# ------------------------------------------------------------ ids: URI, bare, CURIE; vocabulary spellings
@pytest.mark.parametrize("term_id", [
    OA + OA_WALKING,
    OA_WALKING,
    OA_WALKING.upper(),
    "openActiveActivity:" + OA_WALKING,
    "https://openactive.io/activity-list/#" + OA_WALKING,
])
def test_uri_bare_and_curie_ids_are_the_same_term(term_id):
    assert SHIPPED.map(Term("openActiveActivity", term_id, None)) == ("physical_activity",)


@pytest.mark.parametrize("vocabulary", ["esdServiceTypes", "esdServiceType", "ESDSERVICETYPES", "esd service types",
                                        "esd-service-types"])
def test_vocabulary_is_compared_ignoring_case_punctuation_and_plural(vocabulary):
    match = SHIPPED.match(Term(vocabulary, "298", None))
    assert match.ids == ("carers",) and match.rule == "vocabulary and id"


def test_curie_prefix_stands_in_for_a_missing_vocabulary():
    assert SHIPPED.map(Term(None, "esdServiceType:242", None)) == ("older_people_independence",)
    assert SHIPPED.map(Term("", "esdNeed:69", None)) == ("loneliness_isolation",)


def test_id_alone_when_unambiguous():
    # A full URI names one term whatever the feed calls the vocabulary, http or https.
    match = SHIPPED.match(Term("esd standards", "https://id.esd.org.uk/service/1806", None))
    assert match.ids == ("loneliness_isolation",) and match.rule == "id"
    # An OpenActive id is found in one vocabulary only.
    match = SHIPPED.match(Term(None, OA_WALKING, None))
    assert match.ids == ("physical_activity",) and match.rule == "id"
    match = SHIPPED.match(Term("OpenActive Activity List", OA + OA_YOGA, None))
    assert match.ids == ("physical_activity",) and match.rule == "id"


def test_plain_numbers_never_match_without_their_vocabulary():
    # Every list numbers its terms: a council's service type 71 is not esd need 71.
    assert SHIPPED.map(Term(None, "71", None)) is None
    assert SHIPPED.map(Term("BCC Services", "bccservicetype:71", None)) is None
    assert SHIPPED.map(Term("esdCircumstances", "69", None)) is None


def test_split_term_id_and_vocabulary_key():
    assert split_term_id(ESD_SERVICE + "1806") == ("", "1806", "id.esd.org.uk/service/1806")
    assert split_term_id(" esdServiceType:242 ") == ("esdservicetype", "242", "")
    assert split_term_id("circumstance:Gender_Female") == ("circumstance", "gender_female", "")
    assert split_term_id(OA + OA_WALKING.upper()) == ("", OA_WALKING, "openactive.io/activity-list#" + OA_WALKING)
    assert split_term_id("") == ("", "", "")
    assert split_term_id(None) == ("", "", "")
    assert vocabulary_key("openActiveActivities") == vocabulary_key("openActiveActivity") == "openactiveactivity"
    assert vocabulary_key("esd Needs") == "esdneed"
    assert vocabulary_key(None) == ""


# ------------------------------------------------------------ names and the taxonomy's own words
def test_name_within_the_vocabulary_when_the_id_is_unknown():
    match = SHIPPED.match(Term("esdServiceTypes", ESD_SERVICE + "99999", "Food Banks"))
    assert match.ids == ("food_cooking",) and match.rule == "name in vocabulary"
    # An old label of an id (641 was "Sports club directory" in older feeds).
    assert SHIPPED.map(Term("esdServiceTypes", None, "Sports club directory")) == ("physical_activity",)


def test_name_across_vocabularies():
    match = SHIPPED.match(Term("Bristol services", "bcc:12", "Walking football"))
    assert match.ids == ("physical_activity",) and match.rule == "name"
    assert match.entry.vocabulary == "openActiveActivity"
    assert SHIPPED.map(Term(None, None, "Zumba® Gold")) == ("physical_activity", "older_people_independence")


def test_taxonomy_words_decide_local_terms():
    match = SHIPPED.match(Term("Trafford Directory", "td:7", "Carers"))
    assert match.ids == ("carers",) and match.rule == "taxonomy" and match.entry is None
    assert SHIPPED.map(Term(None, None, "Lunch clubs")) == ("loneliness_isolation",)
    assert SHIPPED.map(Term("Local", None, "Dementia Friendly")) == ("dementia",)


def test_the_given_taxonomy_decides_local_terms(tmp_path):
    small = Taxonomy.from_rows([
        {"id": "carers", "label": "Carers", "catchment_m": 2000, "target_population": "16+",
         "synonyms": "carers; carer; cuppa club"},
    ], source="small")
    path = write(tmp_path, HEADER + "esdServiceTypes,298,Carers support groups,carers,\n")
    crosswalk = load_crosswalk(path, small)
    assert crosswalk.map(Term("Local", None, "Cuppa club")) == ("carers",)
    assert crosswalk.map(Term("Local", None, "Lunch club")) is None  # not a word of this taxonomy


def test_unmapped_terms():
    assert SHIPPED.map(Term("BCC Services", "bccservicetype:413", "Bingo")) is None
    assert SHIPPED.map(Term("esdCircumstances", "circumstance:192", "Male")) is None
    assert SHIPPED.map(Term(None, None, None)) is None
    assert SHIPPED.map(Term("esdServiceTypes", "", "  ")) is None
    assert SHIPPED.match(Term("openActiveActivity", OA + "00000000-0000-0000-0000-000000000000", None)) is None


# ------------------------------------------------------------ a council's own crosswalk
def test_a_replacement_crosswalk_is_used_instead_of_the_shipped_one(tmp_path):
    path = write(tmp_path, "\ufeff" + HEADER
                 + "Trafford Directory,td:7,Men's sheds,loneliness_isolation; nature_green_space,our list\n"
                 + "openActiveActivity,," "Walking,nature_green_space,we count walks as green space\n"
                 + "\n"
                 + ",,Knit and natter,arts_culture;loneliness_isolation,any vocabulary\n"
                 + "Trafford Directory,td:7,Mens shed,loneliness_isolation;nature_green_space,same term again\n")
    crosswalk = load_crosswalk(path)
    assert crosswalk.source == "crosswalk.csv"
    assert len(crosswalk) == 4
    assert crosswalk.map(Term("Trafford Directory", "TD:7", None)) == ("loneliness_isolation", "nature_green_space")
    # Without the vocabulary the CURIE prefix "td" is not "Trafford Directory", and 7 is a plain number.
    assert crosswalk.map(Term(None, "td:7", None)) is None
    assert crosswalk.map(Term("openActiveActivities", OA + OA_WALKING, "Walking")) == ("nature_green_space",)
    assert crosswalk.map(Term("Anything", "x", "Knit & Natter")) == ("arts_culture", "loneliness_isolation")
    # The shipped rows are not there: an OpenActive id without a name is unmapped.
    assert crosswalk.map(Term("openActiveActivity", OA + OA_YOGA, None)) is None
    # The taxonomy still decides what no row does.
    assert crosswalk.map(Term("Trafford Directory", "td:8", "Food bank")) == ("food_cooking",)


def test_category_ids_are_read_in_any_case_once_each(tmp_path):
    path = write(tmp_path, HEADER + "v,1,x,Carers;carers; ;DEMENTIA,\n")
    assert load_crosswalk(path).map(Term("v", "1", None)) == ("carers", "dementia")


def test_names_giving_different_categories_decide_nothing(tmp_path):
    path = write(tmp_path, HEADER + "a,1,Club,carers,\nb,2,Club,dementia,\n")
    crosswalk = load_crosswalk(path)
    assert crosswalk.map(Term("a", None, "Club")) == ("carers",)
    assert crosswalk.map(Term("c", None, "Club")) is None


def test_windows_csv_is_read(tmp_path):
    path = write(tmp_path, HEADER + "Local,,Café club,loneliness_isolation,£2\n", encoding="cp1252")
    crosswalk = load_crosswalk(path)
    assert crosswalk.map(Term("Local", None, "Cafe club")) == ("loneliness_isolation",)
    assert crosswalk.entries[0].note == "£2"


def test_columns_are_found_in_any_case_and_order(tmp_path):
    path = write(tmp_path, " Category ,TERM_NAME,Term_ID,Vocabulary\ncarers,Carer cafés,7,local\n")
    assert load_crosswalk(path).map(Term("Local", "7", None)) == ("carers",)


# ------------------------------------------------------------ every error, one line, naming file, row and column
def test_error_missing_file(tmp_path):
    message = error_of(tmp_path / "nope.csv")
    assert message == f"{tmp_path / 'nope.csv'}: no such crosswalk file"


def test_error_folder(tmp_path):
    assert error_of(tmp_path) == f"{tmp_path}: is a folder, not a crosswalk file"


def test_error_not_text(tmp_path):
    path = tmp_path / "crosswalk.csv"
    path.write_bytes(b"vocabulary,term_id,term_name,category\n\x81\x8d,1,x,carers\n")
    assert error_of(path) == ("crosswalk.csv: neither UTF-8 nor Windows (cp1252) text; save the crosswalk as "
                              "CSV UTF-8")


@pytest.mark.parametrize("header, missing", [
    ("vocabulary,term_id,term_name\n", "category"),
    ("word,category\n", "vocabulary, term_id, term_name"),
    ("", "vocabulary, term_id, term_name, category"),
])
def test_error_missing_columns(tmp_path, header, missing):
    message = error_of(write(tmp_path, header))
    assert message == (f"crosswalk.csv: missing column(s) {missing}; a crosswalk needs the columns vocabulary, "
                       "term_id, term_name and category (note is optional)")


def test_error_unknown_category(tmp_path):
    path = write(tmp_path, HEADER + "v,1,a,carers,\nv,2,b,physical_activity;sport,\n")
    assert error_of(path) == (
        "crosswalk.csv, row 3, column 'category': 'sport' is not a category id of the taxonomy (did you mean "
        "'physical_activity'?); write category ids (`asset-map taxonomy show` lists them), several separated "
        "by ';'"
    )


def test_error_unknown_category_without_a_suggestion(tmp_path):
    message = error_of(write(tmp_path, HEADER + "v,1,a,zzz,\n"))
    assert message.startswith("crosswalk.csv, row 2, column 'category': 'zzz' is not a category id of the "
                              "taxonomy; write category ids")


def test_error_categories_are_checked_against_the_given_taxonomy():
    small = Taxonomy.from_rows([
        {"id": "carers", "label": "Carers", "catchment_m": 2000, "target_population": "16+", "synonyms": "carer"},
    ], source="small")
    message = error_of(None, small)
    assert message.startswith("oruk_crosswalk.csv, row 2, column 'category': 'loneliness_isolation' is not a "
                              "category id of the taxonomy")


def test_error_empty_category(tmp_path):
    path = write(tmp_path, HEADER + "v,1,a,carers,\nv,2,Bingo, ; ,not a need\n")
    assert error_of(path) == (
        "crosswalk.csv, row 3, column 'category': empty; give the category id (several separated by ';'), or "
        "delete the row if the term means none of the categories"
    )


def test_error_term_without_id_or_name(tmp_path):
    path = write(tmp_path, HEADER + "esdNeeds,,,carers,oops\n")
    assert error_of(path) == ("crosswalk.csv, row 2, column 'term_id': empty, and so is column 'term_name'; "
                              "give the term's id or its name, or delete the row")
    # A CURIE prefix with nothing after it is no id either.
    path = write(tmp_path, HEADER + "esdNeeds,esdNeed:,,carers,\n")
    assert "row 2, column 'term_id': empty, and so is column 'term_name'" in error_of(path)


def test_error_one_term_two_categories(tmp_path):
    path = write(tmp_path, HEADER + f"esdNeeds,{ESD_NEED}69,Social inclusion,loneliness_isolation,\n"
                                    "esdNeed,69,,mental_wellbeing,\n")
    assert error_of(path) == (
        "crosswalk.csv, row 3, column 'category': term '69' is also on row 2 with category "
        "'loneliness_isolation', here 'mental_wellbeing'; keep one row or give both the same categories"
    )


def test_rules_are_listed_in_order():
    assert RULES == ("vocabulary and id", "id", "name in vocabulary", "name", "taxonomy")
