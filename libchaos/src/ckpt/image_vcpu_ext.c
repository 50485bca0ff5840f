// SPDX-License-Identifier: MIT
/*
 * The VCPU_EXT record (docs/image-format.md): a vCPU's state beyond its
 * context, field by field in a layout of the image's own (Xen's domctl
 * structures are not a stable interface). Decoding treats it as hostile;
 * the hypervisor validates the values themselves when they are set.
 */
#include <errno.h>
#include <string.h>

#include "ckpt/ckpt.h"

#define OFF_FLAGS 4
#define OFF_SYSCALL32_EIP 8
#define OFF_SYSENTER_EIP 16
#define OFF_SYSCALL32_CS 24
#define OFF_SYSENTER_CS 26
#define OFF_SYSCALL32_DISABLES 28
#define OFF_SYSENTER_DISABLES 29
#define OFF_RESERVED16 30
#define OFF_MCG_CAP 32
#define OFF_MCI_CTL2_BANK0 40
#define OFF_MCI_CTL2_BANK1 48
#define OFF_MCG_EXT_CTL 56
#define OFF_NR_MSRS 64
#define OFF_XSAVE_LEN 68
#define OFF_MSRS 72
#define MSR_SLOT 16u
#define OFF_XSAVE (OFF_MSRS + CHAOS_VCPU_MSRS_MAX * MSR_SLOT)

_Static_assert(OFF_XSAVE + CHAOS_VCPU_XSAVE_MAX == CHAOS_SAVEIMG_VCPU_EXT_SIZE,
	       "VCPU_EXT layout");

/* Xen's PV blob: XCR0 and XCR0_ACCUM before the area, whose legacy and
 * XSAVE headers alone are 576 bytes (a shorter one Xen refuses). */
#define XSAVE_HEADER 16u
#define XSAVE_AREA_MIN 576u

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

void chaos_saveimg_vcpu_ext_encode(uint8_t *p, uint32_t vcpu,
				   const struct chaos_vcpu_ext *ext)
{
	memset(p, 0, CHAOS_SAVEIMG_VCPU_EXT_SIZE);
	saveimg_put32(p, vcpu);
	saveimg_put64(p + OFF_SYSCALL32_EIP, ext->syscall32_eip);
	saveimg_put64(p + OFF_SYSENTER_EIP, ext->sysenter_eip);
	put16(p + OFF_SYSCALL32_CS, ext->syscall32_cs);
	put16(p + OFF_SYSENTER_CS, ext->sysenter_cs);
	p[OFF_SYSCALL32_DISABLES] = ext->syscall32_disables_events;
	p[OFF_SYSENTER_DISABLES] = ext->sysenter_disables_events;
	saveimg_put64(p + OFF_MCG_CAP, ext->mcg_cap);
	saveimg_put64(p + OFF_MCI_CTL2_BANK0, ext->mci_ctl2_bank0);
	saveimg_put64(p + OFF_MCI_CTL2_BANK1, ext->mci_ctl2_bank1);
	saveimg_put64(p + OFF_MCG_EXT_CTL, ext->mcg_ext_ctl);
	saveimg_put32(p + OFF_NR_MSRS, ext->nr_msrs);
	saveimg_put32(p + OFF_XSAVE_LEN, ext->xsave_len);
	for (uint32_t i = 0; i < ext->nr_msrs && i < CHAOS_VCPU_MSRS_MAX; i++) {
		saveimg_put32(p + OFF_MSRS + i * MSR_SLOT, ext->msrs[i].index);
		saveimg_put64(p + OFF_MSRS + i * MSR_SLOT + 8, ext->msrs[i].value);
	}
	if (ext->xsave_len <= CHAOS_VCPU_XSAVE_MAX)
		memcpy(p + OFF_XSAVE, ext->xsave, ext->xsave_len);
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static int decode_msrs(const uint8_t *p, uint32_t vcpu,
		       struct chaos_vcpu_ext *ext, chaos_err *err)
{
	ext->nr_msrs = saveimg_get32(p + OFF_NR_MSRS);
	if (ext->nr_msrs > CHAOS_VCPU_MSRS_MAX)
		return chaos_err_set(err, EINVAL,
				     "image: VCPU_EXT %u: nr_msrs %u is more than %u",
				     vcpu, ext->nr_msrs, CHAOS_VCPU_MSRS_MAX);
	for (uint32_t i = 0; i < CHAOS_VCPU_MSRS_MAX; i++) {
		const uint8_t *slot = p + OFF_MSRS + i * MSR_SLOT;

		if (i >= ext->nr_msrs) {
			if (!all_zero(slot, MSR_SLOT))
				return chaos_err_set(err, EINVAL,
						     "image: VCPU_EXT %u: msrs[%u] is past nr_msrs and not zero",
						     vcpu, i);
			continue;
		}
		ext->msrs[i].index = saveimg_get32(slot);
		ext->msrs[i].value = saveimg_get64(slot + 8);
		if (saveimg_get32(slot + 4))
			return chaos_err_set(err, EINVAL,
					     "image: VCPU_EXT %u: msrs[%u].reserved is not zero",
					     vcpu, i);
		for (uint32_t j = 0; j < i; j++)
			if (ext->msrs[j].index == ext->msrs[i].index)
				return chaos_err_set(err, EINVAL,
						     "image: VCPU_EXT %u: msrs[%u].index %#x is also msrs[%u]'s",
						     vcpu, i, ext->msrs[i].index, j);
	}
	return 0;
}

static int decode_xsave(const uint8_t *p, uint32_t vcpu,
			struct chaos_vcpu_ext *ext, chaos_err *err)
{
	uint32_t n = saveimg_get32(p + OFF_XSAVE_LEN);

	if (n && n != XSAVE_HEADER &&
	    (n < XSAVE_HEADER + XSAVE_AREA_MIN || n > CHAOS_VCPU_XSAVE_MAX))
		return chaos_err_set(err, EINVAL,
				     "image: VCPU_EXT %u: xsave_len %u is not 0, %u or from %u to %u",
				     vcpu, n, XSAVE_HEADER,
				     XSAVE_HEADER + XSAVE_AREA_MIN,
				     CHAOS_VCPU_XSAVE_MAX);
	if (!all_zero(p + OFF_XSAVE + n, CHAOS_VCPU_XSAVE_MAX - n))
		return chaos_err_set(err, EINVAL,
				     "image: VCPU_EXT %u: bytes after xsave_len %u are not zero",
				     vcpu, n);
	ext->xsave_len = n;
	memcpy(ext->xsave, p + OFF_XSAVE, n);
	return 0;
}

int chaos_saveimg_vcpu_ext_decode(const uint8_t *p, uint32_t vcpu,
				  bool online, struct chaos_vcpu_ext *ext,
				  chaos_err *err)
{
	memset(ext, 0, sizeof(*ext));
	if (saveimg_get32(p) != vcpu)
		return chaos_err_set(err, EINVAL,
				     "image: VCPU_EXT record for vCPU %u where vCPU %u's belongs",
				     saveimg_get32(p), vcpu);
	if (saveimg_get32(p + OFF_FLAGS) || get16(p + OFF_RESERVED16))
		return chaos_err_set(err, EINVAL,
				     "image: VCPU_EXT %u: flags or reserved bytes are not zero",
				     vcpu);
	/* Nothing of an offline vCPU is restored: nothing may be there. */
	if (!online) {
		if (!all_zero(p + 8, CHAOS_SAVEIMG_VCPU_EXT_SIZE - 8))
			return chaos_err_set(err, EINVAL,
					     "image: VCPU_EXT %u: the vCPU is offline but the record is not zero",
					     vcpu);
		return 0;
	}
	ext->syscall32_eip = saveimg_get64(p + OFF_SYSCALL32_EIP);
	ext->sysenter_eip = saveimg_get64(p + OFF_SYSENTER_EIP);
	ext->syscall32_cs = get16(p + OFF_SYSCALL32_CS);
	ext->sysenter_cs = get16(p + OFF_SYSENTER_CS);
	ext->syscall32_disables_events = p[OFF_SYSCALL32_DISABLES];
	ext->sysenter_disables_events = p[OFF_SYSENTER_DISABLES];
	if (ext->syscall32_disables_events > 1 || ext->sysenter_disables_events > 1)
		return chaos_err_set(err, EINVAL,
				     "image: VCPU_EXT %u: syscall32_disables_events %u or sysenter_disables_events %u is not 0 or 1",
				     vcpu, ext->syscall32_disables_events,
				     ext->sysenter_disables_events);
	ext->mcg_cap = saveimg_get64(p + OFF_MCG_CAP);
	ext->mci_ctl2_bank0 = saveimg_get64(p + OFF_MCI_CTL2_BANK0);
	ext->mci_ctl2_bank1 = saveimg_get64(p + OFF_MCI_CTL2_BANK1);
	ext->mcg_ext_ctl = saveimg_get64(p + OFF_MCG_EXT_CTL);
	return decode_msrs(p, vcpu, ext, err) || decode_xsave(p, vcpu, ext, err) ?
		       -1 : 0;
}
