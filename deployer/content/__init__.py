"""Content: YAML loading with positions, the schemas, and the Detection / Environment models."""
