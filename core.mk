# core.mk: the verification core, one list for every build that links it.
# Plain C with no PostgreSQL headers (src/NAME.c for each NAME below),
# included by the extension's Makefile and by test/unit, test/fuzz and
# bench, each of which maps the names to its own object files.
CORE = base64url json email_normalize mac jws jwt hmac_email payload
