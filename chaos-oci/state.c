// SPDX-License-Identifier: MIT
/*
 * A container's record, (root)/(id)/state.json: written whole to a
 * temporary file and renamed over (a reader sees the old or the new,
 * never half), read back as hostile input (another root process, a full
 * disk, an older chaos-oci may have left anything there).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "oci.h"

#define S(g, str) yajl_gen_string((g), (const unsigned char *)(str), strlen(str))

void oci_state_free(struct oci_state *st)
{
	free(st->bundle);
	oci_annotations_free(st->annotations, st->nr_annotations);
	memset(st, 0, sizeof(*st));
}

static void gen_annotations(yajl_gen g, const struct oci_annotation *a,
			    size_t n)
{
	S(g, "annotations");
	yajl_gen_map_open(g);
	for (size_t i = 0; i < n; i++) {
		S(g, a[i].key);
		S(g, a[i].value);
	}
	yajl_gen_map_close(g);
}

/* The OCI state (or, with (record), our state.json with its extra keys). */
static yajl_gen gen_state(const struct oci_state *st, const char *status,
			  bool record)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	if (!g)
		return NULL;
	yajl_gen_map_open(g);
	S(g, "ociVersion");
	S(g, OCI_VERSION);
	S(g, "id");
	S(g, st->id);
	S(g, "status");
	S(g, status);
	S(g, "pid");
	yajl_gen_integer(g, st->pid);
	S(g, "bundle");
	S(g, st->bundle ? st->bundle : "");
	S(g, "created");
	S(g, st->created);
	if (record) {
		S(g, "pidStart");
		yajl_gen_integer(g, (long long)st->pid_start);
		S(g, "domid");
		yajl_gen_integer(g, st->domid);
	}
	gen_annotations(g, st->annotations, st->nr_annotations);
	yajl_gen_map_close(g);
	return g;
}

int oci_state_print(const struct oci_state *st, const char *status, FILE *out)
{
	yajl_gen g = gen_state(st, status, false);
	const unsigned char *buf;
	size_t len;
	int rc = -1;

	if (g && yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok)
		rc = fprintf(out, "%.*s\n", (int)len, buf) < 0 ? -1 : 0;
	yajl_gen_free(g);
	return rc;
}

int oci_state_write(const char *dir, const struct oci_state *st,
		    chaos_err *err)
{
	char path[PATH_MAX];
	yajl_gen g = gen_state(st, st->status, true);
	const unsigned char *buf;
	size_t len;
	int rc;

	if (!g || yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok) {
		yajl_gen_free(g);
		return oci_fail(err, ENOMEM, "state: cannot write the JSON");
	}
	snprintf(path, sizeof(path), "%s/state.json", dir);
	rc = oci_write_file(path, buf, len, 0600, err);
	yajl_gen_free(g);
	return rc;
}

static int get_string(yajl_val root, const char *key, char *out, size_t size,
		      chaos_err *err)
{
	const char *path[] = { key, NULL };
	const char *v = oci_json_string(yajl_tree_get(root, path, yajl_t_any));

	if (!v || strlen(v) >= size)
		return oci_fail(err, EINVAL, "state.json: %s: missing or longer than %zu bytes",
				key, size - 1);
	strcpy(out, v);
	return 0;
}

static int get_int(yajl_val root, const char *key, long long min,
		   long long max, long long *out, chaos_err *err)
{
	const char *path[] = { key, NULL };
	yajl_val v = yajl_tree_get(root, path, yajl_t_number);

	if (!v || !YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < min ||
	    YAJL_GET_INTEGER(v) > max)
		return oci_fail(err, EINVAL, "state.json: %s: missing or out of range",
				key);
	*out = YAJL_GET_INTEGER(v);
	return 0;
}

static int read_fields(yajl_val root, struct oci_state *st, chaos_err *err)
{
	const char *ann[] = { "annotations", NULL };
	char bundle[PATH_MAX];
	long long pid, start, domid;

	if (get_string(root, "id", st->id, sizeof(st->id), err) ||
	    get_string(root, "status", st->status, sizeof(st->status), err) ||
	    get_string(root, "created", st->created, sizeof(st->created), err) ||
	    get_string(root, "bundle", bundle, sizeof(bundle), err) ||
	    get_int(root, "pid", 1, INT_MAX, &pid, err) ||
	    get_int(root, "pidStart", 0, LLONG_MAX, &start, err) ||
	    get_int(root, "domid", 0, UINT32_MAX, &domid, err))
		return -1;
	if (strcmp(st->status, "created") && strcmp(st->status, "running"))
		return oci_fail(err, EINVAL, "state.json: status: '%s' is not created or running",
				st->status);
	if (!st->id[0] || strchr(st->id, '/'))
		return oci_fail(err, EINVAL, "state.json: id: not a valid id");
	if (!(st->bundle = strdup(bundle)))
		return oci_fail(err, ENOMEM, "out of memory");
	st->pid = (int)pid;
	st->pid_start = (unsigned long long)start;
	st->domid = (uint32_t)domid;
	return oci_annotations_copy(yajl_tree_get(root, ann, yajl_t_any),
				    &st->annotations, &st->nr_annotations,
				    "state.json: annotations", err);
}

int oci_state_read(const char *dir, struct oci_state *st, chaos_err *err)
{
	char path[PATH_MAX];
	yajl_val root;
	size_t len;
	char *text;
	int rc;

	memset(st, 0, sizeof(*st));
	snprintf(path, sizeof(path), "%s/state.json", dir);
	if (oci_read_file(path, OCI_STATE_MAX, &text, &len, err))
		return -1;
	root = oci_json_parse(text, len, "state.json", err);
	free(text);
	if (!root)
		return -1;
	rc = read_fields(root, st, err);
	yajl_tree_free(root);
	if (rc)
		oci_state_free(st);
	return rc;
}
