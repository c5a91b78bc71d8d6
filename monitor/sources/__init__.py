"""Source kinds: feeds (RSS/Atom) and watched pages."""
