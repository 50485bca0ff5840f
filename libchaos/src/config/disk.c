// SPDX-License-Identifier: MIT
/*
 * Disk values shared by the JSON and xl.cfg parsers and by validation:
 * virtual device names and their Xen device numbers, access modes, kinds.
 * The numbering is Xen's (docs/misc/vbd-interface in Xen's tree), because
 * the number is what a backend and the guest's blkfront agree on.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config/config.h"

#define XVD_MAJOR      202
#define XVD_EXTENDED   (1u << 28)
#define HD_MAJOR_AB    3
#define HD_MAJOR_CD    22
#define SD_MAJOR       8
#define VDEV_DISKS_MAX 702   /* "a".."z", then "aa".."zz" */

/* One or two lower-case letters at s[*i]: disk 0 ("a") to 701 ("zz"). */
static int disk_letters(const char *s, size_t len, size_t *i, unsigned *d)
{
	size_t start = *i;

	while (*i < len && s[*i] >= 'a' && s[*i] <= 'z' && *i - start < 3)
		(*i)++;
	if (*i - start == 1) {
		*d = (unsigned)(s[start] - 'a');
		return 0;
	}
	if (*i - start == 2) {
		*d = 26 + (unsigned)(s[start] - 'a') * 26 +
		     (unsigned)(s[start + 1] - 'a');
		return 0;
	}
	return -1;
}

/* An optional partition number 1..255 at s[*i] to the end; 0 if none. */
static int partition(const char *s, size_t len, size_t i, unsigned *p)
{
	unsigned v = 0;

	*p = 0;
	if (i == len)
		return 0;
	if (s[i] == '0' || len - i > 3)
		return -1;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > 255)
		return -1;
	*p = v;
	return 0;
}

int cfg_parse_vdev(const char *s, size_t len, uint32_t *devid,
		   chaos_err *err)
{
	char q[CFG_QUOTE_MAX];
	unsigned d, p;
	size_t i;

	cfg_quote(s, len, q);
	if (len >= CHAOS_CONFIG_VDEV_MAX)
		goto syntax;
	if (len > 3 && !memcmp(s, "xvd", 3)) {
		i = 3;
		if (disk_letters(s, len, &i, &d) || partition(s, len, i, &p))
			goto syntax;
		if (d < 16 && p < 16)
			*devid = XVD_MAJOR << 8 | d << 4 | p;
		else
			*devid = XVD_EXTENDED | d << 8 | p;
		return 0;
	}
	if (len > 2 && (!memcmp(s, "hd", 2) || !memcmp(s, "sd", 2))) {
		i = 2;
		if (disk_letters(s, len, &i, &d) || i != 3 ||
		    partition(s, len, i, &p))
			goto syntax;
		if (s[0] == 'h') {
			if (d > 3 || p > 63)
				return chaos_err_set(err, EINVAL,
					"%s: IDE names go from hda to hdd, partitions to 63",
					q);
			*devid = d < 2 ? HD_MAJOR_AB << 8 | (d * 64 + p) :
					 HD_MAJOR_CD << 8 | ((d - 2) * 64 + p);
		} else {
			if (d > 15 || p > 15)
				return chaos_err_set(err, EINVAL,
					"%s: SCSI names go from sda to sdp, partitions to 15",
					q);
			*devid = SD_MAJOR << 8 | d << 4 | p;
		}
		return 0;
	}
syntax:
	return chaos_err_set(err, EINVAL,
		"%s: expected a virtual device like \"xvda\", \"xvdb1\", \"hda\" or \"sda\"",
		q);
}

int chaos_config_parse_vdev(const char *text, uint32_t *devid,
			    chaos_err *err)
{
	if (!text)
		return chaos_err_set(err, EINVAL, "no virtual device given");
	return cfg_parse_vdev(text, strlen(text), devid, err);
}

static bool is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && !memcmp(s, word, len);
}

int cfg_parse_disk_mode(const char *s, size_t len, bool xl, bool *readonly,
			chaos_err *err)
{
	char q[CFG_QUOTE_MAX];

	if (is(s, len, "ro") || (xl && is(s, len, "r"))) {
		*readonly = true;
		return 0;
	}
	if (is(s, len, "rw") || (xl && is(s, len, "w"))) {
		*readonly = false;
		return 0;
	}
	cfg_quote(s, len, q);
	return chaos_err_set(err, EINVAL, xl ?
		"expected \"r\", \"ro\", \"w\" or \"rw\", got %s" :
		"expected \"ro\" or \"rw\", got %s", q);
}

int cfg_parse_disk_kind(const char *s, size_t len,
			chaos_config_disk_kind *kind, chaos_err *err)
{
	char q[CFG_QUOTE_MAX];

	if (is(s, len, "file")) {
		*kind = CHAOS_DISK_FILE;
		return 0;
	}
	if (is(s, len, "block")) {
		*kind = CHAOS_DISK_BLOCK;
		return 0;
	}
	cfg_quote(s, len, q);
	return chaos_err_set(err, EINVAL,
			     "expected \"file\" or \"block\", got %s", q);
}

/* Index of an earlier disk of cfg with the same device number, or -1. */
int cfg_disk_same_vdev(const chaos_config *cfg, size_t upto, uint32_t devid)
{
	for (size_t j = 0; j < upto && j < CHAOS_CONFIG_DISKS_MAX; j++)
		if (cfg->disks[j].devid == devid)
			return (int)j;
	return -1;
}
