/*
 * test_email_normalize.c
 *		Unit tests for woesid_email_normalize() against JavaScript's
 *		s.trim().toLowerCase().
 *
 * Expected values for valid UTF-8 were taken from Node.js; those for invalid
 * UTF-8 follow the contract (each bad byte copied through, stopping the
 * final-sigma search).  Every call gets an input buffer of exactly len bytes
 * and an output buffer of exactly the bound, so the sanitizers catch any
 * stray read or write.  Given a vectors file from
 * test/interop/gen-normalize-cases.mjs as argv[1], also checks every line of
 * it.  Never depends on a locale.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "email_normalize.h"
#include "unit.h"

/* Normalizes in[0..len) from exact-size heap copies; returns a heap result. */
static char *
normalize(const char *in, size_t len, size_t *outlen)
{
	char	   *inbuf = malloc(len);
	char	   *outbuf = malloc(woesid_email_normalize_bound(len));

	if (inbuf == NULL || outbuf == NULL)
	{
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	if (len > 0)
		memcpy(inbuf, in, len);
	*outlen = woesid_email_normalize(inbuf, len, outbuf);
	free(inbuf);
	return outbuf;
}

static void
print_hex(const char *label, const char *s, size_t len)
{
	fprintf(stderr, " %s ", label);
	for (size_t i = 0; i < len; i++)
		fprintf(stderr, "%02x", (unsigned char) s[i]);
}

static int
same(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

/* Checks in -> want, then that normalizing the result changes nothing. */
static void
check_case(int line, const char *in, size_t len, const char *want, size_t wantlen)
{
	size_t		n;
	size_t		n2;
	char	   *got = normalize(in, len, &n);
	char	   *again = normalize(got, n, &n2);
	int			ok = same(got, n, want, wantlen);

	CHECK_MSG(ok, "case at line %d", line);
	if (!ok)
	{
		print_hex("input", in, len);
		print_hex("got", got, n);
		print_hex("want", want, wantlen);
		fputc('\n', stderr);
	}
	CHECK_MSG(n <= woesid_email_normalize_bound(len), "bound at line %d", line);
	CHECK_MSG(same(again, n2, got, n), "idempotence at line %d", line);
	free(got);
	free(again);
}

#define CASE(in, want) check_case(__LINE__, in, sizeof(in) - 1, want, sizeof(want) - 1)

static void
test_ascii(void)
{
	CASE("", "");
	CASE("Foo@Example.COM", "foo@example.com");
	CASE(" \t\n\x0B\x0C\x0DJoe.Bloggs@Example.Com \x0D\n", "joe.bloggs@example.com");
	CASE(" \t\n\x0B\x0C\x0D ", "");
	CASE("A B", "a b");
	CASE("@[`{AZaz09", "@[`{azaz09");
	/* Not whitespace to JavaScript. */
	CASE("\x1C\x1D\x1E\x1F" "A\x1F", "\x1C\x1D\x1E\x1F" "a\x1F");
	CASE("\x7F" "A\x01", "\x7F" "a\x01");
}

/*
 * Every ASCII byte at every position of addresses long enough for the
 * eight-bytes-at-a-time path, against JavaScript's rule for ASCII: trim
 * 0x09-0x0D and 0x20 at both ends, lowercase A-Z.
 */
static void
test_ascii_positions(void)
{
	static const char base[] = "  Mixed.CASE_Address+Tag@Sub.Example.COM\t";
	char		in[sizeof(base)];
	char		want[sizeof(base)];

	for (size_t pos = 0; pos < sizeof(base) - 1; pos++)
		for (int c = 1; c < 0x80; c++)
		{
			size_t		start = 0;
			size_t		end = sizeof(base) - 1;
			size_t		n = 0;

			memcpy(in, base, sizeof(base) - 1);
			in[pos] = (char) c;
#define ASCII_TRIM(b) (((b) >= 0x09 && (b) <= 0x0D) || (b) == ' ')
			while (start < end && ASCII_TRIM(in[start]))
				start++;
			while (end > start && ASCII_TRIM(in[end - 1]))
				end--;
#undef ASCII_TRIM
			for (size_t i = start; i < end; i++)
				want[n++] = in[i] >= 'A' && in[i] <= 'Z' ? in[i] + ('a' - 'A') : in[i];
			check_case(__LINE__, in, sizeof(base) - 1, want, n);
		}

	/* Non-ASCII after (and between) whole blocks of ASCII: the slow path. */
	CASE("  ABCDEFGH.IJKLMNOP\xC3\x89@EXAMPLE.COM ", "abcdefgh.ijklmnop\xC3\xA9@example.com");
	CASE("ABCDEFGH\xC3\x89", "abcdefgh\xC3\xA9");
	CASE("ABCDEFG\xC3\x89", "abcdefg\xC3\xA9");
	CASE("ABCDEFGHIJKLMNOP\xE3\x80\x80", "abcdefghijklmnop");
	CASE("\xC2\xA0 ABCDEFGHIJKLMNOP ", "abcdefghijklmnop");
	CASE("ABCDEFGH.IJKLMNOP.QRSTUVWX\xCE\x91\xCE\xA3", "abcdefgh.ijklmnop.qrstuvwx\xCE\xB1\xCF\x82");
	CASE("ABCDEFGHIJKLMNOP\xFF", "abcdefghijklmnop\xFF");
}

static void
test_unicode(void)
{
	/* Look like whitespace, are not in JavaScript's trim set. */
	CASE("\xC2\x85" "A\xC2\x85", "\xC2\x85" "a\xC2\x85");
	CASE("\xE1\xA0\x8E" "A\xE1\xA0\x8E", "\xE1\xA0\x8E" "a\xE1\xA0\x8E");
	CASE("\xE2\x80\x8B" "A\xE2\x80\x8B", "\xE2\x80\x8B" "a\xE2\x80\x8B");
	CASE("\xE2\x81\xA0" "A\xE2\x81\xA0", "\xE2\x81\xA0" "a\xE2\x81\xA0");

	/* U+0130 becomes i + U+0307 whatever the locale. */
	CASE("\xC4\xB0", "i\xCC\x87");
	CASE("\xC4\xB0STANBUL@\xC3\x96RNEK.COM", "i\xCC\x87stanbul@\xC3\xB6rnek.com");
	CASE("\xC3\x80\xC3\x89\xC3\x8E\xC3\x98\xC3\x9E", "\xC3\xA0\xC3\xA9\xC3\xAE\xC3\xB8\xC3\xBE");
	CASE("\xE1\xBA\x9E", "\xC3\x9F");
	CASE("\xE2\x84\xAA", "k");
	CASE("\xE2\x84\xA6", "\xCF\x89");
	CASE("\xC8\xBA", "\xE2\xB1\xA5");
	CASE("\xF0\x90\x90\x80@\xF0\x9E\xA4\x80", "\xF0\x90\x90\xA8@\xF0\x9E\xA4\xA2");
}

static void
test_final_sigma(void)
{
	CASE("\xCE\x91\xCE\xA3", "\xCE\xB1\xCF\x82");
	CASE("\xCE\x91\xCE\xA3\xCE\x91", "\xCE\xB1\xCF\x83\xCE\xB1");
	CASE("\xCE\xA3", "\xCF\x83");
	CASE("\xCE\x91\xCE\xA3'", "\xCE\xB1\xCF\x82'");
	CASE("A\xCE\xA3" "B", "a\xCF\x83" "b");
	CASE("A'\xCE\xA3", "a'\xCF\x82");
	CASE("A.\xCE\xA3", "a.\xCF\x82");
	CASE("A\xCE\xA3'", "a\xCF\x82'");
	CASE("\xCE\x91\xCE\xA3\xCD\x85", "\xCE\xB1\xCF\x82\xCD\x85");

	/*
	 * U+0345, U+02B0 are both cased and case-ignorable; ICU skips them, so
	 * they do not count as the cased letter before a final sigma.
	 */
	CASE("\xCD\x85\xCE\xA3", "\xCD\x85\xCF\x83");
	CASE("\xCA\xB0\xCE\xA3", "\xCA\xB0\xCF\x83");
	CASE("\xC2\xAA\xCE\xA3", "\xC2\xAA\xCF\x82");

	CASE("\xCE\xA3\xCE\xA3", "\xCF\x83\xCF\x82");
	CASE("\xCE\xA3\xCE\xA3\xCE\xA3", "\xCF\x83\xCF\x83\xCF\x82");
	CASE("\xCE\x9F\xCE\x94\xCE\xA5\xCE\xA3\xCE\xA3\xCE\x95\xCE\xA5\xCE\xA3",
		 "\xCE\xBF\xCE\xB4\xCF\x85\xCF\x83\xCF\x83\xCE\xB5\xCF\x85\xCF\x82");

	/* Trimmed neighbours are gone before lowercasing. */
	CASE(" \xCE\x91\xCE\xA3 ", "\xCE\xB1\xCF\x82");
	CASE("\xCE\x91\xCE\xA3\xC2\xA0", "\xCE\xB1\xCF\x82");
	CASE("\xCE\x91\xCE\xA3\xEF\xBB\xBF", "\xCE\xB1\xCF\x82");
	CASE("\xEF\xBB\xBF\xCE\xA3\xEF\xBB\xBF", "\xCF\x83");
	CASE("\xCE\x91\xCE\xA3 \xCE\x91", "\xCE\xB1\xCF\x82 \xCE\xB1");
	CASE("\xCE\x91\xCE\xA3@\xCE\x95\xCE\xA7.COM", "\xCE\xB1\xCF\x82@\xCE\xB5\xCF\x87.com");

	CASE("\xC3\x84\xCC\x81\xCE\xA3", "\xC3\xA4\xCC\x81\xCF\x82");
	CASE("\xCE\x91\xCE\xA3\xCC\x81\xCE\x91", "\xCE\xB1\xCF\x83\xCC\x81\xCE\xB1");
	CASE("\xCE\x91\xCC\x81\xCC\x81\xCE\xA3\xCC\x81\xCC\x81",
		 "\xCE\xB1\xCC\x81\xCC\x81\xCF\x82\xCC\x81\xCC\x81");
	CASE("\xF0\x90\x90\x80\xCE\xA3", "\xF0\x90\x90\xA8\xCF\x82");
	CASE("\xCE\x91\xCE\xA3\xF0\x90\x90\xA8", "\xCE\xB1\xCF\x83\xF0\x90\x90\xA8");
	CASE("\xC4\xB0\xCE\xA3", "i\xCC\x87\xCF\x82");
}

static void
test_invalid_utf8(void)
{
	/* Overlong, encoded surrogate, beyond U+10FFFF, truncated, stray. */
	CASE("\xC0\xAF", "\xC0\xAF");
	CASE("\xE0\x80\xAF", "\xE0\x80\xAF");
	CASE("\xF0\x80\x80\xAF", "\xF0\x80\x80\xAF");
	CASE("\xED\xA0\x80", "\xED\xA0\x80");
	CASE("\xF4\x90\x80\x80", "\xF4\x90\x80\x80");
	CASE("\xF8\x88\x80\x80\x80", "\xF8\x88\x80\x80\x80");
	CASE("\xE2\x82", "\xE2\x82");
	CASE("A\xF0\x9F\x98", "a\xF0\x9F\x98");
	CASE("\xCE", "\xCE");
	CASE("\x80" "A\xBF", "\x80" "a\xBF");
	CASE("\xFE\xFF", "\xFE\xFF");

	/* Bad bytes next to good sequences leave those sequences alone. */
	CASE("\xC3\xC3\x84", "\xC3\xC3\xA4");
	CASE("\x80\xC3\x84\x80", "\x80\xC3\xA4\x80");
	CASE("\xC3\x84\x80\x80\x80\x80\xC3\x84", "\xC3\xA4\x80\x80\x80\x80\xC3\xA4");
	CASE("\xE2\x84\xAA\xAA", "k\xAA");

	/* A bad byte is not whitespace, and does not hide whitespace. */
	CASE(" \xFF ", "\xFF");
	CASE("\xC2 A", "\xC2 a");
	CASE("A\xE3\x80", "a\xE3\x80");
	CASE("\xE3\x80\x80\x80" "A", "\x80" "a");
	CASE("A\x80\xE3\x80\x80", "a\x80");
	CASE("\xC2\xA0\xC2\xC2\xA0", "\xC2");

	/* A bad byte is neither cased nor case-ignorable. */
	CASE("\xCE\x91\xCE\xA3\xFF", "\xCE\xB1\xCF\x82\xFF");
	CASE("\xCE\x91\xCE\xA3\xFF\xCE\x91", "\xCE\xB1\xCF\x82\xFF\xCE\xB1");
	CASE("\xCE\x91\xFF\xCE\xA3", "\xCE\xB1\xFF\xCF\x83");
	CASE("\xCE\x91\x80\xCE\xA3", "\xCE\xB1\x80\xCF\x83");
	CASE("\xCE\x91'\x80'\xCE\xA3", "\xCE\xB1'\x80'\xCF\x83");
	CASE("\xCE\x91\xCE\xA3\xCE", "\xCE\xB1\xCF\x82\xCE");
	CASE("\xCE\xCE\xA3", "\xCE\xCF\x83");
}

/* ECMAScript WhiteSpace and LineTerminator, as Node's trim() removes them. */
static const uint32_t trim_set[] = {
	0x0009, 0x000A, 0x000B, 0x000C, 0x000D, 0x0020, 0x00A0, 0x1680,
	0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007,
	0x2008, 0x2009, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000,
	0xFEFF,
};

static size_t
utf8(uint32_t c, char *out)
{
	if (c < 0x80)
	{
		out[0] = (char) c;
		return 1;
	}
	if (c < 0x800)
	{
		out[0] = (char) (0xC0 | (c >> 6));
		out[1] = (char) (0x80 | (c & 0x3F));
		return 2;
	}
	out[0] = (char) (0xE0 | (c >> 12));
	out[1] = (char) (0x80 | ((c >> 6) & 0x3F));
	out[2] = (char) (0x80 | (c & 0x3F));
	return 3;
}

static void
append(char *buf, size_t *n, const char *s, size_t len)
{
	memcpy(buf + *n, s, len);
	*n += len;
}

static void
test_trim(void)
{
	char		all[3 * sizeof(trim_set) / sizeof(trim_set[0])];
	size_t		alllen = 0;

	for (size_t i = 0; i < sizeof(trim_set) / sizeof(trim_set[0]); i++)
	{
		char		w[3];
		size_t		wl = utf8(trim_set[i], w);
		char		in[32];
		char		want[32];
		size_t		n;
		size_t		m;

		/* Alone, at both ends around ASCII, around non-ASCII, inside. */
		check_case(__LINE__, w, wl, "", 0);

		n = 0;
		append(in, &n, w, wl);
		append(in, &n, "A", 1);
		append(in, &n, w, wl);
		check_case(__LINE__, in, n, "a", 1);

		n = 0;
		append(in, &n, w, wl);
		append(in, &n, w, wl);
		append(in, &n, "\xC3\x84", 2);
		append(in, &n, w, wl);
		check_case(__LINE__, in, n, "\xC3\xA4", 2);

		/*
		 * Inside, a trim-set member ends the final-sigma search, except
		 * U+FEFF, which is case-ignorable: Node lowercases U+0391 U+03A3 U+FEFF
		 * B with a non-final U+03C3.
		 */
		n = 0;
		m = 0;
		append(in, &n, "\xCE\x91\xCE\xA3", 4);
		append(want, &m, trim_set[i] == 0xFEFF ? "\xCE\xB1\xCF\x83" : "\xCE\xB1\xCF\x82", 4);
		append(in, &n, w, wl);
		append(want, &m, w, wl);
		append(in, &n, "B", 1);
		append(want, &m, "b", 1);
		check_case(__LINE__, in, n, want, m);

		append(all, &alllen, w, wl);
	}
	check_case(__LINE__, all, alllen, "", 0);
}

static void
test_bound(void)
{
	/* U+0130 and U+023A grow by half: the worst case. */
	char		in[200];

	for (size_t i = 0; i < sizeof(in); i += 2)
		memcpy(in + i, i % 4 ? "\xC4\xB0" : "\xC8\xBA", 2);
	for (size_t len = 0; len <= sizeof(in); len += 2)
	{
		size_t		n;
		char	   *got = normalize(in, len, &n);

		CHECK_MSG(n == len / 2 * 3, "length %zu gives %zu", len, n);
		free(got);
	}
	CHECK(woesid_email_normalize_bound(0) == 0);
	CHECK(woesid_email_normalize_bound(1) >= 1);
	CHECK(woesid_email_normalize_bound(SIZE_MAX) == SIZE_MAX);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes hex[0..len) into a fresh buffer of len / 2 bytes, or NULL. */
static char *
unhex(const char *hex, size_t len, size_t *outlen)
{
	char	   *out;

	if (len % 2 != 0)
		return NULL;
	out = malloc(len / 2 + 1);
	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < len; i += 2)
	{
		int			hi = hexval(hex[i]);
		int			lo = hexval(hex[i + 1]);

		if (hi < 0 || lo < 0)
		{
			free(out);
			return NULL;
		}
		out[i / 2] = (char) (hi << 4 | lo);
	}
	*outlen = len / 2;
	return out;
}

static void
run_vectors(const char *path)
{
	FILE	   *f = fopen(path, "r");
	char	   *line = NULL;
	size_t		cap = 0;
	ssize_t		linelen;
	long		lineno = 0;

	CHECK_MSG(f != NULL, "cannot open %s", path);
	if (f == NULL)
		return;
	while ((linelen = getline(&line, &cap, f)) > 0)
	{
		char	   *tab;
		char	   *in;
		char	   *want;
		char	   *got;
		size_t		inlen;
		size_t		wantlen;
		size_t		n;
		int			ok;

		lineno++;
		if (line[linelen - 1] == '\n')
			line[--linelen] = '\0';
		tab = memchr(line, '\t', linelen);
		in = tab ? unhex(line, tab - line, &inlen) : NULL;
		want = tab ? unhex(tab + 1, linelen - (tab + 1 - line), &wantlen) : NULL;
		if (in == NULL || want == NULL)
			CHECK_MSG(0, "%s:%ld: malformed line", path, lineno);
		else
		{
			got = normalize(in, inlen, &n);
			ok = same(got, n, want, wantlen);
			CHECK_MSG(ok, "%s:%ld: %s", path, lineno, line);
			if (!ok)
			{
				print_hex("got", got, n);
				fputc('\n', stderr);
			}
			free(got);
		}
		free(in);
		free(want);
	}
	free(line);
	fclose(f);
}

int
main(int argc, char **argv)
{
	test_ascii();
	test_ascii_positions();
	test_unicode();
	test_final_sigma();
	test_invalid_utf8();
	test_trim();
	test_bound();
	if (argc > 1)
		run_vectors(argv[1]);
	return unit_summary("email_normalize");
}
