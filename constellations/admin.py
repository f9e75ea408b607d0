"""Beheer: application managers set up constellations, hub homes and beds. Day-to-day work
(members, gatherings, stays) happens in the app, where the rules give clear messages."""

from django.contrib import admin

from constellations.models import (
    Bed,
    Constellation,
    Gathering,
    HubHome,
    Membership,
    ParentParticipation,
    RespiteStay,
)
from pleegzorg.admin import AppManagerAdmin, AppManagerInline, AuditedAdmin


class MembershipInline(AppManagerInline, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["family"]


@admin.register(Constellation)
class ConstellationAdmin(AppManagerAdmin):
    list_display = ["name", "region", "liaison", "status", "start_date"]
    list_filter = ["status", "region"]
    search_fields = ["name"]
    inlines = [MembershipInline]
    readonly_fields = ["version", "updated_at"]


class BedInline(AppManagerInline, admin.TabularInline):
    model = Bed
    extra = 0


@admin.register(HubHome)
class HubHomeAdmin(AppManagerAdmin):
    list_display = ["family", "constellation"]
    search_fields = ["family__name", "constellation__name"]
    autocomplete_fields = ["family", "constellation"]
    filter_horizontal = ["parents"]
    inlines = [BedInline]


@admin.register(ParentParticipation)
class ParentParticipationAdmin(AuditedAdmin):
    list_display = ["parent", "constellation", "since", "until"]
    autocomplete_fields = ["parent", "constellation"]

    def person_of(self, obj):
        return obj.parent


@admin.register(Gathering)
class GatheringAdmin(AppManagerAdmin):
    list_display = ["constellation", "kind", "date", "place"]
    list_filter = ["kind"]
    date_hierarchy = "date"


@admin.register(RespiteStay)
class RespiteStayAdmin(AuditedAdmin):
    list_display = ["child", "constellation", "bed", "arrival", "departure", "status"]
    list_filter = ["status", "planned", "reason"]
    autocomplete_fields = ["child", "family", "constellation"]
    readonly_fields = ["version", "updated_at"]

    def person_of(self, obj):
        return obj.child
