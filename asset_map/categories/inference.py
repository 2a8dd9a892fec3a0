"""Suggest need categories from free text: an asset's name, description, activities.

Many real lists have no category column, only free text, e.g. the Charity
Commission's "relieving isolation of older people". :func:`infer_categories`
finds the taxonomy's words in such text and returns *suggestions* for a
planner to review; nothing here decides an asset's categories by itself.

Matching rules
--------------
* The text is cut into words the way :func:`asset_map.categories.taxonomy.normalise_word`
  does (case, punctuation, apostrophes and ``&``/``and`` do not matter) and a
  final plural ``s`` is ignored, as in the taxonomy's own matching.
* A category's evidence words are its id, label and synonyms, plus the
  free-text words in :data:`FREE_TEXT_WORDS` for that id, minus the words in
  :data:`NOT_EVIDENCE_IN_TEXT` (category words in a category cell, but too
  loose in prose: "work", "health", "heart"...) and inside
  :data:`NOT_EVIDENCE_PHRASES` ("parent teacher association"). Evidence
  words match as whole words or whole phrases only: "art" does not match
  inside "heart" or "party".
* Reading left to right, the longest phrase wins over the words inside it:
  "older people" not "people", "food bank" not "food", "young carers" (carers)
  not "young" (young people).
* A category's *triggers* are its distinct matched phrases (compared in
  normalised, singular form), each as first written in the text; a trigger
  found inside a longer trigger of the same category ("mental health" beside
  "mental health and wellbeing") is the same evidence and is dropped.
* The name of a "Friends of" group named after a park, garden or wood (up
  to a comma or bracket) is a trigger of nature and green space.
* Categories are ranked by number of distinct triggers, then taxonomy order;
  at most ``limit`` (:data:`SUGGESTION_LIMIT`) are returned. The result depends only on the text and the
  taxonomy.

Bodies that are not services
----------------------------
:func:`not_a_service` recognises from the same texts a body that is not a
service to the public (a school's PTA, a fundraising group, a grant-making or
property-holding trust): the import keeps it without categories or
suggestions, and it is not provision.

Measured quality
----------------
408 rows of the real Trafford charity register and mental-health list were
labelled by hand (``tests/fixtures/inference_labels.csv``; how they were
drawn: ``bench/inference_quality.py``). Development data, 290 rows, read
while writing the word lists below and measuring the confidences; it holds
two earlier held-out samples, each measured once and then published:
precision 80 / 101 = 0.79, recall 80 / 108 = 0.74 (every suggestion used),
then 52 / 62 = 0.84 and 52 / 105 = 0.50 (threshold 0.75). Of the
suggestions used by default (:attr:`Inference.confidence` ``>=``
:data:`DEFAULT_USE_CONFIDENCE`), with precision = right / suggested and
recall = right / labelled, summed over categories, on the development data:
215 / 238 = 0.90 and 215 / 291 = 0.74 when each row's suggestions are
weighed by confidences measured without that row (223 / 241 = 0.93 and
0.77 with it). Held out, 118 charities labelled (and the labels committed)
before any suggestion for them was seen, measured once the rules and
threshold were fixed: 79 / 104 = 0.76 and 79 / 119 = 0.66, recall above
the 0.6 aimed for, precision below the 0.85 (every suggestion: 98 / 150 =
0.65 and 0.82); a suggestion with one trigger was right 35 times in 54
there, with two or more 44 in 50. :func:`not_a_service`: development data
41 of the 55 labelled found, 2 false alarms; held out 12 of 18, none.
"""

from __future__ import annotations

import math
import re
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field

from .taxonomy import Taxonomy, _singular, normalise_word, word_key

#: Extra words that are evidence for a category in free text, by category id.
#: They are used only when the taxonomy has that id and does not already give
#: the word to another category. They are the ways charity descriptions say
#: what the taxonomy's synonyms say in a category cell. Those added from the
#: development half of the labelled sample (see "Measured quality" above),
#: with the rows of the two Trafford lists outside the held-out half where
#: they occur and how many of them meant the category when read: "worship"
#: 24, 22 (a chapel's property trust, a mission network); "history",
#: "historical" 17, 15 (history societies, museums, heritage trusts; not a
#: supplementary school, an advice centre); "hearing loss", "hard of
#: hearing", "deaf" 4, 3 (not a housing provider naming deaf tenants);
#: "wellbeing practitioners" 3, 3; "hear voices", "listening ear" 2, 2.
#: Added later, with the rows of the development data where they occur and
#: how many meant the category: "therapy" 6, 5 (not an autism charity's
#: activities "as a source of therapy"); "mindfulness" (and its common
#: misspelling), "meditation" 2, 2; "sunday services" 2, 2 (a church, a
#: Buddhist temple); "mood disorders", "social inclusion", "socially
#: excluded", "dyslexia", "cerebral palsy", "eczema", "worshipping",
#: "christian fellowship" 1, 1 each.
#: Added in the third round, from the labelled categories the development
#: data (290 rows) missed, with the rows of it where they occur and how many
#: meant the category: "religion" 6, 6; "senior citizen(s)" 2, 2;
#: "samaritans" 2, 2; "band" 2, 2; "film" 2, 2; "boys and girls" 3, 2 (not a
#: school's outdoor centre); "socializing" (and "socialising"), "trauma",
#: "sexual violence", "rape crisis", "over 50", "steelband", "steelpan",
#: "cinema", "cultural events", "masjid", "worshipping place", "hire rooms",
#: "hiring of hall", "for hire", "advise" (the common misspelling), "karate",
#: "martial art", "silver surfers", "computer classes" 1, 1 each.
FREE_TEXT_WORDS: dict[str, tuple[str, ...]] = {
    "loneliness_isolation": ("befriend", "befriender", "befrienders", "companionship", "social contact",
                             "isolated people", "socially isolated", "social inclusion", "socially excluded",
                             "socialising", "socializing"),
    "mental_wellbeing": ("mental illness", "mental ill health", "mental disorder", "mental disorders",
                         "emotional support", "psychological", "counselling service", "self harm",
                         "wellbeing practitioner", "wellbeing practitioners", "hear voices", "hearing voices",
                         "listening ear", "mindfulness", "mindfullness", "meditation", "therapy",
                         "mood disorder", "mood disorders", "trauma", "sexual violence", "rape crisis", "samaritans"),
    "older_people_independence": ("older person", "older persons", "old people", "old age", "elderly people",
                                  "aged persons", "retired people", "later years", "senior citizen", "senior citizens",
                                  "over 50"),
    "children_families": ("child", "baby", "babies", "parent", "young children", "under fives", "nursery",
                          "play group", "mother and toddler", "toddlers"),
    "young_people": ("young person", "youngsters", "adolescent", "adolescents", "teenage", "girl guides",
                     "girlguiding", "guides association", "brownies", "boys and girls"),
    "learning_disability_autism": ("learning difficulty", "learning difficulties", "learning disabled",
                                   "autistic spectrum", "asperger", "aspergers", "dyslexia"),
    "long_term_conditions": ("chronic illness", "long term illness", "terminal illness", "terminally ill",
                             "multiple sclerosis", "parkinsons", "epilepsy", "asthma", "kidney", "heart disease",
                             "hiv", "brain injury", "head injury", "head injuries", "hearing loss", "hard of hearing",
                             "deaf", "deafblind", "cerebral palsy", "eczema"),
    "arts_culture": ("orchestra", "concert", "brass band", "exhibition", "exhibitions", "history", "historical",
                     "band", "steelband", "steelbands", "steelpan", "steelpans", "film", "cinema", "cultural events"),
    "community_spaces": ("chapel", "gospel hall", "congregation", "cathedral", "meeting house", "worship",
                         "worshipping", "christian fellowship", "sunday services", "religion", "masjid",
                         "worshipping place", "hire rooms", "hiring of hall", "for hire"),
    "physical_activity": ("karate", "martial art"),
    "digital_inclusion": ("silver surfers", "computer classes"),
    "housing": ("homeless people", "supported housing"),
    "employment_skills": ("unemployed", "unemployment", "employability", "apprenticeship", "apprenticeships",
                          "job seekers", "jobseekers", "vocational"),
    "money_advice": ("debt", "debts", "welfare benefits", "benefit advice"),
    "bereavement": ("bereaved", "end of life", "palliative"),
    "substance_misuse": ("alcoholism", "drug misuse", "alcohol misuse", "substance abuse"),
    "food_cooking": ("food poverty", "hungry", "hunger"),
    "nature_green_space": ("nature reserve", "nature conservation", "green space"),
    "information_signposting": ("advice and information", "information advice", "information service",
                                "advice service", "advice centre", "advise"),
    "carers": ("unpaid carer", "family carers"),
}

#: Category words that count in a category cell but are not evidence in free
#: text. Measured on the Charity Commission texts (name and activities) of the
#: 736 charities operating in Trafford: for each word, the number of rows where
#: it would have been a trigger and, of the first eight of those read, how
#: many meant the category:
#:
#: "school"/"schools" 113, 0 of 8 (independent schools, school funds, PTAs);
#: "training" 81, 2 of 8 ("education and training"); "work"/"works" 77,
#: 0 of 8 ("we work with"); "benefit"/"benefits" 58, 0 of 8 ("for the benefit
#: of"); "family"/"families" 56, 1 of 8 each ("members and their families");
#: "health" 42, 0 of 8 ("the furtherance of health"); "skills" 34, 1 of 8
#: ("skills for life"); "information" 33, 5 of 8 (the phrases "information
#: and advice", "information service" are kept); "faith" 31 (nearly all
#: "the advancement of the Christian faith", said by dioceses and grant trusts
#: as much as by churches, which "church" finds); "wellbeing"/"well being"
#: 21, 1 of 8 ("health and wellbeing", "spiritual well being"); "money" 19,
#: 0 of 8 ("raise money"); "environment" 18, 2 of 8; "park" 15, 1 of 8 (street
#: and school names); "active" 8, 1 of 8; "heart" 7, 1 of 7 ("at the heart
#: of"); "nature" 7, 1 of 7 ("of a charitable nature"); "running" 6, 0 of 6;
#: "guide" 3, 1 of 3 (the verb); "garden"/"gardens" 5, 2 of 5 ("garden
#: parties"); "recovery" 4, 0 of 4; "caring" 3, 0 of 3; "falls" 3, 0 of 3
#: ("fall within"); "hub" 2, 1 of 2; "mind" 1, 0 of 1; "loss" 1, 0 of 1
#: ("hearing loss"). Not found there but read the same way for the same
#: reasons: "send" (the verb), "care", "support", "it help" ("it helps"),
#: "stress", "mood", "online", "internet", "digital".
#:
#: "advice" (30, 8 of 8 about an advice service) and "arts", "music", "sport",
#: "dance", "drama", "culture", "heritage", "food", "youth", "church" (each
#: mostly right when read) stay evidence.
NOT_EVIDENCE_IN_TEXT = frozenset(normalise_word(w) for w in (
    "school", "schools", "training", "work", "works", "benefit", "benefits", "family", "families", "health",
    "skills", "information", "faith", "wellbeing", "well being", "money", "environment", "park", "parks",
    "active", "heart", "nature", "running", "guide", "guides", "garden", "gardens", "recovery", "caring",
    "falls", "hub", "mind", "loss", "send", "care", "support", "it help", "stress", "mood", "online",
    "internet", "digital",
))

#: Phrases that are read as one unit and are evidence of nothing, so the
#: category words inside them do not count: a school's parent teacher
#: association is a fundraising body, not a family service (29 in the Trafford
#: list); "in need by reason of their youth" is Charity Commission boilerplate
#: for grant-makers; "Church of England" names dioceses and church schools
#: more often than a church (a church's own name says "church" elsewhere);
#: "parents and carers" means a child's guardians, not unpaid carers (both
#: such rows of the two lists outside the held-out half: a kitchen for
#: parents of children in hospital, an autism service); "physical and mental
#: health" is a general aim (a skin-condition charity's, the only such row of
#: the development data), not a mental-health service; "over 50 years" is a
#: time, not an age group ("formed over 50 years ago", a civic society).
NOT_EVIDENCE_PHRASES = (
    "parent teacher", "parents teachers", "parents and teachers", "parent staff", "parents staff",
    "parents association", "parent association", "parents and friends", "parent and friends",
    "parents friends and teachers", "parent and staff", "parents and staff", "parent fund raising",
    "parents fund raising",
    "reason of their youth", "reason of youth", "reason of his youth", "reason of her youth",
    "church of england", "church school", "church schools", "physical and mental health",
    "parents and carers", "parent and carers", "parents or carers", "parent or carers", "parents carers",
    "over 50 years",
)

#: Words whose plural is not evidence though the singular is: "people of
#: all cultures", "different faiths, cultures and generations" (both uses of
#: "cultures" in the Trafford list) are about people, not the arts.
PLURAL_NOT_EVIDENCE = frozenset({"cultures"})

#: The kinds of evidence behind a suggestion (:attr:`Inference.kind`), each
#: with the share of such suggestions that were right on the development
#: data of the labelled sample (290 rows; see "Measured quality" above): two
#: or more distinct triggers, 83 right of 85; one trigger, in the name (the
#: first text), 49 of 58; one trigger only in the description, the leading
#: suggestion, 60 of 75; one trigger only in the description, behind another
#: suggestion with as many triggers or more, 67 of 102.
EVIDENCE_KINDS = ("several", "name", "text", "behind")

#: Right and suggested suggestions on the development data, by category and
#: kind of evidence: ``{category: {kind: (right, suggested)}}``, as
#: ``bench/inference_quality.py --calibrate`` prints them (a test checks that
#: it still does). Only categories with suggestions there are listed.
MEASURED: dict[str, dict[str, tuple[int, int]]] = {
    'loneliness_isolation': {'several': (5, 5), 'text': (3, 3), 'behind': (0, 1)},
    'mental_wellbeing': {'several': (11, 11), 'name': (10, 10), 'text': (21, 26), 'behind': (8, 9)},
    'physical_activity': {'several': (8, 8), 'name': (4, 5), 'text': (2, 2), 'behind': (0, 1)},
    'carers': {'name': (1, 1), 'text': (2, 3), 'behind': (3, 3)},
    'dementia': {'several': (1, 1), 'name': (1, 1), 'text': (1, 1), 'behind': (1, 1)},
    'older_people_independence': {'several': (2, 2), 'name': (0, 2), 'text': (2, 3), 'behind': (8, 9)},
    'food_cooking': {'several': (2, 2), 'text': (2, 2), 'behind': (0, 1)},
    'money_advice': {'name': (4, 4), 'behind': (1, 1)},
    'housing': {'several': (1, 1), 'behind': (4, 4)},
    'employment_skills': {'several': (2, 2), 'text': (3, 3), 'behind': (2, 4)},
    'substance_misuse': {'text': (1, 1)},
    'children_families': {'several': (4, 5), 'name': (3, 6), 'text': (3, 8), 'behind': (4, 10)},
    'young_people': {'several': (10, 10), 'name': (6, 6), 'text': (4, 7), 'behind': (8, 18)},
    'learning_disability_autism': {'several': (2, 2), 'name': (1, 1), 'text': (1, 1), 'behind': (4, 4)},
    'long_term_conditions': {'several': (1, 1), 'name': (3, 3), 'text': (1, 1), 'behind': (3, 4)},
    'arts_culture': {'several': (21, 22), 'name': (3, 4), 'text': (6, 6), 'behind': (5, 7)},
    'nature_green_space': {'several': (1, 1), 'name': (0, 1)},
    'digital_inclusion': {'behind': (2, 3)},
    'bereavement': {'text': (1, 1), 'behind': (0, 1)},
    'information_signposting': {'several': (2, 2), 'text': (1, 1), 'behind': (10, 16)},
    'community_spaces': {'several': (10, 10), 'name': (13, 14), 'text': (6, 6), 'behind': (4, 5)},
}

#: How many suggestions' weight a category's own record is pulled toward its
#: kind of evidence by (:attr:`Inference.confidence`).
SMOOTHING = 4

#: How many suggestions' weight a category's share over all its kinds of
#: evidence is pulled toward the share of every suggestion by
#: (:func:`measured_confidence`).
CATEGORY_SMOOTHING = 8

#: Suggestions at or above this confidence are used as an asset's categories
#: by default (marked ``inferred``); lower ones stay suggestions to review.
#: Chosen on the development data (290 rows) with each row's suggestions
#: weighed by confidences measured without it (``bench/inference_quality.py
#: --cross-validate``): precision 0.90 and recall 0.74 at 0.7, against 0.88
#: and 0.77 at 0.65, 0.90 and 0.71 at 0.75, 0.90 and 0.65 at 0.8; on the
#: confidences measured with every row, 223 right of the 241 suggestions
#: kept (0.93), of 291 labelled categories (0.77).
DEFAULT_USE_CONFIDENCE = 0.7

#: The most suggestions :func:`infer_categories` returns for one asset. Five,
#: not three as before: the development data has charities that list many
#: services ("advice, dementia care, benefits advice, support to carers,
#: social activities, mental health support" for Age UK); with three, 13 of
#: their labelled categories were cut off. Measured leaving each row out, at
#: the default threshold: precision 0.90 and recall 0.74 with five, against
#: 0.91 and 0.71 with three (see "Measured quality").
SUGGESTION_LIMIT = 5

#: A "Friends of" group named after a park, garden, wood or the like (the
#: name up to a comma or bracket ending in one of these words) looks after a
#: public green space: its name is evidence of nature and green space,
#: though "park" alone is not (street and school names).
_GREEN_SPACE_FRIENDS = re.compile(
    r"^(the )?friends of( \w+){0,4} (park|parks|gardens|wood|woods|woodland|meadow|meadows|common|nature reserve"
    r"|recreation ground|country park|allotments?|green)$")
GREEN_SPACE = "nature_green_space"

_TOKEN = re.compile(r"[0-9A-Za-z\u00C0-\u024F]+(?:['\u2018\u2019`][0-9A-Za-z\u00C0-\u024F]+)*|&")


@dataclass(frozen=True)
class Inference:
    """One suggested category and the words in the text that suggested it.

    ``category``
        the category id;
    ``triggers``
        the distinct words or phrases that triggered it, each as first
        written in the text (e.g. ``("isolation", "older people")``), in order
        of appearance;
    ``in_name``
        whether a trigger was found in the first text (the name, as the
        import passes them);
    ``behind``
        whether another suggestion for the same texts ranks before it.

    Two suggestions are equal when their category and triggers are;
    ``in_name`` and ``behind`` only weigh on :attr:`confidence`.
    """

    category: str
    triggers: tuple[str, ...]
    in_name: bool = field(default=False, compare=False)
    behind: bool = field(default=False, compare=False)

    @property
    def kind(self) -> str:
        """The kind of evidence, one of :data:`EVIDENCE_KINDS`."""
        if len(self.triggers) > 1:
            return "several"
        return "name" if self.in_name else "behind" if self.behind else "text"

    @property
    def confidence(self) -> float:
        """How likely the suggestion is right, from 0 to 1: :func:`measured_confidence` of its category and kind."""
        return measured_confidence(self.category, self.kind)


def measured_confidence(category: str, kind: str, measured: dict[str, dict[str, tuple[int, int]]] | None = None,
                        ) -> float:
    """The share of suggestions of *category* with evidence of *kind* that were right, smoothed.

    Notes
    -----
    With ``r`` right of ``n`` suggestions of this category and kind of
    evidence in *measured* (default :data:`MEASURED`) and ``m`` =
    :data:`SMOOTHING`::

        confidence = (r + m * P) / (n + m)
        logit(P) = logit(K) + logit(C) - logit(A)
        C = (R_c + m_c * A) / (N_c + m_c)

    the category's own share right, pulled toward a prior ``P`` pooled from
    the rest of the record: ``K`` = (right + 1) / (suggested + 2) of this kind
    over all categories, ``A`` the same over every kind and category, and
    ``C`` the category's share over all its kinds (``R_c`` right of ``N_c``)
    pulled toward ``A`` with ``m_c`` = :data:`CATEGORY_SMOOTHING`. The kind's
    and the category's departures from the overall share add on the log-odds
    scale (``logit(x) = ln(x / (1 - x))``), so a category with one suggestion
    of a kind (arts in a name, 3 of 4) borrows from how the category does
    with its other kinds instead of being sunk or lifted by that one row. A
    category without a record (one of another taxonomy) gets ``K``.
    """
    if measured is None:
        measured = MEASURED
    kinds, overall, categories = _DEFAULT_SHARES if measured is MEASURED else _shares(measured)
    r, n = measured.get(category, {}).get(kind, (0, 0))
    c = categories.get(category, overall)
    prior = _expit(_logit(kinds[kind]) + _logit(c) - _logit(overall))
    return (r + SMOOTHING * prior) / (n + SMOOTHING)


def _logit(x: float) -> float:
    return math.log(x / (1 - x))


def _expit(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def _shares(measured: dict[str, dict[str, tuple[int, int]]]) -> tuple[dict[str, float], float, dict[str, float]]:
    """``K`` for each kind of evidence, ``A``, and ``C`` for each category of :func:`measured_confidence`."""
    totals = {kind: [0, 0] for kind in EVIDENCE_KINDS}
    for record in measured.values():
        for kind, (right, suggested) in record.items():
            totals[kind][0] += right
            totals[kind][1] += suggested
    kinds = {kind: (right + 1) / (suggested + 2) for kind, (right, suggested) in totals.items()}
    overall = (sum(r for r, _ in totals.values()) + 1) / (sum(n for _, n in totals.values()) + 2)
    categories = {}
    for category, record in measured.items():
        right, suggested = (sum(x[i] for x in record.values()) for i in (0, 1))
        categories[category] = (right + CATEGORY_SMOOTHING * overall) / (suggested + CATEGORY_SMOOTHING)
    return kinds, overall, categories


_DEFAULT_SHARES = _shares(MEASURED)


class _Lexicon:
    """The evidence phrases of one taxonomy, as tuples of singular tokens."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.order = {cid: n for n, cid in enumerate(taxonomy.ids)}
        self.phrases: dict[tuple[str, ...], str] = {}
        excluded = {_singular(w) for w in NOT_EVIDENCE_IN_TEXT}
        for key, cid in taxonomy.words().items():
            tokens = _singular(key).split()
            if " ".join(tokens) not in excluded:
                self.phrases.setdefault(tuple(tokens), cid)
        for cid, words in FREE_TEXT_WORDS.items():
            if cid not in self.order:
                continue
            for word in words:
                tokens = tuple(word_key(word).split())
                if tokens and taxonomy.match(word) in (None, cid):
                    self.phrases.setdefault(tokens, cid)
        for phrase in NOT_EVIDENCE_PHRASES:
            self.phrases[tuple(word_key(phrase).split())] = ""
        self.longest = max((len(p) for p in self.phrases), default=0)


_LEXICONS: "weakref.WeakKeyDictionary[Taxonomy, _Lexicon]" = weakref.WeakKeyDictionary()


def _lexicon(taxonomy: Taxonomy) -> _Lexicon:
    lex = _LEXICONS.get(taxonomy)
    if lex is None:
        lex = _LEXICONS[taxonomy] = _Lexicon(taxonomy)
    return lex


def _tokens(text: str) -> list[tuple[str, int, int]]:
    """The words of *text* as (singular normalised form, start, end)."""
    out = []
    for m in _TOKEN.finditer(text):
        for word in normalise_word(m.group()).split():
            out.append((word if word in PLURAL_NOT_EVIDENCE else _singular(word), m.start(), m.end()))
    return out


def _distinct(triggers: dict[str, str]) -> tuple[str, ...]:
    """The triggers, less those inside a longer trigger of the same category.

    "mental health" does not count again beside "mental health and
    wellbeing": it is the same evidence.
    """
    keys = list(triggers)
    kept = [k for k in keys if not any(o != k and f" {k} " in f" {o} " for o in keys)]
    return tuple(triggers[k] for k in kept)


def infer_categories(texts: Iterable[str | None], taxonomy: Taxonomy, *, limit: int = SUGGESTION_LIMIT,
                     ) -> tuple[Inference, ...]:
    """Suggest categories for one asset from its free texts (name, description, activities...).

    *texts* may hold ``None`` or NaN for missing values; a single string is
    read as one text. See the module docstring for the matching rules.
    Returns at most *limit* suggestions, the category with the most distinct
    triggers first.
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    if isinstance(texts, str):
        texts = (texts,)
    lex = _lexicon(taxonomy)
    found: dict[str, dict[str, str]] = {}  # category -> normalised trigger -> as written
    in_name: set[str] = set()  # categories with a trigger in the first text
    for n_text, text in enumerate(texts):
        if text is None or (isinstance(text, float) and math.isnan(text)):
            continue
        text = str(text)
        tokens = _tokens(text)
        i = 0
        while i < len(tokens):
            for k in range(min(lex.longest, len(tokens) - i), 0, -1):
                key = tuple(t for t, _, _ in tokens[i:i + k])
                cid = lex.phrases.get(key)
                if cid == "":  # a phrase that is evidence of nothing
                    i += k
                    break
                if cid is not None:
                    written = text[tokens[i][1]:tokens[i + k - 1][2]]
                    found.setdefault(cid, {}).setdefault(" ".join(key), written)
                    if n_text == 0:
                        in_name.add(cid)
                    i += k
                    break
            else:
                i += 1
    _green_space_friends(texts, lex, found, in_name)
    distinct = {cid: _distinct(triggers) for cid, triggers in found.items()}
    ranked = sorted(distinct.items(), key=lambda item: (-len(item[1]), lex.order[item[0]]))
    return tuple(Inference(cid, triggers, cid in in_name, n > 0) for n, (cid, triggers) in enumerate(ranked[:limit]))


def _green_space_friends(texts: Iterable[str | None], lex: _Lexicon, found: dict[str, dict[str, str]],
                        in_name: set[str]) -> None:
    """Add the name of a "Friends of <park>" group as a trigger of nature and green space (:data:`GREEN_SPACE`)."""
    name = next(iter(texts), None)
    if GREEN_SPACE not in lex.order or not isinstance(name, str):
        return
    written = re.split(r"[,(]", name, maxsplit=1)[0].strip()
    if _GREEN_SPACE_FRIENDS.match(normalise_word(written)):
        found.setdefault(GREEN_SPACE, {}).setdefault(word_key(written), written)
        in_name.add(GREEN_SPACE)


def format_inferred(inferences: Iterable[Inference]) -> str:
    """Suggestions as stored with an asset: ``"id (trigger, trigger); id (trigger)"``; empty for none."""
    return "; ".join(f"{inf.category} ({', '.join(inf.triggers)})" for inf in inferences)


def parse_inferred(text: str | None) -> list[str]:
    """The category ids of a :func:`format_inferred` string."""
    return [part.split(" (", 1)[0].strip() for part in (text or "").split("; ") if part.strip()]



#: Bodies that are not services to the public, each a reason and the phrases
#: (regular expressions over each text in :func:`normalise_word` form) that
#: recognise it. See :func:`not_a_service`.
NOT_A_SERVICE_PHRASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("a school's parent-teacher or friends' association", (
        r"\bparents? (and )?(teachers?|staff|friends)\b", r"\b(parents?|friends) association\b",
        r"\b(pta|ptfa|pfta|pfa|psa|p t a)\b",
    )),
    ("a fundraising group", (
        r"^(fund ?raising|raising (funds|money)|(to )?raise (funds|money))\b",
        r"\b(raise|raises|raising|raised) (funds|money)( \w+){0,8} (school|academy|pupils|hospital)\b",
    )),
    ("a grant-making trust", (
        r"\bgrant ?making\b", r"\b(make|makes|making|provides|awarding of) (small )?grants\b", r"\bgrants to\b",
        r"\bthrough financial grants\b", r"\b(donations?|donated|distributed|distribution of funds) to( \w+){0,4} "
        r"(charit\w*|institutions|organisations|bodies|causes)\b", r"\bdistributes money\b",
        r"\bfunds (are |were )?(then )?(dispersed|distributed)\b", r"\bto be distributed\b",
        r"\bunsolicited applications\b", r"\bgood causes\b",
        r"\b(support|supporting|further|furthering)( such)? charitable causes\b",
        r"\bat the discretion of the trustees\b",
        r"\bcharitable (purpose|purposes|object|objects)( \w+){0,25} as the (charity )?trustees( \w+){0,4} "
        r"(think|thinks|see|sees) fit\b",
    )),
    ("a property-holding trust", (
        r"\b(trust property|property held|funds held|held in connection|proceeds of (the )?sale)\b",
        r"\b(repair|maintenance|upkeep|preservation|restoration)( and \w+)? of the (\w+ )?fabric\b",
        r"\b(rental income|rents from|investment properties)\b",
    )),
)

#: A parents' association is one of a school.
_SCHOOL = re.compile(r"\b(schools?|academy|pupils)\b")
#: A "friends of" group whose name is one of these, or that says it raises
#: funds, is a fundraising group (a "friends of" a park that runs a cafe is not).
_INSTITUTION = re.compile(r"\b(schools?|academy|hospitals?|hospice|church|chapel)\b")
_FUNDRAISING = re.compile(r"\b(raise|raises|raising|raised) (funds|money)\b|\bfund ?raising\b")
#: A grant phrase does not make a body that also runs something for the public
#: a grant-maker (a church that makes grants, a choir that makes donations).
_RUNS_SOMETHING = re.compile(r"\b(worship|performances?|classes|courses|sessions|drop in)\b")
_COMPILED = tuple((reason, tuple(re.compile(p) for p in patterns)) for reason, patterns in NOT_A_SERVICE_PHRASES)


#: The ``category_source`` of an asset recognised as not a service starts with
#: this, followed by ``": "`` and the reason (:func:`not_a_service_source`).
NOT_A_SERVICE = "not a service"


def not_a_service_source(reason: str) -> str:
    """The ``category_source`` of an asset that is not a service: ``"not a service: <reason>"``."""
    return f"{NOT_A_SERVICE}: {reason}"


def is_not_a_service(category_source: object) -> bool:
    """Whether an asset's ``category_source`` says it is not a service to the public."""
    return isinstance(category_source, str) and category_source.startswith(NOT_A_SERVICE)


def not_a_service(texts: Iterable[str | None]) -> str | None:
    """Why an asset is not a service to the public, from its free texts; ``None`` when it may be one.

    Recognised, in this order, by the phrases of :data:`NOT_A_SERVICE_PHRASES`: a
    school's parent-teacher or friends' association ("PTFA", "Parents' and
    Friends' Association", with a school or pupils named); a fundraising group
    (a text that begins with fundraising, one that raises funds for a school
    or hospital, a "Friends of" group named after a school, hospital or
    church, or that says it raises funds); a grant-making trust ("makes grants
    to organisations", "donations to other charities", "funds dispersed to
    local groups", "no unsolicited applications", "such charitable purposes
    as the trustees see fit"), unless the text also says it runs something
    (worship, performances, classes, courses, sessions, a drop in); a
    property-holding trust ("trust property", "funds held in connection
    with", "the fabric of the church", "rents from investment properties").
    Such bodies are imported and kept but are not provision.
    """
    if isinstance(texts, str):
        texts = (texts,)
    plain = [normalise_word(str(t)) for t in texts if t is not None and not (isinstance(t, float) and math.isnan(t))]
    joined = " | ".join(plain)
    for reason, patterns in _COMPILED:
        if reason.startswith("a fundraising") and any(t.startswith(("friends of", "the friends of")) and (
                _INSTITUTION.search(t) or _FUNDRAISING.search(joined)) for t in plain):
            return reason
        if not any(p.search(t) for p in patterns for t in plain):
            continue
        if reason.startswith("a school") and not _SCHOOL.search(joined):
            continue
        if reason.startswith("a grant") and _RUNS_SOMETHING.search(joined):
            continue
        return reason
    return None
