/*
 * khepri_pgroonga.c: the index access method of khepri-db's pgroonga stand-in.
 *
 * PGroonga (https://pgroonga.github.io/) keeps a Groonga full-text index next to each table. This
 * access method is what lets a project's `create index ... using pgroonga (...) with (tokenizer=...,
 * normalizers=...)` run on a server without Groonga: it accepts PGroonga's storage parameters (an
 * unknown one is refused, as by PGroonga), keeps no data, and offers the planner no scan, so every
 * query with PGroonga's operators runs as a plain scan through the operators' SQL functions
 * (pgroonga--3.2.5.sql). Writing, vacuuming, REINDEX and CREATE INDEX CONCURRENTLY work as for any
 * index. See docs/extensions/pgroonga.md.
 *
 * khepri-db builds this file with the C compiler and the server headers of the PostgreSQL it starts
 * (`pg_config --includedir-server`); it compiles against PostgreSQL 15 to 18.
 */
#include "postgres.h"

#include "access/amapi.h"
#include "access/reloptions.h"
#include "catalog/index.h"
#include "fmgr.h"
#include "nodes/pathnodes.h"
#include "utils/rel.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(khepri_pgroonga_handler);

void _PG_init(void);

/* PGroonga's storage parameters (its CREATE INDEX documentation): strings unless noted. */
typedef struct KhepriPgroongaOptions
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	int			tokenizer;
	int			normalizer;
	int			normalizers;
	int			token_filters;
	int			plugins;
	int			full_text_search_normalizer;
	int			regexp_search_normalizer;
	int			prefix_search_normalizer;
	int			lexicon_type;
	int			normalizers_mapping;
	int			index_flags_mapping;
	int			tokenizer_mapping;
	bool		query_allow_column;
} KhepriPgroongaOptions;

static relopt_kind khepri_pgroonga_relopt_kind;

static const char *const string_options[] = {
	"tokenizer",
	"normalizer",
	"normalizers",
	"token_filters",
	"plugins",
	"full_text_search_normalizer",
	"regexp_search_normalizer",
	"prefix_search_normalizer",
	"lexicon_type",
	"normalizers_mapping",
	"index_flags_mapping",
	"tokenizer_mapping",
};

void
_PG_init(void)
{
	int			i;

	khepri_pgroonga_relopt_kind = add_reloption_kind();
	for (i = 0; i < (int) lengthof(string_options); i++)
		add_string_reloption(khepri_pgroonga_relopt_kind, string_options[i],
							 "PGroonga storage parameter (recorded by khepri-db's stand-in)",
							 NULL, NULL, AccessExclusiveLock);
	add_bool_reloption(khepri_pgroonga_relopt_kind, "query_allow_column",
					   "PGroonga storage parameter (recorded by khepri-db's stand-in)",
					   false, AccessExclusiveLock);
}

static bytea *
khepri_pgroonga_options(Datum reloptions, bool validate)
{
	static const relopt_parse_elt table[] = {
		{"tokenizer", RELOPT_TYPE_STRING, offsetof(KhepriPgroongaOptions, tokenizer)},
		{"normalizer", RELOPT_TYPE_STRING, offsetof(KhepriPgroongaOptions, normalizer)},
		{"normalizers", RELOPT_TYPE_STRING, offsetof(KhepriPgroongaOptions, normalizers)},
		{"token_filters", RELOPT_TYPE_STRING, offsetof(KhepriPgroongaOptions, token_filters)},
		{"plugins", RELOPT_TYPE_STRING, offsetof(KhepriPgroongaOptions, plugins)},
		{"full_text_search_normalizer", RELOPT_TYPE_STRING,
		offsetof(KhepriPgroongaOptions, full_text_search_normalizer)},
		{"regexp_search_normalizer", RELOPT_TYPE_STRING,
		offsetof(KhepriPgroongaOptions, regexp_search_normalizer)},
		{"prefix_search_normalizer", RELOPT_TYPE_STRING,
		offsetof(KhepriPgroongaOptions, prefix_search_normalizer)},
		{"lexicon_type", RELOPT_TYPE_STRING, offsetof(KhepriPgroongaOptions, lexicon_type)},
		{"normalizers_mapping", RELOPT_TYPE_STRING, offsetof(KhepriPgroongaOptions, normalizers_mapping)},
		{"index_flags_mapping", RELOPT_TYPE_STRING, offsetof(KhepriPgroongaOptions, index_flags_mapping)},
		{"tokenizer_mapping", RELOPT_TYPE_STRING, offsetof(KhepriPgroongaOptions, tokenizer_mapping)},
		{"query_allow_column", RELOPT_TYPE_BOOL, offsetof(KhepriPgroongaOptions, query_allow_column)},
	};

	return (bytea *) build_reloptions(reloptions, validate, khepri_pgroonga_relopt_kind,
									  sizeof(KhepriPgroongaOptions), table, lengthof(table));
}

/* The index keeps no data: building it only reports how many rows it covers (none are stored). */
static IndexBuildResult *
khepri_pgroonga_build(Relation heap, Relation index, IndexInfo *indexInfo)
{
	IndexBuildResult *result = palloc0(sizeof(IndexBuildResult));

	result->heap_tuples = 0;
	result->index_tuples = 0;
	return result;
}

static void
khepri_pgroonga_buildempty(Relation index)
{
}

static bool
khepri_pgroonga_insert(Relation index, Datum *values, bool *isnull, ItemPointer heap_tid,
					   Relation heap, IndexUniqueCheck checkUnique, bool indexUnchanged,
					   IndexInfo *indexInfo)
{
	return false;
}

static IndexBulkDeleteResult *
khepri_pgroonga_bulkdelete(IndexVacuumInfo *info, IndexBulkDeleteResult *stats,
						   IndexBulkDeleteCallback callback, void *callback_state)
{
	if (stats == NULL)
		stats = palloc0(sizeof(IndexBulkDeleteResult));
	return stats;
}

static IndexBulkDeleteResult *
khepri_pgroonga_vacuumcleanup(IndexVacuumInfo *info, IndexBulkDeleteResult *stats)
{
	if (stats == NULL)
		stats = palloc0(sizeof(IndexBulkDeleteResult));
	return stats;
}

/* Never asked for a real plan (no scan callbacks below); priced out of any plan all the same. */
static void
khepri_pgroonga_costestimate(PlannerInfo *root, IndexPath *path, double loop_count,
							 Cost *indexStartupCost, Cost *indexTotalCost,
							 Selectivity *indexSelectivity, double *indexCorrelation,
							 double *indexPages)
{
	*indexStartupCost = 1.0e10;
	*indexTotalCost = 1.0e10;
	*indexSelectivity = 1.0;
	*indexCorrelation = 0.0;
	*indexPages = 0.0;
}

static bool
khepri_pgroonga_validate(Oid opclassoid)
{
	return true;
}

static IndexScanDesc
khepri_pgroonga_beginscan(Relation index, int nkeys, int norderbys)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("index \"%s\" cannot be scanned: khepri-db's pgroonga stand-in keeps no index data",
					RelationGetRelationName(index)),
			 errhint("Queries with PGroonga's operators run as plain scans here; the real PGroonga runs "
					 "on Supabase, `supabase start`, or the pytest plugin's --khepri-engine docker.")));
	return NULL;				/* not reached */
}

static void
khepri_pgroonga_rescan(IndexScanDesc scan, ScanKey keys, int nkeys, ScanKey orderbys, int norderbys)
{
}

static void
khepri_pgroonga_endscan(IndexScanDesc scan)
{
}

Datum
khepri_pgroonga_handler(PG_FUNCTION_ARGS)
{
	IndexAmRoutine *routine = makeNode(IndexAmRoutine);

	routine->amstrategies = 0;	/* any strategy number: the operator classes number their operators */
	routine->amsupport = 0;
	routine->amoptsprocnum = 0;
	routine->amcanorder = false;
	routine->amcanorderbyop = false;
	routine->amcanbackward = false;
	routine->amcanunique = false;
	routine->amcanmulticol = true;
	routine->amoptionalkey = true;
	routine->amsearcharray = false;
	routine->amsearchnulls = false;
	routine->amstorage = false;
	routine->amclusterable = false;
	routine->ampredlocks = false;
	routine->amcanparallel = false;
	routine->amcaninclude = false;
	routine->amusemaintenanceworkmem = false;
	routine->amparallelvacuumoptions = 0;
	routine->amkeytype = InvalidOid;

	routine->ambuild = khepri_pgroonga_build;
	routine->ambuildempty = khepri_pgroonga_buildempty;
	routine->aminsert = khepri_pgroonga_insert;
	routine->ambulkdelete = khepri_pgroonga_bulkdelete;
	routine->amvacuumcleanup = khepri_pgroonga_vacuumcleanup;
	routine->amcanreturn = NULL;
	routine->amcostestimate = khepri_pgroonga_costestimate;
	routine->amoptions = khepri_pgroonga_options;
	routine->amproperty = NULL;
	routine->ambuildphasename = NULL;
	routine->amvalidate = khepri_pgroonga_validate;
	routine->amadjustmembers = NULL;
	routine->ambeginscan = khepri_pgroonga_beginscan;
	routine->amrescan = khepri_pgroonga_rescan;
	routine->amgettuple = NULL; /* no scans: the planner never picks this index */
	routine->amgetbitmap = NULL;
	routine->amendscan = khepri_pgroonga_endscan;
	routine->ammarkpos = NULL;
	routine->amrestrpos = NULL;
	routine->amestimateparallelscan = NULL;
	routine->aminitparallelscan = NULL;
	routine->amparallelrescan = NULL;

	PG_RETURN_POINTER(routine);
}
