"""Scripted evaluation: QA file in, metrics, predictions and a readable report out."""

from rag.eval.qafile import QAItem, load_qa
from rag.eval.report import compare, write_outputs
from rag.eval.run import aggregate, evaluate

__all__ = ["QAItem", "aggregate", "compare", "evaluate", "load_qa", "write_outputs"]
