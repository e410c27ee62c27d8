/*
 * khepri_crypt.c: the fast path of khepri-db's pgcrypto stand-in for bcrypt ($2a$) hashes.
 *
 * The stand-in's bcrypt is written in PL/pgSQL (pgcrypto--1.3.sql, _pgcrypto_crypt_bf) and costs
 * about a quarter of a second per cost-6 hash. When khepri-db can build this file (a C compiler, the
 * server headers and libcrypt's <crypt.h>), the stand-in hashes through the operating system's
 * crypt_r() instead: libxcrypt, like pgcrypto's crypt-blowfish.c, is Openwall's crypt_blowfish, so
 * the $2a$ hashes are the same bytes. Any failure (an invalid setting, an unsupported prefix)
 * returns NULL, and the stand-in then runs its PL/pgSQL implementation, which raises pgcrypto's own
 * errors. See docs/extensions/pgcrypto.md.
 */
#include "postgres.h"

#include <crypt.h>
#include <string.h>

#include "fmgr.h"
#include "utils/builtins.h"
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(khepri_crypt_bcrypt);

/* khepri_crypt_bcrypt(password bytea, setting text) returns text: crypt(3) of a $2a$ setting, or NULL */
Datum
khepri_crypt_bcrypt(PG_FUNCTION_ARGS)
{
	bytea	   *password = PG_GETARG_BYTEA_PP(0);
	text	   *setting = PG_GETARG_TEXT_PP(1);
	char	   *phrase;
	char	   *salt;
	struct crypt_data *data;
	char	   *hashed;
	text	   *result;

	salt = text_to_cstring(setting);
	if (strncmp(salt, "$2a$", 4) != 0)
		PG_RETURN_NULL();
	phrase = palloc(VARSIZE_ANY_EXHDR(password) + 1);
	memcpy(phrase, VARDATA_ANY(password), VARSIZE_ANY_EXHDR(password));
	phrase[VARSIZE_ANY_EXHDR(password)] = '\0';
	data = palloc0(sizeof(struct crypt_data));
	hashed = crypt_r(phrase, salt, data);
	if (hashed == NULL || hashed[0] == '*' || strncmp(hashed, "$2a$", 4) != 0)
		PG_RETURN_NULL();
	result = cstring_to_text(hashed);
	explicit_bzero(phrase, VARSIZE_ANY_EXHDR(password));
	explicit_bzero(data, sizeof(struct crypt_data));
	PG_RETURN_TEXT_P(result);
}
