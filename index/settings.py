"""Settings of the indexing layer (the ``index`` section of Dossier's settings)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

# Bump when cleaning, chunking or the stored schema change in a way that needs a rebuild.
PIPELINE_VERSION = 5  # 3: general cleaning shapes (index.clean), outlet repetition learned;
# 4: shapes judged with their neighbours (index.neighbours: captions, related headlines, link
# lists); 5: the byline or author bio naming the article's author kept in the stored text


class IndexSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    embedder: str = Field(
        default="minilm-onnx",
        description="Embedding model, the bundled all-MiniLM-L6-v2 (offline) as: 'minilm-onnx' "
        "(ONNX Runtime fp32, exported once from the bundled weights; the same vectors as torch, "
        "faster), 'minilm-onnx-int8' (int8, faster still, vectors within ~0.99 cosine), 'minilm' "
        "(torch fp32), 'minilm-bf16' (torch bfloat16, needs a CPU with bf16); or 'fake' "
        "(deterministic hashing, for tests). Each build makes its own index.",
    )
    collection: str = Field(default="dossier", description="Name prefix of the Chroma collections.")
    chunk_tokens: int = Field(
        default=200,
        ge=32,
        le=2000,
        description="Largest chunk, in tiktoken cl100k tokens. MiniLM reads at most 256 word "
        "pieces, so larger chunks would be partly invisible to vector search.",
    )
    chunk_overlap: int = Field(
        default=20,
        ge=0,
        le=500,
        description="Tokens of whole sentences shared by neighbours (20: 9% fewer chunks than 40 "
        "on RealTime QA, retrieval as good or better; 0: 2.5% fewer chunks than 20, but hybrid "
        "MRR@10 falls on the sample set 0.921 -> 0.905 and on RealTime QA's 400-article "
        "validation half 0.870 -> 0.860, BBC's 0.962 both).",
    )
    embed_context: bool = Field(
        default=False,
        description="Embed each chunk with its article's title and date line in front (the "
        "stored text and spans stay the chunk's own). Changing it needs a rebuild. Off: on the "
        "validation halves it helps vectors alone (RealTime QA 400 articles hit@5 0.868 -> "
        "0.906) and BBC's RRF, but the learned hybrid falls (RealTime QA MRR@10 0.870 -> 0.847) "
        "and BBC's stays 0.962.",
    )
    batch_chunks: int = Field(
        default=256,
        ge=1,
        description="Chunks embedded and written together; also the unit of crash recovery.",
    )
    max_file_mb: float = Field(
        default=20.0, gt=0, description="Files larger than this are skipped with a reason."
    )

    def identity(self, embedder_name: str, dim: int) -> dict[str, str | int]:
        """What made an index: stored on the collection and checked on every open."""
        return {
            "embedder": embedder_name,
            "dim": dim,
            "chunk_tokens": self.chunk_tokens,
            "chunk_overlap": self.chunk_overlap,
            "tokenizer": "cl100k_base",
            "pipeline": PIPELINE_VERSION,
            # Only when on, so indexes built before the setting existed stay readable.
            **({"embed_text": "title+date"} if self.embed_context else {}),
        }
