"""Text typed into a search box, made safe for both databases: PostgreSQL refuses NUL in text, neither stores a
lone surrogate, and U+10FFFF has no next character for a prefix range (person search answered 500 on
?q=%F4%8F%BF%BF)."""

import unicodedata

SEARCH_MAX_LENGTH = 100
# control characters, lone surrogates, unassigned code points (U+10FFFF among them), private use
DROPPED_CATEGORIES = {"Cc", "Cs", "Cn", "Co"}


def search_text(q, max_length=SEARCH_MAX_LENGTH):
    q = unicodedata.normalize("NFC", str(q or ""))
    return "".join(ch for ch in q if unicodedata.category(ch) not in DROPPED_CATEGORIES).strip()[:max_length]
