"""URL configuration (the web pages and the API are mounted here)."""

urlpatterns: list = []  # type: ignore[type-arg]
