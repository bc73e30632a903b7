"""Page styling. Injected through gr.HTML(head=...) rather than launch(css=...), so the page looks
the same however the app is launched (serve(), tests, or a user's own launch call)."""

CSS = """
.gradio-container { max-width: 1360px !important; }
#pn-header h1 { font-size: 1.45rem; margin: 0 0 2px 0; font-weight: 650; }
#pn-header p { margin: 0; color: var(--body-text-color); opacity: 0.8; font-size: 0.92rem; }
#pn-header .pn-status { font-size: 0.8rem; color: var(--body-text-color); opacity: 0.7; margin-top: 6px; }
#pn-header .pn-status-error { color: var(--error-text-color, #b91c1c); }
#pn-sources-panel { min-height: 120px; }
#pn-sources-panel .pn-sources { font-size: 0.9rem; line-height: 1.5; max-height: 500px; overflow-y: auto; padding-right: 4px; }
#pn-sources-panel .pn-head { display: flex; flex-direction: column; gap: 2px; padding: 6px 2px 10px;
           border-bottom: 1px solid var(--border-color-primary); margin-bottom: 10px; }
#pn-sources-panel .pn-which { font-weight: 650; font-size: 0.95rem; }
#pn-sources-panel .pn-meta { font-size: 0.78rem; color: var(--body-text-color); opacity: 0.75; font-variant-numeric: tabular-nums; }
#pn-sources-panel .pn-cards { display: flex; flex-direction: column; gap: 10px; }
#pn-sources-panel .pn-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px;
           background: var(--block-background-fill); margin: 0; }
#pn-sources-panel .pn-card-title { font-weight: 600; line-height: 1.3; font-size: 0.84rem; }
#pn-sources-panel .pn-card-title a { color: var(--body-text-color); text-decoration: underline; text-decoration-color: var(--color-accent); text-underline-offset: 2px; }
#pn-sources-panel .pn-n { color: var(--color-accent); font-variant-numeric: tabular-nums; margin-right: 2px; }
#pn-sources-panel .pn-byline { font-size: 0.76rem; color: var(--body-text-color); opacity: 0.7; margin: 2px 0 6px; }
#pn-sources-panel .pn-passage { font-size: 0.86rem; white-space: pre-wrap; color: var(--body-text-color); }
#pn-sources-panel .pn-passage mark { background: #fde68a; color: #1f2937; padding: 0 2px; border-radius: 3px; }
#pn-sources-panel .pn-scores { font-size: 0.75rem; color: var(--body-text-color); opacity: 0.7; margin-top: 6px; font-variant-numeric: tabular-nums; }
#pn-sources-panel .pn-abstain { padding: 8px 10px; border-radius: 6px; background: var(--background-fill-secondary); font-weight: 600; }
#pn-sources-panel .pn-related-h { margin: 14px 0 2px; font-size: 0.9rem; }
#pn-sources-panel .pn-related-card { border-style: dashed; opacity: 0.9; }
#pn-sources-panel .pn-muted { color: var(--body-text-color); opacity: 0.7; font-size: 0.86rem; margin: 4px 0; }
#pn-actions { gap: 6px; flex-wrap: wrap; }
#pn-feedback-status p { font-size: 0.85rem; margin: 0; }
#pn-upload { min-height: 0; }
#pn-sources-panel .pn-kind { font-size: 0.72rem; text-transform: uppercase; letter-spacing: 0.03em; opacity: 0.7;
           margin-right: 4px; }
#pn-sources-panel .pn-header-card .pn-passage { font-family: var(--font-mono); font-size: 0.78rem; }
#pn-documents .pn-documents { font-size: 0.8rem; max-height: 360px; overflow-y: auto; }
#pn-documents table { width: 100%; border-collapse: collapse; }
#pn-documents th, #pn-documents td { text-align: left; padding: 3px 4px; vertical-align: top;
           border-bottom: 1px solid var(--border-color-primary); }
"""
