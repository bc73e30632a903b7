"""Files -> documents -> chunks -> vectors and a lexical index. Knows nothing of answering."""
