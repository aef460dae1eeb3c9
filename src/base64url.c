/*
 * base64url.c
 *		Strict base64url decoding (and the encoding the tests need).
 *
 * Rejects anything a lenient decoder would paper over: padding, whitespace,
 * the standard alphabet's + and /, a length of 1 mod 4, and non-zero
 * trailing bits (so each byte string has exactly one accepted encoding).
 * Must never read before in or past in + len, nor write past the bound
 * base64url.h promises.
 *
 * On x86-64 CPUs with SSSE3 (checked once at run time), whole 16-character
 * blocks are validated and decoded with SIMD; the scalar loop does the rest
 * and is the only path elsewhere.  Both accept exactly the same inputs.
 */
#include "base64url.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define WOESID_B64_SSSE3 1
#include <tmmintrin.h>
#endif

static const char encode_table[64] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/*
 * decode_at[k][c]: the bits character c contributes at position k of a
 * 4-character group (its value shifted into place), or INVALID_BITS for a
 * byte outside the alphabet.  OR-ing a group's four entries gives its 24
 * bits, with INVALID_BITS set if any character was invalid.  Built from
 * encode_table on first use.
 */
#define INVALID_BITS 0xFF000000u
static uint32_t decode_at[4][256];
static bool decode_ready;
#ifdef WOESID_B64_SSSE3
static bool use_ssse3;
#endif

static void
build_decode_tables(void)
{
	for (int k = 0; k < 4; k++)
		for (int c = 0; c < 256; c++)
			decode_at[k][c] = INVALID_BITS;
	for (uint32_t v = 0; v < 64; v++)
		for (int k = 0; k < 4; k++)
			decode_at[k][(uint8_t) encode_table[v]] = v << (18 - 6 * k);
#ifdef WOESID_B64_SSSE3
	use_ssse3 = __builtin_cpu_supports("ssse3");
#endif
	decode_ready = true;
}

#ifdef WOESID_B64_SSSE3
/*
 * Decodes whole 16-character blocks (Mula and Lemire's method, for the
 * base64url alphabet) while at least 24 characters remain, so that the 16
 * bytes stored for a block's 12 stay inside the output; returns the
 * characters consumed, or -1 if a block holds a byte outside the alphabet.
 *
 * A character c is valid when lo_classes[c & 15] & hi_classes[c >> 4] is
 * not zero.  The classes by high nibble: 2 holds only '-' (0x2D); 3 the
 * digits 0-9; 4 and 6 the letters at 1-F; 5 'P'-'Z' at 0-A and '_' at F; 7
 * 'p'-'z' at 0-A.  Bytes >= 0x80 have no class.  Its value is c plus an
 * offset chosen by the high nibble, with '_' corrected by +33.
 */
__attribute__((target("ssse3")))
static ptrdiff_t
decode_blocks_ssse3(const uint8_t *in, size_t len, uint8_t *out)
{
	const __m128i lo_classes = _mm_setr_epi8(0x1A, 0x1E, 0x1E, 0x1E, 0x1E, 0x1E,
											 0x1E, 0x1E, 0x1E, 0x1E, 0x1C, 0x04,
											 0x04, 0x05, 0x04, 0x0C);
	const __m128i hi_classes = _mm_setr_epi8(0, 0, 0x01, 0x02, 0x04, 0x08, 0x04,
											 0x10, 0, 0, 0, 0, 0, 0, 0, 0);
	const __m128i offsets = _mm_setr_epi8(0, 0, 62 - '-', 52 - '0', -'A', -'A',
										  26 - 'a', 26 - 'a',
										  0, 0, 0, 0, 0, 0, 0, 0);
	const __m128i nibble = _mm_set1_epi8(0x0F);
	const __m128i underscore = _mm_set1_epi8('_');
	const __m128i underscore_fix = _mm_set1_epi8(63 - '_' + 'A');
	const __m128i pairs = _mm_set1_epi32(0x01400140);
	const __m128i quads = _mm_set1_epi32(0x00011000);
	const __m128i bytes = _mm_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12,
										-1, -1, -1, -1);
	size_t		i = 0;

	for (; len - i >= 24; i += 16, out += 12)
	{
		__m128i		c = _mm_loadu_si128((const __m128i *) (in + i));
		__m128i		hi = _mm_and_si128(_mm_srli_epi32(c, 4), nibble);
		__m128i		lo = _mm_and_si128(c, nibble);
		__m128i		classes = _mm_and_si128(_mm_shuffle_epi8(lo_classes, lo),
											_mm_shuffle_epi8(hi_classes, hi));
		__m128i		values;

		if (_mm_movemask_epi8(_mm_cmpeq_epi8(classes, _mm_setzero_si128())) != 0)
			return -1;
		values = _mm_add_epi8(_mm_add_epi8(c, _mm_shuffle_epi8(offsets, hi)),
							  _mm_and_si128(_mm_cmpeq_epi8(c, underscore),
											underscore_fix));
		/* 6-bit values to 12-bit pairs to 24-bit groups, then big-endian */
		values = _mm_madd_epi16(_mm_maddubs_epi16(values, pairs), quads);
		_mm_storeu_si128((__m128i *) out, _mm_shuffle_epi8(values, bytes));
	}
	return (ptrdiff_t) i;
}
#endif

bool
woesid_b64url_decode(const char *in, size_t len, uint8_t *out, size_t *outlen)
{
	const uint8_t *p = (const uint8_t *) in;
	size_t		full = len / 4;
	size_t		rest = len % 4;
	uint8_t    *o = out;
	uint32_t	v;

	if (rest == 1)
		return false;
	if (!decode_ready)
		build_decode_tables();

#ifdef WOESID_B64_SSSE3
	if (use_ssse3 && len >= 24)
	{
		ptrdiff_t	done = decode_blocks_ssse3(p, len, o);

		if (done < 0)
			return false;
		p += done;
		o += done / 4 * 3;
		full -= (size_t) done / 4;
	}
#endif
	for (size_t i = 0; i < full; i++, p += 4, o += 3)
	{
		v = decode_at[0][p[0]] | decode_at[1][p[1]] |
			decode_at[2][p[2]] | decode_at[3][p[3]];
		if (v & INVALID_BITS)
			return false;
		o[0] = (uint8_t) (v >> 16);
		o[1] = (uint8_t) (v >> 8);
		o[2] = (uint8_t) v;
	}

	if (rest != 0)
	{
		v = decode_at[0][p[0]] | decode_at[1][p[1]] |
			(rest == 3 ? decode_at[2][p[2]] : 0);
		if (v & INVALID_BITS)
			return false;
		/* The bits past the last whole byte must be zero. */
		if (rest == 2 ? (v & 0xFFFF) != 0 : (v & 0xFF) != 0)
			return false;
		*o++ = (uint8_t) (v >> 16);
		if (rest == 3)
			*o++ = (uint8_t) (v >> 8);
	}

	*outlen = (size_t) (o - out);
	return true;
}

size_t
woesid_b64url_encode(const uint8_t *in, size_t len, char *out)
{
	char	   *o = out;
	size_t		i = 0;

	for (; i + 3 <= len; i += 3)
	{
		uint32_t	v = (uint32_t) in[i] << 16 | (uint32_t) in[i + 1] << 8 | in[i + 2];

		*o++ = encode_table[v >> 18];
		*o++ = encode_table[(v >> 12) & 63];
		*o++ = encode_table[(v >> 6) & 63];
		*o++ = encode_table[v & 63];
	}
	if (len - i == 1)
	{
		*o++ = encode_table[in[i] >> 2];
		*o++ = encode_table[(in[i] & 3) << 4];
	}
	else if (len - i == 2)
	{
		uint32_t	v = (uint32_t) in[i] << 8 | in[i + 1];

		*o++ = encode_table[v >> 10];
		*o++ = encode_table[(v >> 4) & 63];
		*o++ = encode_table[(v & 15) << 2];
	}
	return (size_t) (o - out);
}
