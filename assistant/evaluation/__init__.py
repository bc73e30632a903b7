"""Evaluation: test sets (ragas field names), metrics without an LLM judge, and reports."""
