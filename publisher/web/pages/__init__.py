"""HTML for people: view models, store look-ups and drawings for the pages."""
