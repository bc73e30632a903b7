"""Page styling. Injected through gr.HTML(head=...) rather than launch(css=...), so the page looks
the same however the app is launched (serve(), tests, or a user's own launch call)."""

CSS = """
.gradio-container { max-width: 1360px !important; }
#pn-header h1 { font-size: 1.45rem; margin: 0 0 2px 0; font-weight: 650; }
#pn-header p { margin: 0; color: var(--body-text-color-subdued); font-size: 0.92rem; }
.pn-status { font-size: 0.8rem; color: var(--body-text-color-subdued); margin-top: 2px; }
.pn-status-error { color: var(--error-text-color, #b91c1c); }
#pn-sources-panel { max-height: 720px; overflow-y: auto; }
.pn-sources { font-size: 0.9rem; line-height: 1.5; }
.pn-head { display: flex; flex-direction: column; gap: 2px; padding: 6px 2px 10px;
           border-bottom: 1px solid var(--border-color-primary); margin-bottom: 10px; }
.pn-which { font-weight: 650; font-size: 0.95rem; }
.pn-meta { font-size: 0.78rem; color: var(--body-text-color-subdued); font-variant-numeric: tabular-nums; }
.pn-cards { list-style: none; padding: 0; margin: 0; display: flex; flex-direction: column; gap: 10px; }
.pn-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px;
           background: var(--block-background-fill); margin: 0; }
.pn-card-title { font-weight: 600; line-height: 1.35; }
.pn-card-title a { color: inherit; text-decoration: underline; text-decoration-color: var(--border-color-primary); }
.pn-n { color: var(--color-accent); font-variant-numeric: tabular-nums; margin-right: 2px; }
.pn-byline { font-size: 0.78rem; color: var(--body-text-color-subdued); margin: 2px 0 6px; }
.pn-passage { font-size: 0.86rem; white-space: pre-wrap; color: var(--body-text-color); max-height: 16em; overflow-y: auto; }
.pn-passage mark { background: #fde68a; color: #1f2937; padding: 0 2px; border-radius: 3px; }
.pn-scores { font-size: 0.75rem; color: var(--body-text-color-subdued); margin-top: 6px; font-variant-numeric: tabular-nums; }
.pn-abstain { padding: 8px 10px; border-radius: 6px; background: var(--background-fill-secondary); font-weight: 600; }
.pn-related-h { margin: 14px 0 2px; font-size: 0.9rem; }
.pn-related-card { border-style: dashed; opacity: 0.9; }
.pn-muted { color: var(--body-text-color-subdued); font-size: 0.86rem; margin: 4px 0; }
#pn-actions { gap: 6px; flex-wrap: wrap; }
#pn-actions button { min-width: 0; }
#pn-feedback-status p { font-size: 0.85rem; margin: 0; }
"""
