from accounts.services import actor_for, token_user
from core.context import acting_as


def client_ip(request):
    return request.META.get("REMOTE_ADDR")


class RequestContextMiddleware:
    """Sets who is acting, from where and over which areas for the whole request (core.context).
    A bearer token (`Authorization: Bearer gc_…`) stands in for the session, so the API is scoped the same way."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if header.startswith("Bearer "):
            user = token_user(header[7:].strip())
            if user is not None:
                request.user = user
                request.auth_by_token = True
        with acting_as(actor_for(request.user, client_ip(request))):
            return self.get_response(request)
