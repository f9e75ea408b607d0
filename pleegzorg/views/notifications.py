"""The notices behind the bell: each user sees and marks only their own."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from pleegzorg import selectors, services
from pleegzorg.context_processors import NotificationBell

TEMPLATE = "pleegzorg/notifications.html"


@login_required
@require_GET
@vary_on_headers("HX-Request")  # with htmx the same URL answers only the list
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.notifications_of(request.user), settings.PAGE_SIZE).get_page(
        request.GET.get("pagina")
    )
    template = f"{TEMPLATE}#list" if request.htmx else TEMPLATE
    return render(request, template, {"page": page, "back_url": request.get_full_path()})


@login_required
@require_POST
@vary_on_headers("HX-Request")
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notice as read. With htmx: the notice, the count and the bell are swapped."""
    notification = get_object_or_404(selectors.notifications_of(request.user), pk=pk)
    services.notification_mark_read(notification=notification)
    if request.htmx:
        context = {"notification": notification}
        return _with_bell(request, render_to_string(f"{TEMPLATE}#item", context, request))
    return _back(request)


@login_required
@require_POST
@vary_on_headers("HX-Request")
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    """Mark every unread notice of this user as read."""
    count = services.notifications_mark_all_read(user=request.user)
    if request.htmx:
        page = Paginator(selectors.notifications_of(request.user), settings.PAGE_SIZE).get_page(
            request.POST.get("pagina")
        )
        back_url = f"{reverse('pleegzorg:notifications')}?pagina={page.number}"
        context = {"page": page, "back_url": back_url}
        return _with_bell(request, render_to_string(f"{TEMPLATE}#list", context, request))
    messages.success(
        request,
        ngettext(
            "%(count)d notification marked as read.",
            "%(count)d notifications marked as read.",
            count,
        )
        % {"count": count},
    )
    return _back(request)


@login_required
@require_GET
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notice's link; opening it counts as reading it."""
    notification = get_object_or_404(selectors.notifications_of(request.user), pk=pk)
    services.notification_mark_read(notification=notification)
    if notification.url and _is_safe(request, notification.url):
        return redirect(notification.url)
    return redirect("pleegzorg:notifications")


def _with_bell(request: HttpRequest, html: str) -> HttpResponse:
    """The swapped part plus the bell and the unread count, out of band (htmx)."""
    context = {"oob": True, "notification_bell": NotificationBell(request.user)}
    bell = render_to_string("pleegzorg/includes/notification_bell.html", context, request)
    count = render_to_string(f"{TEMPLATE}#count", context, request)
    return HttpResponse(html + bell + count)


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    # A path of this site only. Not redirect(): it takes a word without a slash for the name
    # of a URL pattern, and a posted "next" that names none was an error (a 500).
    if target.startswith("/") and _is_safe(request, target):
        return HttpResponseRedirect(target)
    return redirect(reverse("pleegzorg:notifications"))


def _is_safe(request: HttpRequest, url: str) -> bool:
    return url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
