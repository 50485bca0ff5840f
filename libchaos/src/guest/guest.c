// SPDX-License-Identifier: MIT
/* Guests: the whole create (with rollback), destroy and name resolution. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chaos/guest.h>
#include <chaos/shell.h>
#include <chaos/device.h>

#include "guest/guest.h"
#include "dev/dev.h"
#include "util/util.h"

#define RAMDISK_MAX (UINT64_C(1) << 30)

/* Read a whole regular file of at most max bytes. */
static int read_file(const char *path, const char *what, uint64_t max,
		     uint8_t **out, uint64_t *len, chaos_err *err)
{
	struct stat st;
	uint8_t *buf;
	uint64_t done = 0;
	int fd = chaos_open_regular(path, what, &st, err);

	if (fd < 0)
		return -1;
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return chaos_err_set(err, EFBIG, "%s %s: larger than %llu MiB",
				     what, path,
				     (unsigned long long)(max >> 20));
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf) {
		close(fd);
		return chaos_err_set(err, ENOMEM, "out of memory for %s", what);
	}
	{
		/* EINTR-safe: chaosd's signals do not restart calls. */
		ssize_t n = chaos_read_full(fd, buf, (size_t)st.st_size);

		if (n != (ssize_t)st.st_size) {
			int e = n < 0 ? errno : EIO;

			free(buf);
			close(fd);
			return chaos_err_set(err, e, "%s %s: read failed", what,
					     path);
		}
		done = (uint64_t)n;
	}
	close(fd);
	*out = buf;
	*len = done;
	return 0;
}

static int pin_vcpus(chaos_host *host, const chaos_config *cfg,
		     uint32_t domid, unsigned int nr_cpus, chaos_err *err)
{
	xc_cpumap_t map;
	int rc = 0;

	if (!cfg->cpus_set)
		return 0;
	for (unsigned int c = nr_cpus; c < CHAOS_CONFIG_CPUS_MAX; c++)
		if (chaos_config_cpu_isset(cfg, c))
			return chaos_err_set(err, EINVAL,
					     "cpus: CPU %u does not exist (host has %u)",
					     c, nr_cpus);
	map = xc_cpumap_alloc(host->xch);
	if (!map)
		return chaos_err_set(err, ENOMEM, "out of memory for a cpumap");
	for (unsigned int c = 0; c < nr_cpus; c++)
		if (chaos_config_cpu_isset(cfg, c))
			map[c / 8] |= (uint8_t)(1u << (c % 8));
	for (unsigned int v = 0; v < cfg->vcpus && !rc; v++)
		if (xc_vcpu_setaffinity(host->xch, domid, (int)v, map, NULL,
					XEN_VCPUAFFINITY_HARD))
			rc = chaos_err_xen(err, host, errno,
					   "cannot pin vCPU %u of domain %u", v,
					   domid);
	free(map);
	return rc;
}

/*
 * Whether name's registry entry names a domain that is not dying: 1 if so,
 * else 0.
 * *found says whether there is an entry at all; if so, *domid and handle
 * hold it. One entry and one domain are read, not the whole list, so the
 * cost does not grow with the number of guests.
 */
static int live_owner(chaos_host *host, const char *name, uint32_t *domid,
		      bool *found, uint8_t handle[16])
{
	chaos_domain_info owner;
	chaos_err ignored;

	*found = chaos_registry_lookup(host->registry, name, domid, handle,
				       &ignored) == 0;
	return *found && chaos_domain_get(host, *domid, &owner, &ignored) == 0 &&
	       !memcmp(owner.handle, handle, sizeof(owner.handle)) &&
	       owner.state != CHAOS_STATE_DYING;
}

/*
 * guest.h: fail early, before any domain exists, when the name is taken:
 * when its entry names a domain that is not dying. A stale entry (the
 * domain died without chaos, e.g. destroyed by another tool, or a chaos
 * process was killed between a destroy and the name's release) is removed
 * here, if nobody rebound the name meanwhile, so that the claim can take it.
 */
int guest_name_free(chaos_host *host, const char *name, chaos_err *err)
{
	uint8_t handle[16];
	uint32_t id;
	bool found;

	if (!name[0])
		return 0;
	if (live_owner(host, name, &id, &found, handle))
		return chaos_err_set(err, EEXIST,
				     "name: '%s' is already used by domain %u",
				     name, id);
	if (found)
		chaos_registry_release_if(host->registry, name, id, handle,
					  NULL);
	return 0;
}

/*
 * A pooled create's name, claimed for the shell's domain before the build
 * (*named): one system call where a look first would be two. An entry left
 * by a domain that is gone or dying is removed, and the claim made again.
 */
static int claim_name(chaos_host *host, const char *name,
		      const struct chaos_shell *shell, bool *named,
		      chaos_err *err)
{
	chaos_err first;

	if (!name[0])
		return 0;
	if (chaos_registry_claim(host->registry, name, shell->domid,
				 shell->handle, &first)) {
		if (first.code != EEXIST) {
			if (err)
				*err = first;
			return -1;
		}
		if (guest_name_free(host, name, err) ||
		    chaos_registry_claim(host->registry, name, shell->domid,
					 shell->handle, err))
			return -1;
	}
	*named = true;
	return 0;
}

/*
 * The kernel at path, with the caller's rights in force: the kept one when
 * path is the same file it was read from (img then borrows its image:
 * *borrowed, not to be released), else read now.
 */
static int read_kernel(const char *path, const chaos_kernel *kept,
		       bool kept_checked, uint64_t memory_mib,
		       struct chaos_image *img, bool *borrowed, chaos_err *err)
{
	struct stat st;
	int fd, rc;

	memset(img, 0, sizeof(*img));
	/* The kept one, if the file is still the same: only a look (with
	 * the rights in force), and none when the caller has just looked.
	 * Otherwise read, which names what is wrong with the file. */
	if (kept && !strcmp(chaos_kernel_path(kept), path) &&
	    (kept_checked || chaos_kernel_is_current(kept, NULL))) {
		*img = *chaos_kernel_image(kept);
		*borrowed = true;
		return 0;
	}
	fd = chaos_open_regular(path, "", &st, err);
	if (fd < 0)
		return -1;
	/* No bigger than the guest it is for. */
	rc = chaos_image_from_fd(fd, &st, path, chaos_kernel_limit(memory_mib),
				 img, err);
	close(fd);
	return rc;
}

/*
 * The config path to remember for restarts, into out: "" when it cannot
 * be resolved (not remembered, not an error). For a client (as: with its
 * file rights in force) the path must also be a regular file it may
 * read, since each restart reads it again with those rights. A client's
 * absolute path (a daemon's, which asks for one) is kept as given: a
 * stat and an access check, where resolving its links would cost two
 * more system calls in each create. Root's is kept unlooked-at: root
 * reads any file, and a restart reads the path again anyway, refusing
 * one that is missing or not a regular file by then, as it would one
 * replaced after the create (a stat less in each create). Else
 * realpath's name.
 */
static int remember_config_path(const char *path, const chaos_cred *as,
				char out[CHAOS_RECORD_PATH_MAX],
				chaos_err *err)
{
	size_t len = strlen(path);
	struct stat st;

	out[0] = '\0';
	if (as && path[0] == '/') {
		if (len >= CHAOS_RECORD_PATH_MAX)
			return 0;
		if (as->uid == 0) {
			memcpy(out, path, len + 1);
			return 0;
		}
		if (stat(path, &st) < 0)
			return 0;
		if (guest_check_readable(as, path, &st, "config_path", err))
			return -1;
		memcpy(out, path, len + 1);
		return 0;
	}
	if (!realpath(path, out)) {
		out[0] = '\0';
		return 0;
	}
	if (!as)
		return 0;
	if (stat(out, &st) < 0)
		return chaos_err_set(err, errno, "config_path %s: %s", out,
				     strerror(errno));
	return chaos_check_readable_regular(out, &st, "config_path", err);
}

int guest_restart_config(const char *path, const chaos_cred *as,
			 const char *name, char out[CHAOS_RECORD_PATH_MAX],
			 chaos_err *err)
{
	struct chaos_fscred_saved saved;
	chaos_config cfg;
	int rc;

	out[0] = '\0';
	if (guest_fscred_enter(as, &saved, err))
		return -1;
	rc = chaos_config_parse_file(path, &cfg, err);
	if (rc == 0) {
		/* A restart takes the config's name: it must be this one. */
		if (strcmp(cfg.name, name))
			rc = chaos_err_set(err, EINVAL,
					   "config %s: names the guest '%s', the image '%s'",
					   path, cfg.name, name);
		chaos_config_free(&cfg);
	}
	if (rc == 0 && remember_config_path(path, as, out, err))
		rc = -1;
	if (rc == 0 && !out[0])
		rc = chaos_err_set(err, ENOENT, "config %s: cannot resolve its path",
				   path);
	chaos_fscred_leave(&saved);
	return rc;
}

/*
 * Read the kernel and ramdisk, and resolve the config path to remember,
 * with the rights of the user the guest is for (opts->as), never more:
 * a daemon running as root must not read for a client what the client
 * could not (audit finding 3). The path is checked as readable too, since
 * a restart parses it again.
 */
static int read_guest_files(const chaos_config *cfg,
			    const chaos_create_opts *opts,
			    struct chaos_image *img, bool *img_borrowed,
			    uint8_t **ramdisk,
			    uint64_t *ramdisk_len,
			    char config_path[CHAOS_RECORD_PATH_MAX],
			    struct chaos_disk_target *disks,
			    chaos_err *err)
{
	struct chaos_fscred_saved saved;
	const chaos_cred *as = opts ? opts->as : NULL;
	int rc = -1;

	config_path[0] = '\0';
	if (guest_fscred_enter(as, &saved, err))
		return -1;
	if (read_kernel(cfg->kernel, opts ? opts->kernel : NULL,
			opts && opts->kernel_checked, cfg->memory_mib, img,
			img_borrowed, err))
		goto out;
	if (cfg->ramdisk && read_file(cfg->ramdisk, "ramdisk", RAMDISK_MAX,
				      ramdisk, ramdisk_len, err))
		goto out;
	/* Disks too: blkback's hotplug opens them as root, for this user.
	 * Only a XenStore guest has them (the kernel tells, under auto). */
	if (cfg->nr_disks && !guest_wants_xenstore(cfg, img)) {
		chaos_err_set(err, EINVAL,
			      "disks: a noxs guest has no block devices (\"devices\": \"xenstore\" serves them); nothing was created");
		goto out;
	}
	if (chaos_disks_open_check(cfg, disks, err))
		goto out;
	if (opts && opts->config_path &&
	    remember_config_path(opts->config_path, as, config_path, err))
		goto out;
	rc = 0;
out:
	chaos_fscred_leave(&saved);
	return rc;
}

/*
 * A given shell whose domain someone else destroyed fails the build at
 * whatever step came next, each in its own words ("cannot map page 0"):
 * say what happened instead, with ESRCH, so that the caller knows the
 * request was fine and may build it elsewhere. Before the shell goes.
 */
static void shell_gone_err(chaos_host *host, const struct chaos_shell *shell,
			   chaos_err *err)
{
	char why[CHAOS_ERR_MSG_MAX];

	if (!err || !chaos_shell_destroyed(host, shell))
		return;
	snprintf(why, sizeof(why), "%s", err->msg);
	chaos_err_set(err, ESRCH,
		      "the shell's domain %u was destroyed by someone else (%s)",
		      shell->domid, why);
}

/*
 * The whole create. With given (a prepared shell), the domain is not made
 * here: the shell is loaded instead. *given_used tells the caller whether
 * the shell was touched (and so is now either the guest or destroyed).
 */
static int guest_build(chaos_host *host, const chaos_config *cfg,
		       const chaos_create_opts *opts, struct chaos_shell *given,
		       bool *given_used, uint32_t *domid,
		       chaos_create_timing *timing, chaos_err *err)
{
	chaos_create_timing scratch = { 0 };
	struct chaos_image img = { 0 };
	struct chaos_shell shell;
	chaos_domain_record rec = { 0 };
	xc_physinfo_t phys = { 0 };
	uint8_t *ramdisk = NULL;
	uint64_t ramdisk_len = 0, start = chaos_now_us(), mark = start;
	bool named = false, paused = cfg->paused || (opts && opts->paused);
	bool img_borrowed = false, xs_added = false;
	struct chaos_disk_target *disks = NULL;
	int rc = -1;

	if (!timing)
		timing = &scratch;
	memset(timing, 0, sizeof(*timing));
	*domid = 0;
	*given_used = false;
	/* What the last create left for later, if its caller did not
	 * tidy: counted in this one's checks. */
	chaos_host_tidy(host);
	if (chaos_config_validate(cfg, err))
		return -1;
	if (chaos_host_registry(host, err))
		return -1;
	/* A full create looks before any domain exists; a pooled shell's
	 * domain is known, and its name is claimed below instead. */
	if (!given && guest_name_free(host, cfg->name, err))
		return -1;
	if (given && (cfg->memory_mib * PAGES_PER_MIB > given->nr_pages ||
		      cfg->vcpus > given->vcpus))
		return chaos_err_set(err, EINVAL,
				     "config needs %llu MiB and %u vCPUs, more than the shell's",
				     (unsigned long long)cfg->memory_mib,
				     cfg->vcpus);
	/* The guest would see a shell's extra vifs: the count must match. */
	if (given && cfg->nr_vifs != given->nr_vifs)
		return chaos_err_set(err, EINVAL,
				     "config has %zu vifs, the shell %u",
				     cfg->nr_vifs, given->nr_vifs);
	/* Net devices made ahead stay on the bridge they were made on. */
	for (size_t i = 0; given && given->vifs_ahead && i < cfg->nr_vifs; i++)
		if (strcmp(cfg->vifs[i].bridge, given->vif_bridge))
			return chaos_err_set(err, EINVAL,
					     "vifs[%zu].bridge: '%s', the shell's vifs are on '%s'",
					     i, cfg->vifs[i].bridge,
					     given->vif_bridge);
	/* The host's CPUs matter only to a pinned guest (one hypercall
	 * less for the others). */
	if (cfg->cpus_set && xc_physinfo(host->xch, &phys))
		return chaos_err_xen(err, host, errno, "cannot read host info");
	disks = cfg->nr_disks ? calloc(cfg->nr_disks, sizeof(*disks)) : NULL;
	if (cfg->nr_disks && !disks)
		return chaos_err_set(err, ENOMEM, "out of memory");
	if (given && claim_name(host, cfg->name, given, &named, err))
		goto out_image;
	if (read_guest_files(cfg, opts, &img, &img_borrowed, &ramdisk,
			     &ramdisk_len,
			     rec.config_path, disks, err))
		goto out_image;
	rec.xenstore = guest_wants_xenstore(cfg, &img);
	if (rec.xenstore && given) {
		/* EXDEV: the request is fine, the shell the wrong kind. */
		chaos_err_set(err, EXDEV,
			      "a pooled shell serves noxs guests only; this kernel's devices go through XenStore");
		goto out_image;
	}
	if (rec.xenstore && guest_xenstore_check(host, cfg, disks, err))
		goto out_image;
	/* From here each phase runs from the mark to its end, where the
	 * mark moves: the phases add up to the total, with one clock read
	 * per phase. */
	mark = chaos_lap(&timing->parse_us, start);

	if (given) {
		shell = *given;
		*given_used = true;
	} else {
		if (chaos_shell_prepare(host, cfg->memory_mib, cfg->vcpus, 0, NULL,
					CHAOS_KIND_GUEST, &shell, timing, err))
			goto out_image;
		mark = chaos_now_us();
	}
	/* Pinning and the vifs count as devices. */
	if (pin_vcpus(host, cfg, shell.domid, phys.nr_cpus, err))
		goto out_shell;
	if (rec.xenstore) {
		if (guest_xenstore_channel(host, &shell, err))
			goto out_shell;
		mark = chaos_lap(&timing->devices_us, mark);
	} else {
		/* The vifs as the guest got them (MACs assigned for this
		 * domain): what a save of it carries. */
		if (chaos_guest_add_vifs(host, cfg, shell.domid, shell.nr_vifs,
					 shell.vifs_attached, timing, &mark,
					 rec.vifs, err))
			goto out_shell;
		rec.vifs_known = true;
		rec.nr_vifs = (uint8_t)cfg->nr_vifs;
	}
	if (chaos_shell_boot(host, &shell, &img, ramdisk, ramdisk_len,
			     cfg->cmdline, &rec.console_mfn,
			     &rec.start_info_mfn, timing, &mark, err))
		goto out_shell;
	if (rec.xenstore) {
		if (guest_xenstore_attach(host, cfg, &shell, rec.console_mfn,
					  disks, err))
			goto out_shell;
		xs_added = true;
		mark = chaos_lap(&timing->devices_us, mark);
	}

	rec.domid = shell.domid;
	memcpy(rec.handle, shell.handle, sizeof(rec.handle));
	snprintf(rec.name, sizeof(rec.name), "%s", cfg->name);
	rec.console_port = shell.console_port;
	rec.on_poweroff = cfg->on_poweroff;
	rec.on_reboot = cfg->on_reboot;
	rec.on_crash = cfg->on_crash;
	rec.owner = opts && opts->as ? opts->as->uid : (uint32_t)getuid();
	rec.owner_gid = opts && opts->as ? opts->as->gid : (uint32_t)getgid();
	if (cfg->name[0] && !named) {
		if (chaos_registry_claim(host->registry, cfg->name, shell.domid,
					 shell.handle, err))
			goto out_shell;
		named = true;
	}
	/*
	 * Running before it is recorded (audit finding 19): a builder killed
	 * in between leaves a guest with no record, which the next look
	 * destroys (recovery through the busy mark; chaosd's adoption for a
	 * pooled shell), as nobody got an answer for it. Recorded first, it
	 * would be kept, paused for good, its name taken. The record is
	 * written aside before (into the file a pooled shell made ahead,
	 * if it did) and only put in place after: once the guest runs it
	 * takes a CPU, and each system call left costs more.
	 */
	if (shell.record_staged ?
	    chaos_record_stage_into(shell.record_fd, host->state_dir, &rec,
				    err) :
	    chaos_record_stage(host->state_dir, &rec, err))
		goto out_shell;
	if (!paused && xc_domain_unpause(host->xch, shell.domid)) {
		chaos_err_xen(err, host, errno, "cannot unpause domain %u",
			      shell.domid);
		chaos_record_unstage(host->state_dir, shell.domid);
		goto out_shell;
	}
	if (chaos_record_commit(host->state_dir, shell.domid, err))
		goto out_shell;
	mark = chaos_lap(&timing->unpause_us, mark);
	*domid = shell.domid;
	/* The mapping the kernel went in through, if the shell was primed
	 * ahead: taken down once the caller has its answer. */
	chaos_host_unmap_later(host, shell.boot_map,
			       shell.boot_map_pages * XC_PAGE_SIZE);
	shell.boot_map = NULL;
	shell.boot_map_pages = 0;
	/* The record's descriptor too, if it was made ahead. */
	if (shell.record_staged)
		chaos_host_close_later(host, shell.record_fd);
	shell.record_staged = false;
	chaos_shell_release(&shell);
	rc = 0;
	goto out_image;

out_shell:
	/* The name before the domain: released after, it could be someone
	 * else's claim by then. */
	if (named)
		chaos_registry_release(host->registry, cfg->name, NULL);
	named = false;
	if (given)
		shell_gone_err(host, &shell, err);
	if (xs_added)
		chaos_xs_guest_remove(host, shell.domid, NULL);
	chaos_shell_discard(host, &shell);
out_image:
	if (rc && named)
		chaos_registry_release(host->registry, cfg->name, NULL);
	free(disks);
	free(ramdisk);
	if (!img_borrowed)
		chaos_image_release(&img);
	/* A failed build's total is read here; a finished one ended at
	 * the last mark. */
	timing->total_us = (rc ? chaos_now_us() : mark) - start;
	return rc;
}

int chaos_guest_create(chaos_host *host, const chaos_config *cfg,
		       const chaos_create_opts *opts, uint32_t *domid,
		       chaos_create_timing *timing, chaos_err *err)
{
	bool used;

	return guest_build(host, cfg, opts, NULL, &used, domid, timing, err);
}

int chaos_guest_create_in_shell(chaos_host *host, const chaos_config *cfg,
				const chaos_create_opts *opts,
				chaos_shell **shell, uint32_t *domid,
				chaos_create_timing *timing, chaos_err *err)
{
	bool used = false;
	int rc;

	if (!shell || !*shell)
		return chaos_err_set(err, EINVAL, "no shell given");
	rc = guest_build(host, cfg, opts, *shell, &used, domid, timing, err);
	if (used) {
		/* guest_build owned the shell's state from here: its p2m is
		 * freed and its domain is the guest or gone. */
		free(*shell);
		*shell = NULL;
	}
	return rc;
}

/* Destroy a domain and forget it, whatever its kind (not Domain-0). */
int guest_destroy_any(chaos_host *host, uint32_t domid, chaos_err *err)
{
	chaos_domain_record rec;
	chaos_domain_info info;
	char name[CHAOS_NAME_MAX];
	bool have_rec;

	if (domid == 0)
		return chaos_err_set(err, EPERM, "refusing to destroy Domain-0");
	if (chaos_domain_get(host, domid, &info, err))
		return -1;
	have_rec = chaos_record_load(host->state_dir, domid, info.handle,
				     &rec, NULL) == 0;
	/*
	 * Backends first: a vif backend maps the guest's ring pages, and a
	 * domain whose pages dom0 still maps can never finish dying.
	 */
	if (have_rec && rec.xenstore)
		chaos_xs_guest_remove(host, domid, NULL);
	else
		chaos_device_remove_all(host, domid, NULL);
	if (chaos_domain_kill(host, domid, err))
		return -1;
	/*
	 * The domain is gone; forget it even if that partly fails. Its name
	 * from its record: asking the registry which name is bound to it
	 * reads every entry once the directory changed, and with thousands
	 * of guests going one after the other that is every time. Without
	 * a record (a builder killed before writing it), the registry.
	 */
	if (have_rec)
		snprintf(name, sizeof(name), "%s", rec.name);
	else if (chaos_host_registry(host, NULL) ||
		 chaos_registry_name_of(host->registry, domid, info.handle,
					name, sizeof(name)))
		name[0] = '\0';
	chaos_record_remove(host->state_dir, domid, NULL);
	/* A copy a migration kept for an operator, or whose receiver died
	 * waiting to name it, is what the operator destroys here. */
	chaos_busy_forget(host->state_dir, info.handle);
	if (name[0] && chaos_host_registry(host, NULL) == 0)
		/* Only if still ours: another process may have taken it. */
		chaos_registry_release_if(host->registry, name, domid,
					  info.handle, NULL);
	return 0;
}

int chaos_guest_destroy(chaos_host *host, uint32_t domid, chaos_err *err)
{
	if (chaos_guest_check(host, domid, "destroy", err))
		return -1;
	return guest_destroy_any(host, domid, err);
}

int chaos_guest_pause(chaos_host *host, uint32_t domid, chaos_err *err)
{
	if (chaos_guest_check(host, domid, "pause", err))
		return -1;
	return chaos_domain_pause(host, domid, err);
}

int chaos_guest_unpause(chaos_host *host, uint32_t domid, chaos_err *err)
{
	if (chaos_guest_check(host, domid, "unpause", err))
		return -1;
	return chaos_domain_unpause(host, domid, err);
}

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

static int guest_lookup(chaos_host *host, const char *ref, uint32_t *domid,
			chaos_err *err)
{
	chaos_domain_info info;
	uint8_t handle[16];
	bool found;

	if (all_digits(ref)) {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(ref, &end, 10);
		if (errno || v >= DOMID_FIRST_RESERVED)
			return chaos_err_set(err, EINVAL,
					     "domain id %s out of range", ref);
		if (chaos_domain_get(host, (uint32_t)v, &info, err))
			return -1;
		*domid = (uint32_t)v;
		return 0;
	}
	/* The name every Xen tool gives the control domain. */
	if (!strcasecmp(ref, "Domain-0")) {
		*domid = 0;
		return chaos_domain_get(host, 0, &info, err);
	}
	if (chaos_config_check_name(ref, NULL))
		return chaos_err_set(err, EINVAL, "'%s' is not a domain name or id",
				     ref);
	if (chaos_host_registry(host, err))
		return -1;
	if (!live_owner(host, ref, domid, &found, handle))
		return chaos_err_set(err, ESRCH, "no domain named '%s'", ref);
	return 0;
}

int chaos_guest_resolve(chaos_host *host, const char *ref, uint32_t *domid,
			chaos_err *err)
{
	uint32_t id;

	/* Domain-0 resolves (to look at it); each action refuses it. */
	if (guest_lookup(host, ref, &id, err) ||
	    (id != 0 && chaos_guest_check(host, id, "touch", err)))
		return -1;
	*domid = id;
	return 0;
}

/* Restart: the same config again, under the same name. */
static int guest_restart(chaos_host *host, uint32_t domid,
			 const chaos_domain_record *rec, chaos_err *err)
{
	chaos_create_opts opts = { .config_path = rec->config_path };
	struct chaos_fscred_saved saved;
	chaos_cred owner;
	chaos_config cfg;
	uint32_t new_domid;
	int rc;

	if (!rec->config_path[0])
		return chaos_err_set(err, ENOENT,
				     "domain %u: cannot restart, its config path is unknown",
				     domid);
	/* The files again, with the owner's rights as at its create. */
	guest_cred_of_record(rec, &owner);
	opts.as = &owner;
	if (guest_fscred_enter(&owner, &saved, err))
		return -1;
	rc = chaos_config_parse_file(rec->config_path, &cfg, err);
	chaos_fscred_leave(&saved);
	if (rc)
		return -1;
	rc = guest_destroy_any(host, domid, err);
	if (!rc)
		rc = chaos_guest_create(host, &cfg, &opts, &new_domid, NULL, err);
	chaos_config_free(&cfg);
	return rc;
}

int chaos_guest_reap(chaos_host *host, uint32_t domid, chaos_err *err)
{
	chaos_domain_info info;
	chaos_domain_record rec;
	int action;

	if (chaos_domain_get(host, domid, &info, err))
		return -1;
	if (info.state != CHAOS_STATE_SHUTDOWN)
		return chaos_err_set(err, EINVAL, "domain %u is %s, not shut down",
				     domid, chaos_domain_state_name(info.state));
	if (chaos_record_load(host->state_dir, domid, info.handle, &rec, err))
		return -1;
	switch (info.shutdown_reason) {
	case SHUTDOWN_poweroff:
		action = rec.on_poweroff;
		break;
	case SHUTDOWN_reboot:
		action = rec.on_reboot;
		break;
	case SHUTDOWN_suspend:
		return 0; /* a suspended guest waits for save or resume */
	default:
		action = rec.on_crash;
		break;
	}
	switch (action) {
	case CHAOS_ACTION_PRESERVE:
		return 0;
	case CHAOS_ACTION_RESTART:
		return guest_restart(host, domid, &rec, err);
	default:
		return guest_destroy_any(host, domid, err);
	}
}

/* Does the guest have a power device to ask? */
static int has_power_device(chaos_host *host, uint32_t domid)
{
	chaos_device_info *devs;
	size_t n;
	int found = 0;

	if (!chaos_device_available(host) ||
	    chaos_device_list(host, domid, &devs, &n, NULL))
		return 0;
	for (size_t i = 0; i < n; i++)
		found |= devs[i].type == CHAOS_DEV_POWER && devs[i].in_page;
	free(devs);
	return found;
}

static long long elapsed_ms(uint64_t since_us)
{
	return (long long)((chaos_now_us() - since_us) / 1000u);
}

int chaos_guest_stop(chaos_host *host, uint32_t domid,
		     chaos_shutdown_reason reason, unsigned int timeout_ms,
		     chaos_err *err)
{
	chaos_domain_record rec;
	chaos_domain_info info;
	uint64_t start = chaos_now_us();
	long long left;

	if (domid == 0)
		return chaos_err_set(err, EPERM, "refusing to shut down Domain-0");
	if (chaos_domain_get(host, domid, &info, err) ||
	    guest_allowed_for(host, 0, domid, &info, "shut down", err))
		return -1;
	if (chaos_record_load(host->state_dir, domid, info.handle, &rec,
			      NULL) == 0 && rec.xenstore) {
		/* Its kernel watches control/shutdown, as under xl. */
		if (chaos_xs_guest_request(host, domid,
					   reason == SHUTDOWN_reboot ?
					   "reboot" : "poweroff", err))
			return -1;
	} else if (has_power_device(host, domid)) {
		/* The guest runs its own shutdown code, then stops itself. */
		if (chaos_device_power(host, domid,
				       reason == SHUTDOWN_reboot ?
				       CHAOS_POWER_REBOOT : CHAOS_POWER_POWEROFF,
				       timeout_ms, err))
			return -1;
	} else if (chaos_domain_request_shutdown(host, domid, reason, err)) {
		return -1;
	}
	left = (long long)timeout_ms - elapsed_ms(start);
	return chaos_domain_wait_shutdown(host, domid,
					  left > 0 ? (unsigned int)left : 0,
					  &info, err);
}

int chaos_guest_shutdown(chaos_host *host, uint32_t domid,
			 chaos_shutdown_reason reason,
			 unsigned int timeout_ms, chaos_err *err)
{
	if (chaos_guest_stop(host, domid, reason, timeout_ms, err))
		return -1;
	return chaos_guest_reap(host, domid, err);
}
