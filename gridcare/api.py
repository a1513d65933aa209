"""The JSON API under /api/v1/. Each app contributes a router; authentication is a bearer token (devices, apps) or
the browser session (our own pages, CSRF-checked). Either way the request is already scoped by
accounts.middleware.RequestContextMiddleware, so handlers read through the same scoped managers as pages."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.security import HttpBearer, SessionAuth

from core.limits import LimitReached
from core.uploads import UploadRefused


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        # The middleware has looked the token up already; it set request.user only for a valid one.
        return request.user if getattr(request, "auth_by_token", False) else None


class DocumentedErrors(NinjaAPI):
    """Every operation can answer 400 (a body that is not JSON), 401 (no or a bad token), 403 (the role may not), 404 (not in your area), 413
    (an upload past the limits) and 422 (invalid input): the document says so, with the error body; where the
    operation documents that code itself (a batch's per-item answers), the answer is either."""

    ERRORS = {
        "400": "Malformed request body",
        "401": "Not authenticated",
        "403": "Forbidden for your role",
        "404": "Not found in your area",
        "413": "Upload past the limits",
        "422": "Invalid input",
    }
    ERROR_BODY = {
        "type": "object",
        "properties": {"detail": {}, "errors": {"type": "object"}},
        "required": ["detail"],
    }

    def get_openapi_schema(self, *args, **kwargs):
        document = super().get_openapi_schema(*args, **kwargs)
        for operations in document["paths"].values():
            for operation in operations.values():
                # ninja keys an operation's own codes by int; JSON makes both kinds of key strings, so a str key
                # beside an int one would hide the operation's own answer.
                responses = {str(code): answer for code, answer in operation.get("responses", {}).items()}
                operation["responses"] = responses
                for code, description in self.ERRORS.items():
                    if code in responses:  # the operation's own answer, or the error body of a body it can't read
                        content = responses[code]["content"]["application/json"]
                        content["schema"] = {"anyOf": [content["schema"], self.ERROR_BODY]}
                        continue
                    responses[code] = {
                        "description": description,
                        "content": {"application/json": {"schema": self.ERROR_BODY}},
                    }
        return document


api = DocumentedErrors(
    title="gridcare API",
    version="1",
    description="District register, screening and care. All reads are scoped to the caller's area; ID and "
    "phone numbers come masked.",
    auth=[BearerToken(), SessionAuth()],
    urls_namespace="api",
)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc):
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": "invalid", "errors": errors}, status=422)


@api.exception_handler(UploadRefused)
def on_upload_refused(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=exc.status)


@api.exception_handler(LimitReached)
def on_limit_reached(request, exc):
    return api.create_response(request, {"detail": "too many requests", "message": str(exc)}, status=429)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return api.create_response(request, {"detail": str(exc) or "forbidden"}, status=403)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, {"detail": "not found"}, status=404)


def _add_routers():
    from accounts.api import router as accounts_router

    api.add_router("/auth", accounts_router)
    for module, prefix in (
        ("registry.api", "/"),
        ("screening.api", "/screening"),
        ("care.api", "/care"),
        ("tracing.api", "/tracing"),
        ("volunteers.api", "/volunteers"),
        ("notices.api", "/notices"),
        ("core.api", "/"),
    ):
        try:
            router = __import__(module, fromlist=["router"]).router
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        api.add_router(prefix, router)


_add_routers()
