/*
 * khepri_vector.c: khepri-db's stand-in for pgvector's `vector` type, on servers with no pgvector
 * (Debian's PostgreSQL 15 has no package for it; the embedded engine's PostgreSQL 18 ships the real
 * one, which always wins over this stand-in).
 *
 * Written here from pgvector's documented behaviour (its SQL interface and error messages, checked by
 * tests/extensions/test_vector.py against the real pgvector of the embedded engine): the `vector(n)` type
 * with its text and binary formats, the distance functions and operators, arithmetic, comparison
 * and the casts; pgvector's index methods hnsw and ivfflat keep no data here (khepri_index_am.h),
 * so a nearest-neighbour query is an exact scan. Floats are single precision, as in pgvector; sums
 * are accumulated in that precision, so distances agree with pgvector's to float precision (its
 * build may vectorise the sums in another order).
 */
#include "khepri_index_am.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "common/shortest_dec.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

PG_MODULE_MAGIC;

#define VECTOR_MAX_DIM 16000

typedef struct Vector
{
	int32		vl_len_;		/* varlena header */
	int16		dim;
	int16		unused;			/* always 0 */
	float		x[FLEXIBLE_ARRAY_MEMBER];
} Vector;

#define VECTOR_SIZE(dim) (offsetof(Vector, x) + sizeof(float) * (dim))
#define DatumGetVector(d) ((Vector *) PG_DETOAST_DATUM(d))
#define PG_GETARG_VECTOR_P(n) DatumGetVector(PG_GETARG_DATUM(n))

void _PG_init(void);

static Vector *
new_vector(int dim)
{
	Vector	   *v = palloc0(VECTOR_SIZE(dim));

	SET_VARSIZE(v, VECTOR_SIZE(dim));
	v->dim = dim;
	return v;
}

static void
check_dims(int dim, int typmod)
{
	if (typmod != -1 && typmod != dim)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("expected %d dimensions, not %d", typmod, dim)));
}

static void
check_dim_count(int dim)
{
	if (dim < 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("vector must have at least 1 dimension")));
	if (dim > VECTOR_MAX_DIM)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("vector cannot have more than %d dimensions", VECTOR_MAX_DIM)));
}

static void
check_element(float value)
{
	if (isnan(value))
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("NaN not allowed in vector")));
	if (isinf(value))
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("infinite value not allowed in vector")));
}

static void
check_same_dims(const Vector *a, const Vector *b)
{
	if (a->dim != b->dim)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("different vector dimensions %d and %d", a->dim, b->dim)));
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

PG_FUNCTION_INFO_V1(khepri_vector_in);
Datum
khepri_vector_in(PG_FUNCTION_ARGS)
{
	char	   *literal = PG_GETARG_CSTRING(0);
	int32		typmod = PG_GETARG_INT32(2);
	float	   *values = palloc(sizeof(float) * (VECTOR_MAX_DIM + 1));
	int			dim = 0;
	char	   *p = literal;
	Vector	   *result;

	while (is_space(*p))
		p++;
	if (*p != '[')
		goto malformed;
	p++;
	while (is_space(*p))
		p++;
	if (*p == ']')
	{
		p++;
	}
	else
	{
		for (;;)
		{
			char	   *end;
			float		value;

			while (is_space(*p))
				p++;
			if (*p == '\0' || *p == ',' || *p == ']')
				goto malformed;
			if (dim == VECTOR_MAX_DIM + 1)
				check_dim_count(dim);
			errno = 0;
			value = strtof(p, &end);
			if (end == p)
				goto malformed;
			if (errno == ERANGE && isinf(value))
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("\"%s\" is out of range for type vector", pnstrdup(p, end - p))));
			check_element(value);
			values[dim++] = value;
			p = end;
			while (is_space(*p))
				p++;
			if (*p == ',')
			{
				p++;
				continue;
			}
			if (*p == ']')
			{
				p++;
				break;
			}
			goto malformed;
		}
	}
	while (is_space(*p))
		p++;
	if (*p != '\0')
		goto malformed;
	check_dim_count(dim);
	check_dims(dim, typmod);
	result = new_vector(dim);
	memcpy(result->x, values, sizeof(float) * dim);
	PG_RETURN_POINTER(result);

malformed:
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type vector: \"%s\"", literal)));
	PG_RETURN_NULL();			/* not reached */
}

PG_FUNCTION_INFO_V1(khepri_vector_out);
Datum
khepri_vector_out(PG_FUNCTION_ARGS)
{
	Vector	   *v = PG_GETARG_VECTOR_P(0);
	StringInfoData out;
	char		buf[FLOAT_SHORTEST_DECIMAL_LEN];
	int			i;

	initStringInfo(&out);
	appendStringInfoChar(&out, '[');
	for (i = 0; i < v->dim; i++)
	{
		if (i > 0)
			appendStringInfoChar(&out, ',');
		float_to_shortest_decimal_buf(v->x[i], buf);
		appendStringInfoString(&out, buf);
	}
	appendStringInfoChar(&out, ']');
	PG_RETURN_CSTRING(out.data);
}

PG_FUNCTION_INFO_V1(khepri_vector_typmod_in);
Datum
khepri_vector_typmod_in(PG_FUNCTION_ARGS)
{
	ArrayType  *ta = PG_GETARG_ARRAYTYPE_P(0);
	int32	   *tl;
	int			n;

	tl = ArrayGetIntegerTypmods(ta, &n);
	if (n != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid type modifier")));
	if (*tl < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("dimensions for type vector must be at least 1")));
	if (*tl > VECTOR_MAX_DIM)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("dimensions for type vector cannot exceed %d", VECTOR_MAX_DIM)));
	PG_RETURN_INT32(*tl);
}

PG_FUNCTION_INFO_V1(khepri_vector_recv);
Datum
khepri_vector_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int32		typmod = PG_GETARG_INT32(2);
	int16		dim = pq_getmsgint(buf, sizeof(int16));
	int16		unused = pq_getmsgint(buf, sizeof(int16));
	Vector	   *result;
	int			i;

	check_dim_count(dim);
	check_dims(dim, typmod);
	if (unused != 0)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("expected unused to be 0, not %d", unused)));
	result = new_vector(dim);
	for (i = 0; i < dim; i++)
	{
		result->x[i] = pq_getmsgfloat4(buf);
		check_element(result->x[i]);
	}
	PG_RETURN_POINTER(result);
}

PG_FUNCTION_INFO_V1(khepri_vector_send);
Datum
khepri_vector_send(PG_FUNCTION_ARGS)
{
	Vector	   *v = PG_GETARG_VECTOR_P(0);
	StringInfoData buf;
	int			i;

	pq_begintypsend(&buf);
	pq_sendint(&buf, v->dim, sizeof(int16));
	pq_sendint(&buf, v->unused, sizeof(int16));
	for (i = 0; i < v->dim; i++)
		pq_sendfloat4(&buf, v->x[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* vector(vector, typmod, explicit): the length coercion of `::vector(n)` */
PG_FUNCTION_INFO_V1(khepri_vector_typmod);
Datum
khepri_vector_typmod(PG_FUNCTION_ARGS)
{
	Vector	   *v = PG_GETARG_VECTOR_P(0);

	check_dims(v->dim, PG_GETARG_INT32(1));
	PG_RETURN_POINTER(v);
}

/* array_to_vector(int4[] | float4[] | float8[] | numeric[], typmod, explicit) */
PG_FUNCTION_INFO_V1(khepri_array_to_vector);
Datum
khepri_array_to_vector(PG_FUNCTION_ARGS)
{
	ArrayType  *array = PG_GETARG_ARRAYTYPE_P(0);
	int32		typmod = PG_GETARG_INT32(1);
	Oid			element = ARR_ELEMTYPE(array);
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;
	Vector	   *result;

	if (ARR_NDIM(array) > 1)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("array must be 1-D")));
	if (ARR_HASNULL(array) && array_contains_nulls(array))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("array must not contain nulls")));
	get_typlenbyvalalign(element, &typlen, &typbyval, &typalign);
	deconstruct_array(array, element, typlen, typbyval, typalign, &elems, &nulls, &n);
	check_dim_count(n);
	check_dims(n, typmod);
	result = new_vector(n);
	for (i = 0; i < n; i++)
	{
		switch (element)
		{
			case INT4OID:
				result->x[i] = (float) DatumGetInt32(elems[i]);
				break;
			case FLOAT8OID:
				result->x[i] = (float) DatumGetFloat8(elems[i]);
				break;
			case FLOAT4OID:
				result->x[i] = DatumGetFloat4(elems[i]);
				break;
			case NUMERICOID:
				result->x[i] = DatumGetFloat4(DirectFunctionCall1(numeric_float4, elems[i]));
				break;
			default:
				ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("unsupported array type")));
		}
		check_element(result->x[i]);
	}
	PG_RETURN_POINTER(result);
}

PG_FUNCTION_INFO_V1(khepri_vector_to_float4);
Datum
khepri_vector_to_float4(PG_FUNCTION_ARGS)
{
	Vector	   *v = PG_GETARG_VECTOR_P(0);
	Datum	   *d = palloc(sizeof(Datum) * v->dim);
	int			i;

	for (i = 0; i < v->dim; i++)
		d[i] = Float4GetDatum(v->x[i]);
	PG_RETURN_POINTER(construct_array(d, v->dim, FLOAT4OID, sizeof(float4), true, TYPALIGN_INT));
}

/* -- distances ------------------------------------------------------------------------------------ */

static float
l2_squared(const Vector *a, const Vector *b)
{
	float		sum = 0.0;
	int			i;

	for (i = 0; i < a->dim; i++)
	{
		float		diff = a->x[i] - b->x[i];

		sum += diff * diff;
	}
	return sum;
}

static float
dot(const Vector *a, const Vector *b)
{
	float		sum = 0.0;
	int			i;

	for (i = 0; i < a->dim; i++)
		sum += a->x[i] * b->x[i];
	return sum;
}

PG_FUNCTION_INFO_V1(khepri_l2_distance);
Datum
khepri_l2_distance(PG_FUNCTION_ARGS)
{
	Vector	   *a = PG_GETARG_VECTOR_P(0);
	Vector	   *b = PG_GETARG_VECTOR_P(1);

	check_same_dims(a, b);
	PG_RETURN_FLOAT8(sqrt((double) l2_squared(a, b)));
}

PG_FUNCTION_INFO_V1(khepri_l2_squared_distance);
Datum
khepri_l2_squared_distance(PG_FUNCTION_ARGS)
{
	Vector	   *a = PG_GETARG_VECTOR_P(0);
	Vector	   *b = PG_GETARG_VECTOR_P(1);

	check_same_dims(a, b);
	PG_RETURN_FLOAT8((double) l2_squared(a, b));
}

PG_FUNCTION_INFO_V1(khepri_inner_product);
Datum
khepri_inner_product(PG_FUNCTION_ARGS)
{
	Vector	   *a = PG_GETARG_VECTOR_P(0);
	Vector	   *b = PG_GETARG_VECTOR_P(1);

	check_same_dims(a, b);
	PG_RETURN_FLOAT8((double) dot(a, b));
}

PG_FUNCTION_INFO_V1(khepri_negative_inner_product);
Datum
khepri_negative_inner_product(PG_FUNCTION_ARGS)
{
	Vector	   *a = PG_GETARG_VECTOR_P(0);
	Vector	   *b = PG_GETARG_VECTOR_P(1);

	check_same_dims(a, b);
	PG_RETURN_FLOAT8((double) -dot(a, b));
}

PG_FUNCTION_INFO_V1(khepri_cosine_distance);
Datum
khepri_cosine_distance(PG_FUNCTION_ARGS)
{
	Vector	   *a = PG_GETARG_VECTOR_P(0);
	Vector	   *b = PG_GETARG_VECTOR_P(1);
	float		product = 0.0;
	float		norm_a = 0.0;
	float		norm_b = 0.0;
	double		similarity;
	int			i;

	check_same_dims(a, b);
	for (i = 0; i < a->dim; i++)
	{
		product += a->x[i] * b->x[i];
		norm_a += a->x[i] * a->x[i];
		norm_b += b->x[i] * b->x[i];
	}
	similarity = (double) product / sqrt((double) norm_a * (double) norm_b);
	if (isnan(similarity))
		PG_RETURN_FLOAT8(get_float8_nan());	/* a zero vector has no direction */
	if (similarity > 1)
		similarity = 1.0;
	else if (similarity < -1)
		similarity = -1.0;
	PG_RETURN_FLOAT8(1.0 - similarity);
}

PG_FUNCTION_INFO_V1(khepri_l1_distance);
Datum
khepri_l1_distance(PG_FUNCTION_ARGS)
{
	Vector	   *a = PG_GETARG_VECTOR_P(0);
	Vector	   *b = PG_GETARG_VECTOR_P(1);
	float		sum = 0.0;
	int			i;

	check_same_dims(a, b);
	for (i = 0; i < a->dim; i++)
		sum += fabsf(a->x[i] - b->x[i]);
	PG_RETURN_FLOAT8((double) sum);
}

PG_FUNCTION_INFO_V1(khepri_vector_dims);
Datum
khepri_vector_dims(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(PG_GETARG_VECTOR_P(0)->dim);
}

PG_FUNCTION_INFO_V1(khepri_vector_norm);
Datum
khepri_vector_norm(PG_FUNCTION_ARGS)
{
	Vector	   *v = PG_GETARG_VECTOR_P(0);
	double		sum = 0.0;
	int			i;

	for (i = 0; i < v->dim; i++)
		sum += (double) v->x[i] * (double) v->x[i];
	PG_RETURN_FLOAT8(sqrt(sum));
}

PG_FUNCTION_INFO_V1(khepri_l2_normalize);
Datum
khepri_l2_normalize(PG_FUNCTION_ARGS)
{
	Vector	   *v = PG_GETARG_VECTOR_P(0);
	Vector	   *result = new_vector(v->dim);
	double		norm = 0.0;
	int			i;

	for (i = 0; i < v->dim; i++)
		norm += (double) v->x[i] * (double) v->x[i];
	norm = sqrt(norm);
	if (norm > 0)
		for (i = 0; i < v->dim; i++)
			result->x[i] = (float) (v->x[i] / norm);
	PG_RETURN_POINTER(result);
}

/* -- arithmetic ------------------------------------------------------------------------------------ */

static Datum
elementwise(FunctionCallInfo fcinfo, char op)
{
	Vector	   *a = PG_GETARG_VECTOR_P(0);
	Vector	   *b = PG_GETARG_VECTOR_P(1);
	Vector	   *result;
	int			i;

	check_same_dims(a, b);
	result = new_vector(a->dim);
	for (i = 0; i < a->dim; i++)
	{
		result->x[i] = op == '+' ? a->x[i] + b->x[i] : op == '-' ? a->x[i] - b->x[i] : a->x[i] * b->x[i];
		if (isinf(result->x[i]))
			float_overflow_error();
		if (op == '*' && result->x[i] == 0 && !(a->x[i] == 0 || b->x[i] == 0))
			float_underflow_error();
	}
	PG_RETURN_POINTER(result);
}

PG_FUNCTION_INFO_V1(khepri_vector_add);
Datum
khepri_vector_add(PG_FUNCTION_ARGS)
{
	return elementwise(fcinfo, '+');
}

PG_FUNCTION_INFO_V1(khepri_vector_sub);
Datum
khepri_vector_sub(PG_FUNCTION_ARGS)
{
	return elementwise(fcinfo, '-');
}

PG_FUNCTION_INFO_V1(khepri_vector_mul);
Datum
khepri_vector_mul(PG_FUNCTION_ARGS)
{
	return elementwise(fcinfo, '*');
}

PG_FUNCTION_INFO_V1(khepri_vector_concat);
Datum
khepri_vector_concat(PG_FUNCTION_ARGS)
{
	Vector	   *a = PG_GETARG_VECTOR_P(0);
	Vector	   *b = PG_GETARG_VECTOR_P(1);
	Vector	   *result;

	check_dim_count(a->dim + b->dim);
	result = new_vector(a->dim + b->dim);
	memcpy(result->x, a->x, sizeof(float) * a->dim);
	memcpy(result->x + a->dim, b->x, sizeof(float) * b->dim);
	PG_RETURN_POINTER(result);
}

/* subvector(v, start, count): elements start .. start + count - 1 (1-based), clipped to v */
PG_FUNCTION_INFO_V1(khepri_subvector);
Datum
khepri_subvector(PG_FUNCTION_ARGS)
{
	Vector	   *v = PG_GETARG_VECTOR_P(0);
	int64		start = PG_GETARG_INT32(1);
	int64		end = start + (int64) PG_GETARG_INT32(2);
	Vector	   *result;

	if (PG_GETARG_INT32(2) < 1)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("vector must have at least 1 dimension")));
	if (start < 1)
		start = 1;
	if (end > (int64) v->dim + 1)
		end = (int64) v->dim + 1;
	check_dim_count((int) (end - start));
	result = new_vector((int) (end - start));
	memcpy(result->x, v->x + (start - 1), sizeof(float) * result->dim);
	PG_RETURN_POINTER(result);
}

/* -- comparison (btree vector_ops): element by element, then the shorter first -------------------- */

static int
compare(const Vector *a, const Vector *b)
{
	int			i;

	for (i = 0; i < Min(a->dim, b->dim); i++)
	{
		if (a->x[i] < b->x[i])
			return -1;
		if (a->x[i] > b->x[i])
			return 1;
	}
	return a->dim < b->dim ? -1 : a->dim > b->dim ? 1 : 0;
}

#define COMPARISON(name, test) \
PG_FUNCTION_INFO_V1(name); \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	int			c = compare(PG_GETARG_VECTOR_P(0), PG_GETARG_VECTOR_P(1)); \
	PG_RETURN_BOOL(test); \
}

COMPARISON(khepri_vector_lt, c < 0)
COMPARISON(khepri_vector_le, c <= 0)
COMPARISON(khepri_vector_eq, c == 0)
COMPARISON(khepri_vector_ne, c != 0)
COMPARISON(khepri_vector_ge, c >= 0)
COMPARISON(khepri_vector_gt, c > 0)

PG_FUNCTION_INFO_V1(khepri_vector_cmp);
Datum
khepri_vector_cmp(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(compare(PG_GETARG_VECTOR_P(0), PG_GETARG_VECTOR_P(1)));
}

/* -- the index methods: hnsw and ivfflat keep no data; their storage parameters are pgvector's ----- */

typedef struct HnswOptions
{
	int32		vl_len_;
	int			m;
	int			ef_construction;
} HnswOptions;

typedef struct IvfflatOptions
{
	int32		vl_len_;
	int			lists;
} IvfflatOptions;

static relopt_kind hnsw_relopt_kind;
static relopt_kind ivfflat_relopt_kind;

void
_PG_init(void)
{
	hnsw_relopt_kind = add_reloption_kind();
	add_int_reloption(hnsw_relopt_kind, "m", "Max number of connections", 16, 2, 100, AccessExclusiveLock);
	add_int_reloption(hnsw_relopt_kind, "ef_construction", "Size of the dynamic candidate list for construction",
					  64, 4, 1000, AccessExclusiveLock);
	ivfflat_relopt_kind = add_reloption_kind();
	add_int_reloption(ivfflat_relopt_kind, "lists", "Number of inverted lists", 100, 1, 32768, AccessExclusiveLock);
}

static bytea *
hnsw_options(Datum reloptions, bool validate)
{
	static const relopt_parse_elt table[] = {
		{"m", RELOPT_TYPE_INT, offsetof(HnswOptions, m)},
		{"ef_construction", RELOPT_TYPE_INT, offsetof(HnswOptions, ef_construction)},
	};

	return (bytea *) build_reloptions(reloptions, validate, hnsw_relopt_kind, sizeof(HnswOptions), table,
									  lengthof(table));
}

static bytea *
ivfflat_options(Datum reloptions, bool validate)
{
	static const relopt_parse_elt table[] = {
		{"lists", RELOPT_TYPE_INT, offsetof(IvfflatOptions, lists)},
	};

	return (bytea *) build_reloptions(reloptions, validate, ivfflat_relopt_kind, sizeof(IvfflatOptions), table,
									  lengthof(table));
}

PG_FUNCTION_INFO_V1(khepri_hnsw_handler);
Datum
khepri_hnsw_handler(PG_FUNCTION_ARGS)
{
	IndexAmRoutine *routine = khepri_index_am_routine(hnsw_options, true);

	routine->amcanmulticol = false;
	PG_RETURN_POINTER(routine);
}

PG_FUNCTION_INFO_V1(khepri_ivfflat_handler);
Datum
khepri_ivfflat_handler(PG_FUNCTION_ARGS)
{
	IndexAmRoutine *routine = khepri_index_am_routine(ivfflat_options, true);

	routine->amcanmulticol = false;
	PG_RETURN_POINTER(routine);
}
