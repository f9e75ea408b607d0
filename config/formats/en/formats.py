# The English interface keeps the Dutch date order: the users and their documents are Dutch.
from config.formats.nl.formats import *  # noqa: F403
