#!/usr/bin/python3
"""woesid: sign a visitor's identity in a Python backend (python3-jwt, hmac).

    python3 sign.py SECRET WIDGET_KEY EMAIL NAME ACCOUNT_ID CONTACT_ID

prints the token for a `jwt` widget, then the email_hash for an `hmac_email` one.
"""
import hashlib
import hmac
import sys
import time

import jwt  # PyJWT (Debian: python3-jwt)

# JavaScript's trim() set: str.strip() would also strip U+001C-U+001F and
# U+0085, and keep U+FEFF.  str.lower() is full Unicode lowercasing, like JS.
JS_SPACE = ("\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
            "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff")


def normalize(email):
    """JavaScript's email.trim().toLowerCase()."""
    return email.strip(JS_SPACE).lower()


def widget_identity(user, secret, widget_key):
    email = normalize(user["email"])
    now = int(time.time())
    # jwt: the key is the secret string itself; at most 15 minutes of life
    token = jwt.encode({
        "email": email, "name": user["name"],
        "account_external_id": user["account_id"], "contact_external_id": user["id"],
        "aud": widget_key, "iat": now, "exp": now + 10 * 60,
    }, secret, algorithm="HS256")
    # hmac_email: the key is the secret hex-decoded
    email_hash = hmac.new(bytes.fromhex(secret), email.encode(), hashlib.sha256).hexdigest()
    return token, email_hash


if __name__ == "__main__":
    secret, widget_key, email, name, account_id, user_id = sys.argv[1:7]
    user = {"email": email, "name": name, "account_id": account_id, "id": user_id}
    print(*widget_identity(user, secret, widget_key), sep="\n")
