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

/* The shortest secret accepted: 256 bits, as RFC 7518 section 3.2 requires. */
#define WOESID_MIN_SECRET_BYTES 32

/* MISSING_SECRET for no key (NULL or empty), WEAK_SECRET for a short one, else OK. */
woesid_reason woesid_key_reason(const woesid_mac_key *key);

/* Widget modes, as the registry names them. */
typedef enum woesid_mode
{
	WOESID_MODE_OFF,
	WOESID_MODE_JWT,
	WOESID_MODE_HMAC_EMAIL,
	WOESID_MODE_VARIABLES,
	WOESID_MODE_COUNT
} woesid_mode;

extern const char *const woesid_mode_name[WOESID_MODE_COUNT];

/* The mode named name[0..len); false for any other string. */
bool		woesid_mode_from_name(const char *name, size_t len, woesid_mode *out);

/* Payload members a mode's signature covers: never copied to metadata. */
typedef struct woesid_covered
{
	const wj_name *names;
	int			n;
} woesid_covered;

extern const woesid_covered woesid_mode_covered[WOESID_MODE_COUNT];

/*
 * An identify payload (the JSON body the browser sent) opened for its
 * widget's mode.  reason: MISSING (nothing sent, or no string member of the
 * mode's own), MALFORMED (too long, or not a strict JSON object),
 * WRONG_MODE (another signed mode's member instead of its own) or OK.
 */
typedef struct woesid_payload
{
	woesid_reason reason;
	bool		parsed;			/* doc holds the payload object */
	wj_doc		doc;
	const wj_node *token;		/* jwt and variables: the token string */
} woesid_payload;

size_t		woesid_payload_arena_bound(size_t len);

/*
 * The strict reader every payload goes through: MISSING for no bytes,
 * MALFORMED for more than max_bytes (checked first, nothing read) or for
 * anything but one strict JSON object, else OK with doc filled.
 */
woesid_reason woesid_payload_parse(const char *text, size_t len, size_t max_bytes,
								   woesid_arena *arena, wj_doc *doc);

void		woesid_payload_open(const char *text, size_t len, size_t max_bytes,
								woesid_mode mode, woesid_arena *arena,
								woesid_payload *out);

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

/* All three steps with one key (NULL: missing_secret; short: weak_secret). */
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
	const char *normalized;		/* the email read, before any MAC */
	size_t		normalized_len;
	uint8_t		sent[WOESID_MAC_LEN];	/* email_hash decoded; wiped after */
	bool		fault;			/* OpenSSL failed (out of memory) */
} woesid_hmac_result;

/* The members the backend's HMAC covers; any other is metadata. */
#define WOESID_HMAC_SIGNED_MEMBERS 2
extern const wj_name woesid_hmac_signed_members[WOESID_HMAC_SIGNED_MEMBERS];

size_t		woesid_hmac_email_arena_bound(size_t payload_len);

/*
 * Step 1: reads the parsed payload object doc (copied to out->payload):
 * MISSING (no email_hash), MALFORMED, MISSING_EMAIL, or OK with the email
 * normalized and the hash decoded.
 */
woesid_reason woesid_hmac_email_read(const wj_doc *doc, woesid_arena *arena,
									 woesid_hmac_result *out);

/*
 * Step 2: true (reason OK, email set) if key made the hash read in step 1;
 * else reason BAD_SIGNATURE (fault set if OpenSSL failed).
 */
bool		woesid_hmac_email_signed_by(woesid_hmac_result *result,
										woesid_mac_key *key);

/* Wipes the hash read in step 1. */
void		woesid_hmac_email_forget(woesid_hmac_result *result);

/* All steps with one key (NULL: missing_secret) on payload[0..len). */
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

/* bytes[0..len) as 2 * len lower-case hex digits (not NUL-terminated). */
void		woesid_hex_encode(const uint8_t *bytes, size_t len, char *hex);

#endif							/* WOESID_CORE_H */
