/*
 * khepri_index_am.h: an index access method that keeps no data, for khepri-db's stand-ins of
 * extensions whose indexes are their own C code (pgroonga; pgvector's hnsw and ivfflat).
 *
 * A migration's `create index ... using <method> (...) with (...)` runs: the storage parameters
 * are parsed by the including file's amoptions callback (unknown ones refused, out-of-range ones
 * too), writes, VACUUM, REINDEX and CREATE INDEX CONCURRENTLY work, and the index relation stays
 * empty. The method offers the planner no scan (no amgettuple or amgetbitmap), so queries run as
 * plain scans through the operators' functions and their results never depend on the index.
 *
 * Include it once per library, then build the routine with khepri_index_am_routine(). Compiles
 * against PostgreSQL 15 to 18.
 */
#ifndef KHEPRI_INDEX_AM_H
#define KHEPRI_INDEX_AM_H

#include "postgres.h"

#include "access/amapi.h"
#include "access/reloptions.h"
#include "catalog/index.h"
#include "nodes/pathnodes.h"
#include "utils/rel.h"

static IndexBuildResult *
khepri_am_build(Relation heap, Relation index, IndexInfo *indexInfo)
{
	return palloc0(sizeof(IndexBuildResult));	/* no rows stored */
}

static void
khepri_am_buildempty(Relation index)
{
}

static bool
khepri_am_insert(Relation index, Datum *values, bool *isnull, ItemPointer heap_tid, Relation heap,
				 IndexUniqueCheck checkUnique, bool indexUnchanged, IndexInfo *indexInfo)
{
	return false;
}

static IndexBulkDeleteResult *
khepri_am_bulkdelete(IndexVacuumInfo *info, IndexBulkDeleteResult *stats,
					 IndexBulkDeleteCallback callback, void *callback_state)
{
	return stats != NULL ? stats : palloc0(sizeof(IndexBulkDeleteResult));
}

static IndexBulkDeleteResult *
khepri_am_vacuumcleanup(IndexVacuumInfo *info, IndexBulkDeleteResult *stats)
{
	return stats != NULL ? stats : palloc0(sizeof(IndexBulkDeleteResult));
}

/* Never asked for a real plan (no scan callbacks); priced out of any plan all the same. */
static void
khepri_am_costestimate(PlannerInfo *root, IndexPath *path, double loop_count, Cost *indexStartupCost,
					   Cost *indexTotalCost, Selectivity *indexSelectivity, double *indexCorrelation,
					   double *indexPages)
{
	*indexStartupCost = 1.0e10;
	*indexTotalCost = 1.0e10;
	*indexSelectivity = 1.0;
	*indexCorrelation = 0.0;
	*indexPages = 0.0;
}

static bool
khepri_am_validate(Oid opclassoid)
{
	return true;
}

static IndexScanDesc
khepri_am_beginscan(Relation index, int nkeys, int norderbys)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("index \"%s\" cannot be scanned: khepri-db's stand-in keeps no index data",
					RelationGetRelationName(index)),
			 errhint("Queries run as plain scans here; the real extension runs on Supabase, `supabase "
					 "start`, or the pytest plugin's --khepri-engine docker.")));
	return NULL;				/* not reached */
}

static void
khepri_am_rescan(IndexScanDesc scan, ScanKey keys, int nkeys, ScanKey orderbys, int norderbys)
{
}

static void
khepri_am_endscan(IndexScanDesc scan)
{
}

/*
 * A routine for an index method that keeps no data. amoptions parses the storage parameters;
 * can_order_by_op lets operator classes declare ordering operators (`for order by`), as pgvector's.
 */
static IndexAmRoutine *
khepri_index_am_routine(amoptions_function amoptions, bool can_order_by_op)
{
	IndexAmRoutine *routine = makeNode(IndexAmRoutine);

	routine->amstrategies = 0;	/* any strategy number: the operator classes number their operators */
	routine->amsupport = 0;
	routine->amoptsprocnum = 0;
	routine->amcanorder = false;
	routine->amcanorderbyop = can_order_by_op;
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

	routine->ambuild = khepri_am_build;
	routine->ambuildempty = khepri_am_buildempty;
	routine->aminsert = khepri_am_insert;
	routine->ambulkdelete = khepri_am_bulkdelete;
	routine->amvacuumcleanup = khepri_am_vacuumcleanup;
	routine->amcanreturn = NULL;
	routine->amcostestimate = khepri_am_costestimate;
	routine->amoptions = amoptions;
	routine->amproperty = NULL;
	routine->ambuildphasename = NULL;
	routine->amvalidate = khepri_am_validate;
	routine->amadjustmembers = NULL;
	routine->ambeginscan = khepri_am_beginscan;
	routine->amrescan = khepri_am_rescan;
	routine->amgettuple = NULL; /* no scans: the planner never picks these indexes */
	routine->amgetbitmap = NULL;
	routine->amendscan = khepri_am_endscan;
	routine->ammarkpos = NULL;
	routine->amrestrpos = NULL;
	routine->amestimateparallelscan = NULL;
	routine->aminitparallelscan = NULL;
	routine->amparallelrescan = NULL;
	return routine;
}

#endif							/* KHEPRI_INDEX_AM_H */
