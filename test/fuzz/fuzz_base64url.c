/*
 * fuzz_base64url.c
 *		libFuzzer harness for strict base64url decoding (src/base64url.c).
 *
 * The input is decoded as a segment; the verdict must match an independent
 * statement of the strictness rules (alphabet, no length of 1 mod 4, zero
 * trailing bits), and an accepted segment must be canonical: re-encoding
 * what it decodes to gives the very same characters.  The input is also
 * encoded as bytes and decoded back, which must round-trip.  Every buffer
 * is exactly as large as the header's bounds promise.
 */
#include "base64url.h"
#include "fuzz_util.h"

static const char alphabet[64] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* The character's value in the alphabet, or -1. */
static int
char_value(uint8_t c)
{
	const char *p = memchr(alphabet, c, sizeof(alphabet));

	return p == NULL ? -1 : (int) (p - alphabet);
}

/* The strictness rules of base64url.h, stated independently. */
static bool
strict_segment(const uint8_t *s, size_t len)
{
	int			last = 0;

	if (len % 4 == 1)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((last = char_value(s[i])) < 0)
			return false;
	if (len % 4 == 2)
		return (last & 15) == 0;
	if (len % 4 == 3)
		return (last & 3) == 0;
	return true;
}

/* Decodes the input as a segment; accepted means canonical. */
static void
check_decode(const uint8_t *data, size_t size)
{
	char	   *in = fuzz_copy(data, size);
	uint8_t    *out = fuzz_alloc(woesid_b64url_decoded_bound(size));
	size_t		outlen = SIZE_MAX;
	bool		accepted = woesid_b64url_decode(in, size, out, &outlen);

	FUZZ_ASSERT(accepted == strict_segment(data, size));
	if (accepted)
	{
		char	   *again;

		FUZZ_ASSERT(outlen == size / 4 * 3 + (size % 4 == 0 ? 0 : size % 4 - 1));
		again = fuzz_alloc((outlen * 4 + 2) / 3);
		FUZZ_ASSERT(woesid_b64url_encode(out, outlen, again) == size);
		FUZZ_ASSERT(size == 0 || memcmp(again, data, size) == 0);
		free(again);
	}
	free(out);
	free(in);
}

/* Encodes the input as bytes; decoding must give them back. */
static void
check_round_trip(const uint8_t *data, size_t size)
{
	uint8_t    *bytes = (uint8_t *) fuzz_copy(data, size);
	size_t		enclen = (size * 4 + 2) / 3;
	char	   *encoded = fuzz_alloc(enclen);
	uint8_t    *decoded;
	size_t		outlen = SIZE_MAX;

	FUZZ_ASSERT(woesid_b64url_encode(bytes, size, encoded) == enclen);
	FUZZ_ASSERT(strict_segment((const uint8_t *) encoded, enclen));
	decoded = fuzz_alloc(woesid_b64url_decoded_bound(enclen));
	FUZZ_ASSERT(woesid_b64url_decode(encoded, enclen, decoded, &outlen));
	FUZZ_ASSERT(outlen == size);
	FUZZ_ASSERT(size == 0 || memcmp(decoded, data, size) == 0);
	free(decoded);
	free(encoded);
	free(bytes);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_decode(data, size);
	check_round_trip(data, size);
	return 0;
}
