"""The shared vocabulary: plain types and decisions every front end, rule and report reads.

Nothing here imports from outside `migrator.core` except `migrator.patterns`, the canonical values.
"""
