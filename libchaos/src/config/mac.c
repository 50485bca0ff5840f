// SPDX-License-Identifier: MIT
/*
 * Generated vif MACs. The rule is part of the interface (docs/config.md):
 * orchestrators may compute the same addresses, so never change it.
 *
 * First octet: bit 0 clear (unicast), bit 1 set (locally administered),
 * bit 2 says how the rest was made:
 *  - named guest (bit 2 clear): 42 bits of a hash of the name, then the vif
 *    index in the low 3 bits of the last octet;
 *  - unnamed guest (bit 2 set): 06:<domid, 4 octets big-endian>:<index>.
 * So the two kinds never collide, vifs of one guest always differ, and
 * id-made MACs are unique outright; name-made ones are unique unless two
 * names hash alike (about n^2 / 2^43 for n names).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config/config.h"

#define MAC_LOCAL     0x02
#define MAC_BY_DOMID  0x04
#define HASH_BITS     42

/* 64-bit FNV-1a, then the splitmix64 finaliser to spread the bits. */
static uint64_t name_hash(const char *name)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ull;
	}
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebull;
	h ^= h >> 31;
	return h;
}

void chaos_config_generate_mac(const char *name, uint32_t domid,
			       unsigned int index, uint8_t mac[6])
{
	index &= CHAOS_CONFIG_VIFS_MAX - 1;
	if (name && name[0]) {
		uint64_t bits = name_hash(name) & ((1ull << HASH_BITS) - 1);

		/* 5 bits into octet 0 (bits 3-7), 32 bits, then 5 bits. */
		mac[0] = (uint8_t)(MAC_LOCAL | ((bits >> 37) << 3));
		mac[1] = (uint8_t)(bits >> 29);
		mac[2] = (uint8_t)(bits >> 21);
		mac[3] = (uint8_t)(bits >> 13);
		mac[4] = (uint8_t)(bits >> 5);
		mac[5] = (uint8_t)(((bits & 0x1f) << 3) | index);
	} else {
		mac[0] = MAC_LOCAL | MAC_BY_DOMID;
		mac[1] = (uint8_t)(domid >> 24);
		mac[2] = (uint8_t)(domid >> 16);
		mac[3] = (uint8_t)(domid >> 8);
		mac[4] = (uint8_t)domid;
		mac[5] = (uint8_t)index;
	}
}

void chaos_config_format_mac(const uint8_t mac[6], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
}

int chaos_config_assign_macs(chaos_config *cfg, uint32_t domid,
			     chaos_err *err)
{
	if (cfg->nr_vifs > CHAOS_CONFIG_VIFS_MAX)
		return chaos_err_set(err, EINVAL, "vifs: at most %d vifs, got %zu",
				     CHAOS_CONFIG_VIFS_MAX, cfg->nr_vifs);
	for (size_t i = 0; i < cfg->nr_vifs; i++) {
		chaos_config_vif *vif = &cfg->vifs[i];

		if (vif->mac_set)
			continue;
		chaos_config_generate_mac(cfg->name, domid, (unsigned int)i,
					  vif->mac);
		vif->mac_set = true;
	}
	for (size_t i = 0; i < cfg->nr_vifs; i++)
		for (size_t j = 0; j < i; j++)
			if (!memcmp(cfg->vifs[i].mac, cfg->vifs[j].mac, 6)) {
				char text[18];

				chaos_config_format_mac(cfg->vifs[i].mac, text);
				return chaos_err_set(err, EEXIST,
					"vifs[%zu].mac: %s is also the MAC of vifs[%zu]",
					i, text, j);
			}
	return 0;
}
