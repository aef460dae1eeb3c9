/*
 * fuzz_email_normalize.c
 *		libFuzzer harness for JavaScript-compatible email normalization
 *		(s.trim().toLowerCase(), src/email_normalize.c).
 *
 * The output buffer is exactly woesid_email_normalize_bound(len) bytes, so
 * AddressSanitizer catches any write past the bound.  Properties, for every
 * input: the length returned is within the bound and no ASCII capital
 * survives.  For all-ASCII input: the result is exactly the ASCII trim set
 * (TAB..CR, space) removed at both ends and A-Z lowered.  For valid UTF-8
 * input: the result is valid UTF-8 and normalizing is idempotent,
 * normalize(normalize(x)) == normalize(x).
 */
#include "email_normalize.h"
#include "fuzz_util.h"

static bool
ascii_trim(uint8_t c)
{
	return (c >= 0x09 && c <= 0x0D) || c == ' ';
}

/* Normalizes in[0..len) into a freshly malloc'd buffer of exactly the bound. */
static char *
normalize(const char *in, size_t len, size_t *outlen)
{
	size_t		bound = woesid_email_normalize_bound(len);
	char	   *out = fuzz_alloc(bound);

	*outlen = woesid_email_normalize(in, len, out);
	FUZZ_ASSERT(*outlen <= bound);
	for (size_t i = 0; i < *outlen; i++)
		FUZZ_ASSERT(out[i] < 'A' || out[i] > 'Z');
	return out;
}

/* The ASCII fast path against its definition. */
static void
check_ascii(const uint8_t *data, size_t size, const char *out, size_t outlen)
{
	size_t		start = 0;
	size_t		end = size;

	while (start < end && ascii_trim(data[start]))
		start++;
	while (end > start && ascii_trim(data[end - 1]))
		end--;
	FUZZ_ASSERT(outlen == end - start);
	for (size_t i = 0; i < outlen; i++)
	{
		uint8_t		c = data[start + i];

		FUZZ_ASSERT((uint8_t) out[i] == (c >= 'A' && c <= 'Z' ? c + 32 : c));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *in = fuzz_copy(data, size);
	size_t		outlen;
	char	   *out = normalize(in, size, &outlen);
	bool		ascii = true;

	for (size_t i = 0; i < size; i++)
		ascii &= data[i] < 0x80;
	if (ascii)
		check_ascii(data, size, out, outlen);

	if (fuzz_utf8_valid(data, size))
	{
		char	   *again_in = fuzz_copy(out, outlen);
		size_t		again_len;
		char	   *again = normalize(again_in, outlen, &again_len);

		FUZZ_ASSERT(fuzz_utf8_valid((const uint8_t *) out, outlen));
		FUZZ_ASSERT(again_len == outlen);
		FUZZ_ASSERT(outlen == 0 || memcmp(again, out, outlen) == 0);
		free(again);
		free(again_in);
	}
	free(out);
	free(in);
	return 0;
}
