"""What production refuses to start without (`gridcare serve --prod`, and settings when GRIDCARE_PRODUCTION is on).

Read from the environment only: settings import this before Django is set up, and the serve command checks it
before it starts anything."""

WEAK_KEY_PREFIX = "django-insecure"


def production_errors(environ):
    """The reasons these environment variables cannot run production, as sentences; empty when they can."""
    errors = []
    key = environ.get("SECRET_KEY", "")
    if not key:
        errors.append(
            "SECRET_KEY is not set: production needs its own key from the environment (50+ random characters)."
        )
    elif len(key) < 50 or len(set(key)) < 5 or key.startswith(WEAK_KEY_PREFIX):
        errors.append(
            "SECRET_KEY is too weak: use 50 or more random characters (python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    hosts = [h.strip() for h in environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
    if not hosts:
        errors.append("ALLOWED_HOSTS is not set: name the host names the site answers to (grid.example.cn,…).")
    elif "*" in hosts:
        errors.append("ALLOWED_HOSTS must name the site's hosts, not '*'.")
    if environ.get("DEBUG", "").lower() in ("1", "true", "yes", "on"):
        errors.append("DEBUG is on: production runs with DEBUG off (unset DEBUG).")
    return errors
