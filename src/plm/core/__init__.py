"""The pure domain core: no Django, no database. Reading, validating, planning, reporting."""
