"""The need taxonomy: the default categories, mapping category cells, suggestions, and taxonomy files."""

from __future__ import annotations

import csv
import re

import pytest

from asset_map import TaxonomyError, load_taxonomy
from asset_map.categories.taxonomy import AgeBand, Category, Taxonomy

DEFAULT = load_taxonomy()
HEADER = "id,label,catchment_m,target_population,synonyms\n"


def write_taxonomy(tmp_path, text: str, name: str = "needs.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# ------------------------------------------------------------ the default taxonomy
def test_default_taxonomy_has_about_twenty_well_formed_categories():
    ids = DEFAULT.ids
    assert len(DEFAULT) == 21
    assert len(set(ids)) == len(ids)
    for needed in ("loneliness_isolation", "mental_wellbeing", "physical_activity", "carers", "dementia",
                   "older_people_independence", "food_cooking", "money_advice", "housing", "employment_skills",
                   "substance_misuse", "children_families", "young_people", "learning_disability_autism",
                   "long_term_conditions", "arts_culture", "nature_green_space", "digital_inclusion",
                   "bereavement", "information_signposting"):
        assert needed in ids
    assert ids[:3] == ["loneliness_isolation", "mental_wellbeing", "physical_activity"]
    assert ids[-1] == "community_spaces"
    for cat in DEFAULT:
        assert re.fullmatch(r"[a-z][a-z_]*", cat.id), cat.id
        assert cat.label.strip() and cat.label != cat.id
        assert 400 <= cat.catchment_m <= 5000
        assert len(cat.synonyms) >= 5, cat.id
        # Either everyone, or a real age band.
        assert cat.target.is_all or (cat.target.low >= 0 and (cat.target.high is None
                                                                or cat.target.high >= cat.target.low))


def test_default_catchments_and_target_populations():
    catchment = {c.id: c.catchment_m for c in DEFAULT}
    assert catchment["loneliness_isolation"] == 800
    assert catchment["physical_activity"] == 1200
    assert catchment["carers"] == 2000
    assert catchment["housing"] == 3000
    target = {c.id: c.target.code for c in DEFAULT}
    assert {k: v for k, v in target.items() if v != "all"} == {
        "carers": "16+",
        "dementia": "65+",
        "older_people_independence": "65+",
        "money_advice": "16+",
        "employment_skills": "16-64",
        "substance_misuse": "16+",
        "children_families": "0-15",
        "young_people": "11-25",
    }
    assert DEFAULT.get("dementia").target == AgeBand(65, None)
    assert DEFAULT.get("young_people").target == AgeBand(11, 25)
    assert DEFAULT.get("dementia").target.phrase == "residents aged 65+"
    assert DEFAULT.get("food_cooking").target.phrase == "residents"
    assert DEFAULT.get("loneliness_isolation").catchment_text == "800 m"
    assert DEFAULT.get("dementia").catchment_text == "1.6 km"
    assert DEFAULT.get("housing").catchment_text == "3 km"


def test_every_default_synonym_maps_back_to_its_own_category():
    for cat in DEFAULT:
        for word in (cat.id, *cat.synonyms):
            assert DEFAULT.match(word) == cat.id, (word, cat.id)
            assert DEFAULT.match(word.upper() + "!") == cat.id, (word, cat.id)


def test_a_category_label_typed_into_a_cell_maps_to_that_category_alone():
    """People copy labels from `asset-map taxonomy show` into their spreadsheets."""
    for cat in DEFAULT:
        mapping = DEFAULT.map_cell(cat.label)
        assert (mapping.ids, mapping.unknown) == ((cat.id,), ()), cat.label


def test_the_real_trafford_sports_club_categories_are_physical_activity():
    """The words of the `category` column of Trafford's sports clubs list (137 clubs)."""
    for word in ("Bowling", "Football", "Martial Arts", "Golf", "Badminton", "Rugby", "Swimming", "Tennis",
                 "Cricket", "Multi Sports", "Athletic", "Gymnastics", "Netball", "Croquet", "Water Sports",
                 "Basketball", "Rowing", "Fencing", "Hockey", "Cricket, Tennis", "Netball, Basketball"):
        assert DEFAULT.map_cell(word).ids == ("physical_activity",), word
        assert DEFAULT.map_cell(word).unknown == (), word
    # Not in the taxonomy, but suggested.
    for word in ("Riding", "Ice Hockey", "Gaelic Football"):
        assert DEFAULT.match(word) is None
        assert DEFAULT.suggest(word) == "physical_activity", word


# ------------------------------------------------------------ mapping words and cells
@pytest.mark.parametrize("word,expected", [
    ("Befriending", "loneliness_isolation"),
    ("BEFRIENDING!", "loneliness_isolation"),
    ("befriending.", "loneliness_isolation"),
    ("  Befriending   Scheme ", "loneliness_isolation"),
    ("  lunch  club ", "loneliness_isolation"),
    ("walking group", "physical_activity"),
    ("Walking Groups", "physical_activity"),
    ("walking-group", "physical_activity"),
    ("Carers' groups", "carers"),
    ("Carers’ group", "carers"),  # curly apostrophe
    ("Parent & Toddler", "children_families"),
    ("Arts & Crafts", "arts_culture"),
    ("Drug & Alcohol", "substance_misuse"),
    ("Memory Café", "dementia"),
    ("FOODBANK", "food_cooking"),
    ("Food banks", "food_cooking"),
    ("Citizens Advice", "money_advice"),
    ("Long-term conditions", "long_term_conditions"),
    ("youth clubs", "young_people"),
    ("Physical Activity", "physical_activity"),  # the label
    ("Physical activities", "physical_activity"),  # "ies" read as "y"
    ("Libraries", "community_spaces"),
    ("Churches", "community_spaces"),  # "ches" plural: "church", not "churche"
    ("Lunches clubs", "loneliness_isolation"),  # "lunch club": every word made singular
    ("physical_activity", "physical_activity"),  # the id
])
def test_words_match_whatever_their_case_punctuation_or_plural(word, expected):
    assert DEFAULT.match(word) == expected
    assert DEFAULT.map_cell(word).ids == (expected,)
    assert DEFAULT.map_cell(word).unknown == ()


@pytest.mark.parametrize("cell,ids", [
    ("Befriending; walking group", ("loneliness_isolation", "physical_activity")),
    ("Befriending, walking group", ("loneliness_isolation", "physical_activity")),
    ("Befriending | walking group", ("loneliness_isolation", "physical_activity")),
    ("Befriending\nwalking group", ("loneliness_isolation", "physical_activity")),  # Alt+Enter in Excel
    ("Befriending\r\nwalking group", ("loneliness_isolation", "physical_activity")),
    ("Befriending / walking group", ("loneliness_isolation", "physical_activity")),
    ("Befriending;walking group,Dementia|carers", ("loneliness_isolation", "physical_activity", "dementia",
                                                   "carers")),
    ("Befriending; Carers, Dementia | lunch club", ("loneliness_isolation", "carers", "dementia")),
    ("carers; Carer; CARERS GROUP", ("carers",)),  # each id once
    ("dementia; ; , |", ("dementia",)),  # empty parts are not words
    ("Food, cooking", ("food_cooking",)),  # two words of one category: reported once
])
def test_multi_valued_cells_split_on_semicolon_comma_pipe_newline_and_slash(cell, ids):
    mapping = DEFAULT.map_cell(cell)
    assert mapping.ids == ids
    assert mapping.unknown == ()


@pytest.mark.parametrize("cell,ids,unknown", [
    ("Money, debt and benefits advice", ("money_advice",), ()),
    ("money, DEBT & benefits advice", ("money_advice",), ()),
    ("Befriending, Money, debt and benefits advice", ("loneliness_isolation", "money_advice"), ()),
    ("Money, debt and benefits advice; Carers", ("money_advice", "carers"), ()),
    ("Money, debt and benefits advice\nHousing and homelessness", ("money_advice", "housing"), ()),
    # No label "Money, debt": "Money" is a word of its own and "debt" is another.
    ("Money, debt", ("money_advice",), ()),
    ("Money, debt and pensions", ("money_advice",), ("debt and pensions",)),
])
def test_a_label_with_a_comma_is_one_word_not_two(cell, ids, unknown):
    mapping = DEFAULT.map_cell(cell)
    assert (mapping.ids, mapping.unknown) == (ids, unknown)


def test_a_slash_without_spaces_does_not_split():
    """ "Drugs/alcohol" is one word (not known); only " / " with spaces separates."""
    assert DEFAULT.map_cell("Drugs/alcohol").unknown == ("Drugs/alcohol",)
    assert DEFAULT.map_cell("Drugs / alcohol").ids == ("substance_misuse",)


def test_empty_cells_map_to_nothing():
    for cell in (None, "", "  ", ";;", " | , ", "\n", " / "):
        mapping = DEFAULT.map_cell(cell)
        assert mapping.ids == () and mapping.unknown == () and mapping.ignored == ()


def test_unknown_words_are_reported_as_written_beside_the_known_ones():
    mapping = DEFAULT.map_cell("Befriending; Knitting circle, walking group | Bingo night")
    assert mapping.ids == ("loneliness_isolation", "physical_activity")
    assert mapping.unknown == ("Knitting circle", "Bingo night")
    assert mapping.ignored == ()
    mapping = DEFAULT.map_cell("Knitting circle; Men's shed;;  ")
    assert mapping.ids == () and mapping.unknown == ("Knitting circle", "Men's shed")


def test_knitting_circle_is_unknown_but_suggests_arts():
    assert DEFAULT.match("Knitting circle") is None
    assert DEFAULT.map_cell("Knitting circle").unknown == ("Knitting circle",)
    assert DEFAULT.suggest("Knitting circle") == "arts_culture"  # "knitting" is an arts synonym


# ------------------------------------------------------------ suggestions for unknown words
@pytest.mark.parametrize("word,expected", [
    # typos: a close spelling of a synonym
    ("befreinding", "loneliness_isolation"),
    ("Befriendng", "loneliness_isolation"),
    ("walkng group", "physical_activity"),
    ("foodbnak", "food_cooking"),
    ("dementa", "dementia"),
    ("Mental Helth", "mental_wellbeing"),
    ("Homelesness", "housing"),
    ("Councelling", "mental_wellbeing"),
    ("Swiming", "physical_activity"),
    ("Bereavment support", "bereavement"),
    ("Excercise class", "physical_activity"),
    ("Diabeties group", "long_term_conditions"),
    ("Digital skils", "digital_inclusion"),
    ("Credit Unoin", "money_advice"),  # "credit" is shared
    # variants: a shared real word
    ("carer's support grp", "carers"),
    ("dementia cafe", "dementia"),
    ("Befriending service", "loneliness_isolation"),
    ("Yoga classes", "physical_activity"),
    ("Chair based exercise", "physical_activity"),
    ("Youth centre", "young_people"),
    ("Carers cafe", "carers"),
    ("Alzheimer's Society", "dementia"),
    ("Debt advise", "money_advice"),
    ("Alcohol support group", "substance_misuse"),
    ("Allotment society", "nature_green_space"),
    ("Gardening club", "nature_green_space"),
    ("Toddlers", "children_families"),
    ("Computer club", "digital_inclusion"),
    ("Stroke survivors group", "long_term_conditions"),
    ("Cookery classes", "food_cooking"),
    ("Welfare rights advice", "money_advice"),
    ("Mens mental health", "mental_wellbeing"),
    ("Community choir", "arts_culture"),
    ("Scout group", "young_people"),
    ("Careers advice", "employment_skills"),  # not carers: the exact word wins over a close spelling
    ("Walking football", "physical_activity"),
])
def test_typos_and_variants_suggest_the_intended_category(word, expected):
    assert DEFAULT.match(word) is None
    assert DEFAULT.suggest(word) == expected


# "Breakfast club" gets no suggestion on purpose: it could be food (a community
# breakfast), children and families (a school's before-school childcare) or
# loneliness (a social breakfast). It shares only the generic "club" with the
# taxonomy's words, and guessing food from world knowledge the taxonomy does
# not hold would be a guess presented as a match. A council that means food
# adds "breakfast club" to its taxonomy or decides it in a category map.
@pytest.mark.parametrize("word", [
    "zzzz qqqq", "Bingo", "Bingo night", "Breakfast club", "Chess club", "Bridge club", "Car park", "Parking",
    "Tuesday", "Monday drop-in", "Scrabble", "Quiz night", "Raffle", "Toilets", "Paint and sip",
    "Brief intervention", "Support group", "Community group", "Heart of the community", "Mind your step",
    "Work club", "Warm space", "Sewing bee",
])
def test_unrelated_words_get_no_suggestion(word):
    assert DEFAULT.match(word) is None
    assert DEFAULT.suggest(word) is None


def test_a_known_word_suggests_its_own_category():
    assert DEFAULT.suggest("Lunch club") == "loneliness_isolation"
    assert DEFAULT.suggest("food-bank") == "food_cooking"
    assert DEFAULT.suggest("") is None


def test_close_spellings_need_the_same_first_letter_and_five_letters():
    # "rowing" is a synonym now, but "growing" is nature's: a made-up word one letter off each
    tax = Taxonomy([Category("nature", "Nature", 800, AgeBand(), ("growing",)),
                    Category("pain", "Pain", 800, AgeBand(), ("pain",))])
    assert tax.suggest("rowing") is None  # 92 but a different first letter
    assert tax.suggest("growng") == "nature"
    assert tax.suggest("paint") is None  # "pain" is only four letters: no close spelling


def test_a_typo_asked_for_by_id_names_the_suggestion():
    with pytest.raises(TaxonomyError) as info:
        DEFAULT.get("befreinding")
    message = str(info.value)
    assert "unknown category 'befreinding'" in message
    assert "did you mean 'loneliness_isolation'?" in message
    assert "asset-map taxonomy show" in message
    with pytest.raises(TaxonomyError, match=r"unknown category 'dementa'; did you mean 'dementia'\?"):
        DEFAULT.get("dementa")


@pytest.mark.parametrize("word", ["men's shed", "Men’s Shed", "MENS SHEDS", "mens shed"])
def test_mens_shed_is_deliberately_not_a_synonym(word):
    """A men's shed meets several needs at once: the planner decides, the tool does not guess."""
    assert DEFAULT.match(word) is None
    assert DEFAULT.map_cell(word).unknown == (word,)
    assert DEFAULT.suggest(word) is None
    for cat in DEFAULT:
        assert not any("shed" in s.lower() for s in cat.synonyms), cat.id


# ------------------------------------------------------------ user taxonomy files
def test_a_user_taxonomy_csv_loads(tmp_path):
    path = write_taxonomy(tmp_path, HEADER
                          + "social,Social contact,1000,all,befriending; knitting circle; men's shed\n"
                          + "older,Later life,1500,65 to 120,over 60s;lunch club\n"
                          + 'kids,"Children, young people",900,0-17,\n')
    tax = load_taxonomy(path)
    assert tax.ids == ["social", "older", "kids"]
    assert tax.source == "needs.csv"
    assert tax.get("social").catchment_m == 1000.0
    assert tax.get("social").synonyms == ("befriending", "knitting circle", "men's shed")
    assert tax.get("older").target == AgeBand(65, 120)
    assert tax.get("kids").target.code == "0-17"
    assert tax.get("kids").label == "Children, young people"
    assert tax.map_cell("Knitting Circle; Mens shed, Lunch club").ids == ("social", "older")
    assert tax.map_cell("Children, young people").ids == ("kids",)  # its own label with a comma
    assert tax.match("walking group") is None  # the default's words are gone


def test_a_user_taxonomy_saved_by_excel_with_a_bom_loads(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (HEADER + "caf\u00e9s,Caf\u00e9s,800,all,coffee morning\n").encode("utf-8"))
    tax = load_taxonomy(path)
    assert tax.ids == ["caf\u00e9s"]
    assert tax.match("Coffee Mornings") == "caf\u00e9s"


def test_the_default_taxonomy_round_trips_through_its_own_file_format(tmp_path):
    path = tmp_path / "copy.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["id", "label", "catchment_m", "target_population", "synonyms", "capacity_unit", "travel"])
        w.writeheader()
        w.writerows(DEFAULT.to_rows())
    copy = load_taxonomy(path)
    assert copy.ids == DEFAULT.ids
    assert [(c.label, c.catchment_m, c.target, c.synonyms, c.capacity_unit) for c in copy] == \
        [(c.label, c.catchment_m, c.target, c.synonyms, c.capacity_unit) for c in DEFAULT]
    assert DEFAULT.get("children_families").capacity_unit == "places"
    assert DEFAULT.get("information_signposting").capacity_unit == ""


# ------------------------------------------------------------ bad taxonomy files
@pytest.mark.parametrize("body,message", [
    pytest.param(
        "id,label,catchment_m,synonyms\nsocial,Social,1000,befriending\n",
        "needs.csv: missing column(s) target_population; a taxonomy needs id, label, catchment_m, "
        "target_population, synonyms (and optionally capacity_unit and travel)",
        id="missing-column"),
    pytest.param(
        "id,label,catchment_m\nsocial,Social,1000\n",
        "needs.csv: missing column(s) target_population, synonyms; a taxonomy needs id, label, catchment_m, "
        "target_population, synonyms (and optionally capacity_unit and travel)",
        id="missing-columns"),
    pytest.param(
        HEADER + "social,Social,1000,all,\nolder,Older,1500,65+,\nsocial,Again,1000,all,\n",
        "needs.csv, row 4, column 'id': 'social' appears twice (also row 2); ids must be unique",
        id="duplicate-id"),
    pytest.param(
        HEADER + "a,A,800,all,lunch club\nb,B,800,all,Lunch Club\n",
        "needs.csv, row 3, column 'synonyms': the word 'Lunch Club' is given for both 'a' and 'b' "
        "(also row 2, column 'synonyms'); keep it in one category",
        id="word-in-two-categories"),
    pytest.param(
        HEADER + "a,Carers,800,all,\nb,B,800,all,older people; carers\n",
        "needs.csv, row 3, column 'synonyms': the word 'carers' is given for both 'a' and 'b' "
        "(also row 2, column 'label'); keep it in one category",
        id="synonym-equals-another-label"),
    pytest.param(
        HEADER + "a,A,800,all,\nb,a,800,all,\n",
        "needs.csv, row 3, column 'label': the word 'a' is given for both 'a' and 'b' "
        "(also row 2, column 'id'); keep it in one category",
        id="label-equals-another-id"),
    pytest.param(
        HEADER + "social,Social,1000,all,\nolder,Older,-400,65+,\n",
        "needs.csv, row 3, column 'catchment_m': must be more than 0 metres",
        id="negative-catchment"),
    pytest.param(
        HEADER + "social,Social,0,all,\n",
        "needs.csv, row 2, column 'catchment_m': must be more than 0 metres",
        id="zero-catchment"),
    pytest.param(
        HEADER + "social,Social,1000,all,\nolder,Older,a mile,65+,\n",
        "needs.csv, row 3, column 'catchment_m': 'a mile' is not a distance in metres; give how far people "
        "travel, e.g. 800",
        id="non-numeric-catchment"),
    pytest.param(
        HEADER + "social,Social,1000,pensioners,\n",
        "needs.csv, row 2, column 'target_population': target population 'pensioners' is not 'all', 'N+' "
        "or 'N-M'",
        id="unknown-target-population"),
    pytest.param(
        HEADER + "social,Social,1000,65-16,\n",
        "needs.csv, row 2, column 'target_population': target population '65-16' ends before it starts",
        id="backwards-age-band"),
    pytest.param(
        HEADER + ",Nameless,800,all,\n",
        "needs.csv, row 2, column 'id': empty; give every category an id",
        id="empty-id"),
    pytest.param(
        "",
        "needs.csv: the file is empty; a taxonomy needs a header row id, label, catchment_m, target_population, "
        "synonyms and a row per category",
        id="empty-file"),
    pytest.param(
        HEADER,
        "needs.csv: the taxonomy has no categories",
        id="header-only"),
])
def test_bad_taxonomy_files_say_where_and_what_to_do(tmp_path, body, message):
    with pytest.raises(TaxonomyError) as info:
        load_taxonomy(write_taxonomy(tmp_path, body))
    assert str(info.value) == message
    assert "\n" not in str(info.value)


def test_missing_and_non_utf8_taxonomy_files(tmp_path):
    with pytest.raises(TaxonomyError) as info:
        load_taxonomy(tmp_path / "nope.csv")
    assert str(info.value) == f"{tmp_path / 'nope.csv'}: no such taxonomy file"
    path = write_taxonomy(tmp_path, HEADER + "caf\u00e9,Caf\u00e9 \u00a3,800,all,\n", name="win.csv",
                          encoding="cp1252")
    with pytest.raises(TaxonomyError) as info:
        load_taxonomy(path)
    assert "win.csv: not UTF-8 text; save the taxonomy as CSV UTF-8" in str(info.value)


def test_a_taxonomy_built_from_rows_names_the_rows_of_a_duplicate_id():
    rows = [{"id": "a", "label": "A", "catchment_m": "800", "target_population": "all", "synonyms": ""},
            {"id": "a", "label": "B", "catchment_m": "900", "target_population": "all", "synonyms": ""}]
    with pytest.raises(TaxonomyError) as info:
        Taxonomy.from_rows(rows, source="mine")
    assert str(info.value) == "mine, row 3, column 'id': 'a' appears twice (also row 2); ids must be unique"


def test_a_taxonomy_built_in_code_without_rows_still_names_the_problem():
    cats = [Category("a", "A", 800, AgeBand()), Category("a", "B", 800, AgeBand())]
    with pytest.raises(TaxonomyError) as info:
        Taxonomy(cats, source="code")
    assert str(info.value) == "code: category id 'a' appears twice; ids must be unique"
    for clash in ("LUNCH CLUB", "Lunch Clubs"):  # a plural is the same word
        cats = [Category("a", "A", 800, AgeBand(), ("lunch club",)), Category("b", "B", 800, AgeBand(), (clash,))]
        with pytest.raises(TaxonomyError) as info:
            Taxonomy(cats, source="code")
        assert str(info.value) == (f"code: the word {clash!r} is given for both 'a' and 'b'; "
                                   "keep it in one category")


@pytest.mark.parametrize("text, minutes, mode", [("10 min walk", 10, "walk"), ("15 mins cycling", 15, "cycle"),
                                                 ("1 hour drive", 60, "drive"), ("20 minutes on foot", 20, "walk"),
                                                 ("7.5 Min Bike", 7.5, "cycle")])
def test_a_travel_time_is_a_time_and_a_mode(text, minutes, mode):
    from asset_map.categories.travel import parse_travel

    t = parse_travel(text)
    assert (t.minutes, t.mode) == (minutes, mode)


def test_a_travel_time_has_a_straight_line_equivalent_and_the_default_taxonomy_gives_one_to_every_category():
    from asset_map.categories.taxonomy import load_taxonomy

    tax = load_taxonomy()
    assert all(c.travel is not None for c in tax)
    lonely = tax.get("loneliness_isolation")
    # 10 min at 4.8 km/h: 800 m, the category's straight-line catchment.
    assert (lonely.travel.text, lonely.travel.straight_m) == ("10 min walk", 800.0)
    assert tax.get("housing").travel.straight_m == 3000.0  # 12 min at 15 km/h
    assert tax.get("bereavement").travel.straight_m == 3000.0  # 6 min at 30 km/h


def test_a_bad_travel_time_says_where_and_what_to_write(tmp_path):
    from asset_map.categories.taxonomy import load_taxonomy

    f = tmp_path / "needs.csv"
    f.write_text("id,label,catchment_m,target_population,synonyms,travel\nsocial,Social,800,all,club,10 min swim\n")
    with pytest.raises(TaxonomyError) as e:
        load_taxonomy(f)
    assert str(e.value) == ("needs.csv, row 2, column 'travel': '10 min swim' is not a time and a mode; write e.g. "
                            '"10 min walk", "15 min cycle" or "20 min drive"')
