/*
 * core_bench.c
 *		woesid's plain-C verification core alone, over the benchmark's
 *		workload: woesid_jwt_verify over every token and
 *		woesid_hmac_email_verify over every identify payload, each with a MAC
 *		key made once by woesid_mac_key_new (as the fmgr layer's per-call-site
 *		cache does), and, to split the cost, woesid_mac alone over the same
 *		tokens' signing inputs.
 *
 *		core_bench WORKLOAD_DIR ROUNDS [jwt|email|all]
 *
 * Reads WORKLOAD_DIR/secret.txt, aud.txt, at.txt (the verification time,
 * Unix seconds), tokens.txt and payloads.txt.  Linked with the core sources
 * of src/ built with -O2 (scripts/bench.sh).  Output: see common.h.
 *
 * The arena is allocated once, sized for the longest item, and reset before
 * each verification, as the fmgr layer reuses its per-call-site arena.  Also
 * the program valgrind --tool=callgrind profiles (bench/README.md).
 */
#include "common.h"

#include "core.h"

#define MAX_BYTES 8192			/* woesid.max_token_bytes' default */

typedef struct jwt_work
{
	bench_lines tokens;
	woesid_mac_key *key;
	woesid_jwt_rules rules;
	char	   *arena_buf;
	size_t		arena_size;
	/* for the MAC-only pass */
	size_t	   *signing_len;
	uint8_t   (*sig)[WOESID_MAC_LEN];
} jwt_work;

typedef struct email_work
{
	bench_lines payloads;
	woesid_mac_key *key;
	char	   *arena_buf;
	size_t		arena_size;
} email_work;

static volatile size_t sink;

static size_t
jwt_pass(void *arg)
{
	jwt_work   *w = arg;
	size_t		ok = 0;

	for (size_t i = 0; i < w->tokens.n; i++)
	{
		woesid_arena arena;
		woesid_jwt	jwt;

		woesid_arena_init(&arena, w->arena_buf, w->arena_size);
		woesid_jwt_verify(w->tokens.line[i], w->tokens.len[i], w->key,
						  MAX_BYTES, &w->rules, &arena, &jwt);
		ok += jwt.reason == WOESID_OK;
		sink += jwt.email_len;
	}
	return ok;
}

static size_t
mac_pass(void *arg)
{
	jwt_work   *w = arg;
	size_t		ok = 0;
	uint8_t		mac[WOESID_MAC_LEN];

	for (size_t i = 0; i < w->tokens.n; i++)
	{
		if (!woesid_mac(w->key, (const uint8_t *) w->tokens.line[i],
						w->signing_len[i], mac))
		{
			fprintf(stderr, "woesid_mac failed\n");
			exit(2);
		}
		ok += woesid_mac_equal(mac, w->sig[i]);
	}
	return ok;
}

static size_t
email_pass(void *arg)
{
	email_work *w = arg;
	size_t		ok = 0;

	for (size_t i = 0; i < w->payloads.n; i++)
	{
		woesid_arena arena;
		woesid_hmac_result res;

		woesid_arena_init(&arena, w->arena_buf, w->arena_size);
		woesid_hmac_email_verify(w->payloads.line[i], w->payloads.len[i],
								 w->key, MAX_BYTES, &arena, &res);
		ok += res.reason == WOESID_OK;
		sink += res.email_len;
	}
	return ok;
}

/* The first line of DIR/name, NUL-terminated. */
static char *
read_value(const char *dir, const char *name, size_t *len)
{
	char		path[4096];
	bench_lines l;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	l = bench_read_lines(path);
	l.line[0] = realloc(l.line[0], l.len[0] + 1);
	l.line[0][l.len[0]] = '\0';
	if (len)
		*len = l.len[0];
	return l.line[0];
}

int
main(int argc, char **argv)
{
	const char *dir;
	const char *what = argc > 3 ? argv[3] : "all";
	int			rounds;
	size_t		secret_len,
				aud_len;
	char	   *secret,
			   *aud;
	char		path[4096];
	bool		ok = true;

	if (argc < 3 || argc > 4 || (rounds = atoi(argv[2])) < 1)
	{
		fprintf(stderr, "usage: %s WORKLOAD_DIR ROUNDS [jwt|email|all]\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	secret = read_value(dir, "secret.txt", &secret_len);
	aud = read_value(dir, "aud.txt", &aud_len);

	if (strcmp(what, "email") != 0)
	{
		jwt_work	w = {0};

		snprintf(path, sizeof(path), "%s/tokens.txt", dir);
		w.tokens = bench_read_lines(path);
		/* jwt: the key is the secret string's bytes */
		w.key = woesid_mac_key_new((const uint8_t *) secret, secret_len);
		w.rules.now = atof(read_value(dir, "at.txt", NULL));
		w.rules.clock_skew = 30;
		w.rules.max_lifetime = 900;
		w.rules.check_audience = true;
		w.rules.audience = aud;
		w.rules.audience_len = aud_len;
		w.rules.require_email = true;
		w.arena_size = woesid_jwt_arena_bound(w.tokens.max_len);
		w.arena_buf = bench_xmalloc(w.arena_size);
		w.signing_len = bench_xmalloc(w.tokens.n * sizeof(size_t));
		w.sig = bench_xmalloc(w.tokens.n * sizeof(*w.sig));
		if (w.key == NULL)
		{
			fprintf(stderr, "woesid_mac_key_new failed\n");
			return 2;
		}
		for (size_t i = 0; i < w.tokens.n; i++)
		{
			const char *dot = bench_last_dot(w.tokens.line[i], w.tokens.len[i]);

			if (dot == NULL ||
				bench_b64url_decode(dot + 1, w.tokens.len[i] - (size_t) (dot + 1 - w.tokens.line[i]),
									w.sig[i], WOESID_MAC_LEN) != WOESID_MAC_LEN)
			{
				fprintf(stderr, "token %zu: bad signature segment\n", i);
				return 2;
			}
			w.signing_len[i] = (size_t) (dot - w.tokens.line[i]);
		}
		ok &= bench_rounds("core_jwt", rounds, w.tokens.n, w.tokens.n, jwt_pass, &w);
		ok &= bench_rounds("core_mac_jwt", rounds, w.tokens.n, w.tokens.n, mac_pass, &w);
		woesid_mac_key_free(w.key);
	}

	if (strcmp(what, "jwt") != 0)
	{
		email_work	w = {0};
		uint8_t		key[WOESID_MAC_LEN];

		snprintf(path, sizeof(path), "%s/payloads.txt", dir);
		w.payloads = bench_read_lines(path);
		/* hmac_email: the key is the secret's hex-decoded bytes */
		if (!bench_hex_decode(secret, secret_len, key, sizeof(key)))
		{
			fprintf(stderr, "secret.txt is not 64 hex digits\n");
			return 2;
		}
		w.key = woesid_mac_key_new(key, sizeof(key));
		if (w.key == NULL)
		{
			fprintf(stderr, "woesid_mac_key_new failed\n");
			return 2;
		}
		w.arena_size = woesid_hmac_email_arena_bound(w.payloads.max_len);
		w.arena_buf = bench_xmalloc(w.arena_size);
		ok &= bench_rounds("core_email", rounds, w.payloads.n, w.payloads.n,
						   email_pass, &w);
		woesid_mac_key_free(w.key);
	}
	return ok ? 0 : 1;
}
