"""
Wire handlers of the protocol rules, one module per rule family.

Each module registers its rules with :func:`leadcore._protocol.registry.rule`;
:mod:`leadcore.protocol` imports them all.
"""
