# Constellations, hub homes and respite stays arrive with issue 5 (see the README's roadmap).
