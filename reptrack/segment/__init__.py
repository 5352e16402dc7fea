"""Rep segmentation (streaming; ``analyze`` runs it over the whole file) and set grouping."""
