from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db import models

from .models import Actor, Country, Membership, Person

User = get_user_model()


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["code", "programme_role"]
    list_filter = ["programme_role"]


class PersonInline(admin.StackedInline):
    model = Person
    extra = 0
    fields = ["name", "position", "email", "exchange_role"]


class MembershipInline(admin.StackedInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Actor)
class ActorAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "acronym", "kind", "country", "is_partner", "needs_review"]
    list_filter = ["kind", "is_partner", "needs_review", "country"]
    search_fields = ["name", "acronym"]
    list_select_related = ["country"]
    inlines = [PersonInline, MembershipInline]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "actor", "exchange_role"]
    list_filter = ["exchange_role", "actor__country"]
    search_fields = ["name", "email", "actor__name"]
    list_select_related = ["actor"]
    autocomplete_fields = ["actor"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "actor", "role", "is_focal_point"]
    list_filter = ["role", "is_focal_point"]
    search_fields = ["user__username", "actor__name"]
    list_select_related = ["user", "actor"]
    autocomplete_fields = ["user", "actor"]


class UserMembershipInline(admin.StackedInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["actor"]


class PeerVisitsUserAdmin(UserAdmin):
    """User accounts with their memberships, the source of their roles."""

    inlines = [UserMembershipInline]

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if request.user.is_superuser:
            return readonly
        # The project team manages accounts, but may not hand out superpowers.
        return (*readonly, "is_staff", "is_superuser", "groups", "user_permissions")


admin.site.unregister(User)
admin.site.register(User, PeerVisitsUserAdmin)
