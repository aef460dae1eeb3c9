/*
 * fuzz_json.c
 *		libFuzzer harness for the strict JSON reader (src/json.c).
 *
 * The input is parsed from an exactly sized copy in an arena of exactly
 * wj_arena_bound(len) bytes.  When it parses, every node is walked: next
 * lies past the node and within its parent, scalars own one node, a
 * container's children chain by next to exactly its own next and number
 * exactly its count, object members are a STRING key then a value, nesting
 * stays within WJ_MAX_DEPTH, strings are valid UTF-8 without NUL and lie in
 * the input or the arena, a plain scan finds every member, wj_members agrees
 * with it, and wj_number_double agrees with the C library's correctly
 * rounded strtod.  The document is
 * then written back as JSON, which must parse to the same nodes.  A failed
 * parse must leave the arena as it was, and a parse in an arena too small
 * may fail but never give another result.
 */
#include <math.h>

#include "fuzz_util.h"
#include "json.h"

typedef struct parsed
{
	const char *text;
	size_t		len;
	woesid_arena *arena;
	wj_doc		doc;
} parsed;

/* A growing JSON text written into a buffer of fixed capacity. */
typedef struct sink
{
	char	   *buf;
	size_t		len;
	size_t		cap;
} sink;

static bool
inside(const char *p, size_t n, const char *base, size_t size)
{
	return p >= base && n <= size && (size_t) (p - base) <= size - n;
}

/* The member names the core looks up (jws.c and jwt.c), all distinct. */
static const wj_name core_names[] = {
	WJ_NAME("alg"), WJ_NAME("typ"), WJ_NAME("kid"), WJ_NAME("crit"),
	WJ_NAME("b64"), WJ_NAME("cty"), WJ_NAME("enc"), WJ_NAME("exp"),
	WJ_NAME("iat"), WJ_NAME("nbf"), WJ_NAME("aud"), WJ_NAME("email"),
	WJ_NAME("user_email"), WJ_NAME("contact_external_id"),
	WJ_NAME("account_external_id"), WJ_NAME("email_hash"),
};

#define CORE_NAMES ((int) (sizeof(core_names) / sizeof(core_names[0])))
#define NAMES_MAX 16			/* names checked per call, at most */

/* wj_members finds what a plain scan finds, for n distinct names. */
static void
check_members(const wj_doc *doc, uint32_t obj, const wj_name *names, int n)
{
	uint32_t	found[NAMES_MAX];

	wj_members(doc, obj, names, n, found);
	for (int k = 0; k < n; k++)
		FUZZ_ASSERT(found[k] == fuzz_member(doc, obj, names[k].name, names[k].len));
}

/* wj_number_double against strtod on the number's own text. */
static void
check_number(const wj_node *node)
{
	char	   *text = fuzz_alloc((size_t) node->len + 1);
	double		reference;
	double		value;

	memcpy(text, node->str, node->len);
	text[node->len] = '\0';
	reference = strtod(text, NULL);
	FUZZ_ASSERT(node->integer == (strpbrk(text, ".eE") == NULL));
	if (wj_number_double(node, &value))
		FUZZ_ASSERT(value == reference && !signbit(value) == !signbit(reference));
	else
		FUZZ_ASSERT(isinf(reference));
	free(text);
}

static void
check_string(const parsed *p, const wj_node *node)
{
	if (node->len == 0)
		return;
	FUZZ_ASSERT(inside(node->str, node->len, p->text, p->len) ||
				inside(node->str, node->len, p->arena->base, p->arena->used));
	FUZZ_ASSERT(memchr(node->str, '\0', node->len) == NULL);
	FUZZ_ASSERT(fuzz_utf8_valid((const uint8_t *) node->str, node->len));
}

/* Checks the subtree at index i, which must end by end; depth counts i. */
static void
check_node(const parsed *p, uint32_t i, uint32_t end, int depth)
{
	const wj_doc *doc = &p->doc;
	const wj_node *node = &doc->nodes[i];
	uint32_t	child;
	uint32_t	members = 0;
	wj_name		keys[NAMES_MAX];

	FUZZ_ASSERT(i < end && node->next > i && node->next <= end);
	switch (node->type)
	{
		case WJ_NULL:
		case WJ_FALSE:
		case WJ_TRUE:
			FUZZ_ASSERT(node->next == i + 1 && node->count == 0);
			return;
		case WJ_NUMBER:
			FUZZ_ASSERT(node->next == i + 1 && node->count == 0);
			FUZZ_ASSERT(node->len > 0 &&
						inside(node->str, node->len, p->text, p->len));
			check_number(node);
			return;
		case WJ_STRING:
			FUZZ_ASSERT(node->next == i + 1 && node->count == 0);
			check_string(p, node);
			return;
		case WJ_OBJECT:
		case WJ_ARRAY:
			break;
		default:
			FUZZ_ASSERT(!"unknown node type");
	}

	FUZZ_ASSERT(depth <= WJ_MAX_DEPTH);
	for (child = i + 1; child < node->next; child = doc->nodes[child].next)
	{
		if (node->type == WJ_OBJECT)
		{
			const wj_node *key = &doc->nodes[child];

			FUZZ_ASSERT(key->type == WJ_STRING && key->next == child + 1);
			check_string(p, key);
			FUZZ_ASSERT(fuzz_member(doc, i, key->str, key->len) == child + 1);
			if (members < NAMES_MAX)
				keys[members] = (wj_name) {key->str, key->len};
			child++;
		}
		check_node(p, child, node->next, depth + 1);
		members++;
	}
	FUZZ_ASSERT(child == node->next && members == node->count);
	if (node->type == WJ_OBJECT)
	{
		check_members(doc, i, keys,
					  members < NAMES_MAX ? (int) members : NAMES_MAX);
		check_members(doc, i, core_names, CORE_NAMES);
	}
}

static void
put(sink *s, const char *text, size_t n)
{
	FUZZ_ASSERT(n <= s->cap - s->len);
	memcpy(s->buf + s->len, text, n);
	s->len += n;
}

/*
 * Writes a string back with the shortest escapes; never longer than the
 * text it was decoded from.
 */
static void
put_string(sink *s, const wj_node *node)
{
	put(s, "\"", 1);
	for (uint32_t k = 0; k < node->len; k++)
	{
		unsigned char c = (unsigned char) node->str[k];
		const char *esc = c == '"' ? "\\\"" : c == '\\' ? "\\\\" :
			c == '\b' ? "\\b" : c == '\f' ? "\\f" : c == '\n' ? "\\n" :
			c == '\r' ? "\\r" : c == '\t' ? "\\t" : NULL;
		char		hex[7];

		if (esc != NULL)
			put(s, esc, 2);
		else if (c < 0x20)
		{
			snprintf(hex, sizeof(hex), "\\u%04x", c);
			put(s, hex, 6);
		}
		else
			put(s, node->str + k, 1);
	}
	put(s, "\"", 1);
}

/* Writes the subtree at index i as JSON; returns the index past it. */
static uint32_t
put_value(sink *s, const wj_doc *doc, uint32_t i)
{
	const wj_node *node = &doc->nodes[i];
	bool		object = node->type == WJ_OBJECT;

	switch (node->type)
	{
		case WJ_NULL:
			put(s, "null", 4);
			break;
		case WJ_FALSE:
			put(s, "false", 5);
			break;
		case WJ_TRUE:
			put(s, "true", 4);
			break;
		case WJ_NUMBER:
			put(s, node->str, node->len);
			break;
		case WJ_STRING:
			put_string(s, node);
			break;
		default:
			put(s, object ? "{" : "[", 1);
			for (uint32_t child = i + 1; child < node->next;)
			{
				if (child != i + 1)
					put(s, ",", 1);
				if (object)
				{
					put_string(s, &doc->nodes[child++]);
					put(s, ":", 1);
				}
				child = put_value(s, doc, child);
			}
			put(s, object ? "}" : "]", 1);
			break;
	}
	return node->next;
}

static bool
same_nodes(const wj_doc *a, const wj_doc *b)
{
	if (a->n != b->n)
		return false;
	for (uint32_t i = 0; i < a->n; i++)
	{
		const wj_node *x = &a->nodes[i];
		const wj_node *y = &b->nodes[i];

		if (x->type != y->type || x->next != y->next || x->count != y->count ||
			x->len != y->len ||
			((x->type == WJ_STRING || x->type == WJ_NUMBER) && x->len > 0 &&
			 memcmp(x->str, y->str, x->len) != 0))
			return false;
	}
	return true;
}

/* Parses text[0..len) from an exact copy, in an arena of exactly the bound. */
static bool
parse(const char *text, size_t len, parsed *p, char **copy, char **arena_buf)
{
	size_t		bound = wj_arena_bound(len);
	bool		ok;

	*copy = fuzz_copy(text, len);
	*arena_buf = fuzz_alloc(bound);
	woesid_arena_init(p->arena, *arena_buf, bound);
	p->text = *copy;
	p->len = len;
	ok = wj_parse(*copy, len, p->arena, &p->doc);
	FUZZ_ASSERT(p->arena->used <= bound);
	if (!ok)
		FUZZ_ASSERT(p->arena->used == 0);
	return ok;
}

/* The same text in an arena of only small bytes, starting unaligned. */
static void
check_small_arena(const char *text, size_t len, size_t small, const parsed *full,
				  bool full_ok)
{
	char	   *buf = fuzz_alloc(small + 8);
	woesid_arena arena;
	wj_doc		doc;

	woesid_arena_init(&arena, buf, small + 8);
	arena.used = 1;
	if (wj_parse(text, len, &arena, &doc))
		FUZZ_ASSERT(full_ok && same_nodes(&doc, &full->doc));
	else
		FUZZ_ASSERT(arena.used == 1);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	woesid_arena arena;
	parsed		p = {.arena = &arena};
	char	   *copy;
	char	   *arena_buf;
	bool		ok = parse((const char *) data, size, &p, &copy, &arena_buf);

	if (ok)
	{
		sink		s = {.buf = fuzz_alloc(size), .len = 0, .cap = size};
		woesid_arena arena2;
		parsed		again = {.arena = &arena2};
		char	   *copy2;
		char	   *arena_buf2;

		FUZZ_ASSERT(p.doc.n > 0 && p.doc.nodes[0].next == p.doc.n);
		check_node(&p, 0, p.doc.n, 1);

		put_value(&s, &p.doc, 0);
		FUZZ_ASSERT(parse(s.buf, s.len, &again, &copy2, &arena_buf2));
		FUZZ_ASSERT(same_nodes(&again.doc, &p.doc));
		free(copy2);
		free(arena_buf2);
		free(s.buf);
	}
	check_small_arena(copy, size, ok ? arena.used : wj_arena_bound(size) / 2,
					  &p, ok);
	free(copy);
	free(arena_buf);
	return 0;
}
