"""The one place that turns settings into a LangChain chat model. Each backend is an optional extra,
imported only when chosen, so the default (extractive) install stays small."""

from __future__ import annotations

import os
from typing import Any

from assistant.settings import Settings

OLLAMA_DEFAULT_URL = "http://127.0.0.1:11434"

# backend -> (module to import, extra that provides it)
EXTRAS = {
    "openai": ("langchain_openai", "openai"),
    "ollama": ("langchain_ollama", "ollama"),
    "llamacpp": ("llama_cpp", "llamacpp"),
}


class LLMConfigError(ValueError):
    """The chosen backend cannot be built as configured; the message says what to set or install."""


class LLMUnavailable(RuntimeError):
    """The LLM could not be reached or gave nothing usable (timeout, refused, empty output)."""


def _require(backend: str) -> None:
    module, extra = EXTRAS[backend]
    try:
        __import__(module)
    except ImportError as exc:
        raise LLMConfigError(
            f"the {backend} backend needs the '{extra}' extra: pip install -e '.[{extra}]' "
            f"(inside .venv); missing module: {exc.name}"
        ) from exc


def chat_model(settings: Settings) -> Any:
    """A LangChain chat model for `settings.llm` (never the extractive backend)."""
    backend = settings.llm
    common = {"temperature": settings.llm_temperature}
    match backend:
        case "openai":
            if not settings.llm_base_url:
                # No silent default to a cloud endpoint: sending questions off this machine is a choice.
                raise LLMConfigError(
                    "the openai backend needs ASSISTANT_LLM_BASE_URL, e.g. http://127.0.0.1:8000/v1 for a local "
                    "llama.cpp/vLLM server or https://api.openai.com/v1 for OpenAI"
                )
            _require(backend)
            from langchain_openai import ChatOpenAI

            key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else os.environ.get("OPENAI_API_KEY")
            return ChatOpenAI(
                model=settings.llm_model or "local-model", base_url=settings.llm_base_url, api_key=key or "not-needed",
                timeout=settings.llm_timeout, max_retries=0, max_tokens=settings.llm_max_tokens, streaming=True, **common,
            )
        case "ollama":
            _require(backend)
            from langchain_ollama import ChatOllama

            if not settings.llm_model:
                raise LLMConfigError("the ollama backend needs ASSISTANT_LLM_MODEL, e.g. llama3.1 (see `ollama list`)")
            return ChatOllama(
                model=settings.llm_model, base_url=settings.llm_base_url or OLLAMA_DEFAULT_URL, num_predict=settings.llm_max_tokens,
                client_kwargs={"timeout": settings.llm_timeout}, **common,
            )
        case "llamacpp":
            _require(backend)
            try:
                from langchain_community.chat_models import ChatLlamaCpp
            except ImportError as exc:
                raise LLMConfigError("the llamacpp backend needs the 'llamacpp' extra: pip install -e '.[llamacpp]'") from exc
            path = settings.llm_model_path
            if not path or not path.is_file():
                raise LLMConfigError(f"the llamacpp backend needs ASSISTANT_LLM_MODEL_PATH pointing at a .gguf file (got {path})")
            return ChatLlamaCpp(model_path=str(path), max_tokens=settings.llm_max_tokens, n_ctx=4096, verbose=False, streaming=True, **common)
    raise LLMConfigError(f"unknown LLM backend {backend!r}; available: extractive, openai, ollama, llamacpp")


def describe_failure(exc: BaseException, settings: Settings) -> str:
    """One line for a failed LLM call: what happened and where, without a traceback."""
    where = settings.llm_base_url or (OLLAMA_DEFAULT_URL if settings.llm == "ollama" else str(settings.llm_model_path or ""))
    names = " ".join(cls.__name__ for cls in type(exc).__mro__)
    if "Timeout" in names:
        what = f"timed out after {settings.llm_timeout:g} s"
    elif "Connect" in names or isinstance(exc, ConnectionError):
        what = "could not connect (is the server running?)"
    else:
        what = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else 'no detail'}"
    return f"LLM backend {settings.llm} at {where} {what}"
