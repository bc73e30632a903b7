"""The Gradio web chat: a thin shell over `assistant`."""
