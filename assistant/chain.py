"""The LCEL chain: (question, history) -> condense -> retrieve -> answer, with timings per stage."""

from __future__ import annotations

import time
from typing import Any

from langchain_core.runnables import Runnable, RunnableLambda

from assistant.answer import Answer
from assistant.answerers import Answerer
from assistant.conversation import Conversation
from assistant.retrieval import Retriever


def build_chain(retriever: Retriever, answerer: Answerer) -> Runnable[dict[str, Any], Answer]:
    """Input: {"question": str, "history": messages or pairs, optional "k", "retriever"}."""

    def condense(inputs: dict[str, Any]) -> dict[str, Any]:
        started = time.perf_counter()
        conversation = Conversation.from_history(inputs.get("history"))
        question = inputs["question"]
        search_query = conversation.search_query(question)
        # A question that does not look like a follow-up may still be one: search with the
        # previous question too, at lower weight.
        context_query = f"{conversation.turns[-1].question} {question}" if conversation.turns and search_query == question else None
        return {
            **inputs, "conversation": conversation, "search_query": search_query, "context_query": context_query,
            "timings": {"condense": (time.perf_counter() - started) * 1000}, "started": started,
        }

    def retrieve(state: dict[str, Any]) -> dict[str, Any]:
        passages = retriever.search(state["search_query"], state.get("k"), state.get("retriever"), state["timings"], state["context_query"])
        return {**state, "passages": passages, "generation": retriever.generation}

    def answer(state: dict[str, Any]) -> Answer:
        result = answerer.answer(state["question"], state["passages"], state["generation"], state["conversation"])
        timings = {**state["timings"], **result.timings_ms}
        timings["total"] = (time.perf_counter() - state["started"]) * 1000
        return result.model_copy(update={"search_query": state["search_query"], "timings_ms": {k: round(v, 2) for k, v in timings.items()}})

    return RunnableLambda(condense, name="condense") | RunnableLambda(retrieve, name="retrieve") | RunnableLambda(answer, name="answer")
