"""The LCEL chain: (question, history) -> condense -> retrieve -> answer, with timings per stage.

`prepare` (condense | retrieve) is shared by `invoke` (one Answer) and `stream` (text as the answerer
writes it, then the Answer), so both paths search exactly the same way.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Iterator

from langchain_core.runnables import Runnable, RunnableLambda

from assistant.answer import Answer, final_answer
from assistant.answerers import Answerer
from assistant.conversation import Conversation
from assistant.documents import answer_documents, author_followup
from assistant.recency import revise
from assistant.retrieval import Retriever


@dataclass
class AnswerChain:
    prepare: Runnable[dict[str, Any], dict[str, Any]]
    answerer: Answerer
    retriever: Retriever

    def invoke(self, inputs: dict[str, Any]) -> Answer:
        return final_answer(self.stream(inputs))

    def stream(self, inputs: dict[str, Any]) -> Iterator[str | Answer]:
        state = self.prepare.invoke(inputs)
        # Questions about the documents themselves (summaries, header facts, the collection) come first.
        documents = answer_documents(state["question"], state["conversation"], state["generation"], self.retriever)
        if documents is not None:
            used = {p.chunk_id for p in documents.retrieved}  # what the answer rests on first, then the search
            retrieved = documents.retrieved + [p for p in state["passages"] if p.chunk_id not in used]
            yield _finish(documents.model_copy(update={"retrieved": retrieved}), state)
            return
        for item in self.answerer.stream(state["asked"], state["passages"], state["generation"], state["conversation"],
                                         state["standalone"]):
            if isinstance(item, Answer):
                if item.backend == "extractive":  # latest source first, and an older one that disagrees said
                    item = revise(item, state["question"], state["generation"])
                yield _finish(item, state)
            else:
                yield item


def _finish(result: Answer, state: dict[str, Any]) -> Answer:
    timings = {**state["timings"], **result.timings_ms}
    timings["total"] = (time.perf_counter() - state["started"]) * 1000
    return result.model_copy(update={
        "question": state["question"], "search_query": state["search_query"], "condensed_by": state["condensed_by"],
        "timings_ms": {k: round(v, 2) for k, v in timings.items()},
    })


def build_chain(retriever: Retriever, answerer: Answerer) -> AnswerChain:
    """Input: {"question": str, "history": messages or pairs, optional "k", "retriever"}."""

    def condense(inputs: dict[str, Any]) -> dict[str, Any]:
        started = time.perf_counter()
        conversation = Conversation.from_history(inputs.get("history"))
        question = inputs["question"]
        standalone = answerer.condense(question, conversation)  # an LLM's rewrite, when there is one
        condensed_by = "llm" if standalone else "rules"
        # "Where does he work?" after a header answer naming the author: the pronoun is that person.
        named = None if standalone else author_followup(question, conversation)
        search_query = standalone or named or conversation.search_query(question)
        # A question that does not look like a follow-up may still be one: search with the
        # previous question too, at lower weight.
        if conversation.turns and search_query == question:
            context_query: str | None = f"{conversation.turns[-1].question} {question}"
        else:  # a follow-up ("Where was that?") is also searched beside what was just answered
            context_query = conversation.answer_context(question)
        return {
            **inputs, "conversation": conversation, "search_query": search_query, "context_query": context_query,
            "asked": named or question,
            "standalone": standalone, "condensed_by": condensed_by,
            "timings": {"condense": (time.perf_counter() - started) * 1000}, "started": started,
        }

    def retrieve(state: dict[str, Any]) -> dict[str, Any]:
        # One read of the current generation for both the search and the answerer: a rebuild that
        # swaps generations in between must not hand the answerer another index's chunk tables.
        generation = retriever.generation
        passages = retriever.search(state["search_query"], state.get("k"), state.get("retriever"), state["timings"],
                                    state["context_query"], generation=generation)
        return {**state, "passages": passages, "generation": generation}

    prepare = RunnableLambda(condense, name="condense") | RunnableLambda(retrieve, name="retrieve")
    return AnswerChain(prepare, answerer, retriever)
