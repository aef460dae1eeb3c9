/*
 * json.h
 *		Strict RFC 8259 JSON reader for hostile input.
 *
 * Parses a byte range (never a C string) into a flat array of nodes carved
 * from a caller-given arena.  It accepts only what JWT rule 4 of the reference
 * (docs/reference.md) accepts and what PostgreSQL's jsonb can store;
 * everything else is a parse failure, never a crash, an abort or a read
 * outside the given range.  No PostgreSQL header, no malloc, no locale
 * dependence.
 *
 * Layout: node 0 is the root value.  Every node's "next" is the index just
 * past its whole subtree.  An OBJECT node is followed by its members, each a
 * STRING node (the key) and then the value's subtree; an ARRAY node by its
 * elements' subtrees.
 */
#ifndef WOESID_JSON_H
#define WOESID_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"

/* Nesting deeper than this is rejected; the outermost container counts 1. */
#define WJ_MAX_DEPTH 32

typedef enum wj_type
{
	WJ_NULL,
	WJ_FALSE,
	WJ_TRUE,
	WJ_NUMBER,
	WJ_STRING,
	WJ_OBJECT,
	WJ_ARRAY
} wj_type;

typedef struct wj_node
{
	const char *str;			/* STRING: unescaped UTF-8 (no NUL inside,
								 * not NUL-terminated); NUMBER: its text */
	uint32_t	len;			/* bytes at str */
	uint32_t	next;			/* index just past this subtree */
	uint32_t	count;			/* OBJECT: members; ARRAY: elements */
	uint8_t		type;			/* wj_type */
	bool		integer;		/* NUMBER: no fraction and no exponent */
} wj_node;

typedef struct wj_doc
{
	wj_node    *nodes;
	uint32_t	n;				/* nodes used */
} wj_doc;

/* Arena bytes that always suffice to parse len bytes of input. */
size_t		wj_arena_bound(size_t len);

/*
 * Parses text[0..len).  Returns true and fills doc when the input is one
 * valid JSON value (surrounded by optional JSON whitespace) meeting every
 * rule above; false otherwise (including when the arena is too small).
 */
bool		wj_parse(const char *text, size_t len, woesid_arena *arena,
					 wj_doc *doc);

/* A member name to look for with wj_members. */
typedef struct wj_name
{
	const char *name;
	uint32_t	len;
} wj_name;

#define WJ_NAME(lit) {(lit), sizeof(lit) - 1}

/* Whether the name at node is name[0..len), usually without calling memcmp. */
static inline bool
wj_name_equal(const wj_node *node, const char *name, uint32_t len)
{
	return node->len == len &&
		(len == 0 || (node->str[0] == name[0] &&
					  memcmp(node->str + 1, name + 1, len - 1) == 0));
}

/*
 * One pass over the OBJECT at index obj: out[k] is the index of the value of
 * the member named names[k], or 0 when there is none.
 */
void		wj_members(const wj_doc *doc, uint32_t obj, const wj_name *names,
					   int n, uint32_t *out);

/* True when the node is a NUMBER written as a plain integer (no . e E). */
static inline bool
wj_number_is_integer(const wj_node *node)
{
	return node->type == WJ_NUMBER && node->integer;
}

/*
 * The NUMBER node's value as a double.  Returns false when it does not fit a
 * finite double (e.g. 1e400).
 */
bool		wj_number_double(const wj_node *node, double *out);

#endif							/* WOESID_JSON_H */
