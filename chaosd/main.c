// SPDX-License-Identifier: MIT
/*
 * chaosd: the per-host daemon. Keeps pools of prepared shells, serves
 * creates from them over a Unix socket, reaps guests that stop.
 *
 *   chaosd [-f] [--pool memory=M,vcpus=V,vifs=K[,bridge=B],size=N]... [--group NAME]
 *          [--allow-larger] [--no-virq] [--socket PATH] [--state-dir DIR]
 *          [--config FILE]
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "consoles.h"
#include "jobs.h"
#include "daemon.h"
#include "events.h"
#include "notify.h"
#include "options.h"

static struct daemon *the_daemon;  /* for the signal handler only */

static void on_signal(int sig)
{
	char c = 's';

	(void)sig;
	if (!the_daemon)
		return;
	the_daemon->stop = 1;
	if (write(the_daemon->wake_wr, &c, 1) < 0) {
		/* The loop also wakes within a second. */
	}
}

static int set_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) || sigaction(SIGINT, &sa, NULL))
		return -1;
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

/* One chaosd per host: an exclusive lock on the pid file. */
static int take_pid_file(const char *path, chaos_err *err)
{
	char buf[32];
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644), n;

	if (fd < 0)
		return derr(err, errno, "%s: %s", path, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		n = (int)read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		close(fd);
		return derr(err, EBUSY, "another chaosd is running (pid %s)",
			    buf[0] ? buf : "?");
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) || write(fd, buf, (size_t)n) != n) {
		close(fd);
		return derr(err, errno, "%s: cannot write", path);
	}
	return fd;  /* kept open for the daemon's life */
}

static int make_dirs(const char *path, mode_t mode)
{
	char tmp[CHAOS_CONFIG_PATH_MAX];

	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
		return -1;
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, mode) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(tmp, mode) && errno != EEXIST ? -1 : 0;
}

/* The log directory is 0750: guest consoles are logged there (its parent,
 * /var/log on any host, is made 0755 if missing). */
static int make_log_dir(void)
{
	char parent[] = CHAOSD_LOG_DIR;
	char *slash = strrchr(parent, '/');

	if (slash && slash != parent) {
		*slash = '\0';
		if (make_dirs(parent, 0755))
			return -1;
	}
	return mkdir(CHAOSD_LOG_DIR, 0750) && errno != EEXIST ? -1 : 0;
}

/* Each console holds a log file open: let the daemon use every descriptor
 * it is allowed to, not just the default soft limit. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			dlog("cannot raise the open file limit: %s",
			     strerror(errno));
	}
}

static int open_socket(struct daemon *d, chaos_err *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[sizeof(sa.sun_path)];
	char *slash;
	int fd;

	if (strlen(d->socket_path) >= sizeof(sa.sun_path))
		return derr(err, ENAMETOOLONG, "socket path too long");
	memcpy(sa.sun_path, d->socket_path, strlen(d->socket_path) + 1);
	memcpy(dir, sa.sun_path, sizeof(dir));
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (make_dirs(dir, 0755))
			return derr(err, errno, "%s: %s", dir, strerror(errno));
		/* The state directory is 0700: let the group through to the
		 * socket, without letting it list anything. */
		if (d->group_set &&
		    (chown(dir, 0, d->group) || chmod(dir, 0710)))
			return derr(err, errno, "%s: %s", dir, strerror(errno));
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return derr(err, errno, "socket: %s", strerror(errno));
	/* We hold the pid lock, so a socket file here is a dead chaosd's. */
	unlink(d->socket_path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    chmod(d->socket_path, 0660) ||
	    (d->group_set && chown(d->socket_path, 0, d->group)) ||
	    listen(fd, 64)) {
		int e = errno;

		close(fd);
		return derr(err, e, "%s: %s", d->socket_path, strerror(e));
	}
	d->listen_fd = fd;
	return 0;
}

/* --prime-kernel: read the kernel now, with chaosd's own rights (a
 * client's create still checks that it may read the file), and hint every
 * flavour, so that the refill makes its shells primed for it before any
 * create asks. Bounded by the largest flavour (largest MiB): what no shell
 * could hold is refused now, not at the first create. Returns a reference,
 * or NULL with err set. */
static chaos_kernel *prime_pools(struct daemon *d,
				 const struct chaosd_options *o,
				 uint64_t largest, chaos_err *err)
{
	chaos_kernel *k;
	char why[CHAOS_ERR_MSG_MAX];

	k = kernels_get(&d->kernels, o->prime_kernel, largest, NULL, err);
	if (!k) {
		snprintf(why, sizeof(why), "%s", err->msg);
		derr(err, err->code, "prime-kernel: %s", why);
		return NULL;
	}
	for (unsigned int i = 0; i < o->nr_pools; i++)
		pool_hint(&d->pool, o->pools[i].memory_mib, o->pools[i].vcpus,
			  o->pools[i].vifs, k);
	dlog("pool: priming every flavour for %s", o->prime_kernel);
	return k;
}

static int start_pools(struct daemon *d, const struct chaosd_options *o,
		       chaos_err *err)
{
	chaos_kernel *k = NULL;
	uint64_t largest = 0;

	d->pool.allow_larger = o->allow_larger;
	for (unsigned int i = 0; i < o->nr_pools; i++) {
		if (pool_set(&d->pool, &o->pools[i], err))
			return -1;
		if (o->pools[i].memory_mib > largest)
			largest = o->pools[i].memory_mib;
	}
	if (o->prime_kernel && !(k = prime_pools(d, o, largest, err)))
		return -1;
	/* The first creates cost what the next ones do. */
	jobs_prepare(d, largest ? k : NULL, largest);
	chaos_kernel_unref(k);
	return pool_start(&d->pool, err);
}

static int run(struct chaosd_options *o)
{
	struct daemon d = { .listen_fd = -1, .wake_rd = -1, .wake_wr = -1 };
	int pipefd[2], pid_fd = -1, rc = 1;
	chaos_err err;
	bool pool_up = false;

	d.socket_path = o->socket_path;
	d.state_dir = o->state_dir;
	d.group = o->group;
	d.group_set = o->group_set;
	d.quota = o->quota;
	d.quota_set = o->quota_set;
	d.quota_root = o->quota_root;
	d.quota_root_set = o->quota_root_set;
	d.no_virq = o->no_virq;
	kernels_init(&d.kernels);
	raise_fd_limit();
	if (make_dirs(o->state_dir, 0755) || make_log_dir()) {
		dlog("cannot make %s or %s: %s", o->state_dir, CHAOSD_LOG_DIR,
		     strerror(errno));
		kernels_clear(&d.kernels);
		return 1;
	}
	if (pipe2(pipefd, O_NONBLOCK | O_CLOEXEC)) {
		dlog("pipe: %s", strerror(errno));
		kernels_clear(&d.kernels);
		return 1;
	}
	d.wake_rd = pipefd[0];
	d.wake_wr = pipefd[1];
	the_daemon = &d;
	if ((pid_fd = take_pid_file(o->pid_path, &err)) < 0 ||
	    chaos_host_open(&d.host, &err) ||
	    chaos_host_set_state_dir(d.host, o->state_dir, &err) ||
	    pool_init(&d.pool, &err) || jobs_init(&d, &err) ||
	    events_init(&d.events, o->events_queue, &err) ||
	    chaos_host_set_state_dir(d.pool.host, o->state_dir, &err) ||
	    daemon_adopt(&d, &err) || set_signals()) {
		dlog("%s", err.msg);
		goto out;
	}
	pool_up = true;
	if (consoles_start(&d.consoles, o->state_dir, CHAOSD_LOG_DIR, &err) ||
	    start_pools(&d, o, &err) || reaper_start(&d, &err) ||
	    open_socket(&d, &err)) {
		dlog("%s", err.msg);
		goto out;
	}
	dlog("serving on %s (pid %ld)", d.socket_path, (long)getpid());
	if (chaosd_notify_ready())
		dlog("cannot notify systemd: %s", strerror(errno));
	rc = server_run(&d) ? 1 : 0;
	dlog("stopping: guests keep running, unused shells are destroyed");
out:
	if (d.listen_fd >= 0) {
		close(d.listen_fd);
		unlink(d.socket_path);
	}
	/* Saves and migrations under way finish first: they use the
	 * consoles and leave guests suspended if cut short. */
	jobs_stop(&d);
	reaper_stop(&d);
	consoles_stop(d.consoles);
	events_free(d.events);
	if (pool_up)
		pool_shutdown(&d.pool);
	else if (d.pool.host)
		chaos_host_close(d.pool.host);
	kernels_clear(&d.kernels);
	chaos_host_close(d.host);
	if (pid_fd >= 0) {
		unlink(o->pid_path);
		close(pid_fd);
	}
	the_daemon = NULL;
	close(d.wake_rd);
	close(d.wake_wr);
	return rc;
}

/* Detach from the terminal; the log goes to CHAOSD_LOG_DIR/chaosd.log. */
static int daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return -1;
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		close(fd);
	}
	make_log_dir();
	fd = open(CHAOSD_LOG_DIR "/chaosd.log",
		  O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct chaosd_options o;
	chaos_err err;
	int rc;

	rc = chaosd_options_parse(argc, argv, &o, &err);
	if (rc) {
		if (rc < 0)
			fprintf(stderr, "chaosd: %s\n", err.msg);
		return rc < 0 ? 2 : 0;
	}
	if (!o.foreground && daemonize()) {
		fprintf(stderr, "chaosd: cannot daemonize: %s\n", strerror(errno));
		return 1;
	}
	setvbuf(stderr, NULL, _IOLBF, 0);
	return run(&o);
}
