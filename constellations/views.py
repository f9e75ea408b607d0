"""Constellation pages, the hub home's calendar and respite stays. Views stay thin: they parse the
request, call a selector (constellations.selectors) or a service (constellations.services) and
render. Who may do what is in constellations.permissions; every refusal is in the access log."""

from __future__ import annotations

import datetime as dt
from functools import cache, partial

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from constellations import forms, selectors, services
from constellations.models import Bed, Constellation, RespiteStay
from constellations.permissions import (
    constellations,
    member_children,
    memberships,
    refuse_care_facts_unless_allowed,
    refuse_unless,
    stays,
)
from placements.models import Child
from placements.permissions import children
from pleegzorg.audit import Action, Purpose, access_log_write
from pleegzorg.forms import search_text, within_reach
from pleegzorg.models import User
from pleegzorg.permissions import get_visible_or_404, require_role
from pleegzorg.views.forms import submit, template_for

Role = User.Role
PAGE_SIZE = 25
ROLES = (Role.CASEWORKER, Role.TEAM_LEAD, Role.LIAISON, Role.HUB_HOME_PARENT)


def _constellation_or_404(request, pk, *, may=None, page: bool = False) -> Constellation:
    """The constellation if the user sees it (404 otherwise); with ``may`` (a policy question
    such as ``constellations.can_book``) also refused (403) unless the answer is yes; with
    ``page`` as the constellation page reads it (selectors.for_page: the flag of no gathering
    last month, the hub-home parents' names and the beds, in the same query).

    Found by SQL compiled once per process (selectors.visible_constellation). Not found there
    (not theirs, or not there), it is asked of the ORM as every record is
    (``get_visible_or_404``), which logs a look at one that exists as denied and answers 404."""
    require_role(request, *ROLES, purpose=Purpose.CARE)
    today = timezone.localdate()
    constellation = selectors.visible_constellation(request.user, pk, on=today, page=page)
    if constellation is None:
        visible = constellations.visible_to(request.user).select_related(
            "region", "liaison", "hub__family"
        )
        if page:
            visible = selectors.for_page(visible, today)
        constellation = get_visible_or_404(
            constellations,
            request,
            queryset=visible,
            purpose=Purpose.CARE,
            pk=pk,
        )
    if may is not None:
        refuse_unless(may(request.user, constellation), obj=constellation)
    return constellation


def _stay_or_404(request, pk) -> RespiteStay:
    require_role(request, *ROLES, purpose=Purpose.CARE)
    return get_visible_or_404(
        stays,
        request,
        queryset=stays.visible_to(request.user).select_related(
            "child", "bed", "family", "constellation"
        ),
        purpose=Purpose.CARE,
        person_of=lambda stay: stay.child,
        pk=pk,
    )


def _log_view(request, obj, *, person=None, detail: str = "") -> None:
    access_log_write(
        user=request.user,
        request=request,
        action=Action.VIEW,
        purpose=Purpose.CARE,
        obj=obj,
        person=person,
        detail=detail,
    )


def _date(value: str | None, default: dt.date) -> dt.date:
    """A day from the address or a form, or ``default`` when it is none or out of reach (the
    calendar's week and the stay's next day are sums a day at the calendar's end cannot make)."""
    try:
        day = dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default
    return day if within_reach(day) else default


def _detail_url(result) -> str:
    """Back to the constellation page of what was just saved."""
    return reverse("constellations:detail", args=[result.constellation_id])


def _calendar_url(stay) -> str:
    """The calendar at the week of the stay."""
    url = reverse("constellations:calendar", args=[stay.constellation_id])
    return f"{url}?van={stay.arrival.isoformat()}"


@login_required
@vary_on_headers("HX-Request")
def constellation_list(request):
    require_role(request, *ROLES, purpose=Purpose.CARE)
    search = search_text(request.GET.get("q"))
    queryset = selectors.constellation_list(request.user, search=search)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("pagina"))
    context = {"page": page, "search": search, "query": f"q={search}" if search else ""}
    template = template_for(request, "constellations/list.html", "results")
    return render(request, template, context)


@login_required
def constellation_detail(request, pk):
    constellation = _constellation_or_404(request, pk, page=True)
    _log_view(request, constellation)
    context = selectors.constellation_page(constellation, request.user)
    return render(request, "constellations/detail.html", context)


@login_required
@vary_on_headers("HX-Request")
def calendar(request, pk):
    """Beds x nights, a week or a month, phone first."""
    constellation = _constellation_or_404(request, pk)
    today = timezone.localdate()
    view = "maand" if request.GET.get("weergave") == "maand" else "week"
    day = _date(request.GET.get("van"), today)
    context = selectors.calendar_page(
        constellation, request.user, day=day, month=view == "maand", today=today
    )
    template = template_for(request, "constellations/calendar.html", "grid")
    return render(request, template, {**context, "view": view})


# -- respite stays -------------------------------------------------------------------------------


def _stay_initial(arrival: str | None, departure: str | None, bed: str | None) -> dict:
    """The nights the stay form starts from: as asked, else from today, one night."""
    start = _date(arrival, timezone.localdate())
    return {
        "arrival": start,
        "departure": _date(departure, start + dt.timedelta(days=1)),
        "bed": bed,
    }


def _bed_choices(form, constellation, initial) -> dict:
    """Which beds are free for the nights on the form (what was typed, or the initial dates)."""
    source = form.data if form.is_bound else {}
    arrival = _date(source.get("arrival"), initial["arrival"])
    departure = _date(source.get("departure"), initial["departure"])
    return selectors.bed_choices(constellation, arrival, departure)


def _stay_saved(stay) -> str:
    days = _("%(arrival)s to %(departure)s") % {
        "arrival": date_format(stay.arrival, "j F"),
        "departure": date_format(stay.departure, "j F"),
    }
    return _("Stay of %(child)s saved for %(days)s (%(bed)s).") % {
        "child": stay.child.first_name,
        "days": days,
        "bed": stay.bed,
    }


def _stay_changed(stay) -> str:
    return _("Stay of %(child)s is now %(status)s.") % {
        "child": stay.child.first_name,
        "status": stay.get_status_display(),
    }


def _offer_children(form, constellation) -> None:
    """The children the stay form offers, read when it is shown (not after a save) by SQL
    compiled once a day (selectors.children_who_can_stay) instead of through the field's
    queryset, which still decides which child the form accepts."""
    field = form.fields["child"]

    @cache  # the field and its widget each ask
    def choices() -> list[tuple]:
        children = selectors.children_who_can_stay(constellation.pk, timezone.localdate())
        offered = [(child.pk, field.label_from_instance(child)) for child in children]
        return [("", field.empty_label), *offered]

    field.choices = choices


@login_required
@require_http_methods(["GET", "POST"])
def stay_new(request, pk):
    """Log a stay: child, nights, a bed that is free (live with htmx), planned or not."""
    constellation = _constellation_or_404(request, pk, may=constellations.can_book)
    initial = _stay_initial(request.GET.get("aankomst"), None, request.GET.get("bed"))
    # Which child and bed the form accepts matters only to what is posted; which children it
    # offers comes from _offer_children, and the beds from _bed_choices.
    if request.method == "POST":
        accepts = selectors.stay_choices(constellation)
    else:
        accepts = {"children": Child.objects.none(), "beds": Bed.objects.none()}
    form = forms.StayForm(
        request.POST or None,
        initial=initial,
        availability_url=reverse("constellations:stay_availability", args=[constellation.pk]),
        **accepts,
    )
    _offer_children(form, constellation)
    book = partial(services.stay_book, constellation=constellation)
    if done := submit(request, form, book, success=_stay_saved, redirect_to=_calendar_url):
        return done
    context = {
        "constellation": constellation,
        "form": form,
        **_bed_choices(form, constellation, initial),
    }
    return render(request, "constellations/stay_form.html", context)


@login_required
def stay_availability(request, pk):
    """htmx: the bed choices for the dates typed so far, each saying free or taken."""
    constellation = _constellation_or_404(request, pk, may=constellations.can_book)
    params = request.GET
    initial = _stay_initial(params.get("arrival"), params.get("departure"), params.get("bed"))
    # Unbound: the choices are shown without complaining about fields not filled in yet.
    form = forms.StayForm(initial=initial, children=Child.objects.none(), beds=Bed.objects.none())
    context = {
        "constellation": constellation,
        "form": form,
        **_bed_choices(form, constellation, initial),
    }
    return render(request, "constellations/stay_form.html#beds", context)


@login_required
@require_http_methods(["GET", "POST"])
def stay_detail(request, pk):
    stay = _stay_or_404(request, pk)
    can_change = stays.can_change(request.user, stay)
    if request.method == "POST":
        refuse_unless(can_change, obj=stay, person=stay.child)
    else:
        _log_view(request, stay, person=stay.child)
    initial = {"version": stay.version, "status": stay.status, "notes": stay.notes}
    form = forms.StayChangeForm(request.POST or None, initial=initial)
    change = partial(services.stay_change, stay=stay)
    if done := submit(request, form, change, success=_stay_changed, redirect_to=_calendar_url):
        return done
    context = {
        "stay": stay,
        "constellation": stay.constellation,
        "form": form,
        "can_change": can_change,
    }
    return render(request, "constellations/stay_detail.html", context)


@login_required
def care_facts(request, pk, child_pk):
    """What the hub home needs to care for a child during a stay, and nothing more. Logged, and
    so is every refusal: a child outside the constellation answers 404."""
    constellation = _constellation_or_404(request, pk)
    refuse_care_facts_unless_allowed(request.user, constellation, child_pk)
    child = get_visible_or_404(
        children,
        request,
        queryset=member_children(constellation),
        purpose=Purpose.CARE,
        pk=child_pk,
    )
    _log_view(request, child, person=child, detail="zorggegevens voor logeren")
    context = {
        "constellation": constellation,
        "child": child,
        "age": child.age(),
        "stays": selectors.care_facts_stays(constellation, child),
    }
    return render(request, "constellations/care_facts.html", context)


# -- members, parents, gatherings, support contacts ---------------------------------------------


def _simple_form(request, constellation, form, *, title: str, button: str):
    context = {"constellation": constellation, "form": form, "title": title, "submit": button}
    return render(request, "constellations/simple_form.html", context)


def _member_added(membership) -> str:
    return _("%(family)s is now a member of %(constellation)s.") % {
        "family": membership.family,
        "constellation": membership.constellation,
    }


def _member_left(membership) -> str:
    return _("%(family)s has left %(constellation)s.") % {
        "family": membership.family,
        "constellation": membership.constellation,
    }


def _parent_added(taking_part) -> str:
    return _("%(parent)s takes part in %(constellation)s.") % {
        "parent": taking_part.parent,
        "constellation": taking_part.constellation,
    }


def _gathering_recorded(gathering) -> str:
    return _("%(gathering)s on %(day)s recorded, %(count)d present.") % {
        "gathering": gathering.get_kind_display().capitalize(),
        "day": gathering.date.strftime("%d-%m-%Y"),
        "count": gathering.attendance.count(),
    }


def _contact_recorded(contact) -> str:
    return _("Contact with %(family)s recorded.") % {"family": contact.family}


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def member_add(request, pk):
    """Search a family and add it; htmx updates the search results in place."""
    constellation = _constellation_or_404(request, pk, may=constellations.can_change)
    search = search_text(request.GET.get("zoek"))
    candidates = selectors.member_candidates(constellation)
    chosen = request.POST.get("family")  # kept on the page, also after an error
    shown = selectors.member_candidates_shown(candidates, search=search, chosen=chosen)
    initial = {"joined_on": timezone.localdate()}
    form = forms.MemberAddForm(
        request.POST or None, initial=initial, families=candidates, shown=shown
    )
    add = partial(services.member_add, constellation=constellation)
    if done := submit(request, form, add, success=_member_added, redirect_to=_detail_url):
        return done
    context = {"constellation": constellation, "form": form, "search": search, "shown": shown}
    template = template_for(request, "constellations/member_add.html", "results")
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def member_leave(request, pk, membership_pk):
    constellation = _constellation_or_404(request, pk, may=constellations.can_change)
    membership = get_visible_or_404(
        memberships,
        request,
        queryset=constellation.memberships.select_related("family"),
        purpose=Purpose.CARE,
        pk=membership_pk,
    )
    initial = {"left_on": timezone.localdate()}
    form = forms.MemberLeaveForm(request.POST or None, initial=initial)
    leave = partial(services.member_leave, membership=membership)
    if done := submit(request, form, leave, success=_member_left, redirect_to=_detail_url):
        return done
    context = {"constellation": constellation, "membership": membership, "form": form}
    return render(request, "constellations/member_leave.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def parent_add(request, pk):
    constellation = _constellation_or_404(request, pk, may=constellations.can_change)
    parents = selectors.parents_who_may_take_part(constellation)
    initial = {"since": timezone.localdate()}
    form = forms.ParentAddForm(request.POST or None, initial=initial, parents=parents)
    add = partial(services.parent_participation_add, constellation=constellation)
    if done := submit(request, form, add, success=_parent_added, redirect_to=_detail_url):
        return done
    return _simple_form(
        request, constellation, form, title=_("A parent takes part"), button=_("Save")
    )


@login_required
@require_http_methods(["GET", "POST"])
def gathering_new(request, pk):
    """Record a gathering and who was there: the people offered are those of the date typed."""
    constellation = _constellation_or_404(request, pk, may=constellations.can_change)
    today = timezone.localdate()
    day = _date(request.POST.get("date"), today)
    form = forms.GatheringForm(
        request.POST or None,
        initial={"date": today, "place": _("At the hub home")},
        people=selectors.attendance_choices(constellation, day),
    )
    record = partial(services.gathering_record, constellation=constellation)
    if done := submit(request, form, record, success=_gathering_recorded, redirect_to=_detail_url):
        return done
    context = {"constellation": constellation, "form": form}
    return render(request, "constellations/gathering_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def contact_new(request, pk):
    constellation = _constellation_or_404(request, pk, may=constellations.can_book)
    families = selectors.member_families(constellation)
    form = forms.SupportContactForm(request.POST or None, families=families)
    record = partial(services.support_contact_record, constellation=constellation)
    if done := submit(request, form, record, success=_contact_recorded, redirect_to=_detail_url):
        return done
    return _simple_form(
        request, constellation, form, title=_("Log a support contact"), button=_("Save contact")
    )
