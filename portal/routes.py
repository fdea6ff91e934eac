"""Every URL of the portal service, in one table (the OpenAPI spec is built from it)."""

from __future__ import annotations

from typing import NamedTuple

from aiohttp import web

from ops.http import Handler, metrics
from portal import views


class Route(NamedTuple):
    method: str
    path: str
    handler: Handler
    summary: str
    auth: str | None = None  # "service" | "staff" | None


ROUTES = [
    Route("GET", "/health", views.health, "Liveness"),
    Route("GET", "/metrics", metrics, "Prometheus metrics: requests by route and status, latency"),
    Route("GET", "/items", views.list_items, "Service items (optionally ?region=CODE), 100 a page (?offset=N)"),
    Route("GET", "/items/{code}", views.get_item, "One service item"),
    Route("GET", "/themes", views.list_themes, "Theme services (一链办)"),
    Route("GET", "/themes/{theme_id}", views.get_theme, "One theme service"),
    Route("POST", "/applications", views.create_application, "Create a draft application, or with paused=true a paused form (idempotent by idempotency_key)", "service"),
    Route("GET", "/applications/{application_id}", views.get_application, "An application and its timeline", "service"),
    Route("PATCH", "/applications/{application_id}", views.update_application, "Update a draft's fields", "service"),
    Route("POST", "/applications/{application_id}/materials", views.attach_material, "Attach a material reference", "service"),
    Route("POST", "/applications/{application_id}/submit", views.submit_application, "Submit: returns the receipt number (受理编号); retries return the same", "service"),
    Route("POST", "/paused-applications/claim", views.claim_paused, "Resume: the applicant's latest paused form (ID number and phone must match), once", "service"),
    Route("POST", "/progress/{receipt_number}", views.progress, "Status timeline; body {applicant: ID number or phone}", "service"),
    Route("PUT", "/profiles", views.save_profile, "Save or merge a person/enterprise profile (一人一档/一企一档)", "service"),
    Route("POST", "/profiles/lookup", views.get_profile, "A profile and its application history, by ID number or credit code", "service"),
    Route("GET", "/notifications", views.undelivered_notifications, "Status changes not yet pushed to applicants", "service"),
    Route("POST", "/notifications/{notification_id}/delivered", views.notification_delivered, "Mark a notification pushed", "service"),
    Route("GET", "/staff", views.staff_page, "The departments' page for moving applications along"),
    Route("GET", "/", views.demo_page, "A portal-like demo page hosting the web chat widget"),
    Route("GET", "/widget/{name}", views.widget_file, "The web chat widget's files (channels/web)"),
    Route("POST", "/staff/applications/{receipt_number}/status", views.move_application, "Move an application along (已受理/审查中/办结/退回)", "staff"),
]


def add_routes(app: web.Application) -> None:
    for route in ROUTES:
        app.router.add_route(route.method, route.path, route.handler)
