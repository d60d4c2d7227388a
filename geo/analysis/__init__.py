"""Numbers only: tables and dataclasses, no figure (imports io and the primitives)."""
