"""The language layer: how newsqa reads Chinese (and English) text, one copy for every stage.

Ingest, chunking, retrieval and answering all cut, tag and compare text through these
modules, so a word is segmented the same way when a paragraph is indexed and when a
question asks about it.

- ``cjk``: which characters are Chinese, and the punctuation the paper prints;
- ``numerals``: Chinese numerals (三岁 ~ 3岁);
- ``sentences``: sentence ends and splitting;
- ``words``: jieba words and part-of-speech tags, BM25 tokens, character bigrams;
- ``dates``: 昨日/今年 against an issue's date, days and years a text names;
- ``names``: place names and newspaper names;
- ``lexicon``: English words and phrases to the Chinese terms a paper uses.
"""
