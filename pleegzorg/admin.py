"""Django admin for application managers (functioneel beheerders): users, teams, regions.

Access follows the role rather than Django's per-model permissions: application managers manage
these models; the access log is read-only here too, and looking at it is logged.
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnAttestation, WebAuthnCredential

from pleegzorg import mfa, sessions
from pleegzorg.audit import Action, Purpose, access_log_write
from pleegzorg.models import AccessLogEntry, Region, Team, User

# Django's groups and permissions decide nothing here (the role does), and their names are
# English rows in the database: offering them would only mislead.
admin.site.unregister(Group)
# The second-step libraries' own pages would show secrets and let devices be edited by hand:
# the application manager resets a user's second step instead (an action on the users list).
for model in (TOTPDevice, StaticDevice, WebAuthnCredential, WebAuthnAttestation):
    if admin.site.is_registered(model):
        admin.site.unregister(model)

# Strings of Django's admin that its Dutch catalog leaves empty; listed so that `make messages`
# keeps them in ours, which Django reads first.
DJANGO_STRINGS_WITHOUT_DUTCH = (
    gettext_noop("- Select an option -"),
    gettext_noop("Filter by %(field_name)s"),
    gettext_noop("Search %(name)s"),
    gettext_noop("Pagination %(name)s"),
    gettext_noop("Pagination %(name)s entries"),
    gettext_noop("Logout"),
    gettext_noop("Forgotten your login credentials?"),
    gettext_noop(
        "Are you sure you want to delete the %(object_name)s “%(escaped_object)s”? All of the "
        "following related items will be deleted:"
    ),
    gettext_noop(
        "Deleting the %(object_name)s “%(escaped_object)s” would require deleting the following "
        "protected related objects:"
    ),
    gettext_noop(
        "Deleting the %(object_name)s “%(escaped_object)s” would result in deleting related "
        "objects, but your account doesn't have permission to delete the following types of "
        "objects:"
    ),
)


def yes_no(value: bool) -> str:
    """A yes or no in words: Django's boolean icons read "True" and "False" to a screen reader."""
    return _("yes") if value else _("no")


class AppManagerAdmin(admin.ModelAdmin):
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_app_manager

    has_view_permission = has_add_permission = has_change_permission = has_delete_permission = (
        lambda self, request, obj=None: request.user.is_active and request.user.is_app_manager
    )


class AppManagerInline(admin.options.InlineModelAdmin):
    """Rows inside a record's page follow the role too, not Django's per-model permissions."""

    has_view_permission = has_add_permission = has_change_permission = has_delete_permission = (
        lambda self, request, obj=None: request.user.is_active and request.user.is_app_manager
    )


class AuditedAdmin(AppManagerAdmin):
    """Admin for personal data: opening a record is written to the access log."""

    def person_of(self, obj):
        return obj

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None:
            access_log_write(
                user=request.user,
                request=request,
                action=Action.VIEW,
                purpose=Purpose.ADMINISTRATION,
                person=self.person_of(obj),
                obj=obj,
            )
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Region)
class RegionAdmin(AppManagerAdmin):
    list_display = ["name"]
    search_fields = ["name"]


class MemberInline(AppManagerInline, admin.TabularInline):
    model = User
    fields = ["username", "first_name", "last_name", "email", "active"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name = _("caseworker")
    verbose_name_plural = _("caseworkers")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("active"))
    def active(self, obj):
        return yes_no(obj.is_active)


@admin.register(Team)
class TeamAdmin(AppManagerAdmin):
    list_display = ["name", "region", "lead"]
    list_filter = ["region"]
    list_select_related = ["region", "lead"]
    search_fields = ["name"]
    autocomplete_fields = ["lead"]
    inlines = [MemberInline]


@admin.register(User)
class UserAdmin(AppManagerAdmin, DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "team", "active"]
    list_filter = ["role", "team", "is_active"]
    list_select_related = ["team"]
    search_fields = ["username", "first_name", "last_name", "email"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email", "phone")}),
        (_("Role and team"), {"fields": ("role", "team", "fte", "is_active")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
        (_("Logging in"), {"fields": ("second_factor", "open_sessions")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "first_name",
                    "last_name",
                    "email",
                    "role",
                    "team",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    readonly_fields = ["last_login", "date_joined", "second_factor", "open_sessions"]
    actions = ["reset_second_factor", "end_sessions"]

    @admin.display(description=_("active"), ordering="is_active")
    def active(self, obj):
        return yes_no(obj.is_active)

    @admin.display(description=_("second step"))
    def second_factor(self, obj):
        parts = []
        if mfa.totp_device(obj):
            parts.append(_("authenticator app"))
        if count := mfa.passkeys(obj).count():
            parts.append(
                ngettext("%(count)d passkey", "%(count)d passkeys", count) % {"count": count}
            )
        if count := mfa.recovery_codes_left(obj):
            parts.append(
                ngettext("%(count)d recovery code", "%(count)d recovery codes", count)
                % {"count": count}
            )
        return ", ".join(str(part) for part in parts) or _("not set up")

    @admin.display(description=_("sessions"))
    def open_sessions(self, obj):
        return obj.sessions.count()

    @admin.action(description=_("Reset the second login step of the selected users"))
    def reset_second_factor(self, request, queryset):
        """For a user who lost their phone and recovery codes: every second step goes, every
        session ends; each reset is written to the access log."""
        for user in queryset:
            mfa.second_factor_reset(actor=request.user, user=user, request=request)
        self.message_user(
            request,
            ngettext(
                "The second step of %(count)d user is reset: they set up a new one at their "
                "next login.",
                "The second step of %(count)d users is reset: they set up a new one at their "
                "next login.",
                len(queryset),
            )
            % {"count": len(queryset)},
            messages.SUCCESS,
        )

    @admin.action(description=_("End all sessions of the selected users"))
    def end_sessions(self, request, queryset):
        ended = sum(
            sessions.user_sessions_end(actor=request.user, user=user, request=request)
            for user in queryset
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d session ended: they log in again.",
                "%(count)d sessions ended: they log in again.",
                ended,
            )
            % {"count": ended},
            messages.SUCCESS,
        )

    def user_change_password(self, request, id, form_url=""):
        # A new password ends every session of the user (User.save); changing one's own keeps
        # the current session, under the new key Django gives it.
        response = super().user_change_password(request, id, form_url)
        if str(request.user.pk) == str(id) and request.method == "POST":
            sessions.session_index(request)
        return response

    def has_delete_permission(self, request, obj=None):
        # People stay in the access log: deactivate an account instead of deleting it.
        return False


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "user_label", "role", "action", "person_label", "object_label", "outcome"]
    list_filter = ["action", "outcome", "purpose", "role"]
    search_fields = ["user_label", "person_label", "object_label"]
    date_hierarchy = "at"

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_app_manager

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_app_manager

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        access_log_write(
            user=request.user,
            request=request,
            action=Action.VIEW,
            purpose=Purpose.AUDIT,
            detail="inzagelog (beheer)",
        )
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        access_log_write(
            user=request.user,
            request=request,
            action=Action.VIEW,
            purpose=Purpose.AUDIT,
            detail=f"inzagelog (beheer) regel {object_id}",
        )
        return super().change_view(request, object_id, form_url, extra_context)
