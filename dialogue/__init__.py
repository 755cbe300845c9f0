"""Dialogue understanding and management: NLU data, intent classifier, slots, state, policy."""
