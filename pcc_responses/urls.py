from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    # Ours first: the sign-in pages and the allauth pages we close take precedence.
    path("", include("inspections.urls")),
    path("account/", include("allauth.urls")),
]
