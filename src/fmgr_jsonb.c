/*
 * fmgr_jsonb.c
 *		Writes PostgreSQL's jsonb binary format straight from a parse.
 *
 * The claims and metadata of every verified identity are jsonb.  Building a
 * JsonbValue tree and handing it to JsonbValueToJsonb costs a tree of
 * pallocs and a second walk; this writes the same bytes in one pass, as
 * jsonb_util.c's convertJsonbObject/Array/Scalar lay them out: a container
 * header, all keys' JEntries then all values' (keys in jsonb's order:
 * shorter first, then bytewise), lengths with an end offset every
 * JB_OFFSET_STRIDE entries, and containers and numerics int-aligned with
 * the padding counted in their length.  The regression tests compare the
 * result with PostgreSQL's own jsonb input of the same text.
 *
 * Input comes from the strict JSON reader: no duplicate keys, no \u0000,
 * numbers numeric can store, sizes far below jsonb's limits.  Nothing here
 * can raise because of visitor input.
 */
#include "woesid_fmgr.h"

#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

typedef struct jsonb_buf
{
	char	   *data;
	int			len;
	int			cap;
} jsonb_buf;

static inline int
reserve(jsonb_buf *b, int n)
{
	int			offset = b->len;

	if (unlikely(b->len + n > b->cap))
	{
		while (b->len + n > b->cap)
			b->cap *= 2;
		b->data = repalloc(b->data, b->cap);
	}
	b->len += n;
	return offset;
}

static inline void
append(jsonb_buf *b, const void *data, int n)
{
	int			offset = reserve(b, n);	/* may move b->data */

	memcpy(b->data + offset, data, n);
}

/* Pads to int alignment; returns the padding, which counts as data. */
static inline int
pad_to_int(jsonb_buf *b)
{
	int			pad = INTALIGN(b->len) - b->len;
	int			offset = reserve(b, pad);	/* may move b->data */

	memset(b->data + offset, 0, pad);
	return pad;
}

static inline void
set_jentry(jsonb_buf *b, int offset, JEntry entry)
{
	memcpy(b->data + offset, &entry, sizeof(JEntry));
}

/*
 * numeric's short on-disk format (numeric.c, stable since PostgreSQL 9.1):
 * a varlena header, a 16-bit header word, then base-10000 digits, most
 * significant first, with no leading or trailing zero digit.
 */
#define NUMERIC_SHORT_FLAG			0x8000
#define NUMERIC_SHORT_NEGATIVE		0x2000
#define NUMERIC_SHORT_WEIGHT_MASK	0x003F
#define NUMERIC_BASE				10000
#define NUMERIC_SHORT_HDRSZ			(VARHDRSZ + sizeof(uint16))

/*
 * Writes a JSON integer of at most 18 digits as numeric's short format, the
 * bytes int64_to_numeric would make; returns the numeric's size.  Base-10000
 * digits are groups of four decimal digits counted from the last one, so
 * each is read straight from the text: the first group holds the 1 to 4
 * leading digits.
 */
static int
write_integer(jsonb_buf *b, const wj_node *node)
{
	bool		negative = node->str[0] == '-';
	const char *text = node->str + negative;
	int			ndigits = (int) node->len - negative;
	int16		groups[5];		/* 18 decimal digits: at most 5 */
	int			ngroups = (ndigits + 3) / 4;
	int			weight = ngroups - 1;
	int			taken = ndigits - 4 * weight;	/* digits in the first group */
	uint16		header;
	int			size;
	int			offset;

	for (int g = 0; g < ngroups; g++)
	{
		int			value = 0;

		for (int i = 0; i < taken; i++)
			value = value * 10 + (*text++ - '0');
		groups[g] = (int16) value;
		taken = 4;
	}
	while (ngroups > 0 && groups[ngroups - 1] == 0)
		ngroups--;				/* trailing zero digits are left out */
	if (ngroups == 0)
	{
		weight = 0;
		negative = false;		/* zero is never negative */
	}

	size = (int) NUMERIC_SHORT_HDRSZ + ngroups * (int) sizeof(int16);
	header = NUMERIC_SHORT_FLAG | (negative ? NUMERIC_SHORT_NEGATIVE : 0) |
		(weight & NUMERIC_SHORT_WEIGHT_MASK);
	offset = reserve(b, size);
	SET_VARSIZE(b->data + offset, size);
	memcpy(b->data + offset + VARHDRSZ, &header, sizeof(header));
	memcpy(b->data + offset + NUMERIC_SHORT_HDRSZ, groups, ngroups * sizeof(int16));
	return size;
}

/* Any other NUMBER: numeric_in (the JSON reader accepted only storable ones). */
static int
write_numeric(jsonb_buf *b, const wj_node *node)
{
	Numeric		num = DatumGetNumeric(DirectFunctionCall3(numeric_in,
														  CStringGetDatum(pnstrdup(node->str, node->len)),
														  ObjectIdGetDatum(InvalidOid),
														  Int32GetDatum(-1)));

	append(b, num, VARSIZE(num));
	return VARSIZE(num);
}

/* jsonb's key order: shorter first, then bytewise. */
static inline int
key_order(const wj_node *ka, const wj_node *kb)
{
	if (ka->len != kb->len)
		return ka->len < kb->len ? -1 : 1;
	return memcmp(ka->str, kb->str, ka->len);
}

static int
key_order_qsort(const void *a, const void *b, void *arg)
{
	const wj_node *nodes = (const wj_node *) arg;

	return key_order(&nodes[*(const uint32_t *) a], &nodes[*(const uint32_t *) b]);
}

static void
sort_keys(const wj_doc *doc, uint32_t *keys, int n)
{
	if (n > 16)
	{
		qsort_arg(keys, n, sizeof(uint32_t), key_order_qsort, doc->nodes);
		return;
	}
	for (int i = 1; i < n; i++)
	{
		uint32_t	k = keys[i];
		int			j = i;

		for (; j > 0 && key_order(&doc->nodes[keys[j - 1]], &doc->nodes[k]) > 0; j--)
			keys[j] = keys[j - 1];
		keys[j] = k;
	}
}

static bool
skipped(const wj_node *key, const wj_name *skip, int nskip)
{
	for (int i = 0; i < nskip; i++)
		if (wj_name_equal(key, skip[i].name, skip[i].len))
			return true;
	return false;
}

static JEntry write_value(jsonb_buf *b, const wj_doc *doc, uint32_t index);

/*
 * Writes the entries (key strings first when keys != NULL, then values) of
 * a container of n members whose JEntry array starts at jentries, as
 * convertJsonbObject/Array do.
 */
static void
write_entries(jsonb_buf *b, const wj_doc *doc, int jentries, const uint32_t *keys,
			  const uint32_t *values, int n)
{
	int			nentries = keys != NULL ? 2 * n : n;
	int			total = 0;

	for (int i = 0; i < nentries; i++)
	{
		bool		is_key = keys != NULL && i < n;
		JEntry		meta;

		if (is_key)
		{
			const wj_node *key = &doc->nodes[keys[i]];

			append(b, key->str, key->len);
			meta = JENTRY_ISSTRING | key->len;
		}
		else
			meta = write_value(b, doc, values[keys != NULL ? i - n : i]);

		total += JBE_OFFLENFLD(meta);
		if (i % JB_OFFSET_STRIDE == 0)
			meta = (meta & JENTRY_TYPEMASK) | total | JENTRY_HAS_OFF;
		set_jentry(b, jentries + i * (int) sizeof(JEntry), meta);
	}
}

/* Containers up to this size sort their entries on the stack. */
#define SMALL_CONTAINER 32

static JEntry
write_container(jsonb_buf *b, const wj_doc *doc, uint32_t index,
				const wj_name *skip, int nskip)
{
	const wj_node *node = &doc->nodes[index];
	bool		object = node->type == WJ_OBJECT;
	int			base = b->len;
	uint32_t	small_keys[SMALL_CONTAINER];
	uint32_t	small_values[SMALL_CONTAINER];
	uint32_t   *keys = small_keys;
	uint32_t   *values = small_values;
	uint32_t	header;
	int			n = 0;

	if (node->count > SMALL_CONTAINER)
	{
		keys = palloc(sizeof(uint32_t) * node->count);
		values = palloc(sizeof(uint32_t) * node->count);
	}
	for (uint32_t i = index + 1; i < node->next; i = doc->nodes[i].next)
	{
		if (object)
		{
			if (!skipped(&doc->nodes[i], skip, nskip))
				keys[n++] = i;
			i++;				/* to the value; the loop steps past it */
		}
		else
			values[n++] = i;
	}
	if (object)
	{
		sort_keys(doc, keys, n);
		for (int i = 0; i < n; i++)
			values[i] = keys[i] + 1;
	}

	pad_to_int(b);
	header = (uint32_t) n | (object ? JB_FOBJECT : JB_FARRAY);
	append(b, &header, sizeof(header));
	write_entries(b, doc, reserve(b, (object ? 2 : 1) * n * (int) sizeof(JEntry)),
				  object ? keys : NULL, values, n);
	if (keys != small_keys)
	{
		pfree(keys);
		pfree(values);
	}
	return JENTRY_ISCONTAINER | (b->len - base);
}

static JEntry
write_value(jsonb_buf *b, const wj_doc *doc, uint32_t index)
{
	const wj_node *node = &doc->nodes[index];

	switch ((wj_type) node->type)
	{
		case WJ_NULL:
			return JENTRY_ISNULL;
		case WJ_FALSE:
			return JENTRY_ISBOOL_FALSE;
		case WJ_TRUE:
			return JENTRY_ISBOOL_TRUE;
		case WJ_STRING:
			append(b, node->str, node->len);
			return JENTRY_ISSTRING | node->len;
		case WJ_NUMBER:
			{
				int			pad = pad_to_int(b);
				int			size = node->len <= 18 && wj_number_is_integer(node) ?
				write_integer(b, node) : write_numeric(b, node);

				return JENTRY_ISNUMERIC | (pad + size);
			}
		case WJ_OBJECT:
		case WJ_ARRAY:
			return write_container(b, doc, index, NULL, 0);
	}
	pg_unreachable();
}

static jsonb_buf
new_buf(void)
{
	jsonb_buf	b;

	b.cap = 512;				/* a typical token's claims fit */
	b.data = palloc(b.cap);
	b.len = VARHDRSZ;
	return b;
}

Datum
woesid_jsonb_from_doc(const wj_doc *doc, const wj_name *skip, int nskip)
{
	jsonb_buf	b = new_buf();

	/* Only objects reach here: a root scalar would need a raw-scalar array. */
	Assert(doc->nodes[0].type == WJ_OBJECT);
	write_container(&b, doc, 0, skip, nskip);
	SET_VARSIZE(b.data, b.len);
	return PointerGetDatum(b.data);
}

Datum
woesid_jsonb_email_object(const char *email, size_t len)
{
	jsonb_buf	b = new_buf();
	uint32_t	header = 1 | JB_FOBJECT;

	append(&b, &header, sizeof(header));
	set_jentry(&b, reserve(&b, sizeof(JEntry)), JENTRY_HAS_OFF | 5);
	set_jentry(&b, reserve(&b, sizeof(JEntry)), JENTRY_ISSTRING | (JEntry) len);
	append(&b, "email", 5);
	append(&b, email, (int) len);
	SET_VARSIZE(b.data, b.len);
	return PointerGetDatum(b.data);
}
