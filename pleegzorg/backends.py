"""The password login (Django's ``ModelBackend``), with the user every request loads from its
session fetched by a query compiled once per process (``pleegzorg.request_queries``): the same
row and the same check (a deactivated user is nobody), without building the ``SELECT`` again."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from pleegzorg import request_queries


class PasswordBackend(ModelBackend):
    def get_user(self, user_id):
        user = request_queries.user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
