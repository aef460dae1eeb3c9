/*
 * floor.c
 *		The physical floor of verifying the benchmark's workload: nothing but
 *		HMAC-SHA256 with the key's ipad/opad states precomputed once, and a
 *		CRYPTO_memcmp against a MAC decoded up front.  Plus OpenSSL's
 *		one-shot HMAC() per token, for reference.
 *
 *		floor WORKLOAD_DIR ROUNDS
 *
 * Reads WORKLOAD_DIR/secret.txt (the 64-hex workspace secret: its bytes are
 * the JWT key, its hex-decoded bytes the hmac_email key), tokens.txt (one
 * JWT a line) and emails.tsv (email as the browser sent it, TAB, the hex
 * email_hash).  Everything but the MAC and the comparison (splitting the
 * token, decoding its signature, normalizing and hex-decoding the email) is
 * done before the timed loops.  Output: see common.h.
 */

/*
 * SHA256_CTX and SHA256_Init/Update/Final are deprecated in OpenSSL 3 (the
 * EVP interface replaces them).  They are used here, and only here, on
 * purpose: a plain struct copy of a precomputed SHA256_CTX, with no EVP
 * dispatch, no provider lookup and no allocation, is the cheapest way
 * OpenSSL offers to compute an HMAC-SHA256, i.e. the physical floor that
 * woesid's EVP-based src/mac.c is measured against.  Never use this in
 * woesid itself.
 */
#define OPENSSL_SUPPRESS_DEPRECATED

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "common.h"

#define MAC_LEN 32
#define BLOCK 64

typedef struct hmac_floor
{
	SHA256_CTX	inner;			/* state after (key ^ ipad) */
	SHA256_CTX	outer;			/* state after (key ^ opad) */
} hmac_floor;

/* Items to MAC: message bytes and the expected MAC, all decoded up front. */
typedef struct workload
{
	size_t		n;
	const uint8_t **msg;
	size_t	   *len;
	uint8_t   (*mac)[MAC_LEN];
	const hmac_floor *key;
	const uint8_t *raw_key;		/* for the one-shot HMAC() */
	size_t		raw_key_len;
} workload;

static volatile uint8_t sink;

static void
hmac_floor_init(hmac_floor *k, const uint8_t *key, size_t len)
{
	uint8_t		block[BLOCK] = {0},
				pad[BLOCK];

	if (len > BLOCK)
		SHA256(key, len, block);
	else
		memcpy(block, key, len);
	for (int i = 0; i < BLOCK; i++)
		pad[i] = block[i] ^ 0x36;
	SHA256_Init(&k->inner);
	SHA256_Update(&k->inner, pad, BLOCK);
	for (int i = 0; i < BLOCK; i++)
		pad[i] = block[i] ^ 0x5c;
	SHA256_Init(&k->outer);
	SHA256_Update(&k->outer, pad, BLOCK);
	OPENSSL_cleanse(block, sizeof(block));
	OPENSSL_cleanse(pad, sizeof(pad));
}

/* The floor: two struct copies, two updates, two finals, one memcmp. */
static size_t
floor_pass(void *arg)
{
	const workload *w = arg;
	const hmac_floor *k = w->key;
	size_t		ok = 0;
	uint8_t		md[MAC_LEN];

	for (size_t i = 0; i < w->n; i++)
	{
		SHA256_CTX	c = k->inner;

		SHA256_Update(&c, w->msg[i], w->len[i]);
		SHA256_Final(md, &c);
		c = k->outer;
		SHA256_Update(&c, md, MAC_LEN);
		SHA256_Final(md, &c);
		ok += CRYPTO_memcmp(md, w->mac[i], MAC_LEN) == 0;
	}
	sink ^= md[0];
	return ok;
}

/* What a user of OpenSSL 3 would write: the one-shot HMAC() per item. */
static size_t
oneshot_pass(void *arg)
{
	const workload *w = arg;
	size_t		ok = 0;
	uint8_t		md[MAC_LEN];
	unsigned int md_len;

	for (size_t i = 0; i < w->n; i++)
	{
		if (HMAC(EVP_sha256(), w->raw_key, (int) w->raw_key_len,
				 w->msg[i], w->len[i], md, &md_len) == NULL)
		{
			fprintf(stderr, "HMAC() failed\n");
			exit(2);
		}
		ok += md_len == MAC_LEN && CRYPTO_memcmp(md, w->mac[i], MAC_LEN) == 0;
	}
	sink ^= md[0];
	return ok;
}

static char *
read_secret(const char *dir)
{
	char		path[4096];
	bench_lines l;

	snprintf(path, sizeof(path), "%s/secret.txt", dir);
	l = bench_read_lines(path);
	l.line[0] = realloc(l.line[0], l.len[0] + 1);
	l.line[0][l.len[0]] = '\0';
	return l.line[0];
}

/* The lines of DIR/name, with w sized for one message and MAC per line. */
static bench_lines
workload_lines(const char *dir, const char *name, workload *w)
{
	char		path[4096];
	bench_lines l;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	l = bench_read_lines(path);
	w->n = l.n;
	w->msg = bench_xmalloc(l.n * sizeof(*w->msg));
	w->len = bench_xmalloc(l.n * sizeof(*w->len));
	w->mac = bench_xmalloc(l.n * sizeof(*w->mac));
	return l;
}

/* JWTs: message = "header.payload", MAC = the decoded signature segment. */
static void
load_tokens(const char *dir, workload *w)
{
	bench_lines l = workload_lines(dir, "tokens.txt", w);

	for (size_t i = 0; i < l.n; i++)
	{
		const char *dot = bench_last_dot(l.line[i], l.len[i]);
		size_t		sig_len;

		if (dot == NULL)
		{
			fprintf(stderr, "token %zu has no '.'\n", i);
			exit(2);
		}
		sig_len = l.len[i] - (size_t) (dot + 1 - l.line[i]);
		if (bench_b64url_decode(dot + 1, sig_len, w->mac[i], MAC_LEN) != MAC_LEN)
		{
			fprintf(stderr, "token %zu: signature is not 32 bytes\n", i);
			exit(2);
		}
		w->msg[i] = (const uint8_t *) l.line[i];
		w->len[i] = (size_t) (dot - l.line[i]);
	}
}

/*
 * Emails: message = the normalized email (JavaScript trim().toLowerCase();
 * the workload is ASCII, so the ASCII rules suffice), MAC = email_hash.
 */
static void
load_emails(const char *dir, workload *w)
{
	bench_lines l = workload_lines(dir, "emails.tsv", w);

	for (size_t i = 0; i < l.n; i++)
	{
		char	   *s = l.line[i];
		char	   *tab = memchr(s, '\t', l.len[i]);
		size_t		start = 0,
					end;

		if (tab == NULL ||
			!bench_hex_decode(tab + 1, l.len[i] - (size_t) (tab + 1 - s),
							  w->mac[i], MAC_LEN))
		{
			fprintf(stderr, "emails.tsv line %zu is not EMAIL<TAB>HASH\n", i + 1);
			exit(2);
		}
		end = (size_t) (tab - s);
		while (start < end && strchr(" \t\n\v\f\r", s[start]) != NULL)
			start++;
		while (end > start && strchr(" \t\n\v\f\r", s[end - 1]) != NULL)
			end--;
		for (size_t j = start; j < end; j++)
		{
			if ((unsigned char) s[j] >= 0x80)
			{
				fprintf(stderr, "emails.tsv line %zu is not ASCII\n", i + 1);
				exit(2);
			}
			if (s[j] >= 'A' && s[j] <= 'Z')
				s[j] = (char) (s[j] - 'A' + 'a');
		}
		w->msg[i] = (const uint8_t *) s + start;
		w->len[i] = end - start;
	}
}

int
main(int argc, char **argv)
{
	const char *dir;
	int			rounds;
	char	   *secret;
	uint8_t		email_key[MAC_LEN];
	hmac_floor	jwt_floor,
				email_floor;
	workload	tokens = {0},
				emails = {0};
	bool		ok = true;

	if (argc != 3 || (rounds = atoi(argv[2])) < 1)
	{
		fprintf(stderr, "usage: %s WORKLOAD_DIR ROUNDS\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	secret = read_secret(dir);
	if (!bench_hex_decode(secret, strlen(secret), email_key, MAC_LEN))
	{
		fprintf(stderr, "secret.txt is not 64 hex digits\n");
		return 2;
	}
	hmac_floor_init(&jwt_floor, (const uint8_t *) secret, strlen(secret));
	hmac_floor_init(&email_floor, email_key, MAC_LEN);

	load_tokens(dir, &tokens);
	tokens.key = &jwt_floor;
	tokens.raw_key = (const uint8_t *) secret;
	tokens.raw_key_len = strlen(secret);
	load_emails(dir, &emails);
	emails.key = &email_floor;

	ok &= bench_rounds("floor_jwt", rounds, tokens.n, tokens.n, floor_pass, &tokens);
	ok &= bench_rounds("openssl_hmac_oneshot", rounds, tokens.n, tokens.n,
					   oneshot_pass, &tokens);
	ok &= bench_rounds("floor_email", rounds, emails.n, emails.n, floor_pass, &emails);
	return ok ? 0 : 1;
}
