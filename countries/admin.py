from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.admin import HistoryAdmin, ObjectPermissionsMixin, RevisionCheckedAdminMixin

from .models import Actor, Country, Membership, Person
from .rules import may_change_membership, may_grant

User = get_user_model()


@admin.register(Country)
class CountryAdmin(RevisionCheckedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "programme_role"]
    list_filter = ["programme_role"]


class PersonInline(admin.StackedInline):
    model = Person
    extra = 0
    fields = ["name", "position", "email", "exchange_role"]


class MembershipForm(forms.ModelForm):
    """A membership as its editor may set it (countries.rules): only a superuser gives or changes
    a coordinator's or the project team's role, or a membership of their own account."""

    editor = None  # the user of the request, set by the admin

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.has_changed():
            if not may_change_membership(self.editor, self.instance):
                raise ValidationError(
                    _("Only a superuser may change this membership: %(membership)s.")
                    % {"membership": self.instance}
                )
        role = cleaned.get("role", self.instance.role)
        if (not self.instance.pk or "role" in self.changed_data) and not may_grant(
            self.editor, role
        ):
            raise ValidationError(
                _("Only a superuser may give the role “%(role)s”.")
                % {"role": Membership.Role(role).label}
            )
        user = cleaned.get("user") or getattr(self.instance, "user", None)
        if user is not None and user == self.editor and not self.editor.is_superuser:
            raise ValidationError(
                _("Only a superuser may change the memberships of their own account.")
            )
        return cleaned


class MembershipFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        for form in self.deleted_forms:
            if form.instance.pk and not may_change_membership(form.editor, form.instance):
                raise ValidationError(
                    _("Only a superuser may remove this membership: %(membership)s.")
                    % {"membership": form.instance}
                )


class MembershipRules:
    """Memberships edited in the admin, page or inline, obey the rules of countries.rules."""

    form = MembershipForm

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"editor": request.user})


class MembershipInlineRules:
    form = MembershipForm
    formset = MembershipFormSet

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type(formset.form.__name__, (formset.form,), {"editor": request.user})
        return formset


class MembershipInline(MembershipInlineRules, admin.StackedInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Actor)
class ActorAdmin(RevisionCheckedAdminMixin, admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "acronym", "kind", "country", "is_partner", "needs_review"]
    list_filter = ["kind", "is_partner", "needs_review", "country"]
    search_fields = ["name", "acronym"]
    list_select_related = ["country"]
    inlines = [PersonInline, MembershipInline]


@admin.register(Person)
class PersonAdmin(RevisionCheckedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "position", "actor", "exchange_role"]
    list_filter = ["exchange_role", "actor__country"]
    search_fields = ["name", "email", "actor__name"]
    list_select_related = ["actor"]
    autocomplete_fields = ["actor"]


@admin.register(Membership)
class MembershipAdmin(MembershipRules, ObjectPermissionsMixin, HistoryAdmin):
    list_display = ["user", "actor", "role", "is_focal_point"]
    list_filter = ["role", "is_focal_point"]
    search_fields = ["user__username", "actor__name"]
    list_select_related = ["user", "actor"]
    autocomplete_fields = ["user", "actor"]


class UserMembershipInline(MembershipInlineRules, admin.StackedInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["actor"]


class PeerVisitsUserAdmin(ObjectPermissionsMixin, UserAdmin):
    """User accounts with their memberships, the source of their roles. Who may change an
    account is countries.rules.may_manage_account's answer; another user's password is set by
    a superuser only (everybody sets their own, or resets it by e-mail)."""

    inlines = [UserMembershipInline]

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if request.user.is_superuser:
            return readonly
        # The project team manages accounts, but may not hand out superpowers.
        return (*readonly, "is_staff", "is_superuser", "groups", "user_permissions")


admin.site.unregister(User)
admin.site.register(User, PeerVisitsUserAdmin)
