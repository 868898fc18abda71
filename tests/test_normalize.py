from rag.ingest.normalize import drop_cjk_spaces, normalize_block
from rag.text.sentences import ends_sentence


def test_drops_spaces_between_cjk_characters():
    assert drop_cjk_spaces("近年来,我 市以项目建设补齐基础设施短板,逐 年加大") == "近年来,我市以项目建设补齐基础设施短板,逐年加大"


def test_drops_spaces_between_cjk_and_numbers_or_punctuation():
    assert drop_cjk_spaces("12月1 日,市政府") == "12月1日,市政府"
    assert drop_cjk_spaces("设立社会救助基金会 12 家") == "设立社会救助基金会12家"
    assert drop_cjk_spaces("供养, 兜底 保障") == "供养,兜底保障"
    assert drop_cjk_spaces("本报讯 (记者李晨阔) 今年") == "本报讯(记者李晨阔)今年"


def test_keeps_spaces_in_latin_text_and_numbers():
    assert drop_cjk_spaces("COVID 19 vaccine") == "COVID 19 vaccine"
    assert drop_cjk_spaces("用 Python 语言") == "用 Python 语言"
    assert drop_cjk_spaces("version 2.0 release") == "version 2.0 release"


def test_keeps_the_papers_own_punctuation():
    text = '他说,"读懂今天的中国,必须读懂中国共产党"。'
    assert normalize_block(text) == text


def test_joins_lines_of_one_block():
    assert normalize_block("累计筹集资金6000余万\n元; 特困失能人员") == "累计筹集资金6000余万元;特困失能人员"
    assert normalize_block("the quick\nbrown fox") == "the quick brown fox"


def test_sentence_end():
    assert ends_sentence("不断增强。")
    assert ends_sentence('必须读懂中国共产党。"')
    assert not ends_sentence("累计筹集资金6000余万")
    assert not ends_sentence("实施临时救助1.04万人次;")
