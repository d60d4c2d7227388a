"""Maps, charts and the briefing pack (imports analysis, io and the primitives)."""
