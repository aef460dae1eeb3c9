/*
 * email_normalize.c
 *		JavaScript's s.trim().toLowerCase() on UTF-8, byte for byte.
 *
 * All-ASCII input takes a fast path with no table lookup.  Anything else is
 * decoded, trimmed at both ends by the trim set, lowercased through the
 * tables that tools/gen-unicode-tables.mjs generated from Node.js, with the
 * final-sigma rule looking at the neighbouring code points of the trimmed
 * input as ICU does, and re-encoded.  A byte that does not begin a
 * well-formed UTF-8 sequence is copied through unchanged and counts as
 * neither whitespace, cased nor case-ignorable.
 *
 * Must never read outside in[0..len), write past
 * woesid_email_normalize_bound(len) bytes, allocate, or depend on a locale.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "email_normalize.h"
#include "swar.h"
#include "unicode_tables.h"

/* What a byte that begins no well-formed sequence decodes to. */
#define INVALID_CP	UINT32_MAX

#define CAPITAL_SIGMA	0x03A3
#define SMALL_SIGMA		0x03C3
#define FINAL_SIGMA		0x03C2

#define LENGTHOF(a)	(sizeof(a) / sizeof((a)[0]))

size_t
woesid_email_normalize_bound(size_t len)
{
	size_t		whole = len / WOESID_LOWER_EXPANSION_DEN;
	size_t		rest = len % WOESID_LOWER_EXPANSION_DEN;

	/*
	 * Saturates where the exact bound would overflow; no input that long
	 * can exist together with its output anyway.
	 */
	if (whole > (SIZE_MAX - WOESID_LOWER_EXPANSION_NUM) / WOESID_LOWER_EXPANSION_NUM)
		return SIZE_MAX;
	return whole * WOESID_LOWER_EXPANSION_NUM +
		(rest * WOESID_LOWER_EXPANSION_NUM + WOESID_LOWER_EXPANSION_DEN - 1) /
		WOESID_LOWER_EXPANSION_DEN;
}

static bool
in_ranges(const woesid_cp_range *ranges, size_t n, uint32_t c)
{
	size_t		lo = 0;
	size_t		hi = n;

	while (lo < hi)
	{
		size_t		mid = lo + (hi - lo) / 2;

		if (c < ranges[mid].lo)
			hi = mid;
		else if (c > ranges[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

/*
 * Decodes the well-formed sequence (Unicode table 3-7) that starts at s and
 * ends within n bytes (n >= 1); returns its length, or 0 if there is none.
 */
static size_t
decode_sequence(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char b = s[0];
	size_t		need;
	unsigned char lo = 0x80;
	unsigned char hi = 0xBF;
	uint32_t	c;

	if (b < 0x80)
	{
		*cp = b;
		return 1;
	}
	if (b >= 0xC2 && b <= 0xDF)
	{
		need = 2;
		c = b & 0x1F;
	}
	else if (b >= 0xE0 && b <= 0xEF)
	{
		need = 3;
		c = b & 0x0F;
		if (b == 0xE0)
			lo = 0xA0;
		else if (b == 0xED)
			hi = 0x9F;
	}
	else if (b >= 0xF0 && b <= 0xF4)
	{
		need = 4;
		c = b & 0x07;
		if (b == 0xF0)
			lo = 0x90;
		else if (b == 0xF4)
			hi = 0x8F;
	}
	else
		return 0;
	if (n < need || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 1; i < need; i++)
	{
		if (i > 1 && (s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	*cp = c;
	return need;
}

/*
 * The code point (or INVALID_CP) that starts at s[p], p < end; returns how
 * many bytes it takes.
 */
static size_t
next_cp(const unsigned char *s, size_t p, size_t end, uint32_t *cp)
{
	size_t		n = decode_sequence(s + p, end - p, cp);

	if (n == 0)
	{
		*cp = INVALID_CP;
		return 1;
	}
	return n;
}

/*
 * The code point (or INVALID_CP) that ends at s[p], start < p; returns how
 * many bytes it takes.  start and p must both be boundaries of the forward
 * decoding, which this then agrees with: a sequence begins at the nearest
 * non-continuation byte or not at all.
 */
static size_t
prev_cp(const unsigned char *s, size_t start, size_t p, uint32_t *cp)
{
	size_t		q = p - 1;

	while (q > start && p - q < 4 && (s[q] & 0xC0) == 0x80)
		q--;
	if (decode_sequence(s + q, p - q, cp) == p - q)
		return p - q;
	*cp = INVALID_CP;
	return 1;
}

static bool
is_trim(uint32_t c)
{
	return c != INVALID_CP && in_ranges(woesid_trim, LENGTHOF(woesid_trim), c);
}

/*
 * ICU's test for one neighbour of U+03A3: a cased code point answers true,
 * a case-ignorable one is skipped, anything else answers false.  Returns 1
 * for true, 0 for false, -1 to keep looking.
 */
static int
sigma_context(uint32_t c)
{
	if (c == INVALID_CP)
		return 0;
	if (in_ranges(woesid_sigma_cased, LENGTHOF(woesid_sigma_cased), c))
		return 1;
	if (in_ranges(woesid_sigma_ignorable, LENGTHOF(woesid_sigma_ignorable), c))
		return -1;
	return 0;
}

/* Whether a cased letter precedes s[p], case-ignorables skipped, from start. */
static bool
preceded_by_cased(const unsigned char *s, size_t start, size_t p)
{
	while (p > start)
	{
		uint32_t	c;
		int			r;

		p -= prev_cp(s, start, p, &c);
		r = sigma_context(c);
		if (r >= 0)
			return r == 1;
	}
	return false;
}

/* Whether a cased letter follows from s[p], case-ignorables skipped, to end. */
static bool
followed_by_cased(const unsigned char *s, size_t p, size_t end)
{
	while (p < end)
	{
		uint32_t	c;
		int			r;

		p += next_cp(s, p, end, &c);
		r = sigma_context(c);
		if (r >= 0)
			return r == 1;
	}
	return false;
}

static size_t
encode(uint32_t c, unsigned char *out)
{
	if (c < 0x80)
	{
		out[0] = (unsigned char) c;
		return 1;
	}
	if (c < 0x800)
	{
		out[0] = (unsigned char) (0xC0 | (c >> 6));
		out[1] = (unsigned char) (0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000)
	{
		out[0] = (unsigned char) (0xE0 | (c >> 12));
		out[1] = (unsigned char) (0x80 | ((c >> 6) & 0x3F));
		out[2] = (unsigned char) (0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (unsigned char) (0xF0 | (c >> 18));
	out[1] = (unsigned char) (0x80 | ((c >> 12) & 0x3F));
	out[2] = (unsigned char) (0x80 | ((c >> 6) & 0x3F));
	out[3] = (unsigned char) (0x80 | (c & 0x3F));
	return 4;
}

/* Writes the lowercase of c (not U+03A3) to out; returns its length. */
static size_t
lower_cp(uint32_t c, unsigned char *out)
{
	size_t		lo = 0;
	size_t		hi = LENGTHOF(woesid_lower_single_map);
	size_t		n = 0;

	while (lo < hi)
	{
		size_t		mid = lo + (hi - lo) / 2;

		if (c < woesid_lower_single_map[mid].from)
			hi = mid;
		else if (c > woesid_lower_single_map[mid].from)
			lo = mid + 1;
		else
			return encode(woesid_lower_single_map[mid].to, out);
	}
	lo = 0;
	hi = LENGTHOF(woesid_lower_multi_map);
	while (lo < hi)
	{
		size_t		mid = lo + (hi - lo) / 2;

		if (c < woesid_lower_multi_map[mid].from)
			hi = mid;
		else if (c > woesid_lower_multi_map[mid].from)
			lo = mid + 1;
		else
		{
			for (uint32_t i = 0; i < woesid_lower_multi_map[mid].n; i++)
				n += encode(woesid_lower_multi_map[mid].to[i], out + n);
			return n;
		}
	}
	return encode(c, out);
}

/*
 * The 8 ASCII bytes in w with A-Z lowercased: a byte's high bit, clear in
 * all of them, is set by adding 0x80 - 'A' exactly when it is >= 'A', and by
 * adding 0x80 - 'Z' - 1 exactly when it is > 'Z'; no addition carries into
 * the next byte.  0x80 >> 2 is the 0x20 that lowercases.
 */
static inline uint64_t
lower_ascii8(uint64_t w)
{
	uint64_t	upper = (w + SWAR_ONES * (0x80 - 'A')) & ~(w + SWAR_ONES * (0x80 - 'Z' - 1));

	return w | (upper & SWAR_HIGHS) >> 2;
}

/*
 * The fast path: when in[0..len) is all ASCII, writes its normalized form
 * to out and returns true (with *outlen); otherwise returns false, having
 * written some of out, and the caller starts over.  Eight bytes at a time,
 * each byte handled in place.
 */
static bool
normalize_ascii(const unsigned char *in, size_t len, unsigned char *out,
				size_t *outlen)
{
	size_t		start = 0;
	size_t		end = len;
	size_t		i;
	size_t		n = 0;

	while (start < end && WOESID_ASCII_IS_TRIM(in[start]))
		start++;
	while (end > start && WOESID_ASCII_IS_TRIM(in[end - 1]))
		end--;
	for (i = start; end - i >= 8; i += 8, n += 8)
	{
		uint64_t	w = swar_load_le64(in + i);

		if (w & SWAR_HIGHS)
			return false;
		w = lower_ascii8(w);
		swar_store_le64(out + n, w);
	}
	for (; i < end; i++)
	{
		if (in[i] >= 0x80)
			return false;
		out[n++] = (in[i] >= 'A' && in[i] <= 'Z') ? in[i] + ('a' - 'A') : in[i];
	}
	*outlen = n;
	return true;
}

size_t
woesid_email_normalize(const char *in, size_t len, char *out)
{
	const unsigned char *s = (const unsigned char *) in;
	unsigned char *o = (unsigned char *) out;
	size_t		start = 0;
	size_t		end = len;
	size_t		n = 0;
	size_t		p;
	uint32_t	c;

	if (normalize_ascii(s, len, o, &n))
		return n;

	while (start < end)
	{
		size_t		w = next_cp(s, start, end, &c);

		if (!is_trim(c))
			break;
		start += w;
	}
	while (end > start)
	{
		size_t		w = prev_cp(s, start, end, &c);

		if (!is_trim(c))
			break;
		end -= w;
	}

	for (p = start; p < end;)
	{
		size_t		w = next_cp(s, p, end, &c);

		if (c == INVALID_CP)
			o[n++] = s[p];
		else if (c == CAPITAL_SIGMA)
		{
			bool		final = preceded_by_cased(s, start, p) &&
				!followed_by_cased(s, p + w, end);

			n += encode(final ? FINAL_SIGMA : SMALL_SIGMA, o + n);
		}
		else
			n += lower_cp(c, o + n);
		p += w;
	}
	return n;
}
