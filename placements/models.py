# Children, families and placements arrive with issue 3 (see the README's roadmap).
