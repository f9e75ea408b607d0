"""'Mijn pleeggezin': what a foster parent sees of their own placements, on their phone (issue
13): their foster children, who works with them, the coming meetings."""
