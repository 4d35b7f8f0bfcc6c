from django.contrib.auth import views as auth_views
from django.urls import path

from plm.web.views import account, audit, imports, licensing, policies, users

app_name = "web"

urlpatterns = [
    path("", account.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", account.profile, name="profile"),
    path("profile/scim-tokens/", account.scim_tokens, name="scim_tokens"),
    path("licensing/", licensing.manage, name="manage"),
    path("licensing/revoke/", licensing.revoke, name="revoke"),
    path("licensing/export/", licensing.export, name="export"),
    path("licensing/import/", licensing.import_upload, name="import"),
    path("licensing/replace/", licensing.replace, name="replace"),
    path("licensing/<str:license_id>/", licensing.license_detail, name="license_detail"),
    path(
        "licensing/<str:license_id>/utilization.csv",
        licensing.utilization_csv,
        name="license_utilization",
    ),
    path("policies/", policies.policy_list, name="policies"),
    path("policies/<int:policy_id>/", policies.policy_detail, name="policy_detail"),
    path("policies/<int:policy_id>/run/", policies.policy_run, name="policy_run"),
    path("policies/<int:policy_id>/delete/", policies.policy_delete, name="policy_delete"),
    path("imports/", imports.history, name="history"),
    path("imports/<int:import_id>/", imports.detail, name="import_detail"),
    path("imports/<int:import_id>/progress/", imports.progress, name="import_progress"),
    path("imports/<int:import_id>/results/", imports.results, name="import_results"),
    path("imports/<int:import_id>/errors.csv", imports.errors_csv, name="import_errors"),
    path("imports/<int:import_id>/cancel/", imports.cancel, name="import_cancel"),
    path("imports/<int:import_id>/apply/", imports.apply_for_real, name="import_apply"),
    path("imports/<int:import_id>/resume/", imports.resume, name="import_resume"),
    path("imports/<int:import_id>/revert/", imports.revert, name="import_revert"),
    path("users/", users.user_list, name="users"),
    path("users/bulk/", users.bulk, name="users_bulk"),
    path("users/import/", users.users_import, name="users_import"),
    path("users/export/", users.users_export, name="users_export"),
    path("users/<int:user_id>/", users.user_detail, name="user_detail"),
    path("users/<int:user_id>/change/", users.user_change, name="user_change"),
    path("audit/", audit.audit_log, name="audit"),
    path("audit/export.csv", audit.audit_csv, name="audit_csv"),
]
