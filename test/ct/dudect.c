/*
 * dudect.c
 *		dudect-style timing test of the core's HS256 signature check
 *		(woesid_jws_signed_by: HMAC-SHA256 of "header.payload", then the
 *		MAC comparison).
 *
 * One token is opened once with woesid_jws_open; before each measurement
 * its 32-byte signature is overwritten with one of two wrong signatures:
 * class A shares no leading byte with the right MAC, class B shares the
 * first 31.  The classes are interleaved at random, each call is timed with
 * the TSC, and Welch's t-test compares the two timing distributions, as in
 * Reparaz, Balasch and Verbauwhede's dudect: on all measurements, on the
 * measurements below each of 100 percentile thresholds (cropping the slow
 * outliers a shared machine produces), and second order on the centred
 * squares.  The largest |t| among tests with enough measurements is the
 * verdict: below 5, no timing difference was detected.
 *
 * Usage: dudect signed_by|early_exit [max-measurements [max-seconds]]
 * (defaults: 10000000 measurements, 30 seconds, whichever ends first).
 * "early_exit" is the negative control: the same HMAC followed by a
 * comparison that stops at the first differing byte, which must show a
 * large |t| if the test has the power to see a leak.  Prints one line,
 * "<target>: |t| = T after N measurements ...", and exits 1 when |t| >= 5.
 */
#define _POSIX_C_SOURCE 200809L	/* clock_gettime */

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include "base64url.h"
#include "core.h"

#define BATCH			10000	/* measurements between two verdicts */
#define PERCENTILES		100		/* cropping thresholds */
#define TESTS			(1 + PERCENTILES + 1)	/* all, cropped, 2nd order */
#define ENOUGH			10000	/* measurements a test needs to count */
#define THRESHOLD		5.0		/* |t| at or above: a timing leak */

#define SECRET "8c2f6a1de4b7309f5a6c1e2d3b4f5061728394a5b6c7d8e9f001122334455667"
#define HEADER "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
#define PAYLOAD "{\"aud\":\"wpk_test\",\"email\":\"a@example.com\"," \
	"\"iat\":1700000000,\"exp\":1700000600}"

typedef int (*check_fn) (const woesid_jws *jws, woesid_mac_key *key);

/* Welch's t-test, accumulated online (Welford's method). */
typedef struct ttest
{
	double		n[2];
	double		mean[2];
	double		m2[2];
} ttest;

static void
ttest_push(ttest *t, double x, int cls)
{
	double		delta = x - t->mean[cls];

	t->n[cls]++;
	t->mean[cls] += delta / t->n[cls];
	t->m2[cls] += delta * (x - t->mean[cls]);
}

static double
ttest_value(const ttest *t)
{
	double		var0 = t->m2[0] / (t->n[0] - 1);
	double		var1 = t->m2[1] / (t->n[1] - 1);

	return (t->mean[0] - t->mean[1]) / sqrt(var0 / t->n[0] + var1 / t->n[1]);
}

/*
 * The negative control's comparison: returns at the first differing byte.
 * The volatile reads keep the compiler from turning it into a word-wise or
 * library comparison.
 */
static bool
early_exit_equal(const uint8_t *a, const uint8_t *b)
{
	const volatile uint8_t *x = a;
	const volatile uint8_t *y = b;

	for (int i = 0; i < WOESID_MAC_LEN; i++)
		if (x[i] != y[i])
			return false;
	return true;
}

/* woesid_jws_signed_by with the early-exit comparison instead. */
static int
early_exit_signed_by(const woesid_jws *jws, woesid_mac_key *key)
{
	uint8_t		mac[WOESID_MAC_LEN];

	if (!woesid_mac(key, (const uint8_t *) jws->signing_input,
					jws->signing_input_len, mac))
		return -1;
	return early_exit_equal(mac, jws->signature) ? 1 : 0;
}

/* The TSC, with loads and stores around it kept on their side. */
static inline uint64_t
ticks(void)
{
	uint64_t	t;

	_mm_mfence();
	_mm_lfence();
	t = __rdtsc();
	_mm_lfence();
	return t;
}

static uint64_t rng_state = UINT64_C(0x9E3779B97F4A7C15);

static uint64_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static double
seconds_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
compare_u64(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *) a;
	uint64_t	y = *(const uint64_t *) b;

	return x < y ? -1 : x > y;
}

/*
 * Times one batch: classes drawn at random, each measurement taken with
 * that class's signature in place.
 */
static void
measure(check_fn check, woesid_jws *jws, woesid_mac_key *key,
		uint8_t signatures[2][WOESID_MAC_LEN], uint64_t *times,
		uint8_t *classes)
{
	for (int i = 0; i < BATCH; i++)
		classes[i] = (uint8_t) (rng() >> 63);
	for (int i = 0; i < BATCH; i++)
	{
		uint64_t	start;
		int			verdict;

		memcpy(jws->signature, signatures[classes[i]], WOESID_MAC_LEN);
		start = ticks();
		verdict = check(jws, key);
		times[i] = ticks() - start;
		if (verdict != 0)
		{
			fprintf(stderr, "dudect: a wrong signature was %s\n",
					verdict < 0 ? "not checked (OpenSSL failed)" : "accepted");
			exit(2);
		}
	}
}

/* The largest |t| among the tests with enough measurements; 0 if none. */
static double
max_t(const ttest *tests, int *which)
{
	double		best = 0;

	*which = -1;
	for (int k = 0; k < TESTS; k++)
	{
		double		t;

		if (tests[k].n[0] + tests[k].n[1] < ENOUGH ||
			tests[k].n[0] < 2 || tests[k].n[1] < 2)
			continue;
		t = fabs(ttest_value(&tests[k]));
		if (t > best)
		{
			best = t;
			*which = k;
		}
	}
	return best;
}

static void
die(const char *what)
{
	fprintf(stderr, "dudect: %s\n", what);
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *target = argc > 1 ? argv[1] : "";
	long		max_measurements = argc > 2 ? atol(argv[2]) : 10000000;
	double		max_seconds = argc > 3 ? atof(argv[3]) : 30;
	check_fn	check;
	woesid_mac_key *key;
	char		token[512];
	size_t		len;
	uint8_t		mac[WOESID_MAC_LEN];
	uint8_t		signatures[2][WOESID_MAC_LEN];
	char	   *arena_buf;
	woesid_arena arena;
	woesid_jws	jws;
	uint64_t   *times = malloc(BATCH * sizeof(uint64_t));
	uint64_t   *sorted = malloc(BATCH * sizeof(uint64_t));
	uint8_t    *classes = malloc(BATCH);
	double		percentiles[PERCENTILES];
	double		thresholds[PERCENTILES];
	char		which_test[64];
	ttest	   *tests = calloc(TESTS, sizeof(ttest));
	long		done = 0;
	double		start;
	double		t;
	int			which;

	if (strcmp(target, "signed_by") == 0)
		check = woesid_jws_signed_by;
	else if (strcmp(target, "early_exit") == 0)
		check = early_exit_signed_by;
	else
	{
		fprintf(stderr, "usage: dudect signed_by|early_exit "
				"[max-measurements [max-seconds]]\n");
		return 2;
	}
	if (times == NULL || sorted == NULL || classes == NULL || tests == NULL)
		die("out of memory");

	/* A widget token, its right MAC, and the two classes of wrong ones. */
	key = woesid_mac_key_new((const uint8_t *) SECRET, strlen(SECRET));
	if (key == NULL)
		die("cannot create the key");
	len = woesid_b64url_encode((const uint8_t *) HEADER, strlen(HEADER), token);
	token[len++] = '.';
	len += woesid_b64url_encode((const uint8_t *) PAYLOAD, strlen(PAYLOAD),
								token + len);
	if (!woesid_mac(key, (const uint8_t *) token, len, mac))
		die("cannot MAC the token");
	token[len++] = '.';
	len += woesid_b64url_encode(mac, sizeof(mac), token + len);
	arena_buf = malloc(woesid_jwt_arena_bound(len));
	if (arena_buf == NULL)
		die("out of memory");
	woesid_arena_init(&arena, arena_buf, woesid_jwt_arena_bound(len));
	if (woesid_jws_open(token, len, sizeof(token), &arena, &jws) != WOESID_OK ||
		check(&jws, key) != 1)
		die("the right signature does not verify");
	for (int i = 0; i < WOESID_MAC_LEN; i++)
	{
		signatures[0][i] = mac[i] ^ 0xFF;	/* class A: 0 leading bytes */
		signatures[1][i] = i < WOESID_MAC_LEN - 1 ? mac[i] : mac[i] ^ 0xFF;
	}

	/* A first batch warms up and sets the cropping thresholds. */
	measure(check, &jws, key, signatures, times, classes);
	memcpy(sorted, times, BATCH * sizeof(uint64_t));
	qsort(sorted, BATCH, sizeof(uint64_t), compare_u64);
	for (int k = 0; k < PERCENTILES; k++)
	{
		percentiles[k] = 1 - pow(0.5, 10.0 * (k + 1) / PERCENTILES);
		thresholds[k] = (double) sorted[(size_t) (percentiles[k] * BATCH)];
	}

	start = seconds_now();
	while (done < max_measurements && seconds_now() - start < max_seconds)
	{
		measure(check, &jws, key, signatures, times, classes);
		for (int i = 0; i < BATCH; i++)
		{
			double		x = (double) times[i];
			int			cls = classes[i];

			ttest_push(&tests[0], x, cls);
			for (int k = 0; k < PERCENTILES; k++)
				if (x < thresholds[k])
					ttest_push(&tests[1 + k], x, cls);
			if (tests[0].n[0] + tests[0].n[1] > ENOUGH)
			{
				double		centred = x - tests[0].mean[cls];

				ttest_push(&tests[TESTS - 1], centred * centred, cls);
			}
		}
		done += BATCH;
	}

	t = max_t(tests, &which);
	if (which <= 0)
		snprintf(which_test, sizeof(which_test), "uncropped");
	else if (which == TESTS - 1)
		snprintf(which_test, sizeof(which_test), "second order");
	else
		snprintf(which_test, sizeof(which_test), "cropped at percentile %.1f",
				 100 * percentiles[which - 1]);
	printf("%s: |t| = %.2f after %ld measurements in %.1f s (largest of %d "
		   "tests: %s; mean %.0f vs %.0f ticks)\n",
		   target, t, done, seconds_now() - start, TESTS, which_test,
		   tests[0].mean[0], tests[0].mean[1]);
	woesid_mac_key_free(key);
	return t < THRESHOLD ? 0 : 1;
}
