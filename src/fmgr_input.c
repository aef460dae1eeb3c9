/*
 * fmgr_input.c
 *		Visitor values (tokens, identify payloads) into the bytes the core
 *		reads.
 *
 * A value's stored size is checked before it is detoasted or converted, so
 * a huge value costs nothing but its refusal.  A jsonb payload is turned
 * back into text here and then read by the core's strict reader like any
 * text payload: jsonb gets no parser of its own.  Never raises because of
 * what a visitor sent.
 */
#include "woesid_fmgr.h"

#include "access/detoast.h"

/* The value's size without detoasting it; true when it may be read. */
static bool
within_limit(Datum value, size_t max, size_t *len)
{
	*len = toast_raw_datum_size(value) - VARHDRSZ;
	return *len <= max;
}

void
woesid_visitor_text(Datum value, bool isnull, size_t max,
					const char **data, size_t *len)
{
	text	   *t;

	*data = NULL;
	*len = 0;
	if (isnull || !within_limit(value, max, len))
		return;
	t = DatumGetTextPP(value);
	*data = VARDATA_ANY(t);
}

/*
 * PostgreSQL has already parsed a jsonb value (and kept the last of
 * duplicate members).  Its stored size is not its text's length, but it
 * bounds the conversion: a value stored larger than the limit is refused
 * unconverted, and the text made from a smaller one meets the limit again
 * in the core.
 */
void
woesid_visitor_jsonb(Datum value, bool isnull, size_t max,
					 const char **data, size_t *len)
{
	Jsonb	   *jb;

	*data = NULL;
	*len = 0;
	if (isnull || !within_limit(value, max, len))
		return;
	jb = DatumGetJsonbP(value);
	*data = JsonbToCString(NULL, &jb->root, VARSIZE(jb));
	*len = strlen(*data);
}
