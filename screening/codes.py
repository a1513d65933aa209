"""The personal registration code a resident shows at a desk: "GCP1:<person id>:<signature>". The person id is
readable without the key so an offline desk can queue the sample; the signature lets an online desk refuse a
forged or mistyped code before the tube is sent."""

from django.core import signing

PREFIX = "GCP1:"
_signer = signing.Signer(salt="screening.person-code")


def person_code(person):
    return PREFIX + _signer.sign(str(person.pk))


def person_id_from_code(text):
    """The person id of a genuine code, else None."""
    if not text.upper().startswith(PREFIX):
        return None
    try:
        return int(_signer.unsign(text[len(PREFIX) :]))
    except (signing.BadSignature, ValueError):
        return None
