"""Every refusal lands in the access log (NEN 7513): 404s through ``get_visible_or_404``, 403s
here, whichever view or service raised them."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from pleegzorg.permissions import log_refusal


class RefusalLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            log_refusal(request, exception)
        return None  # Django still answers 403 as before
