"""The LCEL chain: (question, history) -> condense -> retrieve -> answer, with timings per stage.

`prepare` (condense | retrieve) is shared by `invoke` (one Answer) and `stream` (text as the answerer
writes it, then the Answer), so both paths search exactly the same way. The stages pass the typed
records of `assistant.stages`: ChainInput -> Condensed -> Prepared.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

from langchain_core.runnables import Runnable, RunnableLambda

from assistant.answer import Answer, final_answer
from assistant.answerers import Answerer
from assistant.conversation import Conversation
from assistant.documents import answer_documents, author_followup, author_named
from assistant.recency import revise
from assistant.retrieval import Retriever
from assistant.stages import ChainInput, Condensed, Prepared


@dataclass
class AnswerChain:
    prepare: Runnable[ChainInput, Prepared]
    answerer: Answerer
    retriever: Retriever

    def invoke(self, inputs: ChainInput) -> Answer:
        return final_answer(self.stream(inputs))

    def stream(self, inputs: ChainInput) -> Iterator[str | Answer]:
        state = self.prepare.invoke(inputs)
        question, generation = state.condensed.inputs.question, state.generation
        # Questions about the documents themselves (summaries, header facts, the collection) come first.
        documents = answer_documents(question, state.conversation, generation, self.retriever)
        if documents is not None:
            used = {p.chunk_id for p in documents.retrieved}  # what the answer rests on first, then the search
            retrieved = documents.retrieved + [p for p in state.passages if p.chunk_id not in used]
            yield _finish(documents.model_copy(update={"retrieved": retrieved}), state)
            return
        for item in self.answerer.stream(
            state.condensed.asked, state.passages, generation, state.conversation, state.condensed.standalone
        ):
            if isinstance(item, Answer):
                if item.backend == "extractive":  # latest source first, and an older one that disagrees said
                    item = revise(item, question, generation)
                yield _finish(item, state)
            else:
                yield item


def _finish(result: Answer, state: Prepared) -> Answer:
    condensed = state.condensed
    timings = {**condensed.timings_ms, **state.retrieval.timings_ms, **result.timings_ms}
    timings["total"] = (time.perf_counter() - condensed.started) * 1000
    return result.model_copy(
        update={
            "question": condensed.inputs.question,
            "search_query": condensed.search_query,
            "condensed_by": condensed.condensed_by,
            "timings_ms": {k: round(v, 2) for k, v in timings.items()},
        }
    )


def build_chain(retriever: Retriever, answerer: Answerer) -> AnswerChain:
    """A chain over `retriever` and `answerer`; `prepare` alone gives what the answerer would be handed."""

    def condense(inputs: ChainInput) -> Condensed:
        started = time.perf_counter()
        conversation = Conversation.from_history(inputs.history)
        question = inputs.question
        standalone = answerer.condense(question, conversation)  # an LLM's rewrite, when there is one
        condensed_by = "llm" if standalone else "rules"
        # "Where does he work?" after a header answer naming the author: the pronoun is that person;
        # "Where does the author of this piece work?": so is "the author of".
        named = (
            None
            if standalone
            else author_followup(question, conversation)
            or conversation.ordinal_referent(question)
            or author_named(question, lambda: retriever.generation)
        )
        search_query = standalone or named or conversation.search_query(question)
        # A question that does not look like a follow-up may still be one: search with the
        # previous question too, at lower weight.
        if conversation.turns and search_query == question:
            context_query: str | None = f"{conversation.turns[-1].question} {question}"
        else:  # a follow-up ("Where was that?") is also searched beside what was just answered
            context_query = conversation.answer_context(question)
        return Condensed(
            inputs=inputs,
            conversation=conversation,
            search_query=search_query,
            context_query=context_query,
            asked=named or question,
            standalone=standalone,
            condensed_by=condensed_by,
            started=started,
            timings_ms={"condense": (time.perf_counter() - started) * 1000},
        )

    def retrieve(condensed: Condensed) -> Prepared:
        # The Retrieval carries the generation it searched: the answerer reads that one's chunk tables
        # even when a rebuild makes another generation current in between.
        retrieval = retriever.search(
            condensed.search_query,
            condensed.inputs.k,
            condensed.inputs.retriever,
            context_query=condensed.context_query,
        )
        return Prepared(condensed, retrieval)

    prepare = RunnableLambda(condense, name="condense") | RunnableLambda(retrieve, name="retrieve")
    return AnswerChain(prepare, answerer, retriever)
