"""Django's database sessions, with the one query every request runs compiled once per process.

The session stays in PostgreSQL (the scale-out guarantee: any web process serves any request,
an ended session ends everywhere at once); only the ORM's building of the same ``SELECT`` on
every request is saved (``pleegzorg.request_queries``). Saving, deleting and ending sessions
are Django's own.
"""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.utils import timezone

from pleegzorg import request_queries


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        """The session's row while it has not expired, as Django's: ``None`` (and no key, so
        that a session saved later gets a new one) when there is none."""
        key = self.session_key
        data = request_queries.session_data(key, timezone.now()) if key else None
        if data is None:
            self._session_key = None
            return None
        return self.model(session_key=key, session_data=data)
