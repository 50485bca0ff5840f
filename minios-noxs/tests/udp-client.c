// SPDX-License-Identifier: MIT
/*
 * udp-client: the dom0 side of the UDP rig scenarios (busybox nc has no
 * UDP mode). Static, so it runs in the rig's dom0 as it is.
 *
 *   udp-client query IP PORT [TIMEOUT_MS]
 *       send one datagram ("?"), print the answer; exit 1 without one
 *   udp-client echo IP PORT COUNT RATE WINDOW
 *       send COUNT datagrams of mixed sizes (1 to 1472 bytes, each with
 *       its sequence number and a pattern derived from it), at most RATE
 *       per second and WINDOW unanswered at a time; check every echo byte
 *       for byte; print one line of results; exit 1 unless every
 *       datagram came back intact exactly once
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_PAYLOAD 1472	/* MTU 1500 minus IPv4 and UDP headers */
#define SEQ_LEN 4
/* Give up on the rest when nothing came back for this long. */
#define STALL_MS 3000

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int parse_u32(const char *s, uint32_t min, uint32_t max,
		     uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "udp-client: bad number '%s'\n", s);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

static int open_socket(const char *ip, const char *port_text)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	uint32_t port;
	int fd;

	if (parse_u32(port_text, 1, 65535, &port))
		return -1;
	if (inet_pton(AF_INET, ip, &sa.sin_addr) != 1) {
		fprintf(stderr, "udp-client: bad address '%s'\n", ip);
		return -1;
	}
	sa.sin_port = htons((uint16_t)port);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	/* Connected: only the guest's answers are received. */
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("udp-client: socket");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int query(int fd, uint32_t timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char answer[MAX_PAYLOAD + 1];
	ssize_t n;

	if (send(fd, "?", 1, 0) != 1) {
		perror("udp-client: send");
		return 1;
	}
	if (poll(&p, 1, (int)timeout_ms) != 1) {
		fprintf(stderr, "udp-client: no answer in %u ms\n", timeout_ms);
		return 1;
	}
	n = recv(fd, answer, sizeof(answer) - 1, 0);
	if (n < 0) {
		perror("udp-client: recv");
		return 1;
	}
	answer[n] = '\0';
	fputs(answer, stdout);
	return 0;
}

/* Sizes cover the whole range; the sequence number needs 4 bytes. */
static size_t size_of(uint32_t seq)
{
	return SEQ_LEN + (size_t)(seq * 2654435761u % (MAX_PAYLOAD - SEQ_LEN + 1));
}

static void fill(uint8_t *buf, uint32_t seq, size_t len)
{
	memcpy(buf, &seq, SEQ_LEN);
	for (size_t i = SEQ_LEN; i < len; i++)
		buf[i] = (uint8_t)(seq * 31 + i);
}

struct echo_run {
	uint32_t count, received, corrupt, duplicate;
	uint64_t bytes;
	uint8_t *seen;
};

static void take_echo(struct echo_run *r, const uint8_t *buf, ssize_t n)
{
	uint8_t want[MAX_PAYLOAD];
	uint32_t seq;

	if (n < SEQ_LEN) {
		r->corrupt++;
		return;
	}
	memcpy(&seq, buf, SEQ_LEN);
	if (seq >= r->count || (size_t)n != size_of(seq)) {
		r->corrupt++;
		return;
	}
	fill(want, seq, (size_t)n);
	if (memcmp(want, buf, (size_t)n)) {
		r->corrupt++;
		return;
	}
	if (r->seen[seq]) {
		r->duplicate++;
		return;
	}
	r->seen[seq] = 1;
	r->received++;
	r->bytes += (uint64_t)n;
}

static int echo(int fd, uint32_t count, uint32_t rate, uint32_t window)
{
	struct echo_run r = { .count = count };
	uint8_t buf[MAX_PAYLOAD + 1];
	uint64_t start = now_us(), last_progress = start, elapsed;
	uint32_t sent = 0;

	r.seen = calloc(count, 1);
	if (!r.seen) {
		perror("udp-client: calloc");
		return 1;
	}
	while (r.received < count) {
		uint64_t now = now_us();
		uint64_t due = start + (uint64_t)sent * 1000000u / rate;
		int timeout_ms = 100;
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (sent < count && sent - r.received < window && now >= due) {
			size_t len = size_of(sent);

			fill(buf, sent, len);
			if (send(fd, buf, len, 0) != (ssize_t)len) {
				perror("udp-client: send");
				break;
			}
			sent++;
			continue;
		}
		if (now - last_progress > STALL_MS * 1000u)
			break;
		if (sent < count && sent - r.received < window)
			timeout_ms = (int)((due - now) / 1000u);
		if (poll(&p, 1, timeout_ms) == 1) {
			ssize_t n = recv(fd, buf, sizeof(buf), 0);

			if (n >= 0) {
				take_echo(&r, buf, n);
				last_progress = now_us();
			}
		}
	}
	elapsed = now_us() - start;
	printf("sent %u received %u corrupt %u duplicate %u lost %u "
	       "bytes %llu elapsed_us %llu\n", sent, r.received, r.corrupt,
	       r.duplicate, count - r.received, (unsigned long long)r.bytes,
	       (unsigned long long)elapsed);
	free(r.seen);
	return r.received == count && !r.corrupt && !r.duplicate ? 0 : 1;
}

static int usage(void)
{
	fprintf(stderr, "usage: udp-client query IP PORT [TIMEOUT_MS]\n"
			"       udp-client echo IP PORT COUNT RATE WINDOW\n");
	return 2;
}

int main(int argc, char **argv)
{
	uint32_t timeout_ms = 5000, count, rate, window;
	int fd, rc;

	if (argc >= 4 && argc <= 5 && !strcmp(argv[1], "query")) {
		if (argc == 5 && parse_u32(argv[4], 1, 600000, &timeout_ms))
			return 2;
		fd = open_socket(argv[2], argv[3]);
		if (fd < 0)
			return 2;
		rc = query(fd, timeout_ms);
	} else if (argc == 7 && !strcmp(argv[1], "echo")) {
		if (parse_u32(argv[4], 1, 10000000, &count) ||
		    parse_u32(argv[5], 1, 1000000, &rate) ||
		    parse_u32(argv[6], 1, 100000, &window))
			return 2;
		fd = open_socket(argv[2], argv[3]);
		if (fd < 0)
			return 2;
		rc = echo(fd, count, rate, window);
	} else {
		return usage();
	}
	close(fd);
	return rc;
}
