// SPDX-License-Identifier: MIT
/* Opening the hypervisor: precise diagnosis before libxenctrl gets a say. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "hyp/hyp.h"
#include <xencall.h>
#include <xenstore.h>
#include <chaos/host.h>

#define PRIVCMD_PATH "/dev/xen/privcmd"
#define HYPERVISOR_TYPE_PATH "/sys/hypervisor/type"

static void quiet_vmessage(xentoollog_logger *logger, xentoollog_level level,
			   int errnoval, const char *context,
			   const char *format, va_list al)
{
	struct chaos_quiet_logger *q = (struct chaos_quiet_logger *)logger;
	int n;

	(void)context;
	if (level < XTL_ERROR)
		return;
	n = vsnprintf(q->last, sizeof(q->last), format, al);
	if (errnoval > 0 && n >= 0 && (size_t)n < sizeof(q->last))
		snprintf(q->last + n, sizeof(q->last) - n, " (%s)",
			 strerror(errnoval));
}

static void quiet_destroy(xentoollog_logger *logger)
{
	(void)logger;
}

void chaos_quiet_logger_init(struct chaos_quiet_logger *q)
{
	memset(q, 0, sizeof(*q));
	q->vtable.vmessage = quiet_vmessage;
	q->vtable.destroy = quiet_destroy;
}

static int running_on_xen(void)
{
	char type[16] = "";
	FILE *f = fopen(HYPERVISOR_TYPE_PATH, "r");

	if (!f)
		return 0;
	if (!fgets(type, sizeof(type), f))
		type[0] = '\0';
	fclose(f);
	return strncmp(type, "xen", 3) == 0;
}

/* Why privcmd cannot be used, as one line; 0 if it can. */
static int check_privcmd(chaos_err *err)
{
	int fd;

	if (!running_on_xen())
		return chaos_err_set(err, ENODEV,
				     "not running on Xen (%s does not say xen)",
				     HYPERVISOR_TYPE_PATH);
	if (access(PRIVCMD_PATH, F_OK) != 0)
		return chaos_err_set(err, ENOENT,
				     "%s missing: load xen-privcmd and mount xenfs",
				     PRIVCMD_PATH);
	fd = open(PRIVCMD_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		if (errno == EACCES || errno == EPERM)
			return chaos_err_set(err, errno,
					     "permission denied on %s: chaos must run as root",
					     PRIVCMD_PATH);
		return chaos_err_set(err, errno, "cannot open %s: %s",
				     PRIVCMD_PATH, strerror(errno));
	}
	close(fd);
	return 0;
}

int chaos_host_open(chaos_host **out, chaos_err *err)
{
	chaos_host *host;

	*out = NULL;
	if (check_privcmd(err))
		return -1;
	host = calloc(1, sizeof(*host));
	if (!host)
		return chaos_err_set(err, ENOMEM, "out of memory");
	chaos_quiet_logger_init(&host->log);
	snprintf(host->state_dir, sizeof(host->state_dir), "%s",
		 CHAOS_STATE_DIR);
	host->noxs_fd = -1;
	host->xch = xc_interface_open(&host->log.vtable, &host->log.vtable, 0);
	if (!host->xch) {
		chaos_err_xen(err, host, errno, "cannot open the hypervisor interface");
		free(host);
		return -1;
	}
	host->fmem = xenforeignmemory_open(&host->log.vtable, 0);
	if (!host->fmem) {
		chaos_err_xen(err, host, errno, "cannot open foreign memory mapping");
		xc_interface_close(host->xch);
		free(host);
		return -1;
	}
	*out = host;
	return 0;
}

int chaos_host_xcall(chaos_host *host, chaos_err *err)
{
	if (host->xcall)
		return 0;
	host->xcall = xencall_open(&host->log.vtable, 0);
	if (!host->xcall)
		return chaos_err_set(err, errno, "cannot open xencall: %s",
				     strerror(errno));
	return 0;
}

/*
 * Is xenstored answering on its socket (XENSTORED_PATH, else libxenstore's
 * default)? Asked first: libxenstore may fall back to the kernel's xenbus
 * device whatever the flags say (Debian's does), and with no xenstored
 * behind it a request there never returns.
 */
static int xenstored_listening(void)
{
	const char *env = getenv("XENSTORED_PATH");
	const char *path = env && *env ? env : "/var/run/xenstored/socket";
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, rc;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ? errno : 0;
	close(fd);
	errno = rc;
	return rc ? -1 : 0;
}

struct xs_handle *chaos_host_xs(chaos_host *host, chaos_err *err)
{
	if (host->xsh)
		return host->xsh;
	if (xenstored_listening() < 0) {
		chaos_err_set(err, errno,
			      "cannot reach xenstored (%s): a XenStore guest needs it running",
			      strerror(errno));
		return NULL;
	}
	host->xsh = xs_open(XS_OPEN_SOCKETONLY);
	if (!host->xsh)
		chaos_err_set(err, errno,
			      "cannot reach xenstored (%s): a XenStore guest needs it running",
			      strerror(errno));
	return host->xsh;
}

void chaos_host_close(chaos_host *host)
{
	if (!host)
		return;
	chaos_host_tidy(host);
	if (host->xsh)
		xs_close(host->xsh);
	chaos_registry_close(host->registry);
	/* page_copy.c's buffers (freed here: it calls into this file). */
	if (host->stage)
		xencall_free_buffer_pages(host->xcall, host->stage,
					  (int)host->stage_pages);
	if (host->copy_frames)
		xencall_free_buffer(host->xcall, host->copy_frames);
	if (host->vcpu_ctx)
		xencall_free_buffer(host->xcall, host->vcpu_ctx);
	if (host->vcpu_ext)
		xencall_free_buffer(host->xcall, host->vcpu_ext);
	if (host->xcall)
		xencall_close(host->xcall);
	if (host->noxs_fd >= 0)
		close(host->noxs_fd);
	if (host->console_xce)
		xenevtchn_close(host->console_xce);
	xenforeignmemory_close(host->fmem);
	xc_interface_close(host->xch);
	free(host);
}

int chaos_host_set_state_dir(chaos_host *host, const char *dir,
			     chaos_err *err)
{
	if (strlen(dir) >= sizeof(host->state_dir) || dir[0] != '/')
		return chaos_err_set(err, EINVAL,
				     "state directory must be an absolute path under %zu bytes",
				     sizeof(host->state_dir));
	chaos_registry_close(host->registry);
	host->registry = NULL;
	snprintf(host->state_dir, sizeof(host->state_dir), "%s", dir);
	return 0;
}

const char *chaos_host_state_dir(const chaos_host *host)
{
	return host->state_dir;
}

int chaos_host_registry(chaos_host *host, chaos_err *err)
{
	char dir[sizeof(host->state_dir) + 16];

	if (host->registry)
		return 0;
	if (mkdir(host->state_dir, 0700) && errno != EEXIST)
		return chaos_err_set(err, errno, "cannot create %s: %s",
				     host->state_dir, strerror(errno));
	snprintf(dir, sizeof(dir), "%s/names", host->state_dir);
	return chaos_registry_open(dir, &host->registry, err);
}

int chaos_err_xen(chaos_err *err, struct chaos_host *host, int code,
		  const char *fmt, ...)
{
	va_list ap;
	size_t len;

	if (!err)
		return -1;
	va_start(ap, fmt);
	chaos_err_vset(err, code, fmt, ap);
	va_end(ap);
	len = strlen(err->msg);
	if (host && host->log.last[0])
		snprintf(err->msg + len, sizeof(err->msg) - len, ": %s",
			 host->log.last);
	else if (code)
		snprintf(err->msg + len, sizeof(err->msg) - len, ": %s",
			 strerror(code));
	return -1;
}
