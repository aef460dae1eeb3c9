/*
 * json.c
 *		Strict RFC 8259 JSON reader for hostile input (interface in json.h).
 *
 * The bytes parsed here (JWT headers and payloads, browser-sent identify
 * payloads) are chosen by anyone on the internet and parsed inside a
 * database server.  This file must never crash, abort, allocate outside the
 * caller's arena, read outside text[0..len), recurse per nesting level or
 * spend more than O(n log n) time on any input.  It accepts exactly JWT rule
 * 4 of the reference (docs/reference.md): one JSON value over valid UTF-8,
 * with no BOM, no trailing data, no duplicate member names (compared after
 * unescaping), at most WJ_MAX_DEPTH levels of nesting, no \u0000, no lone
 * surrogates, and only numbers that PostgreSQL's jsonb can store.
 *
 * One iterative pass builds the node array, with an explicit stack of open
 * containers.  While parsing, the nodes grow upward from the start of the
 * arena's free space and the decoded copies of strings containing escapes
 * grow downward from its end; the gap between the two is the scratch space
 * for duplicate detection.  On success the copies are moved down to just
 * past the nodes, so the arena keeps only what the document uses; on
 * failure the arena is left as it was.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "swar.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/*
 * Longest input accepted.  Lengths and node indices must fit in uint32_t;
 * PostgreSQL values are below 1 GB anyway.
 */
#define WJ_MAX_INPUT		((size_t) 0x3FFFFFFF)

/*
 * Numbers must be storable by PostgreSQL's numeric input (used by jsonb), so
 * that converting an accepted document can never raise an error.  Every
 * supported release's numeric_in (numeric.c) takes an exponent below
 * INT_MAX / 2 in magnitude and then keeps what its format holds: a display
 * scale (fraction digits minus exponent, at least 0) of at most
 * NUMERIC_DSCALE_MAX, and for a nonzero value a base-10000 weight of at
 * most NUMERIC_WEIGHT_MAX, i.e. a leading nonzero digit at decimal position
 * (10^k) k <= 4 * 32767 + 3.  Exactly those limits apply here, so 1e131071
 * and 1e-16383 are numbers and 1e131072 is not.  (PostgreSQL 15 also takes
 * an exponent of exactly INT_MAX / 2 on a zero; that one value is refused.)
 */
#define WJ_EXPONENT_LIMIT	1073741823	/* INT_MAX / 2: refused from here */
#define WJ_LEAD_MAX			131071	/* 4 * NUMERIC_WEIGHT_MAX + 3 */
#define WJ_SCALE_MAX		16383	/* NUMERIC_DSCALE_MAX */

/* Objects with at most this many members are checked pairwise. */
#define WJ_PAIRWISE_MAX		8

/*
 * Significant digits handed to strtod.  Deciding the rounding of a decimal
 * to a double never needs more than 768 of them, provided a nonzero digit
 * stands in for any nonzero digits dropped beyond.
 */
#define WJ_DOUBLE_DIGITS	800

#define WJ_BAD_HEX			UINT32_MAX

typedef struct wj_parser
{
	wj_node    *nodes;			/* growing upward */
	uint32_t	n;				/* nodes used */
	uint32_t	cap;			/* nodes that fit below "copies" */
	char	   *copies;			/* lowest byte of the decoded strings */
	char	   *limit;			/* end of the arena */
} wj_parser;

size_t
wj_arena_bound(size_t len)
{
	/*
	 * Nodes: each owns at least two bytes of the input (its brackets, its
	 * quotes, a literal's letters, a number's digits or its one digit and
	 * the comma after it), except a one-digit number that is the root or
	 * its container's last child; a container has one such child at most,
	 * so at most 2 * len / 3 + 1 nodes.  Decoded strings are no longer than
	 * their text.  An object of m members takes at least 5 * m + 1 bytes
	 * ({"":0,...}), and sorting its names takes 2 * m uint32_t.  Plus
	 * alignment.
	 */
	if (len > WJ_MAX_INPUT)
		return 0;				/* rejected without touching the arena */
	if (len > (SIZE_MAX - 64) / (2 * sizeof(wj_node)))
		return SIZE_MAX;
	return (len / 3 * 2 + 2) * sizeof(wj_node) + len +
		(len / 5 + 1) * 2 * sizeof(uint32_t) + 16;
}

static inline bool
is_digit(char c)
{
	return (unsigned char) (c - '0') < 10;
}

static inline const char *
skip_ws(const char *p, const char *end)
{
	while (p < end && (unsigned char) *p <= ' ' &&
		   (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	return p;
}

#ifdef __SSE2__
/*
 * Bit i set when byte i of the 16 at p is not plain string ASCII, as
 * special_bytes below flags them: a signed compare with 0x20 catches both
 * control characters and bytes >= 0x80.
 */
static inline unsigned int
special_bytes16(const char *p)
{
	__m128i		c = _mm_loadu_si128((const __m128i *) p);
	__m128i		special = _mm_or_si128(_mm_cmplt_epi8(c, _mm_set1_epi8(0x20)),
									   _mm_or_si128(_mm_cmpeq_epi8(c, _mm_set1_epi8('"')),
													_mm_cmpeq_epi8(c, _mm_set1_epi8('\\'))));

	return (unsigned int) _mm_movemask_epi8(special);
}
#endif

/*
 * Flags (with its high bit) each byte of w that is not plain string ASCII: a
 * control character, '"', '\\' or a byte >= 0x80.  Borrows may also flag
 * bytes above a flagged one, so only the lowest flag is exact; 0 means all
 * eight bytes are plain.
 */
static inline uint64_t
special_bytes(uint64_t w)
{
	uint64_t	ctl = (w - SWAR_ONES * 0x20) & ~w;
	uint64_t	quote = w ^ (SWAR_ONES * '"');
	uint64_t	bslash = w ^ (SWAR_ONES * '\\');

	quote = (quote - SWAR_ONES) & ~quote;
	bslash = (bslash - SWAR_ONES) & ~bslash;
	return (w | ctl | quote | bslash) & SWAR_HIGHS;
}

/* The index (0..7) of the lowest flagged byte of a nonzero special_bytes(). */
static inline int
first_flagged(uint64_t special)
{
	uint64_t	lowest = special & (~special + 1);

	/*
	 * lowest >> 7 is 1 << (8 * i): multiplying by it shifts the constant up
	 * i bytes, bringing its byte 7 - i, which holds i, to the top.
	 */
	return (int) (((lowest >> 7) * UINT64_C(0x0001020304050607)) >> 56);
}

static inline bool
plain_byte(char c)
{
	return (unsigned char) (c - 0x20) < 0x60 && c != '"' && c != '\\';
}

/* The four hex digits at p as a number, or WJ_BAD_HEX. */
static inline uint32_t
hex4(const char *p)
{
	uint32_t	v = 0;

	for (int i = 0; i < 4; i++)
	{
		unsigned int c = (unsigned char) p[i];
		unsigned int lower = c | 0x20;

		if (c - '0' < 10)
			v = v << 4 | (c - '0');
		else if (lower - 'a' < 6)
			v = v << 4 | (lower - 'a' + 10);
		else
			return WJ_BAD_HEX;
	}
	return v;
}

/*
 * The length of the escape sequence whose backslash is at p, with its
 * decoded length in *outlen; 0 when it is invalid, truncated, \u0000 or a
 * lone surrogate.
 */
static inline int
escape_length(const char *p, const char *end, int *outlen)
{
	uint32_t	cp;
	uint32_t	low;

	if (end - p < 2)
		return 0;
	switch (p[1])
	{
		case '"':
		case '\\':
		case '/':
		case 'b':
		case 'f':
		case 'n':
		case 'r':
		case 't':
			*outlen = 1;
			return 2;
		case 'u':
			break;
		default:
			return 0;
	}
	if (end - p < 6)
		return 0;
	cp = hex4(p + 2);
	if (cp == WJ_BAD_HEX || cp == 0 || (cp >= 0xDC00 && cp <= 0xDFFF))
		return 0;
	if (cp >= 0xD800 && cp <= 0xDBFF)
	{
		if (end - p < 12 || p[6] != '\\' || p[7] != 'u')
			return 0;
		low = hex4(p + 8);
		if (low < 0xDC00 || low > 0xDFFF)
			return 0;
		*outlen = 4;
		return 12;
	}
	*outlen = cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
	return 6;
}

/*
 * The length of the well-formed UTF-8 sequence of 2 to 4 bytes at p
 * (Unicode table 3-7: no overlong forms, surrogates or code points above
 * U+10FFFF), or 0.
 */
static inline int
utf8_length(const char *p, const char *end)
{
	const unsigned char *u = (const unsigned char *) p;
	unsigned char lo = 0x80;
	unsigned char hi = 0xBF;
	int			n;

	if (u[0] >= 0xC2 && u[0] <= 0xDF)
		n = 2;
	else if (u[0] >= 0xE0 && u[0] <= 0xEF)
	{
		n = 3;
		if (u[0] == 0xE0)
			lo = 0xA0;
		else if (u[0] == 0xED)
			hi = 0x9F;
	}
	else if (u[0] >= 0xF0 && u[0] <= 0xF4)
	{
		n = 4;
		if (u[0] == 0xF0)
			lo = 0x90;
		else if (u[0] == 0xF4)
			hi = 0x8F;
	}
	else
		return 0;
	if (end - p < n || u[1] < lo || u[1] > hi)
		return 0;
	for (int i = 2; i < n; i++)
		if ((u[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

/*
 * Validates the string body starting at p, just past the opening quote.
 * Returns the position of the closing quote, with *shrink set to how many
 * bytes decoding the escapes removes (0 exactly when there are none), or
 * NULL when the string is invalid or unterminated.
 */
static inline const char *
scan_string(const char *p, const char *end, size_t *shrink)
{
	size_t		removed = 0;

	for (;;)
	{
		int			n;
		int			outlen;

		/* Skip plain ASCII, 16 or 8 bytes at a time while that many remain. */
#ifdef __SSE2__
		if (end - p >= 16)
		{
			unsigned int special = special_bytes16(p);

			if (special == 0)
			{
				p += 16;
				continue;
			}
			p += __builtin_ctz(special);
		}
		else
#endif
		if (end - p >= 8)
		{
			uint64_t	special = special_bytes(swar_load_le64(p));

			if (special == 0)
			{
				p += 8;
				continue;
			}
			p += first_flagged(special);
		}
		else
		{
			while (p < end && plain_byte(*p))
				p++;
			if (p == end)
				return NULL;
		}
		if (*p == '"')
		{
			*shrink = removed;
			return p;
		}
		if (*p == '\\')
		{
			n = escape_length(p, end, &outlen);
			if (n == 0)
				return NULL;
			removed += n - outlen;
		}
		else if ((n = utf8_length(p, end)) == 0)
			return NULL;		/* also a raw control character */
		p += n;
	}
}

static inline char *
put_utf8(char *dst, uint32_t cp)
{
	if (cp < 0x80)
		*dst++ = (char) cp;
	else if (cp < 0x800)
	{
		*dst++ = (char) (0xC0 | cp >> 6);
		*dst++ = (char) (0x80 | (cp & 0x3F));
	}
	else if (cp < 0x10000)
	{
		*dst++ = (char) (0xE0 | cp >> 12);
		*dst++ = (char) (0x80 | (cp >> 6 & 0x3F));
		*dst++ = (char) (0x80 | (cp & 0x3F));
	}
	else
	{
		*dst++ = (char) (0xF0 | cp >> 18);
		*dst++ = (char) (0x80 | (cp >> 12 & 0x3F));
		*dst++ = (char) (0x80 | (cp >> 6 & 0x3F));
		*dst++ = (char) (0x80 | (cp & 0x3F));
	}
	return dst;
}

/* Decodes the string body p..end, already validated by scan_string. */
static void
decode_string(const char *p, const char *end, char *dst)
{
	while (p < end)
	{
		uint32_t	cp;

		if (*p != '\\')
		{
			*dst++ = *p++;
			continue;
		}
		switch (p[1])
		{
			case 'b':
				*dst++ = '\b';
				break;
			case 'f':
				*dst++ = '\f';
				break;
			case 'n':
				*dst++ = '\n';
				break;
			case 'r':
				*dst++ = '\r';
				break;
			case 't':
				*dst++ = '\t';
				break;
			case 'u':
				cp = hex4(p + 2);
				if (cp >= 0xD800 && cp <= 0xDBFF)
				{
					cp = 0x10000 + ((cp - 0xD800) << 10) + (hex4(p + 8) - 0xDC00);
					p += 6;
				}
				dst = put_utf8(dst, cp);
				p += 4;
				break;
			default:			/* '"', '\\' and '/' stand for themselves */
				*dst++ = p[1];
				break;
		}
		p += 2;
	}
}

/*
 * Reads the string whose opening quote is at p into node; returns the
 * position just past the closing quote, or NULL.
 */
static const char *
read_string(wj_parser *ps, const char *p, const char *end, wj_node *node)
{
	const char *body = p + 1;
	const char *quote;
	size_t		shrink;
	size_t		decoded;

	quote = scan_string(body, end, &shrink);
	if (quote == NULL)
		return NULL;
	node->type = WJ_STRING;
	decoded = (size_t) (quote - body) - shrink;
	if (shrink == 0)
		node->str = body;
	else
	{
		if ((size_t) (ps->copies - (char *) (ps->nodes + ps->n)) < decoded)
			return NULL;
		ps->copies -= decoded;
		ps->cap = (uint32_t) ((size_t) (ps->copies - (char *) ps->nodes) /
							  sizeof(wj_node));
		decode_string(body, quote, ps->copies);
		node->str = ps->copies;
	}
	node->len = (uint32_t) decoded;
	return quote + 1;
}

/*
 * Scans the number at p (whose first byte is not a quote, bracket or
 * literal); returns the position just past it, or NULL when it does not
 * match -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? or is out of
 * PostgreSQL's range (see WJ_EXPONENT_LIMIT).  *integer says whether it has
 * neither fraction nor exponent.
 */
static const char *
scan_number(const char *p, const char *end, bool *integer)
{
	const char *digits;
	const char *int_end;
	bool		nonzero = false;
	int64_t		intdigits;
	int64_t		fracdigits = 0;
	int64_t		lead = 0;		/* decimal position of the first nonzero
								 * digit, once nonzero */
	int64_t		exponent = 0;

	if (*p == '-' && ++p == end)
		return NULL;
	digits = p;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
	{
		nonzero = true;
		while (p < end && is_digit(*p))
			p++;
	}
	else
		return NULL;
	intdigits = p - digits;
	int_end = p;
	if (nonzero)
		lead = intdigits - 1;

	if (p < end && *p == '.')
	{
		digits = ++p;
		while (p < end && is_digit(*p))
		{
			if (!nonzero && *p != '0')
			{
				nonzero = true;
				lead = -(p - digits) - 1;
			}
			p++;
		}
		fracdigits = p - digits;
		if (fracdigits == 0)
			return NULL;
	}

	if (p < end && (*p == 'e' || *p == 'E'))
	{
		bool		negative = false;

		if (++p < end && (*p == '+' || *p == '-'))
			negative = *p++ == '-';
		digits = p;
		while (p < end && is_digit(*p))
		{
			if (exponent < WJ_EXPONENT_LIMIT)
				exponent = exponent * 10 + (*p - '0');
			p++;
		}
		if (p == digits || exponent >= WJ_EXPONENT_LIMIT)
			return NULL;
		if (negative)
			exponent = -exponent;
	}

	if ((nonzero && lead + exponent > WJ_LEAD_MAX) ||
		fracdigits - exponent > WJ_SCALE_MAX)
		return NULL;
	*integer = p == int_end;
	return p;
}

/* Orders member names by length, then bytes. */
static inline int
key_compare(const wj_node *a, const wj_node *b)
{
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return memcmp(a->str, b->str, a->len);
}

/*
 * Bottom-up merge sort of the m node indices in keys by key_compare, using
 * tmp (also m entries); returns whichever of the two holds the result.
 */
static uint32_t *
sort_keys(const wj_node *nodes, uint32_t *keys, uint32_t *tmp, size_t m)
{
	for (size_t width = 1; width < m; width *= 2)
	{
		uint32_t   *swap;

		for (size_t lo = 0; lo < m; lo += 2 * width)
		{
			size_t		mid = lo + width < m ? lo + width : m;
			size_t		hi = mid + width < m ? mid + width : m;
			size_t		i = lo;
			size_t		j = mid;
			size_t		k = lo;

			while (i < mid && j < hi)
			{
				if (key_compare(&nodes[keys[j]], &nodes[keys[i]]) < 0)
					tmp[k++] = keys[j++];
				else
					tmp[k++] = keys[i++];
			}
			while (i < mid)
				tmp[k++] = keys[i++];
			while (j < hi)
				tmp[k++] = keys[j++];
		}
		swap = keys;
		keys = tmp;
		tmp = swap;
	}
	return keys;
}

/*
 * True when the member names of the (complete) object at index obj are
 * distinct: pairwise for small objects, else by sorting the names' node
 * indices in the arena's free gap and comparing neighbours.
 */
static bool
unique_keys(const wj_parser *ps, uint32_t obj)
{
	const wj_node *nodes = ps->nodes;
	size_t		m = nodes[obj].count;
	uint32_t	small[WJ_PAIRWISE_MAX];
	uint32_t   *keys = small;
	uint32_t	key = obj + 1;

	if (m < 2)
		return true;
	if (m > WJ_PAIRWISE_MAX)
	{
		char	   *gap = (char *) (ps->nodes + ps->n);

		if ((size_t) (ps->copies - gap) / (2 * sizeof(uint32_t)) < m)
			return false;
		keys = (uint32_t *) gap;
	}
	for (size_t i = 0; i < m; i++)
	{
		keys[i] = key;
		key = nodes[key + 1].next;
	}

	if (m <= WJ_PAIRWISE_MAX)
	{
		for (size_t i = 1; i < m; i++)
			for (size_t j = 0; j < i; j++)
				if (wj_name_equal(&nodes[keys[i]], nodes[keys[j]].str, nodes[keys[j]].len))
					return false;
		return true;
	}

	keys = sort_keys(nodes, keys, keys + m, m);
	for (size_t i = 1; i < m; i++)
		if (key_compare(&nodes[keys[i]], &nodes[keys[i - 1]]) == 0)
			return false;
	return true;
}

/* Takes the next node, or returns NULL when the arena is full. */
static inline wj_node *
new_node(wj_parser *ps)
{
	wj_node    *node;

	if (ps->n == ps->cap)
		return NULL;
	node = &ps->nodes[ps->n];
	node->str = NULL;
	node->len = 0;
	node->count = 0;
	node->integer = false;
	node->next = ++ps->n;
	return node;
}

/*
 * Reads a member name and its colon, starting at p (whitespace allowed);
 * returns the position just past the colon, or NULL.
 */
static const char *
read_key(wj_parser *ps, const char *p, const char *end)
{
	wj_node    *node;

	p = skip_ws(p, end);
	if (p == end || *p != '"' || (node = new_node(ps)) == NULL)
		return NULL;
	p = read_string(ps, p, end, node);
	if (p == NULL)
		return NULL;
	p = skip_ws(p, end);
	if (p == end || *p != ':')
		return NULL;
	return p + 1;
}

/*
 * Moves the decoded strings down to just past the nodes, repoints their
 * nodes, and commits the arena space used.
 */
static void
commit(wj_parser *ps, woesid_arena *arena)
{
	char	   *tail = (char *) (ps->nodes + ps->n);
	size_t		copied = (size_t) (ps->limit - ps->copies);

	if (copied > 0)
	{
		uintptr_t	lo = (uintptr_t) ps->copies;
		uintptr_t	hi = (uintptr_t) ps->limit;

		memmove(tail, ps->copies, copied);
		for (uint32_t i = 0; i < ps->n; i++)
		{
			wj_node    *node = &ps->nodes[i];

			if (node->type == WJ_STRING &&
				(uintptr_t) node->str >= lo && (uintptr_t) node->str < hi)
				node->str = tail + (node->str - ps->copies);
		}
	}
	arena->used = (size_t) (tail + copied - arena->base);
}

bool
wj_parse(const char *text, size_t len, woesid_arena *arena, wj_doc *doc)
{
	wj_parser	ps;
	uint32_t	stack[WJ_MAX_DEPTH];	/* indices of the open containers */
	int			depth = 0;
	size_t		start;
	size_t		room;
	const char *p;
	const char *end;

	if (len == 0 || len > WJ_MAX_INPUT || arena->base == NULL)
		return false;
	start = (arena->used + 7) & ~(size_t) 7;
	if (start > arena->size)
		return false;

	/* Never more than the bound, which also keeps node counts in range. */
	room = arena->size - start;
	if (room > wj_arena_bound(len))
		room = wj_arena_bound(len);
	ps.nodes = (wj_node *) (arena->base + start);
	ps.n = 0;
	ps.cap = (uint32_t) (room / sizeof(wj_node));
	ps.limit = arena->base + start + room;
	ps.copies = ps.limit;
	p = text;
	end = text + len;

	for (;;)
	{
		wj_node    *node;
		wj_node    *top;

		/* A value is expected at p. */
		p = skip_ws(p, end);
		if (p == end || (node = new_node(&ps)) == NULL)
			return false;
		switch (*p)
		{
			case '{':
			case '[':
				if (depth == WJ_MAX_DEPTH)
					return false;
				node->type = *p == '{' ? WJ_OBJECT : WJ_ARRAY;
				p = skip_ws(p + 1, end);
				if (p < end && *p == (node->type == WJ_OBJECT ? '}' : ']'))
				{
					p++;		/* empty: complete already */
					break;
				}
				stack[depth++] = ps.n - 1;
				if (node->type == WJ_OBJECT && (p = read_key(&ps, p, end)) == NULL)
					return false;
				continue;		/* to the first element or member value */
			case '"':
				p = read_string(&ps, p, end, node);
				break;
			case 't':
				node->type = WJ_TRUE;
				p = end - p >= 4 && memcmp(p, "true", 4) == 0 ? p + 4 : NULL;
				break;
			case 'f':
				node->type = WJ_FALSE;
				p = end - p >= 5 && memcmp(p, "false", 5) == 0 ? p + 5 : NULL;
				break;
			case 'n':
				node->type = WJ_NULL;
				p = end - p >= 4 && memcmp(p, "null", 4) == 0 ? p + 4 : NULL;
				break;
			default:
				node->type = WJ_NUMBER;
				node->str = p;
				p = scan_number(p, end, &node->integer);
				if (p != NULL)
					node->len = (uint32_t) (p - node->str);
				break;
		}
		if (p == NULL)
			return false;

		/*
		 * A value ended at p: count it in its container, close the
		 * containers that end here, and move on to the next value.
		 */
		for (;;)
		{
			if (depth == 0)
			{
				if (skip_ws(p, end) != end)
					return false;
				commit(&ps, arena);
				doc->nodes = ps.nodes;
				doc->n = ps.n;
				return true;
			}
			top = &ps.nodes[stack[depth - 1]];
			top->count++;
			p = skip_ws(p, end);
			if (p == end)
				return false;
			if (*p == ',')
			{
				p++;
				if (top->type == WJ_OBJECT && (p = read_key(&ps, p, end)) == NULL)
					return false;
				break;
			}
			if (*p != (top->type == WJ_OBJECT ? '}' : ']'))
				return false;
			p++;
			top->next = ps.n;
			if (top->type == WJ_OBJECT && !unique_keys(&ps, stack[depth - 1]))
				return false;
			depth--;
		}
	}
}

void
wj_members(const wj_doc *doc, uint32_t obj, const wj_name *names, int n,
		   uint32_t *out)
{
	const wj_node *nodes = doc->nodes;
	uint32_t	i;

	memset(out, 0, sizeof(uint32_t) * n);
	if (obj >= doc->n || nodes[obj].type != WJ_OBJECT)
		return;
	i = obj + 1;
	for (uint32_t m = 0; m < nodes[obj].count; m++)
	{
		for (int k = 0; k < n; k++)
			if (wj_name_equal(&nodes[i], names[k].name, names[k].len))
			{
				out[k] = i + 1;
				break;
			}
		i = nodes[i + 1].next;
	}
}

/*
 * Converts the JSON number text p..end exactly via strtod.  The text is
 * rewritten as "[-]DIGITSeEXP" with leading and trailing zeros dropped and
 * at most WJ_DOUBLE_DIGITS significant digits (a trailing 1 standing for
 * nonzero digits cut off), so any length converts correctly from a bounded
 * buffer.  The rewritten text has no decimal point, so strtod's locale does
 * not matter either (PostgreSQL backends and the tests run with
 * LC_NUMERIC=C anyway).
 */
static bool
number_via_strtod(const char *p, const char *end, double *out)
{
	char		buf[WJ_DOUBLE_DIGITS + 16];
	char	   *d = buf;
	char	   *digits;
	char		exptext[12];
	int			explen = 0;
	int64_t		scale = 0;		/* the value is digits * 10^scale */
	int64_t		exponent = 0;
	bool		negative = false;
	bool		dropped = false;
	bool		fraction = false;
	double		value;

	if (p < end && *p == '-')
	{
		*d++ = '-';
		p++;
	}
	digits = d;
	for (; p < end && (is_digit(*p) || (*p == '.' && !fraction)); p++)
	{
		if (*p == '.')
			fraction = true;
		else if (d == digits && *p == '0')
			scale -= fraction;
		else if (d - digits < WJ_DOUBLE_DIGITS)
		{
			*d++ = *p;
			scale -= fraction;
		}
		else
		{
			dropped |= *p != '0';
			scale += !fraction;
		}
	}
	if (p < end && (*p == 'e' || *p == 'E'))
	{
		if (++p < end && (*p == '+' || *p == '-'))
			negative = *p++ == '-';
		for (; p < end && is_digit(*p); p++)
			exponent = exponent * 10 + (*p - '0');	/* < WJ_EXPONENT_LIMIT */
		scale += negative ? -exponent : exponent;
	}
	if (p != end)
		return false;

	if (dropped)
	{
		*d++ = '1';
		scale--;
	}
	while (d > digits && d[-1] == '0')
	{
		d--;
		scale++;
	}
	if (d == digits)
	{
		*out = digits == buf ? 0.0 : -0.0;
		return true;
	}

	/* Beyond these, any digit string is surely out of range or zero. */
	if (scale > 100000)
		scale = 100000;
	else if (scale < -100000)
		scale = -100000;
	*d++ = 'e';
	if (scale < 0)
	{
		*d++ = '-';
		scale = -scale;
	}
	do
	{
		exptext[explen++] = (char) ('0' + scale % 10);
		scale /= 10;
	} while (scale > 0);
	while (explen > 0)
		*d++ = exptext[--explen];
	*d = '\0';

	value = strtod(buf, NULL);
	if (!isfinite(value))
		return false;
	*out = value;
	return true;
}

bool
wj_number_double(const wj_node *node, double *out)
{
	const char *p = node->str;
	const char *end;
	bool		negative = false;
	uint64_t	v = 0;

	if (node->type != WJ_NUMBER || node->len == 0)
		return false;
	end = p + node->len;
	if (*p == '-')
	{
		negative = true;
		p++;
	}

	/* Plain integers of up to 15 digits are exact in a double. */
	if (p < end && end - p <= 15)
	{
		const char *q = p;

		while (q < end && is_digit(*q))
			v = v * 10 + (uint64_t) (*q++ - '0');
		if (q == end)
		{
			*out = negative ? -(double) v : (double) v;
			return true;
		}
	}
	return number_via_strtod(node->str, end, out);
}
