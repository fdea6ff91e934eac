"""Which first-level 12345 work-order category a caller's message belongs to.

It learns only from material the project may commit (data/hotline/): an authored
description, keywords, short example messages and long example letters per category, plus
the service catalogues' items, weakly labelled through an authored department → category
table, and an authored rough share of work orders per category as the prior. A deployment
adds its own labelled work orders (`python -m assist.train FILE` keeps them in var/, never
in the repository); each counts more than an authored letter. Two views of a
message are combined: word and character TF-IDF under a linear SVM (what it says),
and the packaged USE-m sentence embedding, averaged over sentence chunks (what it is
about). Training takes a few seconds at start-up; no model is saved.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from scipy.special import softmax
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

from catalogue.importers import import_guangdong, import_items
from retrieval.embedders import CachedEmbedder, UseEmbedder
from retrieval.text import Lexicon, load_lexicon
from settings import Settings, get_settings

log = logging.getLogger(__name__)

# Long messages are letters: the first ~1,500 characters say what they are about.
MAX_CHARS = 1500
CHUNK_CHARS = 200  # USE-m reads a sentence or two well, a page poorly
MAX_CHUNKS = 8
# The word model is a linear SVM: over logistic regression, 5-fold CV on the dev file rose
# 0.842 / 0.837 / 0.837 -> 0.847 / 0.857 / 0.847 (split seeds 0 / 1 / 2), authored material
# alone 0.806 -> 0.821. Its margins become probabilities by a softmax at this scale.
SVM_SCALE = 5.0
TEXT_WEIGHT = 0.7  # of the TF-IDF model's log-probabilities; the embedding model has the rest
# Both models are trained class-balanced; half the log of each category's authored share of
# work orders is added back, so a letter the text leaves in doubt leans to a common category.
PRIOR_WEIGHT = 0.5
# Sample weights: authored text says what a category is; catalogue items only hint at it.
AUTHORED_WEIGHT, KEYWORD_WEIGHT, CATALOGUE_WEIGHT = 3.0, 0.5, 0.3
# A deployment's own labelled work orders: real messages of the kind the classifier will see,
# so each counts more than an authored text (10 vs 3: 5-fold CV on the dev file, 0.837 → 0.842).
LABELLED_WEIGHT = 10.0
LABELLED_FILE = "hotline/labelled.jsonl"  # under TONGBAN_VAR, written by `python -m assist.train`
SENTENCE_END = re.compile(r"(?<=[。！？!?；;\n])")
EXAMPLE_FILES = ("examples.yml", "letters.yml")  # more authored messages, beside categories.yml's
CATALOGUE_FILES = (("guangdong", "gd_service_items.jsonl", import_guangdong), ("shandong", "items.jsonl", import_items))


@dataclass(frozen=True)
class Category:
    name: str
    department: str
    description: str
    share: float  # rough part of all work orders (the prior); authored in categories.yml
    keywords: tuple[str, ...]
    examples: tuple[str, ...]


@dataclass(frozen=True)
class DepartmentRule:
    pattern: re.Pattern[str]
    name: re.Pattern[str] | None
    category: str


def load_categories(folder: Path) -> dict[str, Category]:
    described = yaml.safe_load((folder / "categories.yml").read_text(encoding="utf-8"))
    more: dict[str, list[str]] = {}
    for filename in EXAMPLE_FILES:
        for name, examples in (yaml.safe_load((folder / filename).read_text(encoding="utf-8")) or {}).items():
            if name not in described:  # a misspelt category would silently lose its examples
                raise ValueError(f"{folder / filename}: unknown category {name!r}")
            more.setdefault(name, []).extend(examples)
    return {
        name: Category(
            name=name,
            department=entry["department"],
            description=entry["description"],
            share=float(entry["share"]),
            keywords=tuple(entry["keywords"]),
            examples=tuple(entry["examples"]) + tuple(more.get(name, [])),
        )
        for name, entry in described.items()
    }


def load_department_rules(folder: Path) -> list[DepartmentRule]:
    rules = yaml.safe_load((folder / "departments.yml").read_text(encoding="utf-8"))["rules"]
    return [
        DepartmentRule(re.compile(r["pattern"]), re.compile(r["name"]) if r.get("name") else None, r["category"])
        for r in rules
    ]


def category_of_department(rules: list[DepartmentRule], department: str, item_name: str = "") -> str | None:
    for rule in rules:
        if rule.pattern.search(department) and (rule.name is None or rule.name.search(item_name)):
            return rule.category
    return None


def message_text(record: dict) -> str:
    """The title is the writer's own summary of the message: it counts twice."""
    title, text = str(record.get("title") or ""), str(record.get("text") or "")
    return "。".join(p for p in (title, title, text) if p)


def read_labelled(path: Path, categories: dict[str, Category]) -> tuple[list[dict], list[str]]:
    """Labelled work orders (JSON lines with title/text and category) and one error per bad line."""
    records: list[dict] = []
    errors: list[str] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            errors.append(f"{path}:{number}: not JSON")
            continue
        if not isinstance(record, dict) or not message_text(record).strip():
            errors.append(f"{path}:{number}: no title or text")
        elif record.get("category") not in categories:
            errors.append(f"{path}:{number}: unknown category {record.get('category')!r}")
        else:
            records.append(record)
    return records, errors


def training_set(settings: Settings, categories: dict[str, Category], rules: list[DepartmentRule]) -> tuple[list[str], list[str], list[float]]:
    texts: list[str] = []
    labels: list[str] = []
    weights: list[float] = []

    def add(text: str, label: str, weight: float) -> None:
        texts.append(text)
        labels.append(label)
        weights.append(weight)

    for category in categories.values():
        add(category.description, category.name, AUTHORED_WEIGHT)
        add("、".join(category.keywords), category.name, AUTHORED_WEIGHT)
        for keyword in category.keywords:
            add(keyword, category.name, KEYWORD_WEIGHT)
        for example in category.examples:
            add(example, category.name, AUTHORED_WEIGHT)
    for portal, filename, importer in CATALOGUE_FILES:
        path = settings.data_dir / "catalogues" / portal / filename
        if not path.exists():
            continue
        for item in importer(path).records:
            label = category_of_department(rules, item.department, item.name)
            if label in categories:
                add(f"{item.name} {item.department}", label, CATALOGUE_WEIGHT)
    return texts, labels, weights


def chunks(text: str) -> list[str]:
    """Sentence-aligned pieces of about CHUNK_CHARS characters, the first MAX_CHUNKS of them."""
    out: list[str] = []
    current = ""
    for sentence in SENTENCE_END.split(text):
        if current and len(current) + len(sentence) > CHUNK_CHARS:
            out.append(current)
            current = ""
        current += sentence[: CHUNK_CHARS * 2]
    if current.strip():
        out.append(current)
    return out[:MAX_CHUNKS] or [text[:CHUNK_CHARS]]


class HotlineClassifier:
    def __init__(self, categories: dict[str, Category], rules: list[DepartmentRule], lexicon: Lexicon, embedder: CachedEmbedder) -> None:
        self.categories = categories
        self.rules = rules
        self.lexicon = lexicon
        self.embedder = embedder

    def fit(self, texts: list[str], labels: list[str], weights: list[float]) -> HotlineClassifier:
        self.vectoriser = FeatureUnion(
            [
                ("words", TfidfVectorizer(analyzer=self._words, sublinear_tf=True)),
                ("chars", TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True, min_df=2)),
            ]
        )
        features = self.vectoriser.fit_transform(texts)
        self.text_model = LinearSVC(C=1, class_weight="balanced").fit(features, labels, sample_weight=weights)
        vectors = self._embed([t[:MAX_CHARS] for t in texts], cached=True)
        self.vector_model = LogisticRegression(C=10, max_iter=3000, class_weight="balanced").fit(vectors, labels, sample_weight=weights)
        assert list(self.text_model.classes_) == list(self.vector_model.classes_)
        self.labels = [str(c) for c in self.text_model.classes_]
        log_share = np.log([self.categories[label].share for label in self.labels])
        self.log_prior = log_share - log_share.mean()
        return self

    def _words(self, text: str) -> list[str]:
        # Lexicon.tokens caps its input (a service question is short): feed it pieces.
        return [t for start in range(0, len(text), 500) for t in self.lexicon.tokens(text[start : start + 500])]

    def _embed(self, texts: list[str], cached: bool = False) -> np.ndarray:
        """Each text's mean chunk vector, normalised; chunks are embedded in one batch. Only
        training texts go through the on-disk cache: callers' words are never kept."""
        pieces = [chunks(text) for text in texts]
        flat = [c for p in pieces for c in p]
        vectors = self.embedder.encode_passages(flat) if cached else self.embedder.encode_queries(flat)
        rows, start = [], 0
        for p in pieces:
            vector = vectors[start : start + len(p)].mean(axis=0)
            rows.append(vector / max(float(np.linalg.norm(vector)), 1e-12))
            start += len(p)
        return np.array(rows, dtype=np.float32).reshape(len(texts), -1)

    def text_probabilities(self, texts: list[str]) -> np.ndarray:
        """The word model's part alone (bulk ingestion runs it in several processes)."""
        return softmax(SVM_SCALE * self.text_model.decision_function(self.vectoriser.transform([t[:MAX_CHARS] for t in texts])), axis=1)

    def probabilities(self, texts: list[str], vectors: np.ndarray | None = None, by_text: np.ndarray | None = None) -> np.ndarray:
        """`vectors`: the texts' USE vectors when the caller has them already (bulk ingestion
        embeds each record once, for grouping too), else each text's mean chunk vector;
        `by_text`: `text_probabilities(texts)`, when the caller has it already."""
        texts = [t[:MAX_CHARS] for t in texts]
        by_text = self.text_probabilities(texts) if by_text is None else by_text
        by_vector = self.vector_model.predict_proba(self._embed(texts) if vectors is None else vectors)
        scores = TEXT_WEIGHT * np.log(by_text + 1e-9) + (1 - TEXT_WEIGHT) * np.log(by_vector + 1e-9) + PRIOR_WEIGHT * self.log_prior
        scores = np.exp(scores - scores.max(axis=1, keepdims=True))
        return scores / scores.sum(axis=1, keepdims=True)

    def predict(self, texts: list[str], vectors: np.ndarray | None = None, by_text: np.ndarray | None = None) -> list[str]:
        return [self.labels[i] for i in self.probabilities(texts, vectors, by_text).argmax(axis=1)]

    def rank(self, text: str, k: int = 3) -> list[tuple[str, float]]:
        """The k likeliest categories of one message, with their probabilities."""
        row = self.probabilities([text])[0]
        return [(self.labels[i], round(float(row[i]), 3)) for i in np.argsort(-row)[:k]]


@dataclass(frozen=True)
class Material:
    """What every classifier of a deployment learns from: the authored texts and catalogue items."""

    categories: dict[str, Category]
    rules: list[DepartmentRule]
    texts: list[str]
    labels: list[str]
    weights: list[float]
    lexicon: Lexicon
    embedder: CachedEmbedder


def load_material(settings: Settings, embedder: CachedEmbedder | None = None) -> Material:
    """`embedder`: a USE-m embedder the process has loaded already (the action server's)."""
    folder = settings.data_dir / "hotline"
    categories = load_categories(folder)
    rules = load_department_rules(folder)
    texts, labels, weights = training_set(settings, categories, rules)
    embedder = embedder or CachedEmbedder(UseEmbedder(), settings.embedding_cache_dir)
    return Material(categories, rules, texts, labels, weights, load_lexicon(settings.dict_dir), embedder)


def train(material: Material, labelled: list[dict] = ()) -> HotlineClassifier:
    """A classifier of the authored material plus a deployment's labelled work orders."""
    texts = material.texts + [message_text(r) for r in labelled]
    labels = material.labels + [r["category"] for r in labelled]
    weights = material.weights + [LABELLED_WEIGHT] * len(labelled)
    classifier = HotlineClassifier(material.categories, material.rules, material.lexicon, material.embedder)
    return classifier.fit(texts, labels, weights)


def build_classifier(
    settings: Settings | None = None, labelled: list[dict] | None = None, embedder: CachedEmbedder | None = None
) -> HotlineClassifier:
    """Trained on the authored material plus `labelled` records (by default the deployment's
    own, kept in var/ by `python -m assist.train`)."""
    settings = settings or get_settings()
    material = load_material(settings, embedder)
    if labelled is None:
        path = settings.var_dir / LABELLED_FILE
        labelled = read_labelled(path, material.categories)[0] if path.exists() else []
    classifier = train(material, labelled)
    log.info("hotline classifier: %d training texts, %d of them labelled work orders", len(material.texts) + len(labelled), len(labelled))
    return classifier
