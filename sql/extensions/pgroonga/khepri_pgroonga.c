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
 * The index side (no data, no scans) is khepri_index_am.h, shared with the vector stand-in. khepri-db
 * builds this file with the C compiler and the server headers of the PostgreSQL it starts
 * (`pg_config --includedir-server`); it compiles against PostgreSQL 15 to 18.
 */
#include "khepri_index_am.h"

#include "fmgr.h"

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

Datum
khepri_pgroonga_handler(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(khepri_index_am_routine(khepri_pgroonga_options, false));
}
