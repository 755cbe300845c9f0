"""Product catalog, ingestion and hybrid (dense + BM25) retrieval."""
