"""The open knowledge graph of the soviets: sources → annotations → triples → validation → store."""

__version__ = "0.1.0"
