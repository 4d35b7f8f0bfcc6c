"""/scim/v2/: the SCIM 2.0 endpoints (docs/scim.md). Paths are matched with or without a
trailing slash; anything else under /scim/ is a SCIM 404."""

from django.urls import re_path

from plm.scim import views

urlpatterns = [
    re_path(r"^ServiceProviderConfigs?/?$", views.service_provider_config),
    re_path(r"^ResourceTypes/?$", views.resource_types),
    re_path(r"^ResourceTypes/(?P<ident>[^/]+)/?$", views.resource_types),
    re_path(r"^Schemas/?$", views.schemas),
    re_path(r"^Schemas/(?P<ident>[^/]+)/?$", views.schemas),
    re_path(r"^\.search/?$", views.root_search),
    re_path(r"^Users/?$", views.users),
    re_path(r"^Users/\.search/?$", views.users_search),
    re_path(r"^Users/(?P<ident>[^/]+)/?$", views.user),
    re_path(r"^Groups/?$", views.groups),
    re_path(r"^Groups/\.search/?$", views.groups_search),
    re_path(r"^Groups/(?P<ident>[^/]+)/?$", views.group),
    re_path(r"^(?P<rest>.*)$", views.not_found),
]
