// SPDX-License-Identifier: MIT
/* The Internet checksum (RFC 1071) over byte buffers of any alignment. */
#include "internal.h"

/*
 * Add 16-bit big-endian words into a 32-bit accumulator. Callers chain
 * buffers of even length; an odd tail is padded with a zero byte, so only
 * the last buffer of a chain may be odd.
 */
uint32_t net_sum(uint32_t sum, const uint8_t *data, size_t len)
{
	uint64_t acc = sum;

	while (len >= 2) {
		acc += get_be16(data);
		data += 2;
		len -= 2;
	}
	if (len)
		acc += (uint32_t)data[0] << 8;
	while (acc >> 32)
		acc = (acc & 0xffffffffu) + (acc >> 32);
	return (uint32_t)acc;
}

uint16_t net_sum_finish(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}
