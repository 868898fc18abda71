"""What an archive's folders and file names say about an issue file: date, page, article, paper.

Archives crawled from e-paper sites keep one article per file and put the date and page in
the path, with no masthead in the text:

    20190201/20190201-01-03.txt          date folder; date, page 01, article 03 in the name
    2020-01-19/01/03.txt                 date folder, page folder, article number
    paper-2020-01-19-01-03.txt           the date, then page and article, in the name
    people-daily/2019-02/20190201/…      a folder that names the paper

A page file carries its date and page in a masthead instead (rag.ingest.masthead); the path
is its fallback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath

from rag.text.names import page_label

# Folder names that say which paper an archive holds: (newspaper, slug for ids).
KNOWN_FOLDERS = {
    "people-daily": ("人民日报", "people-daily"), "peoples-daily": ("人民日报", "people-daily"),
    "rmrb": ("人民日报", "people-daily"), "renminribao": ("人民日报", "people-daily"),
    "guangming-daily": ("光明日报", "guangming-daily"), "gmrb": ("光明日报", "guangming-daily"),
    "economic-daily": ("经济日报", "economic-daily"), "jjrb": ("经济日报", "economic-daily"),
    "hengshui-daily": ("衡水日报", "hengshui-daily"), "hebei-daily": ("河北日报", "hebei-daily"),
}
_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12]\d|3[01])(?!\d)")
_NUMBERS_AFTER = re.compile(r"^[-_. ]*([A-Ha-h]?\d{1,3})(?:[-_. ]+(\d{1,3}))?(?:$|[-_. ])")
_PAGE_DIR = re.compile(r"^(?:第)?([A-Ha-h]?\d{1,3})(?:版)?$")


@dataclass(frozen=True)
class PathInfo:
    date: str = ""  # ISO yyyy-mm-dd
    page: str = ""  # a page label: "1", "A1"
    article: int = 0  # the article's order on its page; 0 when the file is not one article
    newspaper: str = ""
    slug: str = ""
    source: str = ""  # the file's name in the archive: unique across it

    @property
    def one_article(self) -> bool:
        return self.article > 0


def _iso(m: re.Match) -> str:
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}"


def read_path(path: PurePath) -> PathInfo:
    """Date, page, article order and paper that the path of an issue file gives."""
    stem, parents = path.stem, list(path.parent.parts)
    newspaper = slug = ""
    for part in reversed(parents):
        if part.lower() in KNOWN_FOLDERS:
            newspaper, slug = KNOWN_FOLDERS[part.lower()]
            break
    date = page = ""
    article = 0
    source = path.name
    m = _DATE.search(stem)
    if m:
        date = _iso(m)
        after = _NUMBERS_AFTER.match(stem[m.end():])
        if after:
            page = page_label(after.group(1))
            article = int(after.group(2)) if after.group(2) else 0
    else:
        # The date in a folder: …/2020-01-19/01/03.txt or …/20190201/03.txt
        for i in range(len(parents) - 1, -1, -1):
            d = _DATE.fullmatch(parents[i]) or _DATE.fullmatch(parents[i].replace("/", ""))
            if d:
                date = _iso(d)
                below = parents[i + 1:]
                if below and (p := _PAGE_DIR.match(below[0])):
                    page = page_label(p.group(1))
                if page and stem.isdigit():
                    article = int(stem)
                source = "/".join([*parents[i:], path.name])  # "03.txt" alone is in every folder
                break
    return PathInfo(date=date, page=page, article=article, newspaper=newspaper, slug=slug, source=source)
