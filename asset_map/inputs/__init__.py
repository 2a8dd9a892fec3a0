"""Reading the world: tables, postcodes, feeds, boundaries, population, need, the import pipeline, duplicates."""
