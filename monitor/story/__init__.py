"""Story intelligence: what is known, what an article says, and how the two compare."""
