"""Reading, checking, placing, linking and writing datasets and files (imports only the primitives)."""
