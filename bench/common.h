/*
 * common.h
 *		Shared by bench/floor.c and bench/core_bench.c: loading the workload
 *		files, a monotonic clock, hex and base64url decoding, rounds.
 *
 * Every program prints one line per measured round on stdout:
 *		item <TAB> round <TAB> seconds <TAB> items <TAB> verified
 * where seconds is the wall time of the round, items how many items it
 * processed (a round may pass over the data several times) and verified how
 * many of them verified (a sanity check: every item of the workload is
 * valid).  scripts/bench.sh collects these lines and bench/report.mjs turns
 * them into medians.
 */
#ifndef WOESID_BENCH_COMMON_H
#define WOESID_BENCH_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Each round runs whole passes over the data until it took this long. */
#define BENCH_MIN_ROUND_SECONDS 0.3

static void *
bench_xmalloc(size_t n)
{
	void	   *p = malloc(n ? n : 1);

	if (p == NULL)
	{
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	return p;
}

static double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* The lines of a file, each an exactly sized malloc'd copy (no newline). */
typedef struct bench_lines
{
	size_t		n;
	char	  **line;
	size_t	   *len;
	size_t		max_len;
} bench_lines;

static bench_lines
bench_read_lines(const char *path)
{
	bench_lines out = {0};
	FILE	   *f = fopen(path, "rb");
	char	   *buf = NULL;
	size_t		cap = 0,
				room = 0;
	ssize_t		got;

	if (f == NULL)
	{
		perror(path);
		exit(2);
	}
	while ((got = getline(&buf, &cap, f)) >= 0)
	{
		size_t		len = (size_t) got;

		while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
			len--;
		if (len == 0)
			continue;
		if (out.n == room)
		{
			room = room ? 2 * room : 1 << 16;
			out.line = realloc(out.line, room * sizeof(char *));
			out.len = realloc(out.len, room * sizeof(size_t));
			if (out.line == NULL || out.len == NULL)
			{
				fprintf(stderr, "out of memory\n");
				exit(2);
			}
		}
		out.line[out.n] = bench_xmalloc(len);
		memcpy(out.line[out.n], buf, len);
		out.len[out.n] = len;
		if (len > out.max_len)
			out.max_len = len;
		out.n++;
	}
	free(buf);
	fclose(f);
	if (out.n == 0)
	{
		fprintf(stderr, "%s: no lines\n", path);
		exit(2);
	}
	return out;
}

static int
bench_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes exactly 2*n hex digits into out; false if anything is off. */
static bool
bench_hex_decode(const char *hex, size_t hexlen, uint8_t *out, size_t n)
{
	if (hexlen != 2 * n)
		return false;
	for (size_t i = 0; i < n; i++)
	{
		int			hi = bench_hexval(hex[2 * i]),
					lo = bench_hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t) (hi << 4 | lo);
	}
	return true;
}

/*
 * Lenient base64url decoding (used only outside the timed loops, to decode
 * the signatures up front); returns the decoded length or -1.
 */
static long
bench_b64url_decode(const char *in, size_t len, uint8_t *out, size_t room)
{
	uint32_t	acc = 0;
	int			bits = 0;
	size_t		n = 0;

	for (size_t i = 0; i < len; i++)
	{
		char		c = in[i];
		int			v;

		if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= 'a' && c <= 'z')
			v = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			v = c - '0' + 52;
		else if (c == '-')
			v = 62;
		else if (c == '_')
			v = 63;
		else
			return -1;
		acc = acc << 6 | (uint32_t) v;
		bits += 6;
		if (bits >= 8)
		{
			bits -= 8;
			if (n == room)
				return -1;
			out[n++] = (uint8_t) (acc >> bits);
		}
	}
	return (long) n;
}

/* The last '.' of a token, or NULL. */
static const char *
bench_last_dot(const char *s, size_t len)
{
	for (size_t i = len; i > 0; i--)
		if (s[i - 1] == '.')
			return s + i - 1;
	return NULL;
}

static void
bench_report(const char *item, int round, double seconds, size_t items,
			 size_t verified)
{
	printf("%s\t%d\t%.6f\t%zu\t%zu\n", item, round, seconds, items, verified);
	fflush(stdout);
}

/*
 * Runs pass(arg) (one pass over all n items, returning how many verified)
 * for the given number of rounds, each round repeating whole passes until it
 * lasted BENCH_MIN_ROUND_SECONDS, and reports every round.  One untimed
 * warm-up pass comes first.  Returns false if any pass verified fewer than
 * expect items.
 */
static bool
bench_rounds(const char *item, int rounds, size_t n, size_t expect,
			 size_t (*pass) (void *), void *arg)
{
	bool		ok = pass(arg) == expect;

	for (int r = 1; r <= rounds; r++)
	{
		size_t		items = 0,
					verified = 0;
		double		t0 = bench_now(),
					t;

		do
		{
			verified += pass(arg);
			items += n;
			t = bench_now() - t0;
		} while (t < BENCH_MIN_ROUND_SECONDS);
		if (verified != items / n * expect)
			ok = false;
		bench_report(item, r, t, items, verified);
	}
	if (!ok)
		fprintf(stderr, "%s: some items did not verify\n", item);
	return ok;
}

#endif							/* WOESID_BENCH_COMMON_H */
