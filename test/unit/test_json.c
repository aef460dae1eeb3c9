/*
 * test_json.c
 *		Unit tests for the strict JSON reader (src/json.c).
 *
 * Every input is copied into an exactly sized malloc'd buffer and parsed in
 * an arena of exactly wj_arena_bound(len) malloc'd bytes, so that under
 * AddressSanitizer any read past the input or write past the bound fails.
 * Runs in the C locale, as PostgreSQL backends do.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "unit.h"

typedef struct json_case
{
	const char *name;
	const char *text;
	size_t		len;
} json_case;

#define CASE(name, lit) { name, lit, sizeof(lit) - 1 }

static char *cur_text;			/* exact copy of the last input */
static size_t cur_len;
static char *cur_arena_buf;
static woesid_arena cur_arena;

/* Growable output buffer for generated documents. */
typedef struct buf
{
	char	   *data;
	size_t		len;
	size_t		cap;
} buf;

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint32_t
rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t) ((rng_state >> 16) % n);
}

static void
put(buf *b, const char *s, size_t n)
{
	if (b->len + n > b->cap)
	{
		b->cap = (b->len + n) * 2 + 64;
		b->data = realloc(b->data, b->cap);
		if (b->data == NULL)
			abort();
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
}

static void
put_str(buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void
repeat(buf *b, const char *s, size_t times)
{
	for (size_t i = 0; i < times; i++)
		put_str(b, s);
}

/*
 * Parses text[0..len) from an exact copy in an arena of exactly
 * wj_arena_bound(len) bytes.  The document stays valid until the next call.
 */
static bool
parse_len(const char *text, size_t len, wj_doc *doc)
{
	size_t		size = wj_arena_bound(len);
	bool		ok;

	free(cur_text);
	free(cur_arena_buf);
	cur_text = malloc(len > 0 ? len : 1);
	cur_arena_buf = malloc(size > 0 ? size : 1);
	if (cur_text == NULL || cur_arena_buf == NULL)
		abort();
	if (len > 0)
		memcpy(cur_text, text, len);
	woesid_arena_init(&cur_arena, cur_arena_buf, size);
	cur_len = len;
	ok = wj_parse(cur_text, len, &cur_arena, doc);
	if (!ok && cur_arena.used != 0)
		CHECK_MSG(false, "failed parse left arena.used = %zu", cur_arena.used);
	if (ok && cur_arena.used > cur_arena.size)
		CHECK_MSG(false, "arena.used %zu > size %zu", cur_arena.used, cur_arena.size);
	return ok;
}

static bool
parse_str(const char *text, wj_doc *doc)
{
	return parse_len(text, strlen(text), doc);
}

static bool
str_is(const wj_node *node, const char *s, size_t n)
{
	return node->type == WJ_STRING && node->len == n &&
		memcmp(node->str, s, n) == 0;
}

#define STR_IS(node, lit) str_is(node, lit, sizeof(lit) - 1)

static bool
in_input(const char *p)
{
	return (uintptr_t) p >= (uintptr_t) cur_text &&
		(uintptr_t) p < (uintptr_t) cur_text + cur_len;
}

static bool
in_arena(const char *p, size_t n)
{
	uintptr_t	lo = (uintptr_t) cur_arena.base;

	return (uintptr_t) p >= lo && (uintptr_t) p + n <= lo + cur_arena.used;
}

/* Well-formed UTF-8 with no NUL, checked independently of json.c. */
static bool
valid_utf8(const unsigned char *s, size_t n)
{
	size_t		i = 0;

	while (i < n)
	{
		uint32_t	cp;
		size_t		k;

		if (s[i] == 0)
			return false;
		if (s[i] < 0x80)
		{
			i++;
			continue;
		}
		if (s[i] >= 0xC0 && s[i] < 0xE0)
			k = 1, cp = s[i] & 0x1F;
		else if (s[i] >= 0xE0 && s[i] < 0xF0)
			k = 2, cp = s[i] & 0x0F;
		else if (s[i] >= 0xF0 && s[i] < 0xF8)
			k = 3, cp = s[i] & 0x07;
		else
			return false;
		if (n - i <= k)
			return false;
		for (size_t j = 1; j <= k; j++)
		{
			if ((s[i + j] & 0xC0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + j] & 0x3F);
		}
		if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) ||
			(k == 3 && cp < 0x10000) || cp > 0x10FFFF ||
			(cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += k + 1;
	}
	return true;
}

/*
 * Checks the layout invariants of the subtree at index i; returns the index
 * just past it, or 0 on a violation.
 */
static uint32_t
check_subtree(const wj_doc *doc, uint32_t i, int depth)
{
	const wj_node *node = &doc->nodes[i];
	uint32_t	j = i + 1;

	if (i >= doc->n)
		return 0;
	switch (node->type)
	{
		case WJ_OBJECT:
		case WJ_ARRAY:
			if (depth > WJ_MAX_DEPTH)
				return 0;
			for (uint32_t m = 0; m < node->count; m++)
			{
				if (node->type == WJ_OBJECT)
				{
					if (j >= doc->n || doc->nodes[j].type != WJ_STRING ||
						check_subtree(doc, j, depth + 1) != j + 1)
						return 0;
					j++;
				}
				j = check_subtree(doc, j, depth + 1);
				if (j == 0)
					return 0;
			}
			break;
		case WJ_STRING:
			if (!valid_utf8((const unsigned char *) node->str, node->len))
				return 0;
			break;
		case WJ_NUMBER:
			if (node->len == 0 ||
				node->integer != (memchr(node->str, '.', node->len) == NULL &&
								  memchr(node->str, 'e', node->len) == NULL &&
								  memchr(node->str, 'E', node->len) == NULL))
				return 0;
			break;
		case WJ_NULL:
		case WJ_FALSE:
		case WJ_TRUE:
			break;
		default:
			return 0;
	}
	return node->next == j ? j : 0;
}

static bool
layout_ok(const wj_doc *doc)
{
	return doc->n > 0 && check_subtree(doc, 0, 1) == doc->n;
}

static const json_case accepted[] = {
	CASE("zero", "0"),
	CASE("minus zero", "-0"),
	CASE("integer", "1234567890"),
	CASE("negative integer", "-42"),
	CASE("fraction", "3.25"),
	CASE("zero fraction", "0.0"),
	CASE("negative fraction", "-0.5"),
	CASE("exponent", "1e5"),
	CASE("capital exponent", "1E5"),
	CASE("exponent plus", "1e+5"),
	CASE("exponent minus", "1.5e-5"),
	CASE("exponent leading zeros", "1e0005"),
	CASE("exponent 1000", "1e1000"),
	CASE("exponent -1000", "1e-1000"),
	CASE("largest numeric power of ten", "1e131071"),
	CASE("smallest numeric power of ten", "-1e-16383"),
	CASE("leading digit in the fraction", "0.0001e131075"),
	CASE("zero with a huge exponent", "0e1073741822"),
	CASE("zero with a scale of 16383", "0.0e-16382"),
	CASE("string", "\"abc\""),
	CASE("empty string", "\"\""),
	CASE("true", "true"),
	CASE("false", "false"),
	CASE("null", "null"),
	CASE("empty object", "{}"),
	CASE("empty array", "[]"),
	CASE("whitespace around", " \t\r\n{ \t\r\n} \t\r\n"),
	CASE("whitespace everywhere", " [ 1 , { \"a\" : [ ] , \"b\" : { } } , null ] "),
	CASE("nested", "{\"a\":[1,2,{\"b\":null}],\"c\":{\"d\":[[]]}}"),
	CASE("escaped control", "\"\\u0001\\u001f\""),
	CASE("all simple escapes", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\""),
	CASE("unicode escape", "\"\\u00e9\\u00E9\\u20ac\""),
	CASE("surrogate pair", "\"\\ud83d\\ude00\""),
	CASE("surrogate pair upper", "\"\\uD800\\uDC00\\uDBFF\\uDFFF\""),
	CASE("escaped U+FFFF", "\"\\uffff\""),
	CASE("DEL raw", "\"\x7f\""),
	CASE("utf8 U+0080", "\"\xc2\x80\""),
	CASE("utf8 U+07FF", "\"\xdf\xbf\""),
	CASE("utf8 U+0800", "\"\xe0\xa0\x80\""),
	CASE("utf8 U+D7FF", "\"\xed\x9f\xbf\""),
	CASE("utf8 U+E000", "\"\xee\x80\x80\""),
	CASE("utf8 U+FFFF", "\"\xef\xbf\xbf\""),
	CASE("utf8 U+10000", "\"\xf0\x90\x80\x80\""),
	CASE("utf8 U+10FFFF", "\"\xf4\x8f\xbf\xbf\""),
	CASE("utf8 key", "{\"\xc3\xa9t\xc3\xa9\":1}"),
	CASE("keys differing in case", "{\"a\":1,\"A\":2}"),
	CASE("keys as prefixes", "{\"a\":1,\"ab\":2,\"abc\":3,\"\":4}"),
	CASE("same key in sibling objects", "[{\"a\":1},{\"a\":1}]"),
	CASE("same key in nested object", "{\"a\":{\"a\":{\"a\":1}}}"),
	CASE("nine members", "{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,\"g\":7,\"h\":8,\"i\":9}"),
	CASE("twelve members with escapes",
		 "{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,\"g\":7,\"h\":8,"
		 "\"\\u0061a\":9,\"\\n\":0,\"\\t\":0,\"\\\"\":0}"),
	CASE("JWT payload",
		 "{\"email\":\"ann@example.com\",\"name\":\"Ann\",\"account_external_id\":\"acc_42\","
		 "\"contact_external_id\":\"usr_7\",\"aud\":\"wpk_live_abc\",\"iat\":1700000000,"
		 "\"exp\":1700000600}"),
};

static const json_case rejected[] = {
	CASE("empty input", ""),
	CASE("only whitespace", " \t\r\n"),
	CASE("BOM", "\xef\xbb\xbf{}"),
	CASE("BOM alone", "\xef\xbb\xbf"),
	CASE("trailing data", "{} x"),
	CASE("two values", "{}{}"),
	CASE("two numbers", "1 2"),
	CASE("trailing comma after value", "1,"),
	CASE("trailing NUL", "{}\0"),
	CASE("form feed whitespace", "\f{}"),
	CASE("vertical tab whitespace", "{}\v"),
	CASE("no-break space whitespace", "\xc2\xa0{}"),
	CASE("duplicate member", "{\"a\":1,\"a\":2}"),
	CASE("duplicate member after unescaping", "{\"a\":1,\"\\u0061\":2}"),
	CASE("duplicate member solidus escape", "{\"a/b\":1,\"a\\/b\":2}"),
	CASE("duplicate member surrogate pair", "{\"\xf0\x9f\x98\x80\":1,\"\\ud83d\\ude00\":2}"),
	CASE("duplicate empty member", "{\"\":1,\"\":2}"),
	CASE("duplicate in nested object", "[{\"x\":{\"a\":1,\"b\":2,\"a\":3}}]"),
	CASE("duplicate in nine members",
		 "{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,\"g\":7,\"h\":8,\"a\":9}"),
	CASE("duplicate escaped in twelve members",
		 "{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,\"g\":7,\"h\":8,"
		 "\"i\":9,\"j\":0,\"k\":0,\"\\u0068\":0}"),
	CASE("lone high surrogate", "\"\\ud800\""),
	CASE("lone high surrogate before text", "\"\\ud800abcdef\""),
	CASE("high surrogate then BMP escape", "\"\\ud800\\u0041\""),
	CASE("high surrogate then high", "\"\\ud800\\ud800\""),
	CASE("high surrogate then simple escape", "\"\\ud800\\n\""),
	CASE("high surrogate then truncated escape", "\"\\ud800\\udc0\""),
	CASE("lone low surrogate", "\"\\udc00\""),
	CASE("reversed surrogate pair", "\"\\udc00\\ud800\""),
	CASE("escaped NUL", "\"\\u0000\""),
	CASE("escaped NUL in key", "{\"\\u0000\":1}"),
	CASE("short unicode escape", "\"\\u00e\""),
	CASE("bad hex digit", "\"\\u00g0\""),
	CASE("capital U escape", "\"\\U0041\""),
	CASE("hex escape", "\"\\x41\""),
	CASE("single quote escape", "\"\\'\""),
	CASE("backslash at end", "\"\\"),
	CASE("backslash quote at end", "\"\\\""),
	CASE("raw NUL in string", "\"a\0b\""),
	CASE("raw 0x01 in string", "\"\x01\""),
	CASE("raw 0x1f in string", "\"\x1f\""),
	CASE("raw tab in string", "\"a\tb\""),
	CASE("raw newline in string", "\"a\nb\""),
	CASE("raw control in long string", "\"abcdefghijklmnop\x05qrstuvwxyz\""),
	CASE("overlong C0 80", "\"\xc0\x80\""),
	CASE("overlong C1 BF", "\"\xc1\xbf\""),
	CASE("overlong E0 80 80", "\"\xe0\x80\x80\""),
	CASE("overlong E0 9F BF", "\"\xe0\x9f\xbf\""),
	CASE("overlong F0 80 80 80", "\"\xf0\x80\x80\x80\""),
	CASE("overlong F0 8F BF BF", "\"\xf0\x8f\xbf\xbf\""),
	CASE("utf8 surrogate ED A0 80", "\"\xed\xa0\x80\""),
	CASE("utf8 surrogate ED BF BF", "\"\xed\xbf\xbf\""),
	CASE("utf8 above U+10FFFF F4 90", "\"\xf4\x90\x80\x80\""),
	CASE("utf8 F5 lead", "\"\xf5\x80\x80\x80\""),
	CASE("utf8 F8 lead", "\"\xf8\x88\x80\x80\x80\""),
	CASE("utf8 FE byte", "\"\xfe\""),
	CASE("utf8 FF byte", "\"\xff\""),
	CASE("stray continuation", "\"\x80\""),
	CASE("stray continuation after char", "\"\xc3\xa9\xa9\""),
	CASE("truncated 2-byte", "\"\xc3\""),
	CASE("truncated 3-byte", "\"\xe2\x82\""),
	CASE("truncated 4-byte", "\"\xf0\x9f\x98\""),
	CASE("truncated 2-byte then ASCII", "\"\xc3" "A\""),
	CASE("truncated 4-byte then ASCII", "\"\xf0\x9f\x98" "A\""),
	CASE("utf8 outside string", "\xc3\xa9"),
	CASE("invalid utf8 in key", "{\"\xc3\":1}"),
	CASE("leading plus", "+1"),
	CASE("leading dot", ".5"),
	CASE("trailing dot", "1."),
	CASE("trailing dot with exponent", "1.e5"),
	CASE("leading zero", "01"),
	CASE("negative leading zero", "-01"),
	CASE("double zero", "00"),
	CASE("lone minus", "-"),
	CASE("minus space", "- 1"),
	CASE("double minus", "--1"),
	CASE("exponent without digits", "1e"),
	CASE("exponent sign only", "1e+"),
	CASE("capital exponent sign only", "1E-"),
	CASE("two exponents", "1e5e5"),
	CASE("two points", "1.5.5"),
	CASE("hex number", "0x10"),
	CASE("NaN", "NaN"),
	CASE("Infinity", "Infinity"),
	CASE("negative Infinity", "-Infinity"),
	CASE("weight beyond numeric", "1e131072"),
	CASE("weight beyond numeric from the fraction", "0.0001e131076"),
	CASE("scale beyond numeric", "1e-16384"),
	CASE("zero with a scale beyond numeric", "0e-16384"),
	CASE("exponent INT_MAX / 2", "0e1073741823"),
	CASE("huge exponent", "1e99999999999999999999999"),
	CASE("huge negative exponent", "[1E-99999999999999999999999]"),
	CASE("truncated true", "tru"),
	CASE("capital True", "True"),
	CASE("truncated null", "nul"),
	CASE("null with extra letter", "nulll"),
	CASE("true then false", "truefalse"),
	CASE("falsey", "falsey"),
	CASE("undefined", "undefined"),
	CASE("literal in array then letters", "[true1]"),
	CASE("single quoted string", "'a'"),
	CASE("single quoted key", "{'a':1}"),
	CASE("block comment", "/* c */ 1"),
	CASE("line comment", "// c\n1"),
	CASE("comment after value", "1 /* c */"),
	CASE("trailing comma in array", "[1,]"),
	CASE("trailing comma in object", "{\"a\":1,}"),
	CASE("leading comma in array", "[,1]"),
	CASE("double comma", "[1,,2]"),
	CASE("comma alone in object", "{,}"),
	CASE("key without value", "{\"a\"}"),
	CASE("key with colon and no value", "{\"a\":}"),
	CASE("missing colon", "{\"a\" 1}"),
	CASE("number key", "{1:2}"),
	CASE("bare key", "{a:1}"),
	CASE("missing comma in object", "{\"a\":1 \"b\":2}"),
	CASE("missing comma in array", "[1 2]"),
	CASE("close bracket", "]"),
	CASE("close brace", "}"),
	CASE("open bracket", "["),
	CASE("open brace", "{"),
	CASE("mismatched array", "[}"),
	CASE("mismatched object", "{]"),
	CASE("mismatched nested", "[{]}"),
	CASE("unterminated string", "\"abc"),
	CASE("unterminated long string", "\"abcdefghijklmnopqrstuvwxyz"),
	CASE("lone quote", "\""),
	CASE("unterminated array", "[1,2"),
	CASE("unterminated object", "{\"a\":1"),
	CASE("colon in array", "[1:2]"),
	CASE("extra close", "[1]]"),
};

static void
test_tables(void)
{
	wj_doc		doc;

	for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++)
	{
		const json_case *c = &accepted[i];
		bool		ok = parse_len(c->text, c->len, &doc);

		CHECK_MSG(ok, "accept %s", c->name);
		if (ok)
			CHECK_MSG(layout_ok(&doc), "layout of %s", c->name);
	}
	for (size_t i = 0; i < sizeof(rejected) / sizeof(rejected[0]); i++)
	{
		const json_case *c = &rejected[i];

		CHECK_MSG(!parse_len(c->text, c->len, &doc), "reject %s", c->name);
	}
}

/* Number limits derived from PostgreSQL's numeric (see json.c). */
static void
test_number_limits(void)
{
	/* prefix, then n copies of digit, then suffix: accepted or not */
	static const struct
	{
		const char *prefix;
		const char *digit;
		size_t		n;
		const char *suffix;
		bool		accepted;
	}			cases[] = {
		/* the leading digit may stand at 10^131071 at most */
		{"1", "0", 131071, "", true},
		{"1", "0", 131072, "", false},
		{"9", "9", 130071, "e1000", true},
		{"1", "0", 130072, "e1000", false},
		{"0.", "0", 999, "1e132071", true},
		{"0.", "0", 999, "1e132072", false},
		/* and a display scale of at most 16383 */
		{"0.", "1", 16383, "", true},
		{"0.", "1", 16384, "", false},
		{"[0.", "0", 15383, "e-1000]", true},
		{"[0.", "0", 15384, "e-1000]", false},
		{"0.", "5", 17383, "e1000", true},
	};
	wj_doc		doc;
	buf			b = {0};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		b.len = 0;
		put_str(&b, cases[i].prefix);
		repeat(&b, cases[i].digit, cases[i].n);
		put_str(&b, cases[i].suffix);
		CHECK_MSG(parse_len(b.data, b.len, &doc) == cases[i].accepted,
				  "%s %s x %zu %s", cases[i].accepted ? "accept" : "reject",
				  cases[i].prefix, cases[i].n, cases[i].suffix);
	}
	free(b.data);
}

static void
test_layout(void)
{
	wj_doc		doc;
	const wj_node *nd;
	const char *text = "{\"a\":[1,{\"b\":true}],\"c\":\"x\\ny\",\"d\":null,\"e\":-1.5e3,\"f\":false}";

	CHECK(parse_str(text, &doc));
	nd = doc.nodes;
	CHECK(doc.n == 15);
	CHECK(nd[0].type == WJ_OBJECT && nd[0].count == 5 && nd[0].next == 15);
	CHECK(STR_IS(&nd[1], "a") && nd[1].next == 2 && nd[1].count == 0);
	CHECK_MSG(nd[1].str == cur_text + 2, "unescaped key points into the input");
	CHECK(nd[2].type == WJ_ARRAY && nd[2].count == 2 && nd[2].next == 7);
	CHECK(nd[3].type == WJ_NUMBER && nd[3].len == 1 && nd[3].str[0] == '1' && nd[3].next == 4);
	CHECK_MSG(nd[3].str == cur_text + 6, "number points at its text");
	CHECK(nd[4].type == WJ_OBJECT && nd[4].count == 1 && nd[4].next == 7);
	CHECK(STR_IS(&nd[5], "b") && nd[5].next == 6);
	CHECK(nd[6].type == WJ_TRUE && nd[6].next == 7);
	CHECK(STR_IS(&nd[7], "c") && nd[7].next == 8);
	CHECK(STR_IS(&nd[8], "x\ny") && nd[8].next == 9);
	CHECK_MSG(!in_input(nd[8].str), "escaped string is a copy");
	CHECK_MSG(in_arena(nd[8].str, nd[8].len), "escaped string copy is in the used arena");
	CHECK_MSG((uintptr_t) nd[8].str >= (uintptr_t) (nd + doc.n),
			  "escaped string copy follows the nodes");
	CHECK(STR_IS(&nd[9], "d"));
	CHECK(nd[10].type == WJ_NULL && nd[10].next == 11);
	CHECK(STR_IS(&nd[11], "e"));
	CHECK(nd[12].type == WJ_NUMBER && nd[12].len == 6 && memcmp(nd[12].str, "-1.5e3", 6) == 0);
	CHECK(STR_IS(&nd[13], "f"));
	CHECK(nd[14].type == WJ_FALSE && nd[14].next == 15);
	CHECK(layout_ok(&doc));
	CHECK_MSG(cur_arena.used == doc.n * sizeof(wj_node) + 3,
			  "arena keeps nodes plus copies only: used %zu", cur_arena.used);

	CHECK(parse_str("[[],[[]],{},[1]]", &doc));
	nd = doc.nodes;
	CHECK(doc.n == 7 && nd[0].count == 4 && nd[0].next == 7);
	CHECK(nd[1].type == WJ_ARRAY && nd[1].count == 0 && nd[1].next == 2);
	CHECK(nd[2].count == 1 && nd[2].next == 4 && nd[3].count == 0 && nd[3].next == 4);
	CHECK(nd[4].type == WJ_OBJECT && nd[4].count == 0 && nd[4].next == 5);
	CHECK(nd[5].count == 1 && nd[5].next == 7 && nd[6].type == WJ_NUMBER);

	CHECK(parse_str("  \"plain\"  ", &doc));
	CHECK(doc.n == 1 && STR_IS(&doc.nodes[0], "plain") && doc.nodes[0].str == cur_text + 3);
	CHECK(parse_str("\"\"", &doc));
	CHECK(doc.n == 1 && doc.nodes[0].type == WJ_STRING && doc.nodes[0].len == 0);
	CHECK_MSG(cur_arena.used == sizeof(wj_node), "scalar uses one node");
}

static void
test_escapes(void)
{
	wj_doc		doc;

	CHECK(parse_str("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", &doc));
	CHECK_MSG(STR_IS(&doc.nodes[0], "\"\\/\b\f\n\r\t"), "simple escapes decode");
	CHECK(parse_str("\"a\\/b\"", &doc));
	CHECK_MSG(STR_IS(&doc.nodes[0], "a/b"), "solidus escape decodes");
	CHECK(parse_str("\"\\u0041\\u00e9\\u00E9\\u20ac\\uffff\"", &doc));
	CHECK_MSG(STR_IS(&doc.nodes[0], "A\xc3\xa9\xc3\xa9\xe2\x82\xac\xef\xbf\xbf"),
			  "BMP escapes decode to 1-3 byte UTF-8");
	CHECK(parse_str("\"\\ud83d\\ude00\"", &doc));
	CHECK_MSG(STR_IS(&doc.nodes[0], "\xf0\x9f\x98\x80"), "surrogate pair gives 4-byte UTF-8");
	CHECK(parse_str("\"\\uD800\\uDC00|\\uDBFF\\uDFFF\"", &doc));
	CHECK_MSG(STR_IS(&doc.nodes[0], "\xf0\x90\x80\x80|\xf4\x8f\xbf\xbf"),
			  "extreme surrogate pairs");
	CHECK(parse_str("\"\\u0001x\\u007f\\u0080\\u07ff\\u0800\"", &doc));
	CHECK_MSG(STR_IS(&doc.nodes[0], "\x01x\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80"),
			  "UTF-8 length boundaries");
	CHECK(parse_str("\"h\xc3\xa9llo w\xc3\xb6rld, plain and long enough for words\"", &doc));
	CHECK_MSG(STR_IS(&doc.nodes[0], "h\xc3\xa9llo w\xc3\xb6rld, plain and long enough for words")
			  && doc.nodes[0].str == cur_text + 1, "raw UTF-8 string is zero copy");
	CHECK(parse_str("[\"a\\nb\",\"plain\",{\"k\\t\":\"\\u00e9\"}]", &doc));
	CHECK(STR_IS(&doc.nodes[1], "a\nb") && STR_IS(&doc.nodes[2], "plain") &&
		  STR_IS(&doc.nodes[4], "k\t") && STR_IS(&doc.nodes[5], "\xc3\xa9"));
	CHECK_MSG(doc.nodes[2].str == cur_text + 9, "plain string among escaped ones is zero copy");
	CHECK(layout_ok(&doc));
}

/*
 * Each kind of non-plain byte at every offset of the 16- and 8-byte scans,
 * followed by 0 to 32 more bytes (the scan is bytewise for the last 7).
 */
static void
test_string_offsets(void)
{
	static const struct
	{
		const char *piece;
		const char *decoded;	/* NULL: the string must be rejected */
	}			kinds[] = {
		{"\\n", "\n"},
		{"\\u00e9", "\xc3\xa9"},
		{"\xc3\xa9", "\xc3\xa9"},
		{"\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"},
		{"\x7f", "\x7f"},
		{"\x1f", NULL},
		{"\x80", NULL},
		{"\xed\xa0\x80", NULL},
	};
	wj_doc		doc;
	int			bad = 0;

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		for (int before = 0; before < 34; before++)
			for (int after = 0; after <= 32; after += 8)
			{
				char		text[96];
				char		expect[96];
				int			n = 0;
				int			e = 0;

				text[n++] = '"';
				for (int i = 0; i < before; i++)
					text[n++] = expect[e++] = (char) ('a' + i % 26);
				memcpy(text + n, kinds[k].piece, strlen(kinds[k].piece));
				n += (int) strlen(kinds[k].piece);
				if (kinds[k].decoded)
				{
					memcpy(expect + e, kinds[k].decoded, strlen(kinds[k].decoded));
					e += (int) strlen(kinds[k].decoded);
				}
				for (int i = 0; i < after; i++)
					text[n++] = expect[e++] = (char) ('A' + i % 26);
				text[n++] = '"';
				if (kinds[k].decoded == NULL ? parse_len(text, n, &doc) :
					!parse_len(text, n, &doc) || !str_is(&doc.nodes[0], expect, e))
					bad++;

				/* The same without the closing quote is unterminated. */
				if (parse_len(text, n - 1, &doc))
					bad++;
			}
	CHECK_MSG(bad == 0, "%d failures with special bytes at each offset", bad);
	CHECK(parse_str("\"0123456789abcdef\"", &doc) && doc.nodes[0].len == 16);
	CHECK(parse_str("\"0123456\"", &doc) && doc.nodes[0].len == 7);
	CHECK(parse_str("\"01234567\"", &doc) && doc.nodes[0].len == 8);
	CHECK(parse_str("\"01234567\"   ", &doc) && doc.nodes[0].len == 8);
}

/* Two documents parsed one after the other into the same arena. */
static void
test_shared_arena(void)
{
	static char space[4096];
	woesid_arena arena;
	wj_doc		first;
	wj_doc		second;
	const char *a = "{\"a\\n\":\"x\\ty\",\"z\":\"plain\"}";
	const char *b = "[\"\\u00e9\",\"\\\"q\\\"\"]";
	size_t		used;

	woesid_arena_init(&arena, space, sizeof(space));
	arena.used = 3;
	CHECK(wj_parse(a, strlen(a), &arena, &first));
	CHECK_MSG((uintptr_t) first.nodes == (uintptr_t) space + 8, "nodes are 8-byte aligned");
	used = arena.used;
	CHECK(wj_parse(b, strlen(b), &arena, &second));
	CHECK_MSG((uintptr_t) second.nodes >= (uintptr_t) space + used, "second follows first");
	CHECK(STR_IS(&first.nodes[1], "a\n") && STR_IS(&first.nodes[2], "x\ty") &&
		  STR_IS(&first.nodes[4], "plain"));
	CHECK(STR_IS(&second.nodes[1], "\xc3\xa9") && STR_IS(&second.nodes[2], "\"q\""));

	used = arena.used;
	CHECK_MSG(!wj_parse("[1,", 3, &arena, &second) && arena.used == used,
			  "failed parse leaves the arena unchanged");
}

static void
test_arena_exhaustion(void)
{
	char	   *space = malloc(4096);
	woesid_arena arena;
	wj_doc		doc;
	const char *twenty;
	buf			b = {0};

	woesid_arena_init(&arena, space, 0);
	CHECK_MSG(!wj_parse("1", 1, &arena, &doc), "empty arena");
	woesid_arena_init(&arena, space, sizeof(wj_node) - 1);
	CHECK_MSG(!wj_parse("1", 1, &arena, &doc), "arena one byte short of a node");
	woesid_arena_init(&arena, space, sizeof(wj_node));
	CHECK_MSG(wj_parse("1", 1, &arena, &doc), "arena of exactly one node");

	woesid_arena_init(&arena, space, 2 * sizeof(wj_node));
	CHECK_MSG(!wj_parse("[\"\\n\"]", 6, &arena, &doc), "no room for the decoded copy");
	woesid_arena_init(&arena, space, 2 * sizeof(wj_node) + 1);
	CHECK_MSG(wj_parse("[\"\\n\"]", 6, &arena, &doc) && STR_IS(&doc.nodes[1], "\n"),
			  "exactly room for the decoded copy");

	woesid_arena_init(&arena, space, 4096);
	arena.used = 4096 - 8;
	CHECK_MSG(!wj_parse("[1]", 3, &arena, &doc) && arena.used == 4096 - 8,
			  "nearly full arena");
	arena.used = 5000;
	CHECK_MSG(!wj_parse("[1]", 3, &arena, &doc), "inconsistent arena");

	/* 20 members: 41 nodes, then 2 * 20 uint32_t of sort scratch. */
	put_str(&b, "{");
	for (int i = 0; i < 20; i++)
	{
		char		member[16];

		snprintf(member, sizeof(member), "%s\"k%02d\":0", i ? "," : "", i);
		put_str(&b, member);
	}
	put_str(&b, "}");
	twenty = b.data;
	woesid_arena_init(&arena, space, 41 * sizeof(wj_node) + 159);
	CHECK_MSG(!wj_parse(twenty, b.len, &arena, &doc) && arena.used == 0,
			  "no room for the duplicate check scratch");
	woesid_arena_init(&arena, space, 41 * sizeof(wj_node) + 160);
	CHECK_MSG(wj_parse(twenty, b.len, &arena, &doc) && doc.n == 41,
			  "exactly room for the duplicate check scratch");
	CHECK_MSG(arena.used == 41 * sizeof(wj_node), "scratch is not kept");
	free(b.data);
	free(space);
}

/* One member's value index, through wj_members. */
static uint32_t
find(const wj_doc *doc, uint32_t obj, const char *name, uint32_t len)
{
	wj_name		n = {name, len};
	uint32_t	index;

	wj_members(doc, obj, &n, 1, &index);
	return index;
}

static void
test_find(void)
{
	wj_doc		doc;
	const char *text = "{\"iss\":\"x\",\"nested\":{\"aud\":1,\"deep\":[1,[2,{\"aud\":3}]]},"
		"\"aud\":\"wpk\",\"\\u0065sc\\n\":true,\"\":0,\"ab\":1}";
	uint32_t	i;

	CHECK(parse_str(text, &doc));
	i = find(&doc, 0, "aud", 3);
	CHECK_MSG(i != 0 && STR_IS(&doc.nodes[i], "wpk"), "finds a member after a nested one");
	i = find(&doc, 0, "iss", 3);
	CHECK_MSG(i == 2 && STR_IS(&doc.nodes[i], "x"), "finds the first member");
	i = find(&doc, 0, "nested", 6);
	CHECK(i == 4 && doc.nodes[i].type == WJ_OBJECT);
	i = find(&doc, i, "aud", 3);
	CHECK_MSG(i == 6 && doc.nodes[i].type == WJ_NUMBER, "finds in a nested object");
	i = find(&doc, 0, "esc\n", 4);
	CHECK_MSG(i != 0 && doc.nodes[i].type == WJ_TRUE, "finds an escaped name unescaped");
	i = find(&doc, 0, "", 0);
	CHECK_MSG(i != 0 && doc.nodes[i].type == WJ_NUMBER, "finds the empty name");
	CHECK_MSG(find(&doc, 0, "a", 1) == 0, "a prefix is not a match");
	CHECK_MSG(find(&doc, 0, "abc", 3) == 0, "a longer name is not a match");
	CHECK_MSG(find(&doc, 0, "missing", 7) == 0, "missing member");
	CHECK_MSG(find(&doc, 0, "AUD", 3) == 0, "names are case sensitive");
	CHECK_MSG(find(&doc, 1, "iss", 3) == 0, "a key node is not an object");
	CHECK_MSG(find(&doc, doc.n, "iss", 3) == 0, "index out of range");
	CHECK_MSG(find(&doc, 9, "aud", 3) == 0, "an array is not an object");

	CHECK(parse_str("{}", &doc));
	CHECK_MSG(find(&doc, 0, "a", 1) == 0, "empty object");
	CHECK(parse_str("[1]", &doc));
	CHECK_MSG(find(&doc, 0, "a", 1) == 0, "array root");
}

static bool
number_of(const char *text, double *out)
{
	wj_doc		doc;

	if (!parse_str(text, &doc) || doc.nodes[0].type != WJ_NUMBER)
	{
		CHECK_MSG(false, "not a number document: %.60s", text);
		return false;
	}
	return wj_number_double(&doc.nodes[0], out);
}

static bool
same_double(double a, double b)
{
	return memcmp(&a, &b, sizeof(double)) == 0;
}

static void
test_number_double(void)
{
	static const struct
	{
		const char *text;
		double		value;
	}			exact[] = {
		{"0", 0.0},
		{"7", 7.0},
		{"-42", -42.0},
		{"999999999999999", 999999999999999.0},
		{"-999999999999999", -999999999999999.0},
		{"1234567890123456", 1234567890123456.0},
		{"9007199254740993", 9007199254740992.0},
		{"253402300799", 253402300799.0},
		{"253402300799.5", 253402300799.5},
		{"253402300799.999", 253402300799.999},
		{"1700000000.25", 1700000000.25},
		{"1700000000.123456", 1700000000.123456},
		{"0.1", 0.1},
		{"-0.5", -0.5},
		{"1e3", 1000.0},
		{"1E+3", 1000.0},
		{"1.5e-3", 0.0015},
		{"2.5E2", 250.0},
		{"0.000001", 0.000001},
		{"1.7e9", 1.7e9},
		{"1.7976931348623157e308", 1.7976931348623157e308},
		{"4.9406564584124654e-324", 4.9406564584124654e-324},
		{"1e-400", 0.0},
		{"1e-16383", 0.0},
		{"100000000000000000000", 1e20},
		{"0.0", 0.0},
		{"1e0", 1.0},
		{"10e-1", 1.0},
	};
	static const char *const too_big[] = {
		"1e400", "-1e400", "1e309", "1.7976931348623159e308", "1e1000",
		"1e131071", "-9.9e131070",
	};
	double		v = 99;
	buf			b = {0};

	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		CHECK_MSG(number_of(exact[i].text, &v) && same_double(v, exact[i].value),
				  "wj_number_double(%s) = %.17g", exact[i].text, v);
	for (size_t i = 0; i < sizeof(too_big) / sizeof(too_big[0]); i++)
		CHECK_MSG(!number_of(too_big[i], &v), "wj_number_double(%s) is not finite",
				  too_big[i]);
	CHECK_MSG(number_of("-0", &v) && v == 0.0 && signbit(v), "-0 is negative zero");
	CHECK_MSG(number_of("-0.0e5", &v) && v == 0.0 && signbit(v), "-0.0e5 is negative zero");
	CHECK_MSG(number_of("0", &v) && !signbit(v), "0 is positive zero");
	CHECK_MSG(number_of("-1e-400", &v) && v == 0.0 && signbit(v), "-1e-400 underflows to -0");

	/* Long texts: 600 digits, and a fraction of 1000 digits. */
	put_str(&b, "1");
	repeat(&b, "0", 599);
	put(&b, "", 1);
	CHECK_MSG(!number_of(b.data, &v), "600-digit integer is not finite");
	b.len = 0;
	put_str(&b, "1.");
	repeat(&b, "0", 1000);
	put(&b, "", 1);
	CHECK_MSG(number_of(b.data, &v) && v == 1.0, "1.000... (1000 zeros) = 1");
	b.len = 0;
	put_str(&b, "0.");
	repeat(&b, "0", 500);
	put_str(&b, "1");
	put(&b, "", 1);
	CHECK_MSG(number_of(b.data, &v) && v == 0.0, "1e-501 underflows to 0");
	b.len = 0;
	put_str(&b, "1");
	repeat(&b, "0", 300);
	put_str(&b, "e-300");
	put(&b, "", 1);
	CHECK_MSG(number_of(b.data, &v) && v == 1.0, "10^300 e-300 = 1");
	b.len = 0;
	put_str(&b, "0.");
	repeat(&b, "0", 200000);
	put_str(&b, "1e200005");
	put(&b, "", 1);
	CHECK_MSG(number_of(b.data, &v) && v == 10000.0, "10^-200001 e200005 = 10000");

	/* Halfway between two doubles, decided by a digit far beyond 800. */
	b.len = 0;
	put_str(&b, "9007199254740993.");
	repeat(&b, "0", 1200);
	put(&b, "", 1);
	CHECK_MSG(number_of(b.data, &v) && v == 9007199254740992.0,
			  "exact halfway rounds to even");
	b.len -= 1;
	put_str(&b, "1");
	put(&b, "", 1);
	CHECK_MSG(number_of(b.data, &v) && v == 9007199254740994.0,
			  "just above halfway rounds up, however far the nonzero digit");
	b.len = 0;
	put_str(&b, "9007199254740993");
	repeat(&b, "0", 950);
	put_str(&b, "1e-951");
	put(&b, "", 1);
	CHECK_MSG(number_of(b.data, &v) && v == 9007199254740994.0,
			  "just above halfway with integer digits and exponent");
	free(b.data);

	/* Time-claim range with fractions agrees with strtod (C locale). */
	for (int i = 0; i < 20000; i++)
	{
		char		text[64];
		unsigned long long secs = ((unsigned long long) rnd(1u << 30) << 8 | rnd(256)) %
			253402300800ULL;

		switch (i % 4)
		{
			case 0:
				snprintf(text, sizeof(text), "%llu", secs);
				break;
			case 1:
				snprintf(text, sizeof(text), "%llu.%03u", secs, rnd(1000));
				break;
			case 2:
				snprintf(text, sizeof(text), "%llu.%06u", secs, rnd(1000000));
				break;
			default:
				snprintf(text, sizeof(text), "%llu.%09ue%d", secs, rnd(1000000000),
						 (int) rnd(7) - 3);
				break;
		}
		if (!number_of(text, &v) || !same_double(v, strtod(text, NULL)))
		{
			CHECK_MSG(false, "wj_number_double(%s) = %.17g, strtod says %.17g",
					  text, v, strtod(text, NULL));
			break;
		}
	}

	/* Random long numbers agree with strtod on the full text. */
	for (int i = 0; i < 3000; i++)
	{
		buf			t = {0};
		int			intdigits = 1 + rnd(i % 3 == 0 ? 1200 : 30);
		int			fracdigits = rnd(3) ? rnd(1200) : 0;
		double		expect;
		bool		ok;

		if (rnd(2))
			put_str(&t, "-");
		if (rnd(4) == 0)
			intdigits = 1, put_str(&t, "0");
		else
		{
			char		c = (char) ('1' + rnd(9));

			put(&t, &c, 1);
			for (int k = 1; k < intdigits; k++)
			{
				c = rnd(3) ? (char) ('0' + rnd(10)) : '0';
				put(&t, &c, 1);
			}
		}
		if (fracdigits > 0)
		{
			put_str(&t, ".");
			for (int k = 0; k < fracdigits; k++)
			{
				char		c = rnd(3) ? (char) ('0' + rnd(10)) : '0';

				put(&t, &c, 1);
			}
		}
		if (rnd(2))
		{
			char		e[16];

			snprintf(e, sizeof(e), "e%d", (int) rnd(2001) - 1000);
			put_str(&t, e);
		}
		put(&t, "", 1);
		expect = strtod(t.data, NULL);
		ok = number_of(t.data, &v);
		if (ok != (bool) isfinite(expect) || (ok && !same_double(v, expect)))
		{
			CHECK_MSG(false, "wj_number_double(%.80s...) = %d %.17g, strtod says %.17g",
					  t.data, ok, v, expect);
			free(t.data);
			break;
		}
		free(t.data);
	}
	CHECK_MSG(true, "random number agreement");
}

static void
nest(buf *b, const char *open, const char *inner, const char *close, int levels)
{
	b->len = 0;
	repeat(b, open, levels);
	put_str(b, inner);
	repeat(b, close, levels);
}

static void
test_depth(void)
{
	wj_doc		doc;
	buf			b = {0};

	nest(&b, "[", "", "]", WJ_MAX_DEPTH);
	CHECK_MSG(parse_len(b.data, b.len, &doc) && doc.n == WJ_MAX_DEPTH, "32 empty-innermost arrays");
	CHECK(layout_ok(&doc));
	nest(&b, "[", "1", "]", WJ_MAX_DEPTH);
	CHECK_MSG(parse_len(b.data, b.len, &doc) && layout_ok(&doc), "32 arrays around a number");
	nest(&b, "[", "", "]", WJ_MAX_DEPTH + 1);
	CHECK_MSG(!parse_len(b.data, b.len, &doc), "33 arrays rejected");
	nest(&b, "[", "1", "]", WJ_MAX_DEPTH + 1);
	CHECK_MSG(!parse_len(b.data, b.len, &doc), "33 arrays around a number rejected");

	nest(&b, "{\"a\":", "1", "}", WJ_MAX_DEPTH);
	CHECK_MSG(parse_len(b.data, b.len, &doc) && layout_ok(&doc) && doc.n == 2 * WJ_MAX_DEPTH + 1,
			  "32 objects");
	nest(&b, "{\"a\":", "{}", "}", WJ_MAX_DEPTH - 1);
	CHECK_MSG(parse_len(b.data, b.len, &doc), "31 objects around an empty one");
	nest(&b, "{\"a\":", "{}", "}", WJ_MAX_DEPTH);
	CHECK_MSG(!parse_len(b.data, b.len, &doc), "32 objects around an empty one rejected");
	nest(&b, "{\"a\":", "1", "}", WJ_MAX_DEPTH + 1);
	CHECK_MSG(!parse_len(b.data, b.len, &doc), "33 objects rejected");
	nest(&b, "[{\"a\":", "1", "}]", WJ_MAX_DEPTH / 2);
	CHECK_MSG(parse_len(b.data, b.len, &doc) && layout_ok(&doc), "32 alternating levels");
	nest(&b, "[{\"a\":", "[]", "}]", WJ_MAX_DEPTH / 2);
	CHECK_MSG(!parse_len(b.data, b.len, &doc), "33 alternating levels rejected");

	/* Depth comes back down: many siblings at depth 32. */
	b.len = 0;
	repeat(&b, "[", WJ_MAX_DEPTH - 1);
	put_str(&b, "[]");
	repeat(&b, ",[]", 100);
	repeat(&b, "]", WJ_MAX_DEPTH - 1);
	CHECK_MSG(parse_len(b.data, b.len, &doc) && layout_ok(&doc), "siblings at depth 32");

	nest(&b, "[", "", "", 1000000);
	CHECK_MSG(!parse_len(b.data, b.len, &doc), "a million open brackets");
	nest(&b, "{\"\":", "", "", 300000);
	CHECK_MSG(!parse_len(b.data, b.len, &doc), "300000 open objects");
	free(b.data);
}

static double
seconds_since(clock_t start)
{
	return (double) (clock() - start) / CLOCKS_PER_SEC;
}

static void
big_object(buf *b, int members, const char *last_key)
{
	char		member[64];

	b->len = 0;
	put_str(b, "{");
	for (int i = 0; i < members; i++)
	{
		/* 7919 is prime to 60000: a permutation, so names arrive unsorted. */
		snprintf(member, sizeof(member), "%s\"key_%06d\":\"v\"", i ? "," : "",
				 (int) ((long) i * 7919 % members));
		put_str(b, member);
	}
	if (last_key != NULL)
	{
		put_str(b, ",\"");
		put_str(b, last_key);
		put_str(b, "\":0");
	}
	put_str(b, "}");
}

static void
test_big_objects(void)
{
	wj_doc		doc;
	buf			b = {0};
	clock_t		start;
	double		secs;
	bool		ok;

	big_object(&b, 60000, NULL);
	start = clock();
	ok = parse_len(b.data, b.len, &doc);
	secs = seconds_since(start);
	CHECK_MSG(ok && doc.n == 120001 && doc.nodes[0].count == 60000,
			  "1 MB object with 60000 members (%zu bytes)", b.len);
	CHECK_MSG(secs < 2.0, "1 MB object took %.3f s", secs);
	CHECK_MSG(ok && find(&doc, 0, "key_059999", 10) != 0, "finds the last name");

	big_object(&b, 60000, "key_000000");
	start = clock();
	ok = parse_len(b.data, b.len, &doc);
	secs = seconds_since(start);
	CHECK_MSG(!ok, "1 MB object with a duplicate at the end rejected");
	CHECK_MSG(secs < 2.0, "duplicate check took %.3f s", secs);
	big_object(&b, 60000, "\\u006bey_031337");
	CHECK_MSG(!parse_len(b.data, b.len, &doc), "escaped duplicate at the end rejected");
	big_object(&b, 60000, "key_060000");
	CHECK_MSG(parse_len(b.data, b.len, &doc), "one more distinct name accepted");

	/* Same length, long common prefix: sorting must still be n log n. */
	b.len = 0;
	put_str(&b, "{");
	for (int i = 0; i < 20000; i++)
	{
		char		member[80];

		snprintf(member, sizeof(member), "%s\"%s%05d\":0", i ? "," : "",
				 "common-prefix-common-prefix-common-prefix-", 19999 - i);
		put_str(&b, member);
	}
	put_str(&b, "}");
	start = clock();
	CHECK_MSG(parse_len(b.data, b.len, &doc), "20000 names with a common prefix");
	CHECK_MSG(seconds_since(start) < 2.0, "common prefix names took %.3f s",
			  seconds_since(start));
	free(b.data);
}

/* Documents whose every proper prefix is invalid. */
static const char *const truncatable[] = {
	"{\"email\":\"ann@example.com\",\"name\":\"Ann\",\"iat\":1700000000,\"exp\":1700000600.5}",
	"[\"\\ud83d\\ude00\",\"\\u00e9\\n\",\"h\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\",-1.5e-3,true,false,null]",
	"{\"a\":[1,[2,[3,{\"b\":{\"c\":[]}}]]],\"d\":{},\"e\":\"0123456789abcdefghij\"}",
	"[12345678901234567890,0.000001,1E+10,\"\",{}]",
	"{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,\"g\":7,\"h\":8,\"i\":9,\"j\":10}",
};

static void
test_truncation(void)
{
	wj_doc		doc;

	for (size_t d = 0; d < sizeof(truncatable) / sizeof(truncatable[0]); d++)
	{
		size_t		len = strlen(truncatable[d]);
		int			bad = 0;

		CHECK_MSG(parse_len(truncatable[d], len, &doc), "full document %zu", d);
		for (size_t k = 0; k < len; k++)
			if (parse_len(truncatable[d], k, &doc))
				bad++;
		CHECK_MSG(bad == 0, "document %zu: %d proper prefixes accepted", d, bad);
	}
}

/* Random valid documents. */

static void
gen_number(buf *b)
{
	char		text[64];

	switch (rnd(6))
	{
		case 0:
			snprintf(text, sizeof(text), "%u", rnd(10));
			break;
		case 1:
			snprintf(text, sizeof(text), "-%u", rnd(1000000));
			break;
		case 2:
			snprintf(text, sizeof(text), "%u.%u", rnd(100000), rnd(1000));
			break;
		case 3:
			snprintf(text, sizeof(text), "%ue%d", rnd(10), (int) rnd(2001) - 1000);
			break;
		case 4:
			snprintf(text, sizeof(text), "-0.%uE+%u", rnd(1000), rnd(300));
			break;
		default:
			snprintf(text, sizeof(text), "1700000%03u", rnd(1000));
			break;
	}
	put_str(b, text);
}

static void
gen_string_body(buf *b)
{
	static const char *const pieces[] = {
		"a", "Z", " ", "0", "~", "\x7f", "abcdefghijkl", "\\n", "\\\"", "\\\\", "\\/",
		"\\b", "\\f", "\\r", "\\t", "\\u0001", "\\u00e9", "\\u20AC", "\\ud83d\\ude00",
		"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf",
	};
	uint32_t	n = rnd(4) == 0 ? rnd(40) : rnd(5);

	for (uint32_t i = 0; i < n; i++)
		put_str(b, pieces[rnd(sizeof(pieces) / sizeof(pieces[0]))]);
}

static void
gen_ws(buf *b)
{
	static const char *const ws[] = {"", "", "", " ", "\n", "\t", "\r\n  "};

	put_str(b, ws[rnd(7)]);
}

static void
gen_value(buf *b, int depth)
{
	uint32_t	kind = depth >= WJ_MAX_DEPTH ? rnd(5) : rnd(8);
	uint32_t	n;

	gen_ws(b);
	switch (kind)
	{
		case 0:
			gen_number(b);
			break;
		case 1:
			put_str(b, "\"");
			gen_string_body(b);
			put_str(b, "\"");
			break;
		case 2:
			put_str(b, "true");
			break;
		case 3:
			put_str(b, "false");
			break;
		case 4:
			put_str(b, "null");
			break;
		case 5:
		case 6:
			/* Names are unique by a numbered suffix after random text. */
			put_str(b, "{");
			n = rnd(depth < 3 ? 14 : 4);
			for (uint32_t i = 0; i < n; i++)
			{
				char		suffix[16];

				gen_ws(b);
				put_str(b, i ? ",\"" : "\"");
				gen_string_body(b);
				snprintf(suffix, sizeof(suffix), "#%u\":", i);
				put_str(b, suffix);
				gen_value(b, depth + 1);
				gen_ws(b);
			}
			put_str(b, "}");
			break;
		default:
			put_str(b, "[");
			n = rnd(depth < 3 ? 10 : 4);
			for (uint32_t i = 0; i < n; i++)
			{
				if (i)
					put_str(b, ",");
				gen_value(b, depth + 1);
				gen_ws(b);
			}
			put_str(b, "]");
			break;
	}
}

/* Shapes that maximize nodes, copies or sort scratch per input byte. */
static void
dense_document(buf *b, int shape, int size)
{
	/* Printable ASCII other than '"' and '\\', for one-byte names. */
	static const char names[] = "!#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`"
		"abcdefghijklmnopqrstuvwxyz{|}";
	char		member[32];

	b->len = 0;
	switch (shape)
	{
		case 0:
			put_str(b, "[0");
			repeat(b, ",0", size);
			put_str(b, "]");
			break;
		case 1:
			put_str(b, "[[0]");
			repeat(b, ",[0]", size);
			put_str(b, "]");
			break;
		case 2:
			nest(b, "[", "0", "]", size % WJ_MAX_DEPTH + 1);
			break;
		case 3:
			put_str(b, "[[]");
			repeat(b, ",{}", size);
			put_str(b, "]");
			break;
		case 4:
			put_str(b, "{");
			for (int i = 0; i < size; i++)
			{
				/* One-byte names first, then two-byte ones. */
				if (i < 90)
					snprintf(member, sizeof(member), "%s\"%c\":0", i ? "," : "", names[i]);
				else
					snprintf(member, sizeof(member), "%s\"%c%c\":0", i ? "," : "",
							 names[i % 90], names[i / 90 % 90]);
				put_str(b, member);
			}
			put_str(b, "}");
			break;
		case 5:
			put_str(b, "{");
			for (int i = 0; i < size; i++)
			{
				snprintf(member, sizeof(member), "%s\"\\u%04x\":\"\\n\"", i ? "," : "",
						 0x100 + i);
				put_str(b, member);
			}
			put_str(b, "}");
			break;
		case 6:
			put_str(b, "[\"");
			repeat(b, "\\n", size);
			put_str(b, "\",\"");
			repeat(b, "\\u00e9\\ud83d\\ude00", size);
			put_str(b, "\"]");
			break;
		default:
			put_str(b, "0");
			break;
	}
}

static void
test_bound(void)
{
	wj_doc		doc;
	buf			b = {0};
	int			failures = 0;
	int			too_dense = 0;

	CHECK(wj_arena_bound(1) >= sizeof(wj_node));
	CHECK(wj_arena_bound(1000) >= wj_arena_bound(999));

	for (int shape = 0; shape < 8; shape++)
		for (int size = 0; size < 300; size += 1 + size / 8)
		{
			dense_document(&b, shape, size);
			if (!parse_len(b.data, b.len, &doc) || !layout_ok(&doc))
			{
				CHECK_MSG(false, "dense shape %d size %d (%zu bytes) in the bound",
						  shape, size, b.len);
				failures++;
			}
			else if (doc.n > 2 * b.len / 3 + 1)
				too_dense++;
		}
	CHECK_MSG(too_dense == 0, "%d documents above 2 * len / 3 + 1 nodes", too_dense);

	for (int i = 0; i < 5000 && failures < 5; i++)
	{
		b.len = 0;
		gen_value(&b, 1);
		gen_ws(&b);
		if (!parse_len(b.data, b.len, &doc) || !layout_ok(&doc))
		{
			CHECK_MSG(false, "random document %d in the bound: %.200s", i,
					  b.len ? b.data : "");
			failures++;
		}
	}
	CHECK_MSG(failures == 0, "generated documents parse in exactly the bound");
	free(b.data);
}

/* Random damage to valid documents: no crash, and what is accepted is sound. */
static void
test_mutations(void)
{
	static const char noise[] = "{}[],:\"\\u0e-+.1 \t\xc3\xa9\xed\xa0\x80\xf4\x90\x00tfn";
	wj_doc		doc;
	buf			b = {0};
	int			unsound = 0;

	for (int i = 0; i < 20000; i++)
	{
		uint32_t	edits = 1 + rnd(3);

		b.len = 0;
		gen_value(&b, 1 + rnd(WJ_MAX_DEPTH));
		for (uint32_t e = 0; e < edits && b.len > 0; e++)
		{
			uint32_t	at = rnd((uint32_t) b.len);

			switch (rnd(3))
			{
				case 0:
					b.data[at] = noise[rnd(sizeof(noise) - 1)];
					break;
				case 1:
					memmove(b.data + at, b.data + at + 1, b.len - at - 1);
					b.len--;
					break;
				default:
					b.len = at;
					break;
			}
		}
		if (parse_len(b.data, b.len, &doc) && !layout_ok(&doc))
			unsound++;
	}
	CHECK_MSG(unsound == 0, "%d damaged documents accepted with a bad layout", unsound);
	free(b.data);
}

int
main(void)
{
	test_tables();
	test_number_limits();
	test_layout();
	test_escapes();
	test_string_offsets();
	test_shared_arena();
	test_arena_exhaustion();
	test_find();
	test_number_double();
	test_depth();
	test_big_objects();
	test_truncation();
	test_bound();
	test_mutations();
	free(cur_text);
	free(cur_arena_buf);
	return unit_summary("json");
}
