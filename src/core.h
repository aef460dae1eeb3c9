/*
 * core.h
 *		woesid's verification core: widget JWTs, signed variables and HMAC
 *		emails, in plain C.
 *
 * A request goes down once and comes back with a plain result: a reason
 * code (WOESID_OK when verified) and slices of the decoded input, all carved
 * from the caller's arena.  Policy (time, skew, lifetimes, sizes) arrives as
 * plain numbers.  No PostgreSQL header; nothing here may raise, abort or
 * read outside the bytes it was given, whatever those bytes are.
 */
#ifndef WOESID_CORE_H
#define WOESID_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "json.h"
#include "mac.h"
#include "reasons.h"

/* The largest time claim accepted: 9999-12-31T23:59:59Z. */
#define WOESID_MAX_TIME_CLAIM 253402300799.0

/* A compact JWS opened up to, not including, its payload. */
typedef struct woesid_jws
{
	const char *signing_input;	/* "header.payload" as received */
	size_t		signing_input_len;
	const char *payload_b64;
	size_t		payload_b64_len;
	const wj_node *kid;			/* the header's kid, of any type, or NULL */
	uint8_t		signature[WOESID_MAC_LEN];
} woesid_jws;

/* What a JWT must satisfy besides its signature. */
typedef struct woesid_jwt_rules
{
	double		now;			/* seconds since the Unix epoch; +inf when
								 * the time is unknown (nothing is valid) */
	double		clock_skew;		/* seconds */
	double		max_lifetime;	/* seconds, exp - iat */
	bool		check_audience; /* widget JWTs: yes; signed variables: no */
	const char *audience;		/* NULL fails the audience check */
	size_t		audience_len;
	bool		require_email;	/* widget JWTs: email claim required */
} woesid_jwt_rules;

/* A verified (or rejected) JWT's claims. */
typedef struct woesid_jwt
{
	woesid_reason reason;
	wj_doc		payload;		/* valid when the payload was parsed */
	double		iat;
	double		exp;
	const char *email;			/* normalized; NULL when absent or empty */
	size_t		email_len;
	const wj_node *contact_id;	/* a STRING or integer NUMBER, or NULL */
	const wj_node *account_id;
	const wj_node *kid;			/* the header's kid, of any type, or NULL */
	bool		fault;			/* OpenSSL failed (out of memory): not a
								 * verdict on the token */
} woesid_jwt;

/* Arena bytes that always suffice to verify a token of token_len bytes. */
size_t		woesid_jwt_arena_bound(size_t token_len);

/*
 * Step 1 (rules 1-3 but the MAC): splits and decodes the header and the
 * signature.  Returns WOESID_OK, MISSING, MALFORMED, UNSUPPORTED_ALGORITHM,
 * UNSUPPORTED_HEADER or BAD_SIGNATURE (a signature that is not 32 bytes).
 */
woesid_reason woesid_jws_open(const char *token, size_t len,
							  size_t max_token_bytes, woesid_arena *arena,
							  woesid_jws *jws);

/* Header segments recognized without decoding (jws.c). */
#define WOESID_JWS_COMMON_HEADERS 3
extern const wj_name woesid_jws_common_headers[WOESID_JWS_COMMON_HEADERS];

/* Step 2: 1 if key signed jws, 0 if not, -1 if OpenSSL failed. */
int			woesid_jws_signed_by(const woesid_jws *jws, woesid_mac_key *key);

/*
 * Step 3 (rules 4-8): decodes and checks the payload of a JWS whose
 * signature is good.
 */
void		woesid_jwt_check_claims(const woesid_jws *jws,
									const woesid_jwt_rules *rules,
									woesid_arena *arena, woesid_jwt *out);

/* All three steps with one key (NULL: missing_secret). */
void		woesid_jwt_verify(const char *token, size_t len, woesid_mac_key *key,
							  size_t max_token_bytes,
							  const woesid_jwt_rules *rules,
							  woesid_arena *arena, woesid_jwt *out);

/* An identify payload sent in hmac_email mode. */
typedef struct woesid_hmac_result
{
	woesid_reason reason;
	wj_doc		payload;		/* valid when parsed (metadata comes from it) */
	bool		parsed;
	const char *email;			/* normalized; set when verified */
	size_t		email_len;
	bool		fault;			/* OpenSSL failed (out of memory) */
} woesid_hmac_result;

/* The members the backend's HMAC covers; any other is metadata. */
#define WOESID_HMAC_SIGNED_MEMBERS 2
extern const wj_name woesid_hmac_signed_members[WOESID_HMAC_SIGNED_MEMBERS];

size_t		woesid_hmac_email_arena_bound(size_t payload_len);

/* Verifies payload[0..len) (key NULL: missing_secret). */
void		woesid_hmac_email_verify(const char *payload, size_t len,
									 woesid_mac_key *key,
									 size_t max_payload_bytes,
									 woesid_arena *arena,
									 woesid_hmac_result *out);

/*
 * The hex HMAC a backend sends for email: normalizes email[0..len) into
 * scratch (room for woesid_email_normalize_bound(len) bytes) and writes 64
 * lower-case hex digits to hex.  False only if OpenSSL fails.
 */
bool		woesid_email_hmac_hex(const char *email, size_t len, woesid_mac_key *key,
							  char *scratch, char hex[2 * WOESID_MAC_LEN]);

#endif							/* WOESID_CORE_H */
