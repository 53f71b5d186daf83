"""Evaluation stage: turn stored observations into judgements (SPC signals, targets, RAG)."""
