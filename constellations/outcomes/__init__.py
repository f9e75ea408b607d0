"""The outcome monitor (Uitkomsten): placements in constellation families against the others."""
