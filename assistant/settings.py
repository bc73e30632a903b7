"""One settings object for the whole assistant, read from ASSISTANT_* environment variables and
overridden by CLI flags. Every other module takes a Settings instance instead of reading the env."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import Field, SecretStr, field_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from assistant.llms import BACKENDS
from index.config import IndexConfig

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHIPPED_CORPUS = PROJECT_ROOT / "corpus" / "documents"
# How passages are found; the CLI, the web chat's menu and the evaluation presets all list these.
RetrievalMode = Literal["hybrid", "dense", "bm25"]
RETRIEVAL_MODES: tuple[str, ...] = get_args(RetrievalMode)


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "peninsula"


class Settings(BaseSettings):
    """Settings; the env var of each field is ASSISTANT_<FIELD NAME IN CAPITALS>."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="ignore", validate_assignment=True)

    data_dir: Path = Field(default_factory=default_data_dir, description="Where indexes and feedback live")
    corpus_dirs: Annotated[list[Path], NoDecode] = Field(
        default_factory=lambda: [SHIPPED_CORPUS], description="Corpus folders, separated by os.pathsep in the env"
    )
    chunk_size: int = Field(700, ge=100, le=8000, description="Max characters per chunk (whole sentences)")
    chunk_overlap: int = Field(
        150, ge=0, le=4000, description="Characters of trailing sentences repeated in the next chunk"
    )
    retriever: RetrievalMode = Field("hybrid", description="Retrieval mode")
    top_k: int = Field(6, ge=1, le=50, description="Passages handed to the answerer")
    candidate_k: int = Field(30, ge=1, le=500, description="Candidates per retriever before fusion")
    rrf_k: int = Field(60, ge=1, description="Reciprocal rank fusion constant")
    lexical_weight: float = Field(
        1.0, ge=0.0, le=5.0, description="Weight of the BM25 ranking against the dense one in fusion"
    )
    llm: str = Field(
        "extractive",
        description="Answer backend (assistant.llms.BACKENDS): extractive (default, offline) or a real LLM",
    )
    llm_model: str | None = Field(None, description="Model name for openai/ollama (e.g. gpt-4o-mini, llama3.1)")
    llm_base_url: str | None = Field(
        None,
        description="Server URL for openai (e.g. http://127.0.0.1:8000/v1) or ollama (default http://127.0.0.1:11434)",
    )
    llm_api_key: SecretStr | None = Field(None, description="API key for openai; falls back to OPENAI_API_KEY")
    llm_model_path: Path | None = Field(None, description="GGUF file for llamacpp (in-process)")
    llm_timeout: float = Field(60.0, gt=0, le=3600, description="Seconds before an LLM call is abandoned")
    llm_max_tokens: int = Field(400, ge=16, le=8192, description="Longest generated answer, in tokens")
    llm_temperature: float = Field(0.0, ge=0.0, le=2.0, description="Sampling temperature")
    llm_condense: bool = Field(True, description="Let the LLM rewrite follow-up questions (rules if it fails)")
    guard: Literal["remove", "fallback"] = Field(
        "remove", description="Unsupported generated sentences: remove them, or answer extractively instead"
    )
    guard_threshold: float = Field(
        0.5, ge=0.0, le=1.0, description="Support a generated sentence needs from its cited passage"
    )
    max_answer_sentences: int = Field(3, ge=1, le=6, description="Sentences in an extractive answer")
    abstain_threshold: float = Field(
        0.4, ge=0.0, le=1.0, description="Minimum evidence support to answer (hand scorer)"
    )
    scorer: Literal["learned", "hand"] = Field(
        "learned", description="Sentence choice and abstention: the fitted models (learned) or the old hand-set weights"
    )
    answerable_threshold: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="Decline when P(the sources answer) is below this; unset = the fitted threshold",
    )
    encoder: Literal["onnx-fp32", "onnx-int8", "torch-fp32"] = Field(
        "onnx-fp32",
        description="Encoder of questions and of the sentences answers are chosen from: fp32 ONNX Runtime "
        "(default: the reference's vectors without importing torch), the fp32 PyTorch reference, or int8 ONNX Runtime",
    )
    index_encoder: Literal["onnx-fp32", "onnx-int8", "torch-fp32"] = Field(
        "onnx-int8",
        description="Encoder of the chunks at index build: int8 ONNX Runtime (default, over 2x the chunks/s of fp32, "
        "same retrieval quality), or one of the fp32 encoders",
    )
    model_cache: Path | None = Field(
        None,
        description="Folder of the ONNX exports of the in-wheel model (~115 MB); unset = data_dir/models. "
        "Share one between data folders to export once",
    )
    chroma_url: str | None = Field(None, description="Chroma server URL; unset = embedded store in data_dir")
    host: str = Field("127.0.0.1", description="Web chat bind address")
    port: int = Field(7860, ge=0, le=65535, description="Web chat port")
    max_question_chars: int = Field(2000, ge=10, description="Longest question accepted")

    @field_validator("corpus_dirs", mode="before")
    @classmethod
    def _split_paths(cls, value: object) -> object:
        if isinstance(value, str):
            return [Path(p).expanduser() for p in value.split(os.pathsep) if p.strip()]
        return value

    @field_validator("llm")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        if value not in BACKENDS:
            raise PydanticCustomError(
                "llm_backend",
                "unknown answer backend '{name}'; available: {names}",
                {"name": value, "names": ", ".join(BACKENDS)},
            )
        return value

    @field_validator("chunk_overlap")
    @classmethod
    def _overlap_below_size(cls, value: int, info) -> int:
        size = info.data.get("chunk_size", 700)
        if value >= size:
            raise ValueError(f"chunk_overlap ({value}) must be smaller than chunk_size ({size})")
        return value

    @property
    def uploads_dir(self) -> Path:
        """Documents added from the web chat; part of the corpus once the folder exists."""
        return self.data_dir / "uploads"

    def index_config(self) -> IndexConfig:
        dirs = list(self.corpus_dirs)
        if self.uploads_dir.is_dir() and self.uploads_dir not in dirs:
            dirs.append(self.uploads_dir)
        return IndexConfig(
            data_dir=self.data_dir,
            corpus_dirs=tuple(dirs),
            chunk_size=self.chunk_size,
            chunk_overlap=self.chunk_overlap,
            chroma_url=self.chroma_url,
            encoder=self.encoder,
            index_encoder=self.index_encoder,
            model_cache=self.model_cache,
        )

    def with_overrides(self, **overrides: object) -> Settings:
        """A copy with the given fields changed (None means keep), validated like the env."""
        data = self.model_dump()
        data.update({k: v for k, v in overrides.items() if v is not None})
        return Settings.model_validate(data)
