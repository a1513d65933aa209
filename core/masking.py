"""ID and phone numbers are shown masked everywhere unless a user with the reveal permission asks, with a reason."""


def mask_id_number(value):
    """440704199001011234 → 440704********1234; shorter documents keep their first 2 and last 2."""
    if not value:
        return ""
    if len(value) >= 15:
        return value[:6] + "*" * (len(value) - 10) + value[-4:]
    if len(value) > 4:
        return value[:2] + "*" * (len(value) - 4) + value[-2:]
    return "*" * len(value)


def mask_phone(value):
    """13812345678 → 138****5678."""
    if not value:
        return ""
    if len(value) >= 7:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    return "*" * len(value)
