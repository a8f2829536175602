"""Notes → validation → chunks → embeddings → FAISS + metadata; hybrid search."""
