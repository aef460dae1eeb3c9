/*
 * fmgr_secret.c
 *		woesid_random_secret: new widget secrets from the operating system's
 *		CSPRNG, for woesid_generate_secret.
 *
 * A secret made here reaches SQL only as this function's result, never as
 * statement text, so no statement log can hold it.  The random bytes are
 * wiped once encoded.  Never falls back to a weaker source: if the kernel
 * cannot answer, the call fails.
 */
#include "woesid_fmgr.h"

#include <errno.h>
#include <sys/random.h>

#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(woesid_random_secret);

#define SECRET_BYTES 32

/* Fills buf from getrandom(2), which blocks only until the pool is seeded. */
static void
os_random(uint8_t *buf, size_t len)
{
	size_t		done = 0;

	while (done < len)
	{
		ssize_t		n = getrandom(buf + done, len - done, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("could not generate random bytes: %m")));
		done += (size_t) n;
	}
}

/* woesid_random_secret(prefix text): prefix || 64 lower-case hex digits */
Datum
woesid_random_secret(PG_FUNCTION_ARGS)
{
	text	   *prefix = PG_GETARG_TEXT_PP(0);
	size_t		prefix_len = VARSIZE_ANY_EXHDR(prefix);
	uint8_t		bytes[SECRET_BYTES];
	text	   *result = palloc(VARHDRSZ + prefix_len + 2 * SECRET_BYTES);
	char	   *out = VARDATA(result);

	os_random(bytes, sizeof(bytes));
	memcpy(out, VARDATA_ANY(prefix), prefix_len);
	woesid_hex_encode(bytes, sizeof(bytes), out + prefix_len);
	woesid_cleanse(bytes, sizeof(bytes));
	SET_VARSIZE(result, VARHDRSZ + prefix_len + 2 * SECRET_BYTES);
	PG_RETURN_TEXT_P(result);
}
