"""The answer backends, in one table, and the one place that turns settings into a LangChain chat model.

Each generative backend is an optional extra, imported only when chosen, so the default (extractive)
install stays small. Settings validation, the answerer factory, CLI help and the "install extra X"
messages all read `BACKENDS`: a new backend is one entry here.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # settings imports this table to validate `llm`; only annotations need Settings here
    from assistant.settings import Settings

OLLAMA_DEFAULT_URL = "http://127.0.0.1:11434"


class LLMConfigError(ValueError):
    """The chosen backend cannot be built as configured; the message says what to set or install."""


@dataclass(frozen=True)
class Backend:
    """One answer backend: what to install for it, what it needs set, and how its chat model is built."""

    name: str
    build: Callable[[Settings], Any] | None = None  # None: no LLM (the extractive answerer)
    extra: str | None = None  # the pip extra that provides it
    modules: tuple[str, ...] = ()  # imports that prove the extra is installed
    needs_base_url: str = ""  # non-empty: ASSISTANT_LLM_BASE_URL is required; the text is the example given
    needs_model: str = ""  # non-empty: ASSISTANT_LLM_MODEL is required; the text is the example given
    needs_model_path: bool = False  # ASSISTANT_LLM_MODEL_PATH must name an existing .gguf file
    default_base_url: str | None = None  # where it connects when no URL is set (named in failure messages)

    @property
    def generative(self) -> bool:
        return self.build is not None

    def check(self, settings: Settings) -> None:
        """Raise LLMConfigError naming the setting to give or the extra to install, before any call."""
        if self.needs_base_url and not settings.llm_base_url:
            # No silent default to a cloud endpoint: sending questions off this machine is a choice.
            raise LLMConfigError(f"the {self.name} backend needs ASSISTANT_LLM_BASE_URL, e.g. {self.needs_base_url}")
        if self.needs_model and not settings.llm_model:
            raise LLMConfigError(f"the {self.name} backend needs ASSISTANT_LLM_MODEL, e.g. {self.needs_model}")
        path = settings.llm_model_path
        if self.needs_model_path and (not path or not path.is_file()):
            raise LLMConfigError(
                f"the {self.name} backend needs ASSISTANT_LLM_MODEL_PATH pointing at a .gguf file (got {path})"
            )
        for module in self.modules:
            try:
                __import__(module)
            except ImportError as exc:
                raise LLMConfigError(
                    f"the {self.name} backend needs the '{self.extra}' extra: pip install -e '.[{self.extra}]' "
                    f"(inside .venv); missing module: {exc.name}"
                ) from exc


def _openai(settings: Settings) -> Any:
    from langchain_openai import ChatOpenAI

    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else os.environ.get("OPENAI_API_KEY")
    return ChatOpenAI(
        model=settings.llm_model or "local-model",
        base_url=settings.llm_base_url,
        api_key=key or "not-needed",
        timeout=settings.llm_timeout,
        max_retries=0,
        max_tokens=settings.llm_max_tokens,
        streaming=True,
        temperature=settings.llm_temperature,
    )


def _ollama(settings: Settings) -> Any:
    from langchain_ollama import ChatOllama

    return ChatOllama(
        model=settings.llm_model,
        base_url=settings.llm_base_url or OLLAMA_DEFAULT_URL,
        num_predict=settings.llm_max_tokens,
        client_kwargs={"timeout": settings.llm_timeout},
        temperature=settings.llm_temperature,
    )


def _llamacpp(settings: Settings) -> Any:
    from langchain_community.chat_models import ChatLlamaCpp

    return ChatLlamaCpp(
        model_path=str(settings.llm_model_path),
        max_tokens=settings.llm_max_tokens,
        n_ctx=4096,
        verbose=False,
        streaming=True,
        temperature=settings.llm_temperature,
    )


BACKENDS: dict[str, Backend] = {
    b.name: b
    for b in (
        Backend("extractive"),
        Backend(
            "openai",
            _openai,
            extra="openai",
            modules=("langchain_openai",),
            needs_base_url="http://127.0.0.1:8000/v1 for a local llama.cpp/vLLM server "
            "or https://api.openai.com/v1 for OpenAI",
        ),
        Backend(
            "ollama",
            _ollama,
            extra="ollama",
            modules=("langchain_ollama",),
            needs_model="llama3.1 (see `ollama list`)",
            default_base_url=OLLAMA_DEFAULT_URL,
        ),
        Backend(
            "llamacpp",
            _llamacpp,
            extra="llamacpp",
            modules=("llama_cpp", "langchain_community.chat_models"),
            needs_model_path=True,
        ),
    )
}


def backend_names() -> str:
    """The backends as "extractive | openai | ...", for help texts."""
    return " | ".join(BACKENDS)


def get_backend(name: str) -> Backend:
    try:
        return BACKENDS[name]
    except KeyError:
        raise LLMConfigError(f"unknown LLM backend {name!r}; available: {', '.join(BACKENDS)}") from None


def chat_model(settings: Settings) -> Any:
    """A LangChain chat model for `settings.llm` (never the extractive backend)."""
    backend = get_backend(settings.llm)
    if backend.build is None:
        raise LLMConfigError(f"the {backend.name} backend answers without an LLM; it has no chat model")
    backend.check(settings)
    return backend.build(settings)


def describe_failure(exc: BaseException, settings: Settings) -> str:
    """One line for a failed LLM call: what happened and where, without a traceback."""
    default = get_backend(settings.llm).default_base_url
    where = settings.llm_base_url or default or str(settings.llm_model_path or "")
    names = " ".join(cls.__name__ for cls in type(exc).__mro__)
    if "Timeout" in names:
        what = f"timed out after {settings.llm_timeout:g} s"
    elif "Connect" in names or isinstance(exc, ConnectionError):
        what = "could not connect (is the server running?)"
    else:
        what = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else 'no detail'}"
    return f"LLM backend {settings.llm} at {where} {what}"
