/*
 * fuzz_util.h
 *		Helpers shared by the libFuzzer harnesses of the verification core.
 *
 * Every harness copies its input into an exactly sized malloc'd buffer and
 * hands the core an arena of exactly the core's bound, so AddressSanitizer
 * reports any read past the input and any write past the bound.  A broken
 * property is reported on stderr and abort()ed, which libFuzzer records as a
 * crash like any other.
 */
#ifndef WOESID_FUZZ_UTIL_H
#define WOESID_FUZZ_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "json.h"

#define FUZZ_ASSERT(cond) \
	do { \
		if (!(cond)) \
		{ \
			fprintf(stderr, "%s:%d: property violated: %s\n", \
					__FILE__, __LINE__, #cond); \
			abort(); \
		} \
	} while (0)

/*
 * The workspace secret of test/unit/test_core.c and make-seeds.mjs: its
 * UTF-8 bytes are the JWT key, its hex-decoded bytes the hmac_email key.
 */
#define FUZZ_SECRET "8c2f6a1de4b7309f5a6c1e2d3b4f5061728394a5b6c7d8e9f001122334455667"

/*
 * Another workspace's secret, long enough to be used (a MAC under it is
 * bad_signature, not weak_secret), and a secret one byte too short to be
 * (31 bytes: weak_secret whatever is sent).
 */
#define FUZZ_OTHER_SECRET "another workspace's secret, 32 bytes or more"
#define FUZZ_WEAK_SECRET "8c2f6a1de4b7309f5a6c1e2d3b4f506"

/* malloc that never returns NULL; 0 bytes gives a pointer ASan guards too. */
static inline void *
fuzz_alloc(size_t n)
{
	void	   *p = malloc(n);

	if (p == NULL && n > 0)
		abort();
	return p;
}

/* An exactly sized copy of data[0..n). */
static inline char *
fuzz_copy(const void *data, size_t n)
{
	char	   *copy = fuzz_alloc(n);

	if (n > 0)
		memcpy(copy, data, n);
	return copy;
}

/*
 * Whether s[0..n) is well-formed UTF-8 (Unicode table 3-7: no overlong
 * forms, surrogates or code points above U+10FFFF).  Written independently
 * of the core's own decoders.
 */
static inline bool
fuzz_utf8_valid(const uint8_t *s, size_t n)
{
	size_t		i = 0;

	while (i < n)
	{
		uint32_t	cp;
		size_t		need;

		if (s[i] < 0x80)
		{
			i++;
			continue;
		}
		if ((s[i] & 0xE0) == 0xC0)
		{
			need = 2;
			cp = s[i] & 0x1F;
		}
		else if ((s[i] & 0xF0) == 0xE0)
		{
			need = 3;
			cp = s[i] & 0x0F;
		}
		else if ((s[i] & 0xF8) == 0xF0)
		{
			need = 4;
			cp = s[i] & 0x07;
		}
		else
			return false;
		if (n - i < need)
			return false;
		for (size_t k = 1; k < need; k++)
		{
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3F);
		}
		if ((need == 2 && cp < 0x80) || (need == 3 && cp < 0x800) ||
			(need == 4 && cp < 0x10000) || cp > 0x10FFFF ||
			(cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += need;
	}
	return true;
}

/*
 * The value index of the member named name[0..len) of the OBJECT at obj, or
 * 0: a plain scan, the oracle wj_members is checked against.
 */
static inline uint32_t
fuzz_member(const wj_doc *doc, uint32_t obj, const char *name, size_t len)
{
	uint32_t	i = obj + 1;

	if (obj >= doc->n || doc->nodes[obj].type != WJ_OBJECT)
		return 0;
	for (uint32_t m = 0; m < doc->nodes[obj].count; m++)
	{
		if (doc->nodes[i].len == len && memcmp(doc->nodes[i].str, name, len) == 0)
			return i + 1;
		i = doc->nodes[i + 1].next;
	}
	return 0;
}

/* The harnesses' clock: 100 s after the seeds' iat. */
#define NOW 1700000100.0

/* The claim rules of widget JWTs and signed variables, as the SQL functions' defaults. */
static const woesid_jwt_rules widget_rules = {
	.now = NOW,
	.clock_skew = 30,
	.max_lifetime = 900,
	.check_audience = true,
	.audience = "wpk_test",
	.audience_len = 8,
	.require_email = true,
};

static const woesid_jwt_rules variables_rules = {
	.now = NOW,
	.clock_skew = 30,
	.max_lifetime = 7 * 86400,
	.check_audience = false,
	.audience = NULL,
	.audience_len = 0,
	.require_email = false,
};

/* A hex digit's value (any case), or -1. */
static inline int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* FUZZ_SECRET hex-decoded, the key hmac_email mode uses. */
static inline void
fuzz_secret_bytes(uint8_t out[WOESID_MAC_LEN])
{
	for (int i = 0; i < WOESID_MAC_LEN; i++)
		out[i] = (uint8_t) (hex_value(FUZZ_SECRET[2 * i]) << 4 |
							hex_value(FUZZ_SECRET[2 * i + 1]));
}

#endif							/* WOESID_FUZZ_UTIL_H */
