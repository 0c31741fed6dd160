"""Reading, normalising and validating input data, and the demo company."""
