// Placeholder while the module is being written; replace with real sources.
