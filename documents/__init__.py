"""政务公开 documents: import notices and policy documents, split them into cited passages,
search them with the retrieval machinery and answer with the passage that says it.

Small components, each one job (after Haystack 2's pipeline parts):
`converters` (JSONL, HTML, PDF, DOCX, text → `Document`), `metadata` (title, issuer, 文号,
date, 废止), `splitter` (章/条/款, 一、/（一）/1. and paragraphs → `Passage`s with their
heading path), `store` (the collection; re-import replaces), `index` (BM25 + dense
retriever, fusion, reranker), `answer` (the answering sentence and its citation).
"""
