from __future__ import annotations

from django.urls import path

from audit.api import views

urlpatterns = [
    path("audit", views.AuditListView.as_view(), name="audit_list"),
    path("audit/zoeken", views.AuditSearchView.as_view(), name="audit_search"),
]
