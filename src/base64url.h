/*
 * base64url.h
 *		Strict base64url (RFC 4648 section 5) decoding for JWS segments.
 *
 * Strict means: only A-Z a-z 0-9 - _, no padding, no whitespace, no length
 * of 1 mod 4, and canonical (zero) trailing bits.  Works on byte ranges,
 * never on C strings.  No PostgreSQL header, no allocation.
 */
#ifndef WOESID_BASE64URL_H
#define WOESID_BASE64URL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes that decoding len characters can produce, at most. */
static inline size_t
woesid_b64url_decoded_bound(size_t len)
{
	return len / 4 * 3 + 2;
}

/*
 * Decodes in[0..len) into out (room for woesid_b64url_decoded_bound(len)
 * bytes); returns false, having possibly written to out, if the input is not
 * strict base64url.
 */
bool		woesid_b64url_decode(const char *in, size_t len, uint8_t *out,
								 size_t *outlen);

/* Encodes without padding; out needs room for (len * 4 + 2) / 3 bytes. */
size_t		woesid_b64url_encode(const uint8_t *in, size_t len, char *out);

#endif							/* WOESID_BASE64URL_H */
