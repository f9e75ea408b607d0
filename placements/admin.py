from django.contrib import admin

from placements.models import (
    CaseworkerAssignment,
    Child,
    Decision,
    FosterFamily,
    FosterFamilyStatusChange,
    FosterParent,
    OwnChild,
    Parent,
    ParentChild,
    Placement,
    VoiceNote,
    YouthProtector,
    YouthProtectorAssignment,
)
from pleegzorg.admin import AppManagerInline, AuditedAdmin


class ParentChildInline(AppManagerInline, admin.TabularInline):
    model = ParentChild
    extra = 0
    autocomplete_fields = ["parent", "child"]


class VoiceNoteInline(AppManagerInline, admin.TabularInline):
    model = VoiceNote
    extra = 0
    fields = ["said_on", "text", "recorded_by"]
    readonly_fields = ["recorded_by"]


@admin.register(Child)
class ChildAdmin(AuditedAdmin):
    list_display = ["last_name", "first_name", "date_of_birth", "life_story_status"]
    search_fields = ["first_name", "last_name", "bsn"]
    inlines = [ParentChildInline]
    readonly_fields = ["version", "updated_at"]

    def has_delete_permission(self, request, obj=None):
        # A case file goes only through its review (Bewaartermijn), which logs it by number.
        return False


@admin.register(Parent)
class ParentAdmin(AuditedAdmin):
    list_display = ["last_name", "first_name", "phone"]
    search_fields = ["first_name", "last_name"]
    inlines = [ParentChildInline]


class FosterParentInline(AppManagerInline, admin.TabularInline):
    model = FosterParent
    extra = 0
    max_num = 2
    raw_id_fields = ["account"]  # a number, not a list of every user


class OwnChildInline(AppManagerInline, admin.TabularInline):
    model = OwnChild
    extra = 0


class StatusChangeInline(AppManagerInline, admin.TabularInline):
    model = FosterFamilyStatusChange
    extra = 0
    readonly_fields = ["changed_by"]


@admin.register(FosterFamily)
class FosterFamilyAdmin(AuditedAdmin):
    list_display = ["name", "city", "status", "places"]
    list_filter = ["status", "offers_crisis", "offers_respite"]
    search_fields = ["name", "city", "postcode"]
    inlines = [FosterParentInline, OwnChildInline, StatusChangeInline]


@admin.register(YouthProtector)
class YouthProtectorAdmin(AuditedAdmin):
    list_display = ["last_name", "first_name", "institution"]
    search_fields = ["first_name", "last_name", "institution"]


class CaseworkerAssignmentInline(AppManagerInline, admin.TabularInline):
    model = CaseworkerAssignment
    extra = 0
    raw_id_fields = ["caseworker", "assigned_by"]


class YouthProtectorAssignmentInline(AppManagerInline, admin.TabularInline):
    model = YouthProtectorAssignment
    extra = 0
    raw_id_fields = ["youth_protector", "assigned_by"]


class DecisionInline(AppManagerInline, admin.StackedInline):
    model = Decision
    extra = 0
    raw_id_fields = ["recorded_by"]


@admin.register(Placement)
class PlacementAdmin(AuditedAdmin):
    list_display = ["child", "family", "kind", "start_date", "end_date", "caseworker"]
    list_filter = ["kind", "legal_basis", "end_reason"]
    list_select_related = ["child", "family", "caseworker"]
    search_fields = ["child__first_name", "child__last_name", "family__name"]
    raw_id_fields = ["child", "family", "caseworker", "youth_protector"]
    readonly_fields = ["version", "updated_at"]
    inlines = [CaseworkerAssignmentInline, YouthProtectorAssignmentInline, DecisionInline]

    def person_of(self, obj):
        return obj.child

    def has_delete_permission(self, request, obj=None):
        # Part of the child's case file, with its history: it goes only with the whole file.
        return False


admin.site.register(VoiceNote, AuditedAdmin)
