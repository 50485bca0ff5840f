// SPDX-License-Identifier: MIT
/*
 * The pre-shared key of a migration, from its file (chaos/migrate.h). On
 * its own so that a program needing only the key (chaos-tls) links only
 * this and the util layer, none of the Xen side.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "migrate/migrate.h"

int chaos_migrate_key_load(const char *path, chaos_migrate_key *key,
			   chaos_err *err)
{
	struct stat st;
	ssize_t n;
	int fd;

	key->len = 0;
	fd = chaos_open_regular(path, "", &st, err);
	if (fd < 0)
		return -1;
	/* Someone else's key file could be swapped under us. */
	if (st.st_uid != geteuid()) {
		close(fd);
		return chaos_err_set(err, EACCES,
				     "%s: a pre-shared key must belong to the user running chaos (uid %u), not uid %u",
				     path, (unsigned int)geteuid(),
				     (unsigned int)st.st_uid);
	}
	if (st.st_mode & 077) {
		close(fd);
		return chaos_err_set(err, EACCES,
				     "%s: a pre-shared key must be readable by its owner only (mode %03o)",
				     path, (unsigned int)(st.st_mode & 0777));
	}
	n = chaos_read_full(fd, key->bytes, sizeof(key->bytes));
	close(fd);
	if (n < CHAOS_PSK_MIN || (size_t)st.st_size > sizeof(key->bytes))
		return chaos_err_set(err, EINVAL,
				     "%s: a pre-shared key is %d to %d bytes, this is %lld",
				     path, CHAOS_PSK_MIN, CHAOS_PSK_MAX,
				     (long long)st.st_size);
	key->len = (size_t)n;
	return 0;
}

int chaos_migrate_key_from_hex(const char *hex, chaos_migrate_key *key,
			       chaos_err *err)
{
	size_t len = strlen(hex);

	key->len = 0;
	if (len % 2 || len / 2 < CHAOS_PSK_MIN || len / 2 > CHAOS_PSK_MAX ||
	    chaos_hex_decode(hex, len / 2, key->bytes)) {
		explicit_bzero(key->bytes, sizeof(key->bytes));
		return chaos_err_set(err, EINVAL,
				     "key: expected %d to %d bytes as lower-case hex",
				     CHAOS_PSK_MIN, CHAOS_PSK_MAX);
	}
	key->len = len / 2;
	return 0;
}

void chaos_migrate_key_to_hex(const chaos_migrate_key *key, char *out)
{
	chaos_hex_encode(key->bytes, key->len, out);
}
