"""For the project-wide write walker: routes anyone may post to. Each has its own tests of limits and lock-out
(accounts/tests)."""

PUBLIC_WRITE_ROUTES = [
    "login",
    "logout",
    "set_language",
    "POST /api/v1/auth/token",
    "DELETE /api/v1/auth/token",
    # a user's own second factor, the code step and the enrolment (accounts/tests/test_totp.py)
    "totp_verify",
    "totp_enrol",
]
