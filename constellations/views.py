"""Constellation pages, the hub home's calendar and respite stays. Views stay thin: the rules are
in constellations.services, the queries in constellations.selectors."""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from constellations import forms, selectors, services
from constellations.models import Bed, Constellation, Membership, RespiteStay
from constellations.permissions import constellations, member_children, stays
from placements.models import Child, FosterFamily, Placement
from pleegzorg.audit import Action, Purpose, access_log_write
from pleegzorg.models import User
from pleegzorg.permissions import get_visible_or_404, require_role
from pleegzorg.views.forms import add_errors, submit, template_for

Role = User.Role
PAGE_SIZE = 25
ROLES = (Role.CASEWORKER, Role.TEAM_LEAD, Role.LIAISON, Role.HUB_HOME_PARENT)


def _constellation_or_404(request, pk) -> Constellation:
    require_role(request, *ROLES, purpose=Purpose.CARE)
    return get_visible_or_404(
        constellations,
        request,
        queryset=constellations.visible_to(request.user).select_related(
            "region", "liaison", "hub__family"
        ),
        purpose=Purpose.CARE,
        pk=pk,
    )


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _detail_url(result) -> str:
    """Back to the constellation page of what was just saved."""
    return reverse("constellations:detail", args=[result.constellation_id])


def _calendar_url(stay) -> str:
    """The calendar at the week of the stay."""
    url = reverse("constellations:calendar", args=[stay.constellation_id])
    return f"{url}?van={stay.arrival.isoformat()}"


def _day_range(arrival: dt.date, departure: dt.date) -> str:
    return _("%(arrival)s to %(departure)s") % {
        "arrival": date_format(arrival, "j F"),
        "departure": date_format(departure, "j F"),
    }


def _date(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


@login_required
def constellation_list(request):
    require_role(request, *ROLES, purpose=Purpose.CARE)
    search = request.GET.get("q", "").strip()[:100]
    queryset = selectors.constellation_list(request.user, search=search)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("pagina"))
    context = {"page": page, "search": search, "query": f"q={search}" if search else ""}
    template = template_for(request, "constellations/list.html", "results")
    return render(request, template, context)


@login_required
def constellation_detail(request, pk):
    constellation = _constellation_or_404(request, pk)
    access_log_write(
        user=request.user,
        request=request,
        action=Action.VIEW,
        purpose=Purpose.CARE,
        obj=constellation,
    )
    context = selectors.constellation_page(constellation, request.user)
    return render(request, "constellations/detail.html", context)


@login_required
def calendar(request, pk):
    """Beds x nights, a week or a month, phone first."""
    constellation = _constellation_or_404(request, pk)
    today = timezone.localdate()
    view = "maand" if request.GET.get("weergave") == "maand" else "week"
    start = _date(request.GET.get("van"), today)
    if view == "maand":
        start = start.replace(day=1)
        days = ((start + dt.timedelta(days=32)).replace(day=1) - start).days
        previous = (start - dt.timedelta(days=1)).replace(day=1)
        following = start + dt.timedelta(days=days)
    else:
        start = forms.week_start(start)
        days = 7
        previous, following = start - dt.timedelta(days=7), start + dt.timedelta(days=7)
    context = {
        "constellation": constellation,
        "view": view,
        "start": start,
        "end": start + dt.timedelta(days=days - 1),
        "previous": previous,
        "following": following,
        "today": today,
        "can_book": constellations.can_book(request.user, constellation),
        **selectors.calendar(constellation, request.user, start, days),
    }
    tonight = next((row for row in context["rows"] if row["night"] == today), None)
    context["free_tonight"] = tonight["free"] if tonight else None
    return render(request, template_for(request, "constellations/calendar.html", "grid"), context)


@login_required
@require_http_methods(["GET", "POST"])
def stay_new(request, pk):
    """Log a stay: child, nights, a bed that is free (live with htmx), planned or not."""
    constellation = _constellation_or_404(request, pk)
    _require(constellations.can_book(request.user, constellation))
    today = timezone.localdate()
    arrival = _date(request.GET.get("aankomst"), today)
    initial = {
        "arrival": arrival,
        "departure": arrival + dt.timedelta(days=1),
        "bed": request.GET.get("bed"),
    }
    data = request.POST or None
    children = member_children(constellation).order_by("first_name", "last_name")
    beds = Bed.objects.in_use(constellation)
    form = forms.StayForm(
        data,
        initial=initial,
        children=children,
        beds=beds,
        availability_url=reverse("constellations:stay_availability", args=[constellation.pk]),
    )
    done = submit(
        request,
        form,
        partial(services.stay_book, constellation=constellation),
        success=lambda stay: (
            _("Stay of %(child)s saved for %(days)s (%(bed)s).")
            % {
                "child": stay.child.first_name,
                "days": _day_range(stay.arrival, stay.departure),
                "bed": stay.bed,
            }
        ),
        redirect_to=_calendar_url,
    )
    if done:
        return done
    context = {
        "constellation": constellation,
        "form": form,
        **_availability(form, constellation, initial),
    }
    return render(request, "constellations/stay_form.html", context)


def _availability(form, constellation, initial) -> dict:
    """Which beds are free for the nights on the form (what was typed, or the initial dates)."""
    source = form.data if form.is_bound else {}
    arrival = _date(source.get("arrival"), initial["arrival"])
    departure = _date(source.get("departure"), initial["departure"])
    if departure <= arrival:
        return {"availability": [], "nights": 0}
    beds = services.bed_availability(constellation, arrival, departure)
    return {"availability": beds, "nights": (departure - arrival).days}


@login_required
def stay_availability(request, pk):
    """htmx: the bed choices for the dates typed so far, each saying free or taken."""
    constellation = _constellation_or_404(request, pk)
    _require(constellations.can_book(request.user, constellation))
    today = timezone.localdate()
    arrival = _date(request.GET.get("arrival"), today)
    initial = {
        "arrival": arrival,
        "departure": _date(request.GET.get("departure"), arrival + dt.timedelta(days=1)),
        "bed": request.GET.get("bed"),
    }
    # Unbound: the choices are shown without complaining about fields not filled in yet.
    form = forms.StayForm(initial=initial, children=Child.objects.none(), beds=Bed.objects.none())
    context = {
        "constellation": constellation,
        "form": form,
        **_availability(form, constellation, initial),
    }
    return render(request, "constellations/stay_form.html#beds", context)


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


@login_required
@require_http_methods(["GET", "POST"])
def stay_detail(request, pk):
    stay = _stay_or_404(request, pk)
    can_change = constellations.can_book(request.user, stay.constellation)
    if request.method == "POST":
        _require(can_change)
    else:
        access_log_write(
            user=request.user,
            request=request,
            action=Action.VIEW,
            purpose=Purpose.CARE,
            obj=stay,
            person=stay.child,
        )
    initial = {"version": stay.version, "status": stay.status, "notes": stay.notes}
    form = forms.StayChangeForm(request.POST or None, initial=initial)
    done = submit(
        request,
        form,
        partial(services.stay_change, stay=stay),
        success=lambda changed: (
            _("Stay of %(child)s is now %(status)s.")
            % {"child": changed.child.first_name, "status": changed.get_status_display()}
        ),
        redirect_to=_calendar_url,
    )
    if done:
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
    """What the hub home needs to care for a child during a stay, and nothing more. Logged."""
    constellation = _constellation_or_404(request, pk)
    _require(constellations.sees_care_facts(request.user, constellation))
    child = get_object_or_404(member_children(constellation), pk=child_pk)
    access_log_write(
        user=request.user,
        request=request,
        action=Action.VIEW,
        purpose=Purpose.CARE,
        obj=child,
        person=child,
        detail="zorggegevens voor logeren",
    )
    stays = RespiteStay.objects.filter(
        RespiteStay.HOLDS_BED, constellation=constellation, child=child
    ).select_related("bed")
    context = {
        "constellation": constellation,
        "child": child,
        "age": child.age(),
        "stays": list(stays.order_by("-arrival")[:10]),
    }
    return render(request, "constellations/care_facts.html", context)


# -- members, parents, gatherings, support contacts ---------------------------------------------


def _candidate_families(constellation: Constellation):
    """Active foster families with a child placed by a caseworker of the constellation's region,
    with the constellation each is in now (if any), and not a hub home."""
    today = timezone.localdate()
    placed_here = Placement.objects.active(today).filter(
        family=OuterRef("pk"), caseworker__team__region=constellation.region_id
    )
    now_in = Membership.objects.current(today).filter(family=OuterRef("pk"))
    return (
        FosterFamily.objects.filter(Exists(placed_here), status=FosterFamily.Status.ACTIVE)
        .exclude(hub_home__isnull=False)
        .annotate(now_in=Subquery(now_in.values("constellation__name")[:1]))
        .order_by("name", "pk")
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request, pk):
    constellation = _constellation_or_404(request, pk)
    _require(constellations.can_change(request.user, constellation))
    search = request.GET.get("zoek", "").strip()[:100]
    data = request.POST or None
    candidates = _candidate_families(constellation)
    shown = []
    if search:
        shown = list(
            candidates.filter(
                Q(name__icontains=search)
                | Q(postcode__iexact=search.replace(" ", "").upper())
                | Q(city__icontains=search)
            )[:20]
        )
    if data and data.get("family", "").isdigit():
        # Keep the family that was chosen on the page, also after an error.
        chosen = int(data["family"])
        shown = list(candidates.filter(pk=chosen)) + [f for f in shown if f.pk != chosen]
    form = forms.MemberAddForm(
        data,
        initial={"joined_on": timezone.localdate()},
        families=candidates,
        shown=shown,
    )
    done = submit(
        request,
        form,
        partial(services.member_add, constellation=constellation),
        success=lambda membership: (
            _("%(family)s is now a member of %(constellation)s.")
            % {"family": membership.family, "constellation": constellation}
        ),
        redirect_to=_detail_url,
    )
    if done:
        return done
    context = {"constellation": constellation, "form": form, "search": search, "shown": shown}
    return render(
        request, template_for(request, "constellations/member_add.html", "results"), context
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_leave(request, pk, membership_pk):
    constellation = _constellation_or_404(request, pk)
    _require(constellations.can_change(request.user, constellation))
    membership = get_object_or_404(
        constellation.memberships.select_related("family"), pk=membership_pk
    )
    form = forms.MemberLeaveForm(request.POST or None, initial={"left_on": timezone.localdate()})
    done = submit(
        request,
        form,
        partial(services.member_leave, membership=membership),
        success=lambda left: (
            _("%(family)s has left %(constellation)s.")
            % {"family": left.family, "constellation": constellation}
        ),
        redirect_to=_detail_url,
    )
    if done:
        return done
    context = {"constellation": constellation, "membership": membership, "form": form}
    return render(request, "constellations/member_leave.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def parent_add(request, pk):
    constellation = _constellation_or_404(request, pk)
    _require(constellations.can_change(request.user, constellation))
    parents = services.parents_who_may_take_part(constellation).order_by("last_name", "first_name")
    form = forms.ParentAddForm(
        request.POST or None, initial={"since": timezone.localdate()}, parents=parents
    )
    done = submit(
        request,
        form,
        partial(services.parent_participation_add, constellation=constellation),
        success=lambda taking_part: (
            _("%(parent)s takes part in %(constellation)s.")
            % {"parent": taking_part.parent, "constellation": constellation}
        ),
        redirect_to=_detail_url,
    )
    if done:
        return done
    context = {
        "constellation": constellation,
        "form": form,
        "title": _("A parent takes part"),
        "submit": _("Save"),
    }
    return render(request, "constellations/simple_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def gathering_new(request, pk):
    constellation = _constellation_or_404(request, pk)
    _require(constellations.can_change(request.user, constellation))
    data = request.POST or None
    day = _date((data or {}).get("date"), timezone.localdate())
    form = forms.GatheringForm(
        data,
        initial={"date": timezone.localdate(), "place": _("At the hub home")},
        people=services.attendance_choices(constellation, day),
    )
    if data and form.is_valid():
        fields = {k: form.cleaned_data[k] for k in ("kind", "date", "place", "notes")}
        try:
            gathering = services.gathering_record(
                actor=request.user,
                constellation=constellation,
                attendees=form.attendees(),
                request=request,
                **fields,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("%(gathering)s on %(day)s recorded, %(count)d present.")
                % {
                    "gathering": gathering.get_kind_display().capitalize(),
                    "day": gathering.date.strftime("%d-%m-%Y"),
                    "count": gathering.attendance.count(),
                },
            )
            return redirect("constellations:detail", constellation.pk)
    context = {"constellation": constellation, "form": form}
    return render(request, "constellations/gathering_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def contact_new(request, pk):
    constellation = _constellation_or_404(request, pk)
    _require(constellations.can_book(request.user, constellation))
    members = Membership.objects.current().filter(constellation=constellation)
    families = FosterFamily.objects.filter(pk__in=members.values("family")).order_by("name")
    form = forms.SupportContactForm(request.POST or None, families=families)
    done = submit(
        request,
        form,
        partial(services.support_contact_record, constellation=constellation),
        success=lambda contact: _("Contact with %(family)s recorded.") % {"family": contact.family},
        redirect_to=_detail_url,
    )
    if done:
        return done
    context = {
        "constellation": constellation,
        "form": form,
        "title": _("Log a support contact"),
        "submit": _("Save contact"),
    }
    return render(request, "constellations/simple_form.html", context)
