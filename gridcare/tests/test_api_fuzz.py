"""schemathesis over the whole API, in process (WSGI): every operation, as a grid worker and as the district admin,
with a bounded, derandomized number of generated requests each. No answer may be a 5xx, and every answer must
conform to the schema the API publishes (status code documented, body valid against its response schema).

`DELETE /auth/token` is left out of the admin's run (it would revoke the token mid-run) and tested on its own."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.services import token_issue
from gridcare.wsgi import application

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

FUZZ = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The WSGI handler closes the database connection when a request ends (Django's test client disconnects that
    signal; schemathesis calls the app directly), which would close the test's transaction."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_token(areas, django_user_model):
    """A bearer token for a grid worker and one for the district admin (no password: hashing is slow and unused)."""
    from accounts.roles import Role

    def make(username, role, area):
        user = django_user_model(username=username, role=role, area=area)
        user.set_unusable_password()
        user.save()
        return token_issue(user, "fuzz")[1]

    return {
        "grid_worker": make("fuzz-gwen", Role.GRID_WORKER, areas["A"]),
        "district_admin": make("fuzz-dana", Role.DISTRICT_ADMIN, areas["district"]),
    }


# No 5xx, and the answer is what the document says (status code, content type, body). Not run: schemathesis's
# "ignored auth" check (it spoils one of our two schemes while the bearer token still holds, so the request is
# rightly accepted) and its positive/negative data acceptance checks (business rules refuse many schema-valid bodies).
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _run(case, token):
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    case.validate_response(response, checks=CHECKS)


@schema.parametrize()
@FUZZ
def test_api_as_a_grid_worker(case, fuzz_token):
    _run(case, fuzz_token["grid_worker"])


@schema.exclude(method="DELETE", path="/api/v1/auth/token").parametrize()
@FUZZ
def test_api_as_the_district_admin(case, fuzz_token):
    _run(case, fuzz_token["district_admin"])


def test_revoking_the_token_answers_as_documented(client, fuzz_token):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {fuzz_token['district_admin']}"}
    assert client.delete("/api/v1/auth/token", **auth).status_code in (200, 204)
    assert client.get("/api/v1/areas", **auth).status_code == 401
