"""detente: a linked-data knowledge graph of diplomatic and military contacts between states."""

__version__ = "0.1.0"
