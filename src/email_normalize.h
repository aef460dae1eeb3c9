/*
 * email_normalize.h
 *		JavaScript's s.trim().toLowerCase(), byte for byte, on UTF-8.
 *
 * Independent of any locale: the whitespace set and the case maps come from
 * tables generated from Node.js itself (tools/gen-unicode-tables.mjs).  Never
 * reads outside the input, never writes past the bound below.  No PostgreSQL
 * header, no allocation.
 */
#ifndef WOESID_EMAIL_NORMALIZE_H
#define WOESID_EMAIL_NORMALIZE_H

#include <stddef.h>

/* Output bytes that always suffice for len bytes of input. */
size_t		woesid_email_normalize_bound(size_t len);

/*
 * Writes the normalized form of in[0..len) to out (which has room for
 * woesid_email_normalize_bound(len) bytes) and returns its length.  Input is
 * expected to be valid UTF-8; an invalid byte is copied through unchanged.
 */
size_t		woesid_email_normalize(const char *in, size_t len, char *out);

#endif							/* WOESID_EMAIL_NORMALIZE_H */
