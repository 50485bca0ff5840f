// SPDX-License-Identifier: MIT
/*
 * A bundle's config.json (OCI runtime spec) as far as a unikernel needs
 * it: root.path, process.args, annotations (org.chaos.*) and
 * linux.resources.memory.limit. Everything else a container runtime
 * would apply (mounts, namespaces, capabilities) has no meaning for a
 * guest and is ignored; what is read is checked, and a bad field named.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yajl/yajl_tree.h>

#include "oci.h"

#define OCI_VERSION_FIELD_MAX 32

void oci_spec_free(struct oci_spec *s)
{
	free(s->root_path);
	free(s->kernel_rel);
	free(s->kernel);
	free(s->cmdline);
	free(s->netns_path);
	oci_annotations_free(s->annotations, s->nr_annotations);
	memset(s, 0, sizeof(*s));
}

static yajl_val get(yajl_val v, const char *a, const char *b, const char *c)
{
	const char *path[] = { a, b, c, NULL };

	return yajl_tree_get(v, path, yajl_t_any);
}

/* process.args joined by spaces, within the guest command line's size. */
static int join_args(yajl_val args, size_t first, char **out, chaos_err *err)
{
	size_t len = 0, n;
	char *buf;

	if (!YAJL_IS_ARRAY(args))
		return oci_fail(err, EINVAL, "process.args: not an array");
	n = args->u.array.len;
	for (size_t i = first; i < n; i++) {
		yajl_val a = args->u.array.values[i];
		const char *str = oci_json_string(a);

		if (!str)
			return oci_fail(err, EINVAL,
					"process.args[%zu]: not a string", i);
		len += strlen(str) + 1;
		if (len > CHAOS_CONFIG_CMDLINE_MAX)
			return oci_fail(err, EINVAL,
					"process.args: longer than a guest command line (%d bytes)",
					CHAOS_CONFIG_CMDLINE_MAX - 1);
	}
	if (first >= n) {
		*out = NULL;   /* the entrypoint alone: no command line */
		return 0;
	}
	buf = calloc(1, len + 1);
	if (!buf)
		return oci_fail(err, ENOMEM, "process.args: out of memory");
	for (size_t i = first; i < n; i++) {
		if (i > first)
			strcat(buf, " ");
		strcat(buf, oci_json_string(args->u.array.values[i]));
	}
	*out = buf;
	return 0;
}

/* A decimal count of MiB, 1 to CHAOS_CONFIG_MEMORY_MAX. */
static int parse_mib(const char *text, uint64_t *out, chaos_err *err)
{
	unsigned long long v = 0;

	if (!*text || strlen(text) > 10)
		goto bad;
	for (const char *p = text; *p; p++) {
		if (*p < '0' || *p > '9')
			goto bad;
		v = v * 10 + (unsigned)(*p - '0');
	}
	if (v < 1 || v > CHAOS_CONFIG_MEMORY_MAX)
		goto bad;
	*out = v;
	return 0;
bad:
	return oci_fail(err, EINVAL,
			"annotations.org.chaos.memory: '%.32s' is not a number of MiB from 1 to %d",
			text, CHAOS_CONFIG_MEMORY_MAX);
}

static int parse_memory(yajl_val root, struct oci_spec *s, chaos_err *err)
{
	const char *mib = oci_annotation_get(s->annotations, s->nr_annotations,
					     "org.chaos.memory");
	yajl_val limit = get(root, "linux", "resources", "memory");

	if (mib)
		return parse_mib(mib, &s->memory_mib, err);
	limit = limit ? get(limit, "limit", NULL, NULL) : NULL;
	if (limit) {
		long long bytes;

		if (!YAJL_IS_INTEGER(limit) || (bytes = YAJL_GET_INTEGER(limit)) < 1 ||
		    (unsigned long long)bytes >
			    (unsigned long long)CHAOS_CONFIG_MEMORY_MAX << 20)
			return oci_fail(err, EINVAL,
					"linux.resources.memory.limit: not a byte count from 1 to %d MiB",
					CHAOS_CONFIG_MEMORY_MAX);
		s->memory_mib = ((uint64_t)bytes + (1u << 20) - 1) >> 20;
		return 0;
	}
	s->memory_mib = CHAOS_CONFIG_DEFAULT_MEMORY;
	return 0;
}

/* org.chaos.ip (and org.chaos.bridge): the guest's one vif. */
static int parse_vif(struct oci_spec *s, chaos_err *err)
{
	const char *ip = oci_annotation_get(s->annotations, s->nr_annotations,
					    "org.chaos.ip");
	const char *br = oci_annotation_get(s->annotations, s->nr_annotations,
					    "org.chaos.bridge");
	struct in_addr a;

	if (!ip) {
		if (br)
			return oci_fail(err, EINVAL,
					"annotations.org.chaos.bridge: given without org.chaos.ip");
		return 0;
	}
	if (inet_pton(AF_INET, ip, &a) != 1)
		return oci_fail(err, EINVAL,
				"annotations.org.chaos.ip: '%.32s' is not a dotted IPv4 address",
				ip);
	memcpy(s->ip, &a.s_addr, 4);
	s->vif = true;
	if (br) {
		/* chaos's config check gives the full rules; the size first. */
		if (!*br || strlen(br) >= sizeof(s->bridge))
			return oci_fail(err, EINVAL,
					"annotations.org.chaos.bridge: not 1 to %zu bytes",
					sizeof(s->bridge) - 1);
		strcpy(s->bridge, br);
	}
	return 0;
}

/*
 * linux.namespaces: a "network" entry gives the container a network
 * namespace (with "path": that one), and the guest its address there.
 */
static int parse_netns(yajl_val root, struct oci_spec *s, chaos_err *err)
{
	yajl_val ns = get(root, "linux", "namespaces", NULL);

	if (!ns)
		return 0;
	if (!YAJL_IS_ARRAY(ns))
		return oci_fail(err, EINVAL, "linux.namespaces: not an array");
	for (size_t i = 0; i < ns->u.array.len; i++) {
		yajl_val e = ns->u.array.values[i];
		const char *type = oci_json_string(get(e, "type", NULL, NULL));
		yajl_val path = get(e, "path", NULL, NULL);
		const char *p = oci_json_string(path);

		if (!YAJL_IS_OBJECT(e) || !type)
			return oci_fail(err, EINVAL,
					"linux.namespaces[%zu]: not an object with a type", i);
		if (strcmp(type, "network"))
			continue;
		if (s->netns)
			return oci_fail(err, EINVAL,
					"linux.namespaces[%zu]: a second network namespace", i);
		s->netns = true;
		if (!path)
			continue;
		if (!p || p[0] != '/' || strlen(p) >= PATH_MAX)
			return oci_fail(err, EINVAL,
					"linux.namespaces[%zu].path: not an absolute path", i);
		if (!(s->netns_path = strdup(p)))
			return oci_fail(err, ENOMEM, "out of memory");
	}
	if (s->netns && s->vif)
		return oci_fail(err, EINVAL,
				"annotations.org.chaos.ip: the container has a network namespace, and the guest takes the address its network plugins give");
	return 0;
}

static int parse_fields(yajl_val root, struct oci_spec *s, chaos_err *err)
{
	const char *kernel, *cmdline;
	const char *str = oci_json_string(get(root, "ociVersion", NULL, NULL));
	yajl_val v, args;
	size_t first = 0;

	if (!str || !*str || strlen(str) > OCI_VERSION_FIELD_MAX)
		return oci_fail(err, EINVAL, "ociVersion: missing or not a short string");
	if (strncmp(str, "1.", 2))
		return oci_fail(err, EINVAL, "ociVersion: '%s' is not 1.x", str);
	str = oci_json_string(get(root, "root", "path", NULL));
	if (!str || !*str || strlen(str) >= PATH_MAX)
		return oci_fail(err, EINVAL, "root.path: missing or not a path");
	if (!(s->root_path = strdup(str)))
		return oci_fail(err, ENOMEM, "out of memory");
	if (oci_annotations_copy(get(root, "annotations", NULL, NULL),
				 &s->annotations, &s->nr_annotations,
				 "annotations", err))
		return -1;
	str = oci_annotation_get(s->annotations, s->nr_annotations, OCI_CRI_TYPE);
	if (str && !strcmp(str, "sandbox")) {
		s->sandbox = true;
		return parse_netns(root, s, err);
	}
	if ((v = get(root, "process", NULL, NULL)) && !YAJL_IS_OBJECT(v))
		return oci_fail(err, EINVAL, "process: not an object");
	args = v ? get(v, "args", NULL, NULL) : NULL;
	if (args && !YAJL_IS_ARRAY(args))
		return oci_fail(err, EINVAL, "process.args: not an array");
	kernel = oci_annotation_get(s->annotations, s->nr_annotations,
				    "org.chaos.kernel");
	/* An image's entrypoint is its kernel; the arguments after it are
	 * the guest's command line. */
	if (!kernel && args && args->u.array.len) {
		if (!(kernel = oci_json_string(args->u.array.values[0])))
			return oci_fail(err, EINVAL, "process.args[0]: not a string");
		first = 1;
	}
	if (!kernel || !*kernel || strlen(kernel) >= PATH_MAX)
		return oci_fail(err, EINVAL,
				"annotations.org.chaos.kernel: missing, and no process.args[0]: one of them names the kernel inside the root filesystem");
	if (!(s->kernel_rel = strdup(kernel)))
		return oci_fail(err, ENOMEM, "out of memory");
	cmdline = oci_annotation_get(s->annotations, s->nr_annotations,
				     "org.chaos.cmdline");
	if (cmdline) {
		if (strlen(cmdline) >= CHAOS_CONFIG_CMDLINE_MAX)
			return oci_fail(err, EINVAL,
					"annotations.org.chaos.cmdline: longer than %d bytes",
					CHAOS_CONFIG_CMDLINE_MAX - 1);
		if (!(s->cmdline = strdup(cmdline)))
			return oci_fail(err, ENOMEM, "out of memory");
	} else if (args && join_args(args, first, &s->cmdline, err)) {
		return -1;
	}
	if (parse_memory(root, s, err) || parse_vif(s, err))
		return -1;
	return parse_netns(root, s, err);
}

int oci_spec_parse(const char *text, size_t len, struct oci_spec *s,
		   chaos_err *err)
{
	yajl_val root;
	int rc;

	memset(s, 0, sizeof(*s));
	if (len > OCI_SPEC_MAX)
		return oci_fail(err, EFBIG, "config.json: larger than %d bytes",
				OCI_SPEC_MAX);
	root = oci_json_parse(text, len, "config.json", err);
	if (!root)
		return -1;
	rc = parse_fields(root, s, err);
	yajl_tree_free(root);
	if (rc)
		oci_spec_free(s);
	return rc;
}

/* No ".." component: the kernel's path stays inside the rootfs. */
static bool has_dotdot(const char *p)
{
	for (;;) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return true;
		if (!p[n])
			return false;
		p += n + 1;
	}
}

int oci_spec_resolve(const char *bundle, struct oci_spec *s, chaos_err *err)
{
	char joined[PATH_MAX * 2 + 2], root[PATH_MAX], kernel[PATH_MAX];
	const char *rel = s->kernel_rel;
	struct stat st;
	size_t rl;

	if (has_dotdot(rel))
		return oci_fail(err, EINVAL,
				"annotations.org.chaos.kernel: '%s' has a '..' component", rel);
	if (s->root_path[0] == '/')
		snprintf(joined, sizeof(joined), "%s", s->root_path);
	else
		snprintf(joined, sizeof(joined), "%s/%s", bundle, s->root_path);
	if (!realpath(joined, root))
		return oci_fail(err, errno, "root.path: %s: %s", joined,
				strerror(errno));
	while (*rel == '/')
		rel++;
	if (!*rel)
		return oci_fail(err, EINVAL, "annotations.org.chaos.kernel: names no file");
	snprintf(joined, sizeof(joined), "%s/%s", root, rel);
	/* A symbolic link may lead out: where it really is must be inside. */
	if (!realpath(joined, kernel))
		return oci_fail(err, errno, "annotations.org.chaos.kernel: %s: %s",
				s->kernel_rel, strerror(errno));
	rl = strlen(root);
	if (strncmp(kernel, root, rl) || (rl > 1 && kernel[rl] != '/'))
		return oci_fail(err, EINVAL,
				"annotations.org.chaos.kernel: '%s' leads out of the root filesystem",
				s->kernel_rel);
	if (stat(kernel, &st) || !S_ISREG(st.st_mode))
		return oci_fail(err, EINVAL,
				"annotations.org.chaos.kernel: '%s' is not a regular file",
				s->kernel_rel);
	free(s->kernel);
	if (!(s->kernel = strdup(kernel)))
		return oci_fail(err, ENOMEM, "out of memory");
	return 0;
}

int oci_spec_load(const char *bundle, struct oci_spec *s, chaos_err *err)
{
	char path[PATH_MAX];
	size_t len;
	char *text;
	int rc;

	memset(s, 0, sizeof(*s));
	if ((size_t)snprintf(path, sizeof(path), "%s/config.json", bundle) >=
	    sizeof(path))
		return oci_fail(err, ENAMETOOLONG, "--bundle: path too long");
	if (oci_read_file(path, OCI_SPEC_MAX, &text, &len, err))
		return -1;
	rc = oci_spec_parse(text, len, s, err);
	free(text);
	if (rc == 0 && !s->sandbox && (rc = oci_spec_resolve(bundle, s, err)))
		oci_spec_free(s);
	return rc;
}

int oci_spec_to_config(const struct oci_spec *s, const char *name,
		       chaos_config *cfg, chaos_err *err)
{
	chaos_config_init(cfg);
	if (chaos_config_check_name(name, err))
		return -1;
	snprintf(cfg->name, sizeof(cfg->name), "%s", name);
	cfg->kernel = strdup(s->kernel);
	cfg->cmdline = s->cmdline ? strdup(s->cmdline) : NULL;
	if (!cfg->kernel || (s->cmdline && !cfg->cmdline)) {
		chaos_config_free(cfg);
		return oci_fail(err, ENOMEM, "out of memory");
	}
	cfg->memory_mib = s->memory_mib;
	if (s->vif) {
		cfg->nr_vifs = 1;
		cfg->vifs[0].ip_set = true;
		memcpy(cfg->vifs[0].ip, s->ip, 4);
		memcpy(cfg->vifs[0].bridge, s->bridge, sizeof(s->bridge));
	}
	/* The guest's end is the container's: nothing restarts it here. */
	cfg->on_poweroff = cfg->on_reboot = cfg->on_crash = CHAOS_ACTION_DESTROY;
	if (chaos_config_validate(cfg, err)) {
		chaos_config_free(cfg);
		return -1;
	}
	return 0;
}
