"""Diplograph: a diplomatic-event knowledge graph and its linked-data publisher."""

__version__ = "0.1.0"
