"""Every URL of the portal service, in one table (the OpenAPI spec is built from it)."""

from __future__ import annotations

from typing import NamedTuple

from aiohttp import web

from ops.http import Handler, metrics
from portal import policy_views, views, workorder_views


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
    # 12345 work orders filed from the conversation (portal/workorders.py)
    Route("POST", "/work-orders", workorder_views.file_work_order, "File a work order (idempotent by idempotency_key): returns its number (工单编号)", "service"),
    Route("POST", "/work-orders/lookup", workorder_views.look_up_work_orders, "A conversation's work orders {sender_id}, or one by {number, contact}", "service"),
    Route("GET", "/staff/work-orders", workorder_views.list_work_orders, "Work orders for agents, newest first (?status=, ?limit= up to 5000); ?since=ISO time: those filed after it, oldest first", "staff"),
    Route("POST", "/staff/work-orders/{number}/contact", workorder_views.reveal_contact, "The citizen's phone, to call back (each reveal logged with the actor)", "staff"),
    Route("POST", "/staff/work-orders/{number}", workorder_views.update_work_order, "Change status, department or reply; the citizen is told of a new status or reply", "staff"),
    # The policy central kitchen (policies/)
    Route("GET", "/policies", policy_views.list_policies, "Policies in force (?on=YYYY-MM-DD; ?all=1 with expired ones), with their conditions"),
    Route("POST", "/policies", policy_views.publish_policies, "Publish policies (one record or {policies: [...]}); per-row errors; pushes each once to opted-in profiles it fits", "staff"),
    Route("GET", "/policies/{policy_id}/pushes", policy_views.push_counts, "How many were pushed a policy", "staff"),
    Route("POST", "/policies/match", policy_views.match_policies, "A profile (inline, profile_key or profile_id) → eligible, unknown and near-miss policies with a reason per condition, and the deciding questions", "service"),
    Route("GET", "/profiles/{profile_id}/suggestions", policy_views.profile_suggestions, "猜你要办: next steps after the profile's applications, and eligible policies, each with its reason", "service"),
    Route("POST", "/policy-subscriptions", policy_views.subscribe, "Opt a profile in (or out) of policy pushes to a conversation", "service"),
    Route("POST", "/policy-subscriptions/opt-out", policy_views.opt_out, "“退订政策推送”: every subscription of a conversation stops", "service"),
    Route("GET", "/policy-pushes", policy_views.undelivered_pushes, "Policy pushes not yet delivered (the notifier)", "service"),
    Route("POST", "/policy-pushes/{push_id}/delivered", policy_views.push_delivered, "Mark a policy push delivered", "service"),
]


def add_routes(app: web.Application) -> None:
    for route in ROUTES:
        app.router.add_route(route.method, route.path, route.handler)
