"""Handler results by component name. The chat page's handlers return a `PageUpdate` naming the
components they change instead of a positional tuple, so adding a component to the page (or an output
to an event) shifts nothing; `by_name` turns each update into the {component: value} dict Gradio
accepts, which leaves every output not named as it is."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any

import gradio as gr
from gradio.blocks import Block


class _Keep:
    """A field's value when the handler leaves that component as it is (None is a real value: no selection)."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()


@dataclass(frozen=True)
class PageUpdate:
    """What one handler call changes on the chat page, by component name."""

    textbox: Any = KEEP
    chatbot: Any = KEEP
    turns: Any = KEEP
    selected: Any = KEEP
    sources: Any = KEEP
    md_file: Any = KEEP
    json_file: Any = KEEP
    session: Any = KEEP
    ratings: Any = KEEP
    last_rated: Any = KEEP
    feedback_line: Any = KEEP
    comment: Any = KEEP
    upload_msg: Any = KEEP
    header: Any = KEEP
    upload: Any = KEEP

    def changed(self) -> dict[str, Any]:
        """The fields that were set, by name."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not KEEP}


def to_outputs(update: PageUpdate, components: Mapping[str, Block]) -> dict[Block, Any] | dict[str, Any]:
    """{component: value} for what changed; gr.skip() when nothing did (Gradio reads an empty dict as a value)."""
    changed = update.changed()
    missing = sorted(set(changed) - set(components))
    if missing:
        raise KeyError(f"the update sets {', '.join(missing)}, which this page has no component for")
    return {components[name]: value for name, value in changed.items()} or gr.skip()


def by_name(handler: Callable[..., Any], components: Mapping[str, Block]) -> Callable[..., Any]:
    """`handler` as Gradio calls it: what it returns (or yields) goes to the components named.
    functools.wraps keeps the signature and annotations Gradio reads to pass gr.Request, event data
    and gr.Progress; a generator stays a generator, so streaming still streams."""
    if inspect.isgeneratorfunction(handler):

        @functools.wraps(handler)
        def stream(*args: Any, **kwargs: Any) -> Any:
            for update in handler(*args, **kwargs):
                yield to_outputs(update, components)

        return stream

    @functools.wraps(handler)
    def call(*args: Any, **kwargs: Any) -> Any:
        return to_outputs(handler(*args, **kwargs), components)

    return call
