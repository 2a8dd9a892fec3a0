"""The taxonomy: the default categories, word matching, unknown words, and user files."""

from __future__ import annotations

import pytest

from asset_map import TaxonomyError, load_taxonomy
from asset_map.taxonomy import AgeBand

DEFAULT = load_taxonomy()


def test_the_default_taxonomy_covers_social_prescribing_needs():
    assert len(DEFAULT) == 21
    for needed in ("loneliness_isolation", "mental_wellbeing", "physical_activity", "carers", "dementia",
                   "older_people_independence", "food_cooking", "money_advice", "housing", "employment_skills",
                   "substance_misuse", "children_families", "young_people", "learning_disability_autism",
                   "long_term_conditions", "arts_culture", "nature_green_space", "digital_inclusion",
                   "bereavement", "information_signposting"):
        assert needed in DEFAULT.ids
    for cat in DEFAULT:
        assert cat.label and cat.synonyms
        assert 400 <= cat.catchment_m <= 5000
    assert DEFAULT.get("dementia").target == AgeBand(65, None)
    assert DEFAULT.get("young_people").target == AgeBand(11, 25)
    assert DEFAULT.get("children_families").target.code == "0-15"
    assert DEFAULT.get("food_cooking").target.is_all
    assert DEFAULT.get("loneliness_isolation").catchment_text == "800 m"
    assert DEFAULT.get("dementia").catchment_text == "1.6 km"


@pytest.mark.parametrize("word,expected", [
    ("Befriending", "loneliness_isolation"),
    ("BEFRIENDING!", "loneliness_isolation"),
    ("  lunch  club ", "loneliness_isolation"),
    ("Carers' groups", "carers"),
    ("carers group", "carers"),
    ("Parent & Toddler", "children_families"),
    ("parent and toddler", "children_families"),
    ("Memory Café", "dementia"),
    ("Food banks", "food_cooking"),
    ("Walking group", "physical_activity"),
    ("Citizens Advice", "money_advice"),
    ("Physical Activity", "physical_activity"),  # the label
    ("physical_activity", "physical_activity"),  # the id
])
def test_words_match_ignoring_case_punctuation_and_plurals(word, expected):
    assert DEFAULT.match(word) == expected


def test_a_cell_splits_on_semicolons_commas_and_pipes():
    m = DEFAULT.map_cell("Befriending; Carers, Dementia | lunch club")
    assert m.ids == ("loneliness_isolation", "carers", "dementia")  # each once, in order
    assert m.unknown == ()
    m = DEFAULT.map_cell("Knitting circle; Men's shed;;  ")
    assert m.ids == () and m.unknown == ("Knitting circle", "Men's shed")
    assert DEFAULT.map_cell(None).ids == ()


def test_mens_shed_is_not_guessed():
    """A men's shed is several needs at once; the planner decides, the tool does not."""
    assert DEFAULT.match("Men's shed") is None
    assert DEFAULT.match("mens sheds") is None


def test_unknown_words_get_a_close_suggestion_or_none():
    assert DEFAULT.suggest("Befreinding") == "loneliness_isolation"
    assert DEFAULT.suggest("foodbnak") == "food_cooking"
    assert DEFAULT.suggest("zzzz qqqq") is None
    with pytest.raises(TaxonomyError, match=r"unknown category 'dementa'; did you mean 'dementia'\?"):
        DEFAULT.get("dementa")


def write(tmp_path, text: str, name: str = "tax.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


HEADER = "id,label,catchment_m,target_population,synonyms\n"


def test_a_user_taxonomy(tmp_path):
    tax = load_taxonomy(write(tmp_path, HEADER + "social,Social contact,1000,all,befriending; knitting circle\n"
                                                 "older,Later life,1500,65 to 120,over 60s\n"))
    assert tax.ids == ["social", "older"]
    assert tax.match("Knitting Circle") == "social"
    assert tax.get("older").target == AgeBand(65, 120)


@pytest.mark.parametrize("body,message", [
    ("id,label,catchment_m\nsocial,Social,1000\n",
     "tax.csv: missing column(s) target_population, synonyms; a taxonomy needs id, label, catchment_m, "
     "target_population, synonyms"),
    (HEADER + "social,Social,1000,all,\nsocial,Again,1000,all,\n",
     "tax.csv: category id 'social' appears twice; ids must be unique"),
    (HEADER + "social,Social,far,all,\n",
     "tax.csv, row 2, column 'catchment_m': 'far' is not a distance in metres"),
    (HEADER + "social,Social,-5,all,\n",
     "tax.csv, row 2, column 'catchment_m': must be more than 0 metres"),
    (HEADER + "social,Social,800,pensioners,\n",
     "tax.csv, row 2, column 'target_population': target population 'pensioners' is not 'all', 'N+' or 'N-M'"),
    (HEADER + "a,A,800,all,lunch club\nb,B,800,all,Lunch Club\n",
     "tax.csv: the word 'Lunch Club' is given for both 'a' and 'b'; keep it in one category"),
    (HEADER, "tax.csv: the taxonomy has no categories"),
    (HEADER + ",Nameless,800,all,\n", "tax.csv, row 2, column 'id': empty; give every category an id"),
])
def test_bad_taxonomy_files(tmp_path, body, message):
    with pytest.raises(TaxonomyError) as info:
        load_taxonomy(write(tmp_path, body))
    assert message in str(info.value)


def test_missing_or_non_utf8_taxonomy(tmp_path):
    with pytest.raises(TaxonomyError, match="nope.csv: no such taxonomy file"):
        load_taxonomy(tmp_path / "nope.csv")
    path = tmp_path / "win.csv"
    path.write_bytes((HEADER + "caf\u00e9,Caf\u00e9,800,all,\n").encode("cp1252"))
    with pytest.raises(TaxonomyError, match="win.csv: not UTF-8 text; save the taxonomy as CSV UTF-8"):
        load_taxonomy(path)
