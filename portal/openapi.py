"""The OpenAPI 3 document of the portal service, built from the route table."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from portal.routes import ROUTES

ERROR = {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def spec() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for route in ROUTES:
        operation: dict[str, Any] = {
            "summary": route.summary,
            "operationId": route.handler.__name__,
            "parameters": [
                {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                for name in re.findall(r"{(\w+)}", route.path)
            ],
            "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}, "4XX": ERROR},
        }
        if route.method in ("POST", "PUT", "PATCH"):
            operation["requestBody"] = {"content": {"application/json": {"schema": {"type": "object"}}}}
        if route.auth:
            operation["security"] = [{route.auth: []}]
        paths.setdefault(route.path, {})[route.method.lower()] = operation
    return {
        "openapi": "3.0.3",
        "info": {"title": "Tongban portal API", "version": "1.0.0", "description": "A stand-in for the provincial portal's APIs."},
        "paths": paths,
        "components": {
            "securitySchemes": {
                "service": {"type": "http", "scheme": "bearer", "description": "PORTAL_SERVICE_TOKEN (the action server)"},
                "staff": {"type": "http", "scheme": "bearer", "description": "PORTAL_STAFF_TOKEN (departments)"},
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
                    "required": ["error", "message"],
                }
            },
        },
    }


async def openapi_json(request: web.Request) -> web.Response:
    return web.json_response(spec())
