/*
 * arena.h
 *		Bump allocator over a caller-given buffer, used by the whole core.
 *
 * The core never calls malloc or palloc: every caller (the fmgr layer, the
 * unit tests, the fuzzers, the benchmark) hands it one buffer, and the core
 * carves what it needs from it.  Running out of room is reported as NULL and
 * never aborts.  No PostgreSQL header may be included here.
 */
#ifndef WOESID_ARENA_H
#define WOESID_ARENA_H

#include <stddef.h>
#include <stdint.h>

typedef struct woesid_arena
{
	char	   *base;
	size_t		size;
	size_t		used;
} woesid_arena;

static inline void
woesid_arena_init(woesid_arena *arena, void *buf, size_t size)
{
	arena->base = (char *) buf;
	arena->size = size;
	arena->used = 0;
}

/* Returns 8-byte aligned room for n bytes, or NULL when the arena is full. */
static inline void *
woesid_arena_alloc(woesid_arena *arena, size_t n)
{
	size_t		start = (arena->used + 7) & ~(size_t) 7;

	if (start > arena->size || n > arena->size - start)
		return NULL;
	arena->used = start + n;
	return arena->base + start;
}

#endif							/* WOESID_ARENA_H */
