// SPDX-License-Identifier: MIT
/* Messages: "chaos-oci: ..." on stderr, and in --log as runc writes it
 * (containerd's shim reads the last error of a json log back). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_gen.h>

#include "oci.h"

static FILE *log_file;
static bool log_json;
static bool log_debug;

void oci_log_setup(const char *path, bool json, bool debug)
{
	log_json = json;
	log_debug = debug;
	if (path && !(log_file = fopen(path, "ae")))
		fprintf(stderr, "chaos-oci: --log %s: cannot open it\n", path);
}

static void log_line(const char *level, const char *msg)
{
	char when[40];
	time_t now = time(NULL);
	struct tm tm;

	if (!log_file)
		return;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (log_json) {
		yajl_gen g = yajl_gen_alloc(NULL);
		const unsigned char *buf;
		size_t len;

		if (!g)
			return;
		yajl_gen_map_open(g);
		yajl_gen_string(g, (const unsigned char *)"level", 5);
		yajl_gen_string(g, (const unsigned char *)level, strlen(level));
		yajl_gen_string(g, (const unsigned char *)"msg", 3);
		yajl_gen_string(g, (const unsigned char *)msg, strlen(msg));
		yajl_gen_string(g, (const unsigned char *)"time", 4);
		yajl_gen_string(g, (const unsigned char *)when, strlen(when));
		yajl_gen_map_close(g);
		if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok)
			fprintf(log_file, "%.*s\n", (int)len, buf);
		yajl_gen_free(g);
	} else {
		fprintf(log_file, "time=\"%s\" level=%s msg=\"%s\"\n", when,
			level, msg);
	}
	fflush(log_file);
}

static void emit(const char *level, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(stderr, "chaos-oci: %s\n", msg);
	log_line(level, msg);
}

void oci_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("error", fmt, ap);
	va_end(ap);
}

void oci_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_debug)
		return;
	va_start(ap, fmt);
	emit("debug", fmt, ap);
	va_end(ap);
}

int oci_fail(chaos_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}
