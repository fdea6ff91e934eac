import numpy as np
import pytest

from retrieval.embedders import CachedEmbedder, make_embedder


@pytest.mark.parametrize("spec,dim", [("use", 512), ("e5", 384), ("st:minilm", 384)])
def test_packaged_models_embed_offline(spec, dim):
    embedder = make_embedder(spec)
    queries = embedder.encode_queries(["营业执照怎么补办", "business licence"])
    passages = embedder.encode_passages(["营业执照补领", "出生登记", "结婚登记"])
    assert queries.shape == (2, dim) and passages.shape == (3, dim)
    assert queries.dtype == np.float32
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-4)
    assert embedder.encode_passages([]).shape == (0, dim)


def test_sentence_transformers_backend_ranks_by_meaning():
    embedder = make_embedder("st:minilm")  # English model: check it with English text
    query = embedder.encode_queries(["how do I renew my driving licence"])
    passages = embedder.encode_passages(["driving licence renewal", "birth registration", "business tax refund"])
    assert int(np.argmax(passages @ query[0])) == 0


def test_missing_model_directory_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        make_embedder(f"st:{tmp_path / 'nope'}")
    with pytest.raises(ValueError, match="unknown embedder"):
        make_embedder("gpt")


def test_cache_embeds_each_text_once(tmp_path):
    class Counting:
        name, dim, calls = "counting", 2, 0
        views, fusion_weight = ("name",), 1.0

        def encode_queries(self, texts):
            return self.encode_passages(texts)

        def encode_passages(self, texts):
            Counting.calls += len(texts)
            return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)

    cached = CachedEmbedder(Counting(), tmp_path)
    first = cached.encode_passages(["甲", "乙乙", "甲"])
    again = CachedEmbedder(Counting(), tmp_path).encode_passages(["乙乙", "甲", "丙丙丙"])
    assert Counting.calls == 3  # 甲, 乙乙, then only 丙丙丙
    assert np.array_equal(first[0], again[1]) and np.array_equal(first[1], again[0])
