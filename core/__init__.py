"""The ground floor: the mechanisms every app leans on — who is acting (context), what they may see (scoping),
what they may change (access), masking, the audit log, idempotent writes and exports. It imports nothing above it:
no app of ours and not the project package."""
