// SPDX-License-Identifier: MIT
/* The files shared by config.json and state.json: read with a size
 * limit, written whole, nesting checked before yajl builds its (recursive) tree, and
 * annotations copied with bounds. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "oci.h"

int oci_read_file(const char *path, size_t max, char **text, size_t *len,
		  chaos_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	size_t got = 0;
	char *buf;

	if (fd < 0)
		return oci_fail(err, errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return oci_fail(err, EINVAL, "%s: not a regular file", path);
	}
	if ((unsigned long long)st.st_size > max) {
		close(fd);
		return oci_fail(err, EFBIG, "%s: larger than %zu bytes", path, max);
	}
	buf = malloc(max + 1);
	if (!buf) {
		close(fd);
		return oci_fail(err, ENOMEM, "%s: out of memory", path);
	}
	/* The size may change under us: read up to max + 1 and check. */
	for (;;) {
		ssize_t n = read(fd, buf + got, max + 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			free(buf);
			close(fd);
			return oci_fail(err, e, "%s: %s", path, strerror(e));
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (got > max) {
			free(buf);
			close(fd);
			return oci_fail(err, EFBIG, "%s: larger than %zu bytes",
					path, max);
		}
	}
	close(fd);
	buf[got] = '\0';
	*text = buf;
	*len = got;
	return 0;
}

int oci_write_file(const char *path, const void *buf, size_t len, int mode,
		   chaos_err *err)
{
	char tmp[PATH_MAX];
	int fd, e;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return oci_fail(err, ENAMETOOLONG, "%s: path too long", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		  (mode_t)mode);
	if (fd < 0)
		return oci_fail(err, errno, "%s: %s", tmp, strerror(errno));
	if (write(fd, buf, len) != (ssize_t)len || fsync(fd)) {
		e = errno ? errno : EIO;
		close(fd);
		unlink(tmp);
		return oci_fail(err, e, "%s: %s", tmp, strerror(e));
	}
	close(fd);
	if (rename(tmp, path)) {
		e = errno;
		unlink(tmp);
		return oci_fail(err, e, "%s: %s", path, strerror(e));
	}
	return 0;
}

yajl_val oci_json_parse(const char *text, size_t len, const char *what,
			chaos_err *err)
{
	char msg[256];
	yajl_val v;

	if (strlen(text) != len) {
		oci_fail(err, EINVAL, "%s: a NUL byte in the JSON", what);
		return NULL;
	}
	if (chaos_json_depth(text, len) > OCI_JSON_DEPTH_MAX) {
		oci_fail(err, EINVAL, "%s: nested deeper than %d levels", what,
			 OCI_JSON_DEPTH_MAX);
		return NULL;
	}
	msg[0] = '\0';
	v = yajl_tree_parse(text, msg, sizeof(msg));
	if (!v) {
		/* yajl's message spans lines: the first says what. */
		msg[strcspn(msg, "\n")] = '\0';
		oci_fail(err, EINVAL, "%s: not valid JSON: %s", what,
			 msg[0] ? msg : "parse error");
		return NULL;
	}
	if (!YAJL_IS_OBJECT(v)) {
		yajl_tree_free(v);
		oci_fail(err, EINVAL, "%s: not a JSON object", what);
		return NULL;
	}
	return v;
}

const char *oci_json_string(yajl_val v)
{
	return v && v->type == yajl_t_string ? v->u.string : NULL;
}

void oci_annotations_free(struct oci_annotation *a, size_t n)
{
	for (size_t i = 0; i < n && a; i++) {
		free(a[i].key);
		free(a[i].value);
	}
	free(a);
}

static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

int oci_annotations_copy(yajl_val v, struct oci_annotation **out, size_t *n,
			 const char *field, chaos_err *err)
{
	struct oci_annotation *a;
	size_t len;

	*out = NULL;
	*n = 0;
	if (!v)
		return 0;
	if (!YAJL_IS_OBJECT(v))
		return oci_fail(err, EINVAL, "%s: not an object", field);
	len = v->u.object.len;
	if (len > OCI_ANNOTATIONS_MAX)
		return oci_fail(err, EINVAL, "%s: more than %d entries", field,
				OCI_ANNOTATIONS_MAX);
	if (!len)
		return 0;
	a = calloc(len, sizeof(*a));
	if (!a)
		return oci_fail(err, ENOMEM, "%s: out of memory", field);
	for (size_t i = 0; i < len; i++) {
		const char *k = v->u.object.keys[i];
		yajl_val val = v->u.object.values[i];
		const char *sv = oci_json_string(val);

		if (!*k || strlen(k) > OCI_ANNOTATION_KEY_MAX || !printable(k)) {
			oci_annotations_free(a, len);
			return oci_fail(err, EINVAL,
					"%s: a key is empty, longer than %d bytes or has control characters",
					field, OCI_ANNOTATION_KEY_MAX);
		}
		if (!sv || strlen(sv) > OCI_ANNOTATION_VALUE_MAX) {
			oci_annotations_free(a, len);
			return oci_fail(err, EINVAL,
					"%s.%s: not a string of at most %d bytes",
					field, k, OCI_ANNOTATION_VALUE_MAX);
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(a[j].key, k)) {
				oci_annotations_free(a, len);
				return oci_fail(err, EINVAL, "%s.%s: given twice",
						field, k);
			}
		a[i].key = strdup(k);
		a[i].value = strdup(sv);
		if (!a[i].key || !a[i].value) {
			oci_annotations_free(a, len);
			return oci_fail(err, ENOMEM, "%s: out of memory", field);
		}
	}
	*out = a;
	*n = len;
	return 0;
}

const char *oci_annotation_get(const struct oci_annotation *a, size_t n,
			       const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(a[i].key, key))
			return a[i].value;
	return NULL;
}
