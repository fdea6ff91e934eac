"""Hotline insight: what many citizens are writing about at once.

Records (JSONL/CSV/XLSX, `insight.records`) → places (`insight.places`) → embeddings and
grouping of messages about one problem at one place within a window (`insight.grouping`)
→ labels and heat (`insight.hot`). `python -m insight hot STREAM --window 7d`;
`python -m insight.eval STREAM GOLD` scores it on planted events.
"""
