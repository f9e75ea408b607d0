"""Foster parents' own accounts (issue 13, "Mijn pleeggezin"): the caseworker's invitation, a
one-time link that expires, and what ends an account (revoked, or the family stopped)."""
